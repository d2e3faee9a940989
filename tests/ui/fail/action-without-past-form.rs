// An action with no built-in past form declares one: sentences print it.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions(create, archive, frobnicate, share = "shared"))]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
