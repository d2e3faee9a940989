//! A crate may forbid the lints that generated code could be tempted to
//! allow: `#[allow]` under `#![forbid]` is an error, so the derive emits none.
//! (serde's derive does emit some, so this struct does not derive `Serialize`.)
//! `non_upper_case_globals`, and with it `warnings`, is only denied: the
//! `registry` feature registers schemas with `inventory::submit!`, which
//! allows it.
#![deny(warnings)]
#![forbid(
    missing_docs,
    unused_qualifications,
    unused_results,
    clippy::all,
    clippy::pedantic
)]

use audit_core::Auditable;

/// A chat.
#[derive(Clone, Auditable)]
#[audit(org = org, link = "/orgs/{org}/chats/{id}", actions(create, write))]
pub struct Chat<T> {
    /// The id.
    #[audit(track)]
    pub id: u64,
    /// The organization.
    #[audit(ignore = "recorded as the organization")]
    pub org: u64,
    /// The title.
    #[audit(secret)]
    pub title: String,
    /// The labels.
    #[audit(track)]
    pub labels: Vec<T>,
}

fn main() {
    let chat = Chat { id: 1, org: 2, title: String::new(), labels: vec![1u8] };
    assert!(audit_core::diff(&chat, &chat.clone()).is_empty());
    assert_eq!(chat.resource_link().as_deref(), Some("/orgs/2/chats/1"));
}
