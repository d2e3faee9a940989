// `nested` takes no reason: the nested struct's fields carry their own.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(track)]
    theme: String,
}

#[derive(Auditable)]
struct Workspace {
    #[audit(track)]
    id: u64,
    #[audit(nested = "settings")]
    settings: Settings,
}

fn main() {}
