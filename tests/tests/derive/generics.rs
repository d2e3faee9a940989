//! Generic structs: type, lifetime and const parameters, where clauses, and
//! bounds only for the parameters that a compared or displayed field uses.

use audit_tests::diff_json;
use std::borrow::Cow;
use std::fmt::Display;

use audit_core::{AuditFields, Auditable};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Serialize, Auditable)]
struct Tagged<'a, I, T, const N: usize>
where
    I: Clone,
{
    #[audit(track)]
    id: I,
    #[audit(track)]
    name: Cow<'a, str>,
    #[audit(track)]
    tags: Vec<T>,
    #[audit(secret)]
    #[serde(skip)]
    slots: [u8; N],
}

#[test]
fn generic_struct_diffs_and_describes_itself() {
    let old: Tagged<'_, u32, String, 2> = Tagged {
        id: 5,
        name: Cow::Borrowed("first"),
        tags: vec![],
        slots: [0, 0],
    };
    let new = Tagged {
        tags: vec!["a".to_owned()],
        slots: [0, 1],
        ..old.clone()
    };
    assert_eq!(old.resource_id(), "5");
    assert_eq!(old.resource_target(), "first");
    assert_eq!(old.resource_type(), "tagged");
    assert_eq!(
        diff_json(&old, &new),
        json!({
            "tags": {"old": [], "new": ["a"], "secret": false},
            "slots": {"secret": true},
        })
    );
    let types: Vec<_> = Tagged::<u32, String, 2>::SCHEMA
        .fields
        .iter()
        .map(|f| f.rust_type)
        .collect();
    assert_eq!(types, ["I", "Cow<'a, str>", "Vec<T>", "[u8; N]"]);
}

/// Neither `PartialEq` nor `Serialize`: fine in an ignored field.
struct Handle;

#[derive(Auditable)]
#[allow(dead_code)] // `handle` is ignored: the derive never reads it.
struct WithHandle<H, S> {
    #[audit(track)]
    id: u8,
    #[audit(ignore = "a live connection")]
    handle: H,
    #[audit(secret)]
    token: S,
}

fn assert_auditable<T: Auditable>(_: &T) {}

#[test]
fn ignored_parameter_needs_no_bounds_and_secret_needs_partial_eq_only() {
    #[derive(PartialEq)]
    struct Token(&'static str);

    let with_token = |token| WithHandle {
        id: 1,
        handle: Handle,
        token: Token(token),
    };
    let old = with_token("old");
    assert_auditable(&old);
    assert_eq!(
        serde_json::to_string(&audit_core::diff(&old, &with_token("new"))).unwrap(),
        r#"{"token":{"secret":true}}"#
    );
}

/// A displayed generic field is bounded by `Display`.
#[derive(Auditable)]
#[audit(org = org, link = "/things/{id}")]
struct Owned<K: Display, O> {
    #[audit(track)]
    id: K,
    #[audit(ignore)]
    org: Option<O>,
}

#[test]
fn displayed_generic_fields() {
    let owned: Owned<&str, u16> = Owned {
        id: "k",
        org: Some(7),
    };
    assert_eq!(owned.resource_link().as_deref(), Some("/things/k"));
    assert_eq!(owned.organization_id().as_deref(), Some("7"));
}
