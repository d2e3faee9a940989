// A field's `#[audit]` needs a classification in parentheses.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit]
    title: String,
}

fn main() {}
