// Two tracked fields of one auditable type are reported once, at the first, naming both.
use audit_core::Auditable;

#[derive(PartialEq, serde::Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(secret)]
    api_token: String,
}

#[derive(Auditable)]
struct Workspace {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    settings: Settings,
    #[audit(track)]
    defaults: Settings,
    #[audit(track)]
    backup: Option<Settings>,
}

fn main() {}
