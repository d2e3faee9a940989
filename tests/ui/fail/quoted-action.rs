// An action is a bare name: neither quoted nor an expression.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions(create, "share", share + 1))]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
