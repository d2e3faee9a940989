//! `SCHEMA`: the static description of a resource and every field.

use audit_core::{Action, Auditable, FieldClass};
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

/// Every common action can be declared, under its snake_case name.
#[derive(Auditable)]
#[audit(actions(
    create, write, delete, start, stop, login, logout, register, connect, disconnect, open, close
))]
struct EveryAction {
    #[audit(track)]
    id: u8,
}

#[test]
fn the_derive_knows_every_action() {
    let common = [
        Action::CREATE,
        Action::WRITE,
        Action::DELETE,
        Action::START,
        Action::STOP,
        Action::LOGIN,
        Action::LOGOUT,
        Action::REGISTER,
        Action::CONNECT,
        Action::DISCONNECT,
        Action::OPEN,
        Action::CLOSE,
    ];
    assert_eq!(EveryAction::SCHEMA.actions, common);
    for action in &common {
        assert_eq!(
            serde_json::to_value(action).unwrap(),
            json!(action.as_str())
        );
    }
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
