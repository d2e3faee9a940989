// An action is listed once in `actions(...)`.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions(create, share, create))]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
