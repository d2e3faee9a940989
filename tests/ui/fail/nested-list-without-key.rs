// A `Vec` of embedded structs is `nested` only with a key that matches its elements.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(embedded)]
struct Member {
    #[audit(track)]
    id: u64,
}

#[derive(Auditable)]
struct Project {
    #[audit(track)]
    id: u64,
    #[audit(nested)]
    members: Vec<Member>,
}

fn main() {}
