//! The JSON a diff records: tracked fields with old and new values, secrets
//! without them, ignored fields never, unchanged values as `{}`.

use audit_tests::diff_json;
use std::collections::BTreeMap;

use audit_core::{Auditable, Change};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Debug, PartialEq, Serialize)]
struct Settings {
    theme: String,
    limits: Vec<u32>,
}

#[derive(Clone, Serialize, Auditable)]
struct Account {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    email: String,
    #[audit(secret = "a credential")]
    password_hash: String,
    #[audit(ignore = "changes on every request")]
    last_seen: u64,
    #[audit(track)]
    nickname: Option<String>,
    #[audit(track)]
    settings: Settings,
    #[audit(track)]
    labels: BTreeMap<String, String>,
    #[audit(track, rename = "is_admin")]
    admin: bool,
}

fn account() -> Account {
    Account {
        id: 1,
        email: "ada@example.com".into(),
        password_hash: "$argon2id$old".into(),
        last_seen: 100,
        nickname: None,
        settings: Settings {
            theme: "dark".into(),
            limits: vec![1, 2],
        },
        labels: BTreeMap::new(),
        admin: false,
    }
}

#[test]
fn unchanged_value_gives_an_empty_object() {
    let old = account();
    let diff = audit_core::diff(&old, &old.clone());
    assert!(diff.is_empty());
    assert_eq!(diff.len(), 0);
    assert_eq!(serde_json::to_string(&diff).unwrap(), "{}");
}

#[test]
fn tracked_field_records_old_and_new() {
    let old = account();
    let new = Account {
        email: "ada@lovelace.dev".into(),
        ..old.clone()
    };
    assert_eq!(
        serde_json::to_string(&audit_core::diff(&old, &new)).unwrap(),
        r#"{"email":{"old":"ada@example.com","new":"ada@lovelace.dev","secret":false}}"#
    );
}

#[test]
fn secret_field_records_only_that_it_changed() {
    let old = account();
    let new = Account {
        password_hash: "$argon2id$new".into(),
        ..old.clone()
    };
    let diff = audit_core::diff(&old, &new);
    assert_eq!(
        serde_json::to_string(&diff).unwrap(),
        r#"{"password_hash":{"secret":true}}"#
    );
    let change = diff.get("password_hash").unwrap();
    assert!(change.is_secret());
    assert_eq!(change.old_value(), None);
    assert_eq!(change.new_value(), None);
    let debug = format!("{diff:?}");
    assert!(!debug.contains("argon2id"), "{debug}");
}

#[test]
fn ignored_field_is_never_recorded() {
    let old = account();
    let new = Account {
        last_seen: 200,
        ..old.clone()
    };
    assert!(audit_core::diff(&old, &new).is_empty());
}

#[test]
fn none_is_null_and_distinct_from_an_empty_value() {
    let old = account();
    let empty = Account {
        nickname: Some(String::new()),
        ..old.clone()
    };
    assert_eq!(
        diff_json(&old, &empty),
        json!({"nickname": {"old": null, "new": "", "secret": false}})
    );
    assert_eq!(
        diff_json(&empty, &old),
        json!({"nickname": {"old": "", "new": null, "secret": false}})
    );
}

#[test]
fn nested_values_are_recorded_whole() {
    let old = account();
    let mut new = old.clone();
    new.settings.limits.push(3);
    new.labels.insert("team".into(), "core".into());
    assert_eq!(
        diff_json(&old, &new),
        json!({
            "settings": {
                "old": {"theme": "dark", "limits": [1, 2]},
                "new": {"theme": "dark", "limits": [1, 2, 3]},
                "secret": false,
            },
            "labels": {"old": {}, "new": {"team": "core"}, "secret": false},
        })
    );
}

#[test]
fn changes_come_in_declaration_order_under_their_keys() {
    let old = account();
    let new = Account {
        admin: true,
        password_hash: "x".into(),
        email: "e".into(),
        ..old.clone()
    };
    let diff = audit_core::diff(&old, &new);
    assert_eq!(
        diff.keys().collect::<Vec<_>>(),
        ["email", "password_hash", "is_admin"]
    );
    assert_eq!(
        serde_json::to_string(&diff).unwrap(),
        r#"{"email":{"old":"ada@example.com","new":"e","secret":false},"password_hash":{"secret":true},"is_admin":{"old":false,"new":true,"secret":false}}"#
    );
    assert!(diff.contains("is_admin"));
    assert!(!diff.contains("admin"));
    assert_eq!(diff.iter().count(), 3);
    assert_eq!(
        diff.get("is_admin").unwrap().change(),
        &Change::Tracked {
            old: json!(false),
            new: json!(true)
        }
    );
}

#[test]
fn trait_method_and_free_function_agree() {
    let old = account();
    let new = Account {
        id: 2,
        ..old.clone()
    };
    assert_eq!(Account::diff(&old, &new), audit_core::diff(&old, &new));
}

#[test]
fn diff_reads_back_from_json() {
    let old = account();
    let new = Account {
        email: "e".into(),
        password_hash: "x".into(),
        ..old.clone()
    };
    let diff = audit_core::diff(&old, &new);
    let json = serde_json::to_string(&diff).unwrap();
    let read: audit_core::Diff = serde_json::from_str(&json).unwrap();
    assert_eq!(read, diff);
}

/// A map with non-string keys cannot be serialized to JSON.
#[derive(Clone, Serialize, Auditable)]
struct Grid {
    #[audit(track)]
    id: u8,
    #[audit(track)]
    cells: BTreeMap<(u8, u8), bool>,
}

#[test]
fn unserializable_change_is_recorded_with_the_error() {
    let old = Grid {
        id: 1,
        cells: BTreeMap::new(),
    };
    let mut new = old.clone();
    new.cells.insert((0, 0), true);
    let diff = audit_core::diff(&old, &new);
    let change = diff.get("cells").unwrap();
    assert_eq!(change.error(), Some("key must be a string"));
    assert_eq!(
        serde_json::to_value(&diff).unwrap(),
        json!({"cells": {"secret": false, "error": "key must be a string"}})
    );
}

/// Not `Serialize`: serialized only through the field's `#[serde(with)]`.
#[derive(Clone, Debug, PartialEq)]
struct Celsius(i16);

mod celsius {
    pub(crate) fn serialize<S: serde::Serializer>(
        value: &super::Celsius,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{} °C", value.0))
    }
}

fn shout<S: serde::Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_uppercase())
}

#[derive(Clone, Serialize, Auditable)]
struct Sensor {
    #[audit(track)]
    id: u8,
    #[audit(track)]
    #[serde(with = "time::serde::rfc3339")]
    calibrated_at: time::OffsetDateTime,
    #[audit(track)]
    #[serde(with = "time::serde::rfc3339::option")]
    retired_at: Option<time::OffsetDateTime>,
    #[audit(track)]
    #[serde(with = "celsius")]
    threshold: Celsius,
    #[audit(track)]
    #[serde(serialize_with = "shout")]
    name: String,
}

#[test]
fn serde_with_functions_serialize_the_recorded_values() {
    use time::macros::datetime;

    let old = Sensor {
        id: 1,
        calibrated_at: datetime!(2026-01-01 00:00 UTC),
        retired_at: None,
        threshold: Celsius(20),
        name: "hall".into(),
    };
    let new = Sensor {
        calibrated_at: datetime!(2026-02-01 12:30 UTC),
        retired_at: Some(datetime!(2027-01-01 00:00 UTC)),
        threshold: Celsius(-5),
        name: "attic".into(),
        ..old.clone()
    };
    let diff = diff_json(&old, &new);
    assert_eq!(
        diff,
        json!({
            "calibrated_at": {"old": "2026-01-01T00:00:00Z", "new": "2026-02-01T12:30:00Z", "secret": false},
            "retired_at": {"old": null, "new": "2027-01-01T00:00:00Z", "secret": false},
            "threshold": {"old": "20 °C", "new": "-5 °C", "secret": false},
            "name": {"old": "HALL", "new": "ATTIC", "secret": false},
        })
    );
    // The values are the ones the struct's own JSON holds.
    let struct_json = serde_json::to_value(&new).unwrap();
    for key in ["calibrated_at", "retired_at", "threshold", "name"] {
        assert_eq!(diff[key]["new"], struct_json[key], "{key}");
    }
}
