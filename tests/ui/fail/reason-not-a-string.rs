// A reason is a string literal.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(ignore = changes_often)]
    status: u8,
    #[audit(secret = 42)]
    title: String,
}

fn main() {}
