//! `SCHEMA`: the static description of a resource and every field.

use audit_core::{Action, AuditFields, Auditable, FieldClass};
use audit_examples::chat::Chat;
use serde_json::json;

#[test]
fn chat_schema_describes_every_field() {
    assert_eq!(
        serde_json::to_value(Chat::SCHEMA).unwrap(),
        json!({
            "rust_name": "Chat",
            "resource_type": "chat",
            "doc": "A conversation between a user and an agent.",
            "actions": ["create", "write", "delete"],
            "past_forms": ["created", "updated", "deleted"],
            "noun": "chat",
            "sentences": [
                {"field": "archived", "when": {"equals": "true"}, "says": "archived {noun} {target}"},
                {"field": "archived", "when": {"equals": "false"}, "says": "unarchived {noun} {target}"},
                {"field": "pin_order", "when": {"equals": "0"}, "says": "unpinned {noun} {target}"},
                {"field": "pin_order", "when": "changed", "says": "pinned {noun} {target} at {new}"},
            ],
            "requires_org": true,
            "link": "/chats/{id}",
            "fields": [
                {"name": "id", "rust_name": "id", "rust_type": "Uuid", "class": "track",
                 "reason": null, "doc": "The chat's id."},
                {"name": "owner_id", "rust_name": "owner_id", "rust_type": "Uuid", "class": "track",
                 "reason": null, "doc": "The user who owns the chat."},
                {"name": "organization_id", "rust_name": "organization_id", "rust_type": "Uuid",
                 "class": "ignore", "reason": "scopes the entry; recorded as its organization",
                 "doc": "The organization the chat belongs to."},
                {"name": "title", "rust_name": "title", "rust_type": "String", "class": "secret",
                 "reason": "may contain sensitive content", "doc": "The title the user gave the chat."},
                {"name": "status", "rust_name": "status", "rust_type": "ChatStatus", "class": "ignore",
                 "reason": "changes on every message", "doc": "Whether the agent is working on the chat."},
                {"name": "heartbeat_at", "rust_name": "heartbeat_at",
                 "rust_type": "Option<OffsetDateTime>", "class": "ignore", "reason": "liveness ping",
                 "doc": "When the agent last reported that it is alive."},
                {"name": "archived", "rust_name": "archived", "rust_type": "bool", "class": "track",
                 "reason": null, "doc": "Whether the user archived the chat."},
                {"name": "pin_order", "rust_name": "pin_order", "rust_type": "i32", "class": "track",
                 "reason": null, "doc": "Where the chat is pinned in the sidebar; 0 when it is not."},
                {"name": "labels", "rust_name": "labels", "rust_type": "BTreeMap<String, String>",
                 "class": "track", "reason": null, "doc": "Labels the user attached to the chat."},
                {"name": "mcp_server_ids", "rust_name": "mcp_server_ids", "rust_type": "Vec<Uuid>",
                 "class": "track", "reason": null, "doc": "The MCP servers the agent may call in this chat."},
            ],
        })
    );
}

#[test]
fn schema_lookups() {
    let schema = Chat::SCHEMA;
    assert_eq!(schema.field("title").unwrap().class, FieldClass::Secret);
    assert_eq!(schema.field("nope"), None);
    assert!(schema.allows(&Action::WRITE));
    assert!(!schema.allows(&Action::START));
}

// A doc comment of several lines keeps its lines; `#[doc]` attributes count too.
#[derive(Auditable)]
#[allow(dead_code)] // `undocumented` is ignored: the derive never reads it.
#[audit(actions(create))]
#[doc = "First line."]
struct Documented {
    /// Line one.
    ///
    /// Line three, after a blank.
    #[audit(track)]
    id: u8,
    #[audit(ignore)]
    undocumented: u8,
}

#[test]
fn doc_comments_and_missing_reasons() {
    let schema = Documented::SCHEMA;
    assert_eq!(schema.doc, Some("First line."));
    assert_eq!(schema.actions, &[Action::CREATE]);
    assert_eq!(
        schema.fields[0].doc,
        Some("Line one.\n\nLine three, after a blank.")
    );
    assert_eq!(schema.fields[1].doc, None);
    assert_eq!(schema.fields[1].reason, None);
    assert_eq!(schema.fields[1].class, FieldClass::Ignore);
}

/// Actions are open: a resource declares its own verbs beside the common ones.
#[derive(Clone, serde::Serialize, Auditable)]
#[audit(actions(create, share, archive))]
struct Document {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    shared_with: Vec<String>,
}

#[test]
fn a_resource_declares_its_own_actions() {
    let schema = serde_json::to_value(Document::SCHEMA).unwrap();
    assert_eq!(schema["actions"], json!(["create", "share", "archive"]));
    assert!(Document::SCHEMA.allows(&Action::from_static("share")));
    assert!(Document::SCHEMA.allows(&Action::CREATE));
    assert!(!Document::SCHEMA.allows(&Action::WRITE));

    let markdown = audit_core::docs::markdown(&[Document::SCHEMA]);
    assert!(
        markdown.contains("`create`, `share`, `archive`"),
        "{markdown}"
    );
}

#[test]
fn an_entry_for_a_declared_action_is_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = audit_core::JsonLinesSink::open(&path).unwrap();
    let share = Action::new("share").unwrap();
    let old = Document {
        id: 1,
        shared_with: vec![],
    };
    let mut audit = audit_core::AuditRequest::new(&sink, share.clone());
    audit.set_old(old.clone());
    audit.set_new(Document {
        shared_with: vec!["ada".into()],
        ..old
    });
    audit.commit(200).unwrap();
    audit_core::AuditSink::flush(&sink).unwrap();

    let line = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(json["action"], "share");
    assert_eq!(json.get("flags"), None);
    let contents = audit_core::json_lines::read(&path).unwrap();
    assert_eq!(contents.entries[0].action, share);
    assert_eq!(contents.entries[0].action.as_str(), "share");
}

#[test]
fn an_undeclared_action_is_flagged() {
    let sink = audit_core::MemorySink::new();
    let mut audit = audit_core::AuditRequest::new(&sink, Action::from_static("approve"));
    audit.set_new(Document {
        id: 1,
        shared_with: vec![],
    });
    audit.commit(200).unwrap();
    assert_eq!(
        sink.last().unwrap().flags,
        [audit_core::Flag::UndeclaredAction]
    );
}

#[test]
fn action_names_are_snake_case() {
    for name in ["share", "request_password_reset", "v2_import"] {
        assert_eq!(Action::new(name).unwrap().as_str(), name);
    }
    for name in ["", "Share", "share-now", "2fa", "_private", "shar e"] {
        assert_eq!(
            Action::new(name).unwrap_err().to_string(),
            format!(
                "{name:?} is not an action name: an action is snake_case, a lowercase letter followed by lowercase letters, digits and `_`"
            ),
        );
    }
    assert!(serde_json::from_str::<Action>(r#""Share""#).is_err());
    assert_eq!(
        serde_json::from_str::<Action>(r#""share""#).unwrap(),
        Action::from_static("share")
    );
}

/// A struct named by a raw identifier is named without `r#`.
#[derive(Auditable)]
#[allow(non_camel_case_types)] // A keyword, lower case: the point of the test.
struct r#loop {
    #[audit(track)]
    id: u8,
}

#[test]
fn raw_struct_name_is_named_without_prefix() {
    assert_eq!(r#loop::SCHEMA.rust_name, "loop");
    assert_eq!(r#loop::SCHEMA.resource_type, "loop");
}
