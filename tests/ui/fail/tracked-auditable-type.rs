// A type that derives `Auditable`, or a container of one, cannot be tracked whole: it is `nested`.
use std::collections::BTreeMap;

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
    backup: Option<Box<Settings>>,
    #[audit(track)]
    history: Vec<Settings>,
    #[audit(track)]
    by_name: BTreeMap<String, Settings>,
}

fn main() {}
