// A field takes exactly one class, once.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, ignore)]
    archived: bool,
    #[audit(track)]
    #[audit(secret = "sensitive")]
    title: String,
    #[audit(ignore, ignore)]
    status: u8,
}

fn main() {}
