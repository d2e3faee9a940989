// Field keys (`track`, `ignore`, `secret`, `rename`) belong on fields, not on the struct.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(track, rename = "conversation")]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
