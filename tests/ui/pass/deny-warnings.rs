//! Generated code is quiet in a crate that denies every warning. trybuild
//! does not run clippy: `tests/tests/derive/hygiene.rs` is the clippy-checked twin.
#![deny(warnings, missing_docs, unsafe_code, clippy::all, clippy::pedantic)]
#![deny(
    missing_debug_implementations,
    single_use_lifetimes,
    trivial_casts,
    unreachable_pub,
    unused_lifetimes,
    unused_qualifications,
    unused_results,
    rust_2018_idioms
)]

use std::borrow::Cow;

use audit_core::Auditable;

/// A chat.
#[derive(Clone, Debug, PartialEq, serde::Serialize, Auditable)]
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

/// A generic resource with a lifetime, a const parameter and a where clause.
#[derive(Clone, Debug, serde::Serialize, Auditable)]
#[audit(target = name)]
pub struct Page<'a, T, const N: usize>
where
    T: Clone + std::fmt::Debug,
{
    /// The id.
    #[audit(track)]
    pub id: u32,
    /// The name.
    #[audit(track)]
    pub name: Cow<'a, str>,
    /// The items.
    #[audit(track)]
    pub items: Vec<T>,
    /// When it was written, serialized by serde's `with`.
    #[audit(track)]
    #[serde(with = "time::serde::rfc3339")]
    pub written_at: time::OffsetDateTime,
    /// Slots.
    #[audit(secret)]
    #[serde(skip)]
    pub slots: [u8; N],
}

fn main() {
    let chat = Chat { id: 1, org: None, title: String::new() };
    assert!(audit_core::diff(&chat, &chat.clone()).is_empty());
    let page: Page<'_, u8, 2> = Page {
        id: 1,
        name: Cow::Borrowed("home"),
        items: Vec::new(),
        written_at: time::OffsetDateTime::UNIX_EPOCH,
        slots: [0; 2],
    };
    assert!(audit_core::diff(&page, &page.clone()).is_empty());
    assert_eq!(page.resource_target(), "home");
}
