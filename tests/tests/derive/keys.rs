//! Diff keys follow serde's names, and `#[audit(rename)]` overrides them.

use audit_core::{AuditFields, Auditable};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Default, Serialize, Auditable)]
#[serde(rename_all = "camelCase")]
struct Workspace {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    pin_order: i32,
    #[audit(track)]
    #[serde(rename = "owner")]
    owner_id: u32,
    #[audit(track, rename = "ttl")]
    #[serde(rename = "timeToLive")]
    time_to_live: u32,
    #[audit(track)]
    r#type: String,
    #[audit(track)]
    #[serde(rename(serialize = "autoStop", deserialize = "auto_stop"))]
    auto_stop_seconds: u32,
}

#[test]
fn keys_follow_serde_then_audit_rename() {
    let old = Workspace::default();
    let new = Workspace {
        pin_order: 1,
        owner_id: 2,
        time_to_live: 3,
        r#type: "docker".into(),
        auto_stop_seconds: 4,
        ..old.clone()
    };
    let diff = audit_core::diff(&old, &new);
    assert_eq!(
        diff.keys().collect::<Vec<_>>(),
        ["pinOrder", "owner", "ttl", "type", "autoStop"]
    );
    assert_eq!(
        serde_json::to_value(&diff).unwrap()["pinOrder"],
        json!({"old": 0, "new": 1, "secret": false})
    );
    let names: Vec<_> = Workspace::SCHEMA.fields.iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["id", "pinOrder", "owner", "ttl", "type", "autoStop"]
    );
    let rust_names: Vec<_> = Workspace::SCHEMA
        .fields
        .iter()
        .map(|f| f.rust_name)
        .collect();
    assert_eq!(
        rust_names,
        [
            "id",
            "pin_order",
            "owner_id",
            "time_to_live",
            "type",
            "auto_stop_seconds"
        ]
    );
}

#[derive(Clone, Default, Serialize, Auditable)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
struct Flag {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    is_enabled: bool,
}

#[test]
fn every_serde_rule_reaches_the_key() {
    let new = Flag {
        is_enabled: true,
        ..Flag::default()
    };
    assert_eq!(
        audit_core::diff(&Flag::default(), &new)
            .keys()
            .collect::<Vec<_>>(),
        ["IS-ENABLED"]
    );
}
