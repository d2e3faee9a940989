// A keyed list is recorded per element: its sentences count, they do not print it.
use audit_core::Auditable;

#[derive(Clone, serde::Serialize, Auditable)]
#[audit(embedded)]
struct Member {
    #[audit(track)]
    id: u64,
}

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(nested, key = id, says(added = "shared {noun} {target} with {new}", removed = "unshared {noun} {target} {removed|user}"))]
    members: Vec<Member>,
}

fn main() {}
