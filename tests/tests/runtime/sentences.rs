//! The sentence of each entry: the default one, the status rules, the
//! background and anonymous subjects, and the fields' `says(...)`
//! sentences, which read the diff.

use std::collections::BTreeMap;

use audit_core::{Action, AuditEntry, AuditRequest, Auditable, BackgroundAudit, MemorySink};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
enum Status {
    Active,
    Paused,
}

#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct Member {
    #[audit(track)]
    user_id: String,
    #[audit(track)]
    role: String,
}

#[derive(Clone, Serialize, Auditable)]
#[audit(resource = "chat_room", noun = "chat", target = name,
        actions(create, write, delete, archive, login, share = "shared", request_access = "requested access to"))]
struct Chat {
    #[audit(track)]
    id: u32,
    #[audit(track, says(changed = "renamed {noun} {old} to {new}"))]
    name: String,
    #[audit(track, says(true = "archived {noun} {target}", false = "unarchived {noun} {target}"))]
    archived: bool,
    #[audit(
        track,
        says(
            Status::Active = "activated {noun} {target}",
            changed = "changed the status of {noun} {target} to {new}"
        )
    )]
    status: Status,
    #[audit(nested, key = user_id, says(
        added = "shared {noun} {target} with {added} {added|user|users}",
        removed = "unshared {noun} {target} with {removed} {removed|user|users}",
        changed = "updated sharing for {noun} {target}",
    ))]
    members: Vec<Member>,
    #[audit(track, entries, says(added = "labelled {noun} {target}"))]
    labels: BTreeMap<String, String>,
    #[audit(
        secret = "may hold credentials",
        says(changed = "rotated the key of {noun} {target}")
    )]
    key: String,
    #[audit(track)]
    topic: String,
}

fn chat() -> Chat {
    Chat {
        id: 7,
        name: "Plans".into(),
        archived: false,
        status: Status::Paused,
        members: vec![member("u-1")],
        labels: BTreeMap::new(),
        key: "k1".into(),
        topic: "roadmap".into(),
    }
}

fn member(user_id: &str) -> Member {
    Member {
        user_id: user_id.into(),
        role: "viewer".into(),
    }
}

/// The sentence of a `write` from `old` to `new` by `user-1` with `status`.
fn write(old: Chat, new: Chat, status: u16) -> String {
    entry(Action::WRITE, Some(old), Some(new), Some(status))
        .description
        .expect("a new entry records its sentence")
}

fn entry(action: Action, old: Option<Chat>, new: Option<Chat>, status: Option<u16>) -> AuditEntry {
    let sink = MemorySink::new();
    let mut request = AuditRequest::new(&sink, action).actor("user-1");
    if let Some(old) = old {
        request.set_old(old);
    }
    if let Some(new) = new {
        request.set_new(new);
    }
    match status {
        Some(status) => request.commit(status).unwrap(),
        None => drop(request),
    }
    sink.last().unwrap()
}

#[test]
fn a_write_of_a_field_without_a_sentence_says_the_past_form() {
    let new = Chat {
        topic: "launch".into(),
        ..chat()
    };
    assert_eq!(write(chat(), new, 200), "user-1 updated chat Plans");
}

#[test]
fn each_action_says_its_past_form_built_in_or_declared() {
    let said = |action, old, new| entry(action, old, new, Some(200)).description.unwrap();
    assert_eq!(
        said(Action::CREATE, None, Some(chat())),
        "user-1 created chat Plans"
    );
    assert_eq!(
        said(Action::DELETE, Some(chat()), None),
        "user-1 deleted chat Plans"
    );
    assert_eq!(
        said(Action::from_static("archive"), Some(chat()), None),
        "user-1 archived chat Plans"
    );
    assert_eq!(
        said(Action::LOGIN, Some(chat()), None),
        "user-1 logged in chat Plans"
    );
    assert_eq!(
        said(Action::from_static("share"), Some(chat()), None),
        "user-1 shared chat Plans"
    );
    assert_eq!(
        said(Action::from_static("request_access"), Some(chat()), None),
        "user-1 requested access to chat Plans"
    );
    // Not declared, and not a common action: no past form to say.
    assert_eq!(
        said(Action::from_static("pin"), Some(chat()), None),
        "user-1 performed pin on chat Plans"
    );
}

#[test]
fn a_failed_request_says_it_was_attempted_with_the_verb_never_the_past_form() {
    let failed = |action, status| {
        entry(action, Some(chat()), None, Some(status))
            .description
            .unwrap()
    };
    assert_eq!(
        failed(Action::LOGIN, 401),
        "user-1 unsuccessfully attempted to login chat Plans"
    );
    assert_eq!(
        failed(Action::DELETE, 403),
        "user-1 unsuccessfully attempted to delete chat Plans"
    );
    assert_eq!(
        failed(Action::from_static("request_access"), 500),
        "user-1 unsuccessfully attempted to request access chat Plans"
    );
    // A failed write whose diff would have read as "archived" is not said so.
    let new = Chat {
        archived: true,
        ..chat()
    };
    assert_eq!(
        write(chat(), new, 409),
        "user-1 unsuccessfully attempted to write chat Plans"
    );
    // 399 is a success.
    assert_eq!(failed(Action::DELETE, 399), "user-1 deleted chat Plans");
}

#[test]
fn a_failed_request_for_a_resource_not_found_names_no_target() {
    let entry = entry(Action::DELETE, None, None, Some(404));
    assert_eq!(
        entry.description.as_deref(),
        Some("user-1 unsuccessfully attempted to delete chat")
    );
}

#[test]
fn an_unconfirmed_entry_says_so() {
    let new = Chat {
        archived: true,
        ..chat()
    };
    let entry = entry(Action::WRITE, Some(chat()), Some(new), None);
    assert_eq!(
        entry.description.as_deref(),
        Some("user-1 archived chat Plans (not confirmed)")
    );
    let entry = self::entry(Action::DELETE, Some(chat()), None, None);
    assert_eq!(
        entry.description.as_deref(),
        Some("user-1 deleted chat Plans (not confirmed)")
    );
}

#[test]
fn a_background_audit_says_its_subsystem_did_it_automatically() {
    let sink = MemorySink::new();
    let job = BackgroundAudit::new(&sink, "chat_auto_archive");
    let new = Chat {
        archived: true,
        ..chat()
    };
    job.write(&chat(), &new).unwrap();
    assert_eq!(
        sink.last().unwrap().description.as_deref(),
        Some("chat_auto_archive automatically archived chat Plans")
    );
    job.write(
        &chat(),
        &Chat {
            topic: "x".into(),
            ..chat()
        },
    )
    .unwrap();
    assert_eq!(
        sink.last().unwrap().description.as_deref(),
        Some("chat_auto_archive automatically updated chat Plans")
    );
    let failing = BackgroundAudit::new(&sink, "chat_auto_archive").status(500);
    failing.write(&chat(), &new).unwrap();
    assert_eq!(
        sink.last().unwrap().description.as_deref(),
        Some("chat_auto_archive unsuccessfully attempted to automatically write chat Plans")
    );
}

#[test]
fn an_entry_without_an_actor_says_someone() {
    let sink = MemorySink::new();
    let mut request = AuditRequest::new(&sink, Action::CREATE);
    request.set_new(chat());
    request.commit(201).unwrap();
    assert_eq!(
        sink.last().unwrap().description.as_deref(),
        Some("someone created chat Plans")
    );
}

#[test]
fn a_bool_field_says_its_sentence_for_its_new_value() {
    let archived = Chat {
        archived: true,
        ..chat()
    };
    assert_eq!(
        write(chat(), archived.clone(), 200),
        "user-1 archived chat Plans"
    );
    assert_eq!(write(archived, chat(), 204), "user-1 unarchived chat Plans");
}

#[test]
fn an_enum_field_says_the_sentence_of_the_variant_it_became_else_changed() {
    let active = Chat {
        status: Status::Active,
        ..chat()
    };
    assert_eq!(
        write(chat(), active.clone(), 200),
        "user-1 activated chat Plans"
    );
    assert_eq!(
        write(active, chat(), 200),
        "user-1 changed the status of chat Plans to Paused"
    );
}

#[test]
fn old_and_new_print_the_recorded_values() {
    let renamed = Chat {
        name: "Launch".into(),
        ..chat()
    };
    assert_eq!(
        write(chat(), renamed, 200),
        "user-1 renamed chat Plans to Launch"
    );
}

#[test]
fn a_keyed_list_says_what_was_added_or_removed_with_counts_and_plurals() {
    let two_more = Chat {
        members: vec![member("u-1"), member("u-2"), member("u-3")],
        ..chat()
    };
    assert_eq!(
        write(chat(), two_more.clone(), 200),
        "user-1 shared chat Plans with 2 users"
    );
    assert_eq!(
        write(two_more, chat(), 200),
        "user-1 unshared chat Plans with 2 users"
    );
    let one_more = Chat {
        members: vec![member("u-1"), member("u-2")],
        ..chat()
    };
    assert_eq!(
        write(chat(), one_more, 200),
        "user-1 shared chat Plans with 1 user"
    );
    // One added and one removed, or an element changed: `changed`.
    let swapped = Chat {
        members: vec![member("u-2")],
        ..chat()
    };
    assert_eq!(
        write(chat(), swapped, 200),
        "user-1 updated sharing for chat Plans"
    );
    let promoted = Chat {
        members: vec![Member {
            role: "owner".into(),
            ..member("u-1")
        }],
        ..chat()
    };
    assert_eq!(
        write(chat(), promoted, 200),
        "user-1 updated sharing for chat Plans"
    );
}

#[test]
fn a_per_entry_map_without_a_matching_sentence_says_the_default() {
    let labelled = Chat {
        labels: BTreeMap::from([("team".into(), "core".into())]),
        ..chat()
    };
    assert_eq!(
        write(chat(), labelled.clone(), 200),
        "user-1 labelled chat Plans"
    );
    // Removing has no sentence and no `changed`: the default one.
    assert_eq!(write(labelled, chat(), 200), "user-1 updated chat Plans");
}

#[test]
fn a_secret_field_says_only_that_it_changed() {
    let rotated = Chat {
        key: "k2".into(),
        ..chat()
    };
    let sentence = write(chat(), rotated, 200);
    assert_eq!(sentence, "user-1 rotated the key of chat Plans");
    assert!(!sentence.contains("k1") && !sentence.contains("k2"));
}

#[test]
fn two_fields_with_sentences_changed_at_once_say_the_default() {
    let both = Chat {
        archived: true,
        status: Status::Active,
        ..chat()
    };
    assert_eq!(write(chat(), both, 200), "user-1 updated chat Plans");
    let with_plain_field = Chat {
        archived: true,
        topic: "launch".into(),
        ..chat()
    };
    assert_eq!(
        write(chat(), with_plain_field, 200),
        "user-1 updated chat Plans"
    );
}

#[test]
fn a_field_sentence_is_said_for_a_write_only() {
    let archived = Chat {
        archived: true,
        ..chat()
    };
    let entry = entry(
        Action::from_static("share"),
        Some(chat()),
        Some(archived),
        Some(200),
    );
    assert_eq!(
        entry.description.as_deref(),
        Some("user-1 shared chat Plans")
    );
}

#[test]
fn the_sentence_is_a_member_of_the_entry_after_its_action() {
    let new = Chat {
        archived: true,
        ..chat()
    };
    let entry = entry(Action::WRITE, Some(chat()), Some(new), Some(200));
    let json = serde_json::to_string(&entry).unwrap();
    assert!(
        json.contains(r#""action":"write","description":"user-1 archived chat Plans","diff":{"#),
        "{json}"
    );
}

#[test]
fn an_entry_written_before_sentences_reads_with_the_default_sentence() {
    let line = r#"{"id":"0190d5a8-5c3e-7f00-8000-000000000001","time":"2026-01-01T00:00:00Z","actor":"ada","organization_id":null,"ip":null,"user_agent":null,"resource_type":"chat_room","resource_id":"7","resource_target":"Plans","resource_link":null,"action":"write","diff":{},"status_code":200,"additional_fields":{},"request_id":null}"#;
    let entry: AuditEntry = serde_json::from_str(line).unwrap();
    assert_eq!(entry.description, None);
    assert_eq!(entry.description(), "ada updated chat room Plans");
    // Written back, it stays as it was: no member is added to a stored entry.
    assert!(
        !serde_json::to_string(&entry)
            .unwrap()
            .contains("description")
    );
}

/// Every common action declared with no past form: the derive's built-in
/// forms are the ones `Action::past` gives entries read without a schema.
#[derive(Auditable)]
#[audit(actions(
    create, write, delete, start, stop, login, logout, register, connect, disconnect, open, close
))]
struct EveryCommonAction {
    #[audit(track)]
    id: u32,
}

#[test]
fn the_derive_and_the_runtime_agree_on_the_common_past_forms() {
    use audit_core::AuditFields;

    let schema = EveryCommonAction::SCHEMA;
    assert_eq!(schema.actions, Action::COMMON);
    let runtime: Vec<&str> = Action::COMMON
        .iter()
        .map(|action| action.past().unwrap())
        .collect();
    assert_eq!(schema.past_forms, runtime);
}
