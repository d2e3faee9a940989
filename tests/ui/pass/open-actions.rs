//! Any snake_case name is an action: the schema lists the declared ones in
//! order, as `Action`s equal to the runtime's constants and names.

use audit_core::{Action, AuditFields, Auditable};

#[derive(Auditable)]
#[audit(actions(create, share, r#move, request_access_2 = "requested access 2 to"))]
struct Chat {
    #[audit(track)]
    id: u64,
}

const SHARE: Action = Action::from_static("share");

fn main() {
    assert_eq!(
        Chat::SCHEMA.actions,
        [
            Action::CREATE,
            SHARE,
            Action::from_static("move"),
            Action::from_static("request_access_2"),
        ]
    );
    assert!(Chat::SCHEMA.allows(&SHARE));
    assert!(!Chat::SCHEMA.allows(&Action::WRITE));
    assert_eq!(
        serde_json::to_value(Chat::SCHEMA).unwrap()["actions"],
        serde_json::json!(["create", "share", "move", "request_access_2"])
    );
    // Each with its past form: built in, or declared.
    assert_eq!(
        Chat::SCHEMA.past_forms,
        ["created", "shared", "moved", "requested access 2 to"]
    );
}
