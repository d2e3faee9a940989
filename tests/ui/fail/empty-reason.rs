// A reason, when given, says something.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(ignore = "")]
    status: u8,
    #[audit(secret = "  ")]
    title: String,
}

fn main() {}
