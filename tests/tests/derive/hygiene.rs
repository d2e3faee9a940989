//! Generated code is quiet and correct in a crate that denies every lint
//! clippy's `all` and `pedantic` groups hold (CI runs clippy on this file;
//! trybuild, which runs the `tests/ui/pass` fixtures, does not), with fields
//! named like the generated code's own variables, with derives inside
//! functions and modules, beside local items named like the prelude, and
//! with `audit-core` renamed or re-exported.
#![deny(
    warnings,
    missing_docs,
    unsafe_code,
    clippy::all,
    clippy::pedantic,
    missing_debug_implementations,
    single_use_lifetimes,
    unused_lifetimes,
    unused_qualifications,
    unused_results
)]

use audit_core::{AuditFields, Auditable};
use audit_tests::diff_json;
use audit_tests_renamed::{Setting, Thing};
use serde::Serialize;
use serde_json::json;

/// Fields named like the generated code's parameters and locals, and raw identifiers.
#[derive(Clone, Debug, Default, Serialize, Auditable)]
struct Clash {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    old: String,
    #[audit(track)]
    new: String,
    #[audit(track)]
    self_: bool,
    #[audit(track)]
    diff: u8,
    #[audit(track)]
    r#type: String,
    #[audit(secret)]
    r#match: String,
    #[audit(track)]
    __audit_diff: u8,
    #[audit(track)]
    __audit_old: u8,
    #[audit(track)]
    __audit_new: u8,
}

#[test]
fn fields_named_like_generated_locals() {
    let old = Clash::default();
    let new = Clash {
        old: "o".into(),
        new: "n".into(),
        self_: true,
        diff: 1,
        r#type: "t".into(),
        r#match: "m".into(),
        __audit_diff: 2,
        __audit_old: 3,
        __audit_new: 4,
        ..old.clone()
    };
    assert_eq!(
        diff_json(&old, &new),
        json!({
            "old": {"old": "", "new": "o", "secret": false},
            "new": {"old": "", "new": "n", "secret": false},
            "self_": {"old": false, "new": true, "secret": false},
            "diff": {"old": 0, "new": 1, "secret": false},
            "type": {"old": "", "new": "t", "secret": false},
            "match": {"secret": true},
            "__audit_diff": {"old": 0, "new": 2, "secret": false},
            "__audit_old": {"old": 0, "new": 3, "secret": false},
            "__audit_new": {"old": 0, "new": 4, "secret": false},
        })
    );
    let names: Vec<_> = Clash::SCHEMA.fields.iter().map(|f| f.rust_name).collect();
    assert_eq!(
        names,
        [
            "id",
            "old",
            "new",
            "self_",
            "diff",
            "type",
            "match",
            "__audit_diff",
            "__audit_old",
            "__audit_new"
        ]
    );
}

/// Lifetime, type and const parameters and a where clause, under the denied
/// lifetime lints; the array is compared for any `N`, where serde
/// serializes arrays of up to 32 elements only.
#[derive(Auditable)]
#[audit(target = name)]
struct Borrowed<'a, T, const N: usize>
where
    T: Copy,
{
    #[audit(track)]
    id: &'a str,
    #[audit(track)]
    name: std::borrow::Cow<'a, str>,
    #[audit(track)]
    values: [T; N],
    #[audit(ignore = "a callback")]
    on_change: Box<dyn Fn(T) + 'a>,
}

#[test]
fn generic_struct_under_denied_lints() {
    let borrowed = |values| Borrowed {
        id: "b",
        name: "name".into(),
        values,
        on_change: Box::new(|_: u8| {}),
    };
    (borrowed([0, 0]).on_change)(1);
    assert_eq!(borrowed([0, 0]).resource_target(), "name");
    assert_eq!(
        serde_json::to_string(&audit_core::diff(&borrowed([0, 0]), &borrowed([0, 1]))).unwrap(),
        r#"{"values":{"old":[0,0],"new":[0,1],"secret":false}}"#
    );
}

#[test]
fn derive_inside_a_function() {
    fn label(chat: &Chat) -> String {
        format!("chat {}", chat.id)
    }

    #[derive(Clone, Debug, Serialize, Auditable)]
    #[audit(target_with = label, link = "/chats/{id}")]
    struct Chat {
        #[audit(track)]
        id: u8,
        #[audit(track)]
        archived: bool,
    }

    let old = Chat {
        id: 3,
        archived: false,
    };
    let new = Chat {
        archived: true,
        ..old.clone()
    };
    assert_eq!(old.resource_target(), "chat 3");
    assert_eq!(old.resource_link().as_deref(), Some("/chats/3"));
    assert_eq!(
        serde_json::to_string(&audit_core::diff(&old, &new)).unwrap(),
        r#"{"archived":{"old":false,"new":true,"secret":false}}"#
    );
}

/// Local items named like the prelude, `core`, `std`, `serde` and
/// `audit_core` sit beside the derived struct.
mod shadowed {
    #![allow(dead_code)] // The shadowing items exist only to be in scope.

    use ::audit_core::Auditable;

    pub(crate) struct Option;
    pub(crate) struct Result;
    pub(crate) struct String;
    pub(crate) struct Vec;
    pub(crate) struct Box;
    mod core {}
    mod std {}
    mod serde {}
    mod audit_core {}

    /// Derived inside a module, through the module's own import.
    #[derive(Debug, Auditable)]
    #[audit(org = org, link = "/orgs/{org}/notes/{id}")]
    pub(crate) struct Note {
        #[audit(track)]
        pub(crate) id: u64,
        #[audit(ignore)]
        pub(crate) org: ::core::option::Option<u64>,
        #[audit(track)]
        pub(crate) body: ::std::string::String,
        #[audit(secret)]
        pub(crate) author: ::std::string::String,
    }
}

#[test]
fn derive_beside_shadowing_items() {
    let note = shadowed::Note {
        id: 1,
        org: Some(9),
        body: "b".into(),
        author: "a".into(),
    };
    let edited = shadowed::Note {
        body: "c".into(),
        author: "z".into(),
        ..note
    };
    assert_eq!(
        diff_json(&note, &edited),
        json!({
            "body": {"old": "b", "new": "c", "secret": false},
            "author": {"secret": true},
        })
    );
    assert_eq!(note.resource_link().as_deref(), Some("/orgs/9/notes/1"));
    assert_eq!(note.organization_id().as_deref(), Some("9"));
}

/// `audit-tests-renamed` knows `audit-core` only as `audit`, and derives
/// through `crate = "audit"` and through a re-export.
#[test]
fn derives_through_a_renamed_and_a_reexported_crate() {
    let thing = Thing {
        id: 4,
        org: Some(2),
        name: "n".into(),
        token: "t".into(),
    };
    let renamed = Thing {
        name: "m".into(),
        token: "u".into(),
        ..thing.clone()
    };
    assert_eq!(
        diff_json(&thing, &renamed),
        json!({"name": {"old": "n", "new": "m", "secret": false}, "token": {"secret": true}})
    );
    assert_eq!(thing.resource_link().as_deref(), Some("/things/4"));
    assert_eq!(thing.organization_id().as_deref(), Some("2"));
    assert_eq!(Thing::SCHEMA.resource_type, "thing");

    let setting = Setting {
        id: "theme",
        value: 1u8,
    };
    let changed = Setting {
        value: 2,
        ..setting.clone()
    };
    assert_eq!(setting.resource_target(), "THEME");
    assert_eq!(
        diff_json(&setting, &changed),
        json!({"value": {"old": 1, "new": 2, "secret": false}})
    );
}
