// `key = field` names a field of the list's element type.
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
    #[audit(nested, key = user_id)]
    members: Vec<Member>,
}

fn main() {}
