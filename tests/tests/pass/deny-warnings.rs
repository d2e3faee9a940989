//! Generated code is quiet in a crate that denies every warning.
#![deny(warnings, missing_docs, unsafe_code, unused_qualifications, unused_results)]

use audit_core::Auditable;

/// A chat.
#[derive(Clone, PartialEq, serde::Serialize, Auditable)]
#[audit(org = org, link = "/chats/{id}")]
pub struct Chat {
    /// The id.
    #[audit(track)]
    pub id: u64,
    /// The organization.
    #[audit(ignore = "recorded as the organization")]
    pub org: Option<u64>,
    /// The title.
    #[audit(secret)]
    pub title: String,
}

fn main() {
    let chat = Chat { id: 1, org: None, title: String::new() };
    assert!(audit_core::diff(&chat, &chat.clone()).is_empty());
}
