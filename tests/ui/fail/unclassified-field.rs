// Every field is classified: `track`, `ignore` or `secret`.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    title: String,
}

fn main() {}
