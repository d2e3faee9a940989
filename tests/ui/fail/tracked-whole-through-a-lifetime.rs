// A field that borrows an auditable struct is no more tracked whole than
// one that owns it: its secret fields would be recorded.
use audit_core::Auditable;
use std::borrow::Cow;

#[derive(Clone, PartialEq, serde::Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(track)]
    theme: String,
    #[audit(secret)]
    api_token: String,
}

#[derive(Clone, serde::Serialize, Auditable)]
#[audit(resource = "workspace")]
struct WorkspaceView<'a> {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    settings: &'a Settings,
    #[audit(track)]
    backup: Cow<'a, Settings>,
}

fn main() {}
