// A past form is a non-empty string literal.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions(create, share = shared, pin = ""))]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
