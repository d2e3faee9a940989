//! The entry format read back: every change shape of the nested format
//! (research notes §1.4) parses into the same `Diff` and writes back
//! byte-identical, through `serde_json` and through a JSON-lines file; a
//! member the reader does not know is rejected, never misread.

use audit_core::{
    Action, AuditEntry, AuditSink, Auditable, BackgroundAudit, Change, Diff, JsonLinesSink,
    MemorySink, Op, json_lines,
};
use serde_json::{Value, json};

/// Every shape, one per line, in the order a diff records them.
const SHAPES: &str = concat!(
    r#"{"settings.theme":{"old":"light","new":"dark","secret":false},"#,
    r#""settings.api_token":{"secret":true},"#,
    r#""backup":{"op":"add","secret":false},"#,
    r#""backup.theme":{"op":"add","new":"dark","secret":false},"#,
    r#""backup.api_token":{"op":"add","secret":true},"#,
    r#""labels.team":{"old":"a","new":"b","secret":false},"#,
    r#""labels.tier":{"op":"add","new":"1","secret":false},"#,
    r#""labels.env":{"op":"remove","old":"dev","secret":false},"#,
    r#""labels['app.kubernetes.io/name']":{"op":"add","new":"web","secret":false},"#,
    r#""env.DATABASE_URL":{"op":"add","secret":true},"#,
    r#""members[id=3]":{"op":"add","secret":false},"#,
    r#""members[id=3].role":{"op":"add","new":"viewer","secret":false},"#,
    r#""members[id=3].invite":{"op":"add","secret":true},"#,
    r#""members[id=2].role":{"old":"admin","new":"owner","secret":false},"#,
    r#""members[id=9]":{"op":"remove","secret":false},"#,
    r#""members[id=9].role":{"op":"remove","old":"viewer","secret":false},"#,
    r#""members":{"secret":false,"error":"duplicate key id=3"},"#,
    r#""created":{"new":7,"secret":false},"#,
    r#""deleted":{"old":7,"secret":false},"#,
    r#""tags":{"old":["a"],"new":["a","b"],"secret":false}}"#,
);

#[test]
fn every_shape_reads_back_and_writes_back_byte_identical() {
    let diff: Diff = serde_json::from_str(SHAPES).unwrap();
    assert_eq!(serde_json::to_string(&diff).unwrap(), SHAPES);

    let read = |key: &str| {
        let change = diff.get(key).unwrap();
        (change.op(), change.change().clone())
    };
    assert_eq!(
        read("settings.theme"),
        (
            None,
            Change::Tracked {
                old: json!("light"),
                new: json!("dark")
            }
        )
    );
    assert_eq!(read("settings.api_token"), (None, Change::Secret));
    assert_eq!(read("backup"), (Some(Op::Add), Change::Structural));
    assert_eq!(
        read("backup.theme"),
        (Some(Op::Add), Change::Added { new: json!("dark") })
    );
    assert_eq!(read("backup.api_token"), (Some(Op::Add), Change::Secret));
    assert_eq!(
        read("labels.env"),
        (Some(Op::Remove), Change::Removed { old: json!("dev") })
    );
    assert_eq!(
        read("members[id=9]"),
        (Some(Op::Remove), Change::Structural)
    );
    assert_eq!(
        read("members"),
        (
            None,
            Change::Unserializable {
                error: "duplicate key id=3".into()
            }
        )
    );
    assert_eq!(read("created"), (None, Change::Added { new: json!(7) }));
    assert_eq!(read("deleted"), (None, Change::Removed { old: json!(7) }));
}

#[derive(Clone, Auditable)]
struct Counter {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    value: u64,
}

/// An entry as a sink receives it, holding `diff`.
fn entry_with(diff: Diff) -> AuditEntry {
    let sink = MemorySink::new();
    let counter = Counter { id: 1, value: 0 };
    BackgroundAudit::new(&sink, "format_test")
        .export(Action::WRITE, Some(&counter), Some(&counter))
        .unwrap();
    let mut entry = sink.last().unwrap();
    entry.diff = diff;
    entry
}

#[test]
fn every_shape_reads_back_from_a_json_lines_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap();
    sink.export(entry_with(serde_json::from_str(SHAPES).unwrap()))
        .unwrap();
    sink.flush().unwrap();

    let log = json_lines::read(&path).unwrap();
    assert!(log.skipped.is_empty(), "{:?}", log.skipped);
    assert_eq!(log.entries.len(), 1);
    assert_eq!(serde_json::to_string(&log.entries[0].diff).unwrap(), SHAPES);
    let line = std::fs::read_to_string(&path).unwrap();
    let written: Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(
        written["diff"],
        serde_json::from_str::<Value>(SHAPES).unwrap()
    );
}

#[test]
fn a_member_the_reader_does_not_know_is_rejected_not_misread() {
    // A member a later version might add (the fingerprint members are known).
    let unknown = r#"{"api_token":{"secret":true,"hmac_salt":"41aa"}}"#;
    let error = serde_json::from_str::<Diff>(unknown).unwrap_err();
    assert!(
        error.to_string().contains("unknown field `hmac_salt`"),
        "{error}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut line = serde_json::to_value(entry_with(Diff::new())).unwrap();
    line["diff"] = serde_json::from_str(unknown).unwrap();
    std::fs::write(&path, format!("{line}\n")).unwrap();
    let log = json_lines::read(&path).unwrap();
    assert!(log.entries.is_empty());
    assert_eq!(log.skipped.len(), 1);
    assert_eq!(log.skipped[0].line, 1);
    assert!(
        log.skipped[0].error.contains("unknown field `hmac_salt`"),
        "{}",
        log.skipped[0].error
    );
}
