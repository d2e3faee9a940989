//! The request guard: which value an entry describes, when the diff is
//! computed, what is flagged, and what happens when it is dropped.

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

use audit_core::{Action, AuditEntry, AuditFields, AuditRequest, Auditable, Flag, MemorySink};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Serialize, Auditable)]
#[audit(org = organization_id, link = "/chats/{id}", actions(create, write, delete))]
struct Chat {
    #[audit(track)]
    id: u32,
    #[audit(ignore)]
    organization_id: Option<u32>,
    #[audit(secret)]
    title: String,
    #[audit(track)]
    archived: bool,
}

fn chat() -> Chat {
    Chat {
        id: 7,
        organization_id: Some(3),
        title: "Plans".into(),
        archived: false,
    }
}

fn archived() -> Chat {
    Chat {
        archived: true,
        ..chat()
    }
}

/// Commits a `write` from `old` to `new` with `status`.
fn write(sink: &MemorySink, old: Chat, new: Chat, status: u16) {
    let mut audit = AuditRequest::new(sink, Action::WRITE);
    audit.set_old(old);
    audit.set_new(new);
    audit.commit(status).unwrap();
}

/// The entry as JSON, without its id and time, which change on every run.
fn stable_json(entry: &AuditEntry) -> serde_json::Value {
    let mut json = serde_json::to_value(entry).unwrap();
    let object = json.as_object_mut().unwrap();
    object.remove("id").unwrap();
    object.remove("time").unwrap();
    json
}

#[test]
fn committed_write_records_everything() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE)
        .actor("user-1")
        .request_id("req-1")
        .ip(Ipv4Addr::new(10, 0, 0, 1))
        .user_agent("curl/8")
        .additional_field("reason", "cleanup");
    audit.set_old(chat());
    audit.set_new(archived());
    audit.commit(200).unwrap();

    let entry = sink.last().unwrap();
    assert_eq!(
        stable_json(&entry),
        json!({
            "actor": "user-1",
            "organization_id": "3",
            "ip": "10.0.0.1",
            "user_agent": "curl/8",
            "resource_type": "chat",
            "resource_id": "7",
            "resource_target": "7",
            "resource_link": "/chats/7",
            "action": "write",
            "description": "user-1 updated chat 7",
            "diff": {"archived": {"old": false, "new": true, "secret": false}},
            "status_code": 200,
            "additional_fields": {"reason": "cleanup"},
            "request_id": "req-1",
            "schema_fingerprint": Chat::SCHEMA.fingerprint(),
        })
    );
    assert_eq!(entry.id.get_version_num(), 7);
    let time = serde_json::to_value(&entry).unwrap()["time"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(time.ends_with('Z'), "{time}");
    assert_eq!(
        time::OffsetDateTime::parse(&time, &time::format_description::well_known::Rfc3339).unwrap(),
        entry.time
    );
}

#[test]
fn delete_describes_the_old_value() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::DELETE);
    audit.set_old(chat());
    audit.commit(204).unwrap();
    let entry = sink.last().unwrap();
    assert_eq!(entry.resource_id, "7");
    assert_eq!(entry.action, Action::DELETE);
    // Every tracked field's last value, the secret one without it; the
    // ignored one not at all.
    assert_eq!(
        serde_json::to_string(&entry.diff).unwrap(),
        r#"{"id":{"old":7,"secret":false},"title":{"secret":true},"archived":{"old":false,"secret":false}}"#
    );
    assert!(entry.flags.is_empty());
}

#[test]
fn create_describes_the_new_value() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::CREATE);
    audit.set_new(chat());
    audit.commit(201).unwrap();
    let entry = sink.last().unwrap();
    assert_eq!(entry.resource_link.as_deref(), Some("/chats/7"));
    assert_eq!(
        serde_json::to_string(&entry.diff).unwrap(),
        r#"{"id":{"new":7,"secret":false},"title":{"secret":true},"archived":{"new":false,"secret":false}}"#
    );
    assert!(entry.flags.is_empty());
}

#[test]
fn failed_create_and_other_one_sided_actions_record_no_values() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::CREATE);
    audit.set_new(chat());
    audit.commit(409).unwrap();
    let mut audit = AuditRequest::new(&sink, Action::WRITE);
    audit.set_new(chat());
    audit.commit(200).unwrap();
    let entries = sink.entries();
    assert!(
        entries.iter().all(|entry| entry.diff.is_empty()),
        "{entries:?}"
    );
}

#[test]
fn failed_request_records_no_diff() {
    let sink = MemorySink::new();
    write(&sink, chat(), archived(), 403);
    let entry = sink.last().unwrap();
    assert_eq!(entry.status_code, Some(403));
    assert!(entry.diff.is_empty());
    assert!(entry.flags.is_empty(), "{:?}", entry.flags);
}

#[test]
fn request_without_a_resource_is_still_recorded() {
    let sink = MemorySink::new();
    AuditRequest::<Chat>::new(&sink, Action::WRITE)
        .actor("user-1")
        .commit(404)
        .unwrap();
    let entry = sink.last().unwrap();
    assert_eq!(entry.resource_type, "chat");
    assert_eq!(entry.resource_id, "");
    assert_eq!(entry.status_code, Some(404));
}

#[test]
fn stale_new_value_is_flagged() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE);
    audit.set_old(chat());
    // The bug this catches: "new" set from the row before it was updated.
    audit.set_new(chat());
    audit.commit(200).unwrap();
    assert_eq!(sink.flagged(Flag::EmptyWriteDiff).len(), 1);
    assert_eq!(
        serde_json::to_value(sink.last().unwrap()).unwrap()["flags"],
        json!(["empty_write_diff"])
    );
}

#[test]
#[should_panic(expected = "1 write entry recorded no change")]
fn memory_sink_asserts_there_was_no_stale_write() {
    let sink = MemorySink::new();
    write(&sink, chat(), chat(), 200);
    sink.assert_no_empty_writes();
}

#[test]
fn undeclared_action_and_missing_organization_are_flagged() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::START);
    audit.set_new(Chat {
        organization_id: None,
        ..chat()
    });
    audit.commit(200).unwrap();
    let entry = sink.last().unwrap();
    assert_eq!(
        entry.flags,
        [Flag::UndeclaredAction, Flag::MissingOrganization]
    );
    assert_eq!(entry.organization_id, None);
}

#[test]
fn dropped_request_is_exported_as_uncommitted() {
    let sink = MemorySink::new();
    {
        let mut audit = AuditRequest::new(&sink, Action::WRITE).actor("user-1");
        audit.set_old(chat());
        audit.set_new(archived());
        // The handler returns early, e.g. with `?`, without committing.
    }
    let entry = sink.last().unwrap();
    assert_eq!(entry.flags, [Flag::Uncommitted]);
    assert_eq!(entry.status_code, None);
    assert_eq!(entry.actor.as_deref(), Some("user-1"));
    assert!(entry.diff.contains("archived"));
}

#[test]
fn dropped_request_without_values_and_cancelled_requests_export_nothing() {
    let sink = MemorySink::new();
    drop(AuditRequest::<Chat>::new(&sink, Action::WRITE));
    let mut audit = AuditRequest::new(&sink, Action::WRITE);
    audit.set_old(chat());
    audit.cancel();
    assert!(sink.is_empty());
}

#[test]
fn memory_sink_queries() {
    let sink = MemorySink::new();
    write(&sink, chat(), archived(), 200);
    write(&sink, archived(), chat(), 200);
    write(
        &sink,
        chat(),
        Chat {
            id: 8,
            title: "Other".into(),
            ..chat()
        },
        200,
    );

    assert_eq!(sink.len(), 3);
    assert_eq!(sink.entries_for("chat", "7").len(), 2);
    assert_eq!(sink.entries_of(&chat()).len(), 2);
    assert_eq!(sink.entries_of_type("chat").len(), 3);
    let entry = sink.assert_one_change("chat", "8", &["title", "id"]);
    assert_eq!(
        serde_json::to_value(&entry.diff).unwrap(),
        json!({"id": {"old": 7, "new": 8, "secret": false}, "title": {"secret": true}})
    );
    sink.clear();
    assert!(sink.is_empty());
}

#[test]
#[should_panic(
    expected = "expected exactly one entry for chat \"7\" changing [\"archived\"], found 2"
)]
fn assert_one_change_lists_what_it_found() {
    let sink = MemorySink::new();
    write(&sink, chat(), archived(), 200);
    write(&sink, archived(), chat(), 200);
    sink.assert_one_change("chat", "7", &["archived"]);
}

/// A writer that keeps what `tracing` writes, for asserting on reports.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_tracing(f: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn flags_are_reported_through_tracing() {
    let sink = MemorySink::new();
    let logs = captured_tracing(|| {
        let mut audit = AuditRequest::new(&sink, Action::WRITE).request_id("req-9");
        audit.set_old(chat());
        audit.set_new(chat());
        audit.commit(200).unwrap();
    });
    assert!(logs.contains("WARN"), "{logs}");
    assert!(logs.contains("probably a stale \"new\" value"), "{logs}");
    assert!(logs.contains("flag=EmptyWriteDiff"), "{logs}");
    assert!(logs.contains("resource_id=\"7\""), "{logs}");
    assert!(logs.contains("request_id=\"req-9\""), "{logs}");
}

#[test]
fn tracing_sink_emits_the_entry() {
    let logs = captured_tracing(|| {
        let mut audit = AuditRequest::new(&audit_core::TracingSink, Action::WRITE).actor("user-1");
        audit.set_old(chat());
        audit.set_new(archived());
        audit.commit(200).unwrap();
    });
    assert!(logs.contains(" INFO audit: audit"), "{logs}");
    assert!(logs.contains("resource_type=\"chat\""), "{logs}");
    assert!(logs.contains("actor=\"user-1\""), "{logs}");
    assert!(
        logs.contains(r#"diff={"archived":{"old":false,"new":true,"secret":false}}"#),
        "{logs}"
    );
    assert!(!logs.contains("Plans"), "{logs}");
}

#[test]
fn write_with_only_a_new_value_is_flagged() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE);
    // The bug this catches: the old value was never captured.
    audit.set_new(archived());
    audit.commit(200).unwrap();
    let entry = sink.last().unwrap();
    assert_eq!(entry.flags, [Flag::MissingOldValue]);
    assert!(entry.diff.is_empty());
    assert_eq!(
        serde_json::to_value(&entry).unwrap()["flags"],
        json!(["missing_old_value"])
    );
}

#[test]
fn write_with_only_an_old_value_is_flagged() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE);
    audit.set_old(chat());
    audit.commit(204).unwrap();
    assert_eq!(sink.last().unwrap().flags, [Flag::MissingNewValue]);
}

#[test]
fn failed_write_and_other_actions_with_one_value_are_not_flagged() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE);
    audit.set_old(chat());
    audit.commit(404).unwrap();
    let mut audit = AuditRequest::new(&sink, Action::CREATE);
    audit.set_new(chat());
    audit.commit(201).unwrap();
    let mut audit = AuditRequest::new(&sink, Action::DELETE);
    audit.set_old(chat());
    audit.commit(204).unwrap();
    assert!(sink.entries().iter().all(|entry| entry.flags.is_empty()));
    sink.assert_no_empty_writes();
}

#[test]
#[should_panic(expected = "1 write entry recorded no change")]
fn memory_sink_asserts_there_was_no_write_missing_a_value() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE);
    audit.set_new(archived());
    audit.commit(200).unwrap();
    sink.assert_no_empty_writes();
}

#[test]
fn write_missing_a_value_is_reported_through_tracing() {
    let sink = MemorySink::new();
    let logs = captured_tracing(|| {
        let mut audit = AuditRequest::new(&sink, Action::WRITE);
        audit.set_new(archived());
        audit.commit(200).unwrap();
    });
    assert!(
        logs.contains(" WARN audit: audit entry flagged: a successful write had no old value"),
        "{logs}"
    );
    assert!(logs.contains("flag=MissingOldValue"), "{logs}");
}

/// A resource whose id and target are free text.
#[derive(Clone, Serialize, Auditable)]
struct Note {
    #[audit(track)]
    id: String,
    #[audit(track)]
    name: String,
}

#[test]
fn newlines_in_text_cannot_forge_log_lines() {
    let forged = "x\n2026-01-01T00:00:00.000000Z  INFO audit: audit resource_id=\"forged\"";
    let note = Note {
        id: forged.to_owned(),
        name: forged.to_owned(),
    };
    let sink = MemorySink::new();
    let logs = captured_tracing(|| {
        let mut audit = AuditRequest::new(&audit_core::TracingSink, Action::CREATE)
            .actor(forged)
            .request_id(forged)
            .user_agent(forged);
        audit.set_new(note.clone());
        audit.commit(201).unwrap();
        // The flag warning carries the id too.
        let mut audit = AuditRequest::new(&sink, Action::WRITE).request_id(forged);
        audit.set_old(note.clone());
        audit.set_new(note.clone());
        audit.commit(200).unwrap();
    });
    // One line per event; the forged text stays inside its quoted field.
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(lines.len(), 2, "{logs}");
    assert!(lines[0].contains(" INFO audit: audit id="), "{logs}");
    assert!(
        lines[1].contains(" WARN audit: audit entry flagged"),
        "{logs}"
    );
    assert!(
        lines.iter().all(|line| !line.starts_with("2026-01-01")),
        "{logs}"
    );
    assert!(logs.contains(r#"resource_id="x\n2026"#), "{logs}");
    assert!(logs.contains(r#"resource_target="x\n2026"#), "{logs}");
}

#[test]
fn entry_time_is_serialized_as_time_writes_rfc3339() {
    use time::format_description::well_known::Rfc3339;
    use time::macros::datetime;

    let sink = MemorySink::new();
    write(&sink, chat(), archived(), 200);
    let mut entry = sink.last().unwrap();
    for time in [
        datetime!(2026-11-28 04:23:25.245001724 UTC),
        datetime!(2026-01-01 0:00 UTC),
        datetime!(2026-06-30 23:59:59.5 UTC),
        datetime!(9999-12-31 23:59:59.999_999_999 UTC),
    ] {
        entry.time = time;
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["time"], time.format(&Rfc3339).unwrap());
        let back: AuditEntry = serde_json::from_value(json).unwrap();
        assert_eq!(back.time, time);
    }
}

#[test]
fn guards_debug_without_values() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE)
        .actor("ada")
        .request_id("r-1");
    audit.set_old(chat());
    assert_eq!(
        format!("{audit:?}"),
        r#"AuditRequest { resource_type: "chat", action: "write", actor: Some("ada"), request_id: Some("r-1"), has_old: true, has_new: false, .. }"#
    );
    audit.cancel();
    let background = audit_core::BackgroundAudit::new(&sink, "sweeper")
        .request_id("r-2")
        .additional_field("token", "s3cr3t");
    let shown = format!("{background:?}");
    assert_eq!(
        shown,
        r#"BackgroundAudit { actor: None, request_id: Some("r-2"), additional_fields: ["automatic_actor", "automatic_subsystem", "token"], status_code: 200, .. }"#
    );
    assert!(!shown.contains("s3cr3t"));
}

#[test]
fn export_errors_quote_the_resource_so_newlines_cannot_forge_lines() {
    let note = Note {
        id: "x\naudit: forged".to_owned(),
        name: "n".to_owned(),
    };
    // A closed sink hands the entry back; its message names the resource quoted.
    let mut audit = AuditRequest::new(&ClosedSink, Action::CREATE);
    audit.set_new(note);
    let error = audit.commit(201).unwrap_err();
    let message = error.to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains(r#"create "note" "x\naudit: forged""#),
        "{message}"
    );
}

/// A sink that is closed: it hands every entry back.
struct ClosedSink;

impl audit_core::AuditSink for ClosedSink {
    fn export(&self, entry: AuditEntry) -> Result<(), audit_core::ExportError> {
        Err(audit_core::ExportError::Closed(Box::new(entry)))
    }
}
