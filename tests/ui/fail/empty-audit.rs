// `#[audit()]` on a field needs a classification.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit()]
    title: String,
}

fn main() {}
