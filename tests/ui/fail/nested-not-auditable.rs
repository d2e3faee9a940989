// `nested` needs a type that derives `Auditable`: reported once, at the field's type.
use audit_core::Auditable;

#[derive(Auditable)]
struct Workspace {
    #[audit(track)]
    id: u64,
    #[audit(nested)]
    settings: String,
}

fn main() {}
