// `key` goes with `nested`.
use audit_core::Auditable;

#[derive(Auditable)]
struct Project {
    #[audit(track)]
    id: u64,
    #[audit(track, key = id)]
    members: Vec<u64>,
}

fn main() {}
