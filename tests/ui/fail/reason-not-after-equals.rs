// A reason follows its class after `=`.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(ignore("changes on every message"))]
    status: u8,
    #[audit(secret: "may contain sensitive content")]
    title: String,
}

fn main() {}
