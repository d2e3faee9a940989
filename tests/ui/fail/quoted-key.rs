// Audit attributes are keys, without quotes; a reason follows its class.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit("chat")]
struct Chat {
    #[audit("track")]
    id: u64,
    #[audit("changes on every message")]
    status: u8,
    #[audit(42)]
    pin_order: i32,
}

fn main() {}
