// A field serde leaves out of the struct's JSON cannot be tracked: choose `ignore` or `secret`.
use audit_core::Auditable;

#[derive(serde::Serialize, Auditable)]
struct Account {
    #[audit(track)]
    id: u64,
    #[serde(skip)]
    #[audit(track)]
    password_hash: String,
}

fn main() {}
