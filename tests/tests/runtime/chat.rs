//! The chat example: its patch, archive and pin, and its whole lifecycle,
//! with the exact diffs they record.

use audit_tests::diff_json;
use std::collections::BTreeMap;

use audit_core::Auditable;
use audit_examples::chat::{Chat, ChatStatus};
use serde_json::json;
use time::macros::datetime;
use uuid::Uuid;

fn chat() -> Chat {
    audit_examples::lifecycle::new_chat()
}

#[test]
fn patch_records_the_title_as_secret_and_skips_status_and_heartbeat() {
    let old = chat();
    let new = Chat {
        title: "Q3 numbers (draft)".into(),
        labels: BTreeMap::from([("team".into(), "finance".into())]),
        status: ChatStatus::Running,
        heartbeat_at: Some(datetime!(2026-11-28 09:30 UTC)),
        mcp_server_ids: vec![Uuid::from_u128(7)],
        ..old.clone()
    };
    assert_eq!(
        diff_json(&old, &new),
        json!({
            "title": {"secret": true},
            "labels": {"old": {}, "new": {"team": "finance"}, "secret": false},
            "mcp_server_ids": {
                "old": [],
                "new": ["00000000-0000-0000-0000-000000000007"],
                "secret": false,
            },
        })
    );
    let serialized = serde_json::to_string(&audit_core::diff(&old, &new)).unwrap();
    assert!(!serialized.contains("Q3 numbers"), "{serialized}");
    assert!(!serialized.contains("Quarterly"), "{serialized}");
}

#[test]
fn archive_and_pin_record_one_field_each() {
    let old = chat();
    let archived = Chat {
        archived: true,
        ..old.clone()
    };
    assert_eq!(
        diff_json(&old, &archived),
        json!({"archived": {"old": false, "new": true, "secret": false}})
    );
    let pinned = Chat {
        pin_order: 2,
        ..archived.clone()
    };
    assert_eq!(
        diff_json(&archived, &pinned),
        json!({"pin_order": {"old": 0, "new": 2, "secret": false}})
    );
}

#[test]
fn chat_resource_functions() {
    let chat = chat();
    assert_eq!(chat.resource_target(), "01925d3c");
    assert_eq!(
        chat.resource_link().as_deref(),
        Some("/chats/01925d3c-7a1b-7c4e-8f2a-1b2c3d4e5f60")
    );
    assert_eq!(
        chat.organization_id().as_deref(),
        Some("01925d3c-0000-7000-8000-000000000001")
    );
}

/// The chat example's lifecycle against `MemorySink`: every entry, with
/// its exact diff.
#[test]
fn lifecycle_records_each_step() {
    use audit_core::MemorySink;
    use audit_examples::lifecycle::{
        CHAT_ID, IDLE_CHAT_ID, ORGANIZATION_ID, OTHER_USER_ID, OWNER_ID,
    };

    let sink = MemorySink::new();
    audit_examples::lifecycle::run(&sink).unwrap();

    let chat = CHAT_ID.to_string();
    let idle = IDLE_CHAT_ID.to_string();
    let owner = OWNER_ID.to_string();
    let other = OTHER_USER_ID.to_string();
    let steps: Vec<serde_json::Value> = sink
        .entries()
        .iter()
        .map(|entry| {
            assert!(entry.flags.is_empty(), "{entry:?}");
            assert_eq!(
                entry.organization_id.as_deref(),
                Some(ORGANIZATION_ID.to_string().as_str())
            );
            json!({
                "description": entry.description,
                "action": entry.action,
                "resource_id": entry.resource_id,
                "actor": entry.actor,
                "request_id": entry.request_id,
                "status_code": entry.status_code,
                "diff": entry.diff,
                "additional_fields": entry.additional_fields,
            })
        })
        .collect();
    let created = |id: &str| {
        json!({"id": {"new": id, "secret": false},
               "owner_id": {"new": owner, "secret": false},
               "title": {"secret": true},
               "archived": {"new": false, "secret": false},
               "pin_order": {"new": 0, "secret": false},
               "labels": {"new": {}, "secret": false},
               "mcp_server_ids": {"new": [], "secret": false}})
    };
    assert_eq!(
        steps,
        [
            json!({"description": format!("{owner} created chat 01925d3c"),
                   "action": "create", "resource_id": chat, "actor": owner, "request_id": "req-1",
                   "status_code": 201, "diff": created(&chat), "additional_fields": {}}),
            json!({"description": format!("{owner} updated chat 01925d3c"),
                   "action": "write", "resource_id": chat, "actor": owner, "request_id": "req-2",
                   "status_code": 200, "additional_fields": {},
                   "diff": {"title": {"secret": true},
                            "labels": {"old": {}, "new": {"team": "finance"}, "secret": false}}}),
            json!({"description": format!("{owner} pinned chat 01925d3c at 1"),
                   "action": "write", "resource_id": chat, "actor": owner, "request_id": "req-3",
                   "status_code": 200, "additional_fields": {},
                   "diff": {"pin_order": {"old": 0, "new": 1, "secret": false}}}),
            json!({"description": format!("{owner} archived chat 01925d3c"),
                   "action": "write", "resource_id": chat, "actor": owner, "request_id": "req-4",
                   "status_code": 200, "additional_fields": {},
                   "diff": {"archived": {"old": false, "new": true, "secret": false}}}),
            json!({"description": format!("{other} unsuccessfully attempted to write chat 01925d3c"),
                   "action": "write", "resource_id": chat, "actor": other, "request_id": "req-4b",
                   "status_code": 403, "additional_fields": {}, "diff": {}}),
            json!({"description": format!("{owner} created chat 01925d3c"),
                   "action": "create", "resource_id": idle, "actor": owner, "request_id": "req-5",
                   "status_code": 201, "diff": created(&idle), "additional_fields": {}}),
            json!({"description": "chat_auto_archive automatically archived chat 01925d3c",
                   "action": "write", "resource_id": idle, "actor": null, "request_id": null,
                   "status_code": 200,
                   "additional_fields": {"automatic_actor": "system",
                                         "automatic_subsystem": "chat_auto_archive"},
                   "diff": {"archived": {"old": false, "new": true, "secret": false}}}),
            json!({"description": format!("{owner} deleted chat 01925d3c"),
                   "action": "delete", "resource_id": chat, "actor": owner, "request_id": "req-6",
                   "status_code": 204, "additional_fields": {},
                   "diff": {"id": {"old": chat, "secret": false},
                            "owner_id": {"old": owner, "secret": false},
                            "title": {"secret": true},
                            "archived": {"old": true, "secret": false},
                            "pin_order": {"old": 1, "secret": false},
                            "labels": {"old": {"team": "finance"}, "secret": false},
                            "mcp_server_ids": {"old": [], "secret": false}}}),
        ]
    );
    sink.assert_no_empty_writes();
    let log = serde_json::to_string(&sink.entries()).unwrap();
    assert!(!log.contains("Q3 numbers"), "a secret title leaked: {log}");
    assert!(!log.contains("Quarterly"), "a secret title leaked: {log}");
}
