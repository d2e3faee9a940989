//! The JSON-lines sink: durable flushes, a bounded queue, reported write
//! errors, and a reader that survives a crash mid-write.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use audit_core::{
    Action, AuditFields, AuditSink, Auditable, BackgroundAudit, ExportError, JsonLinesSink,
    json_lines,
};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Serialize, Auditable)]
struct Counter {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    value: u64,
    #[audit(track)]
    padding: String,
}

/// Exports a `write` of counter `id` from `value` to `value + 1`.
fn export(sink: &dyn AuditSink, id: u32, value: u64) -> Result<(), ExportError> {
    let old = Counter {
        id,
        value,
        padding: String::new(),
    };
    let new = Counter {
        value: value + 1,
        ..old.clone()
    };
    BackgroundAudit::new(sink, "counter").write(&old, &new)
}

fn values(path: &Path) -> Vec<u64> {
    json_lines::read(path)
        .unwrap()
        .entries
        .iter()
        .map(|entry| {
            entry
                .diff
                .get("value")
                .unwrap()
                .old_value()
                .unwrap()
                .as_u64()
                .unwrap()
        })
        .collect()
}

#[test]
fn flushed_entries_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap();
    for value in 0..100 {
        export(&sink, 1, value).unwrap();
    }
    sink.flush().unwrap();
    assert_eq!(values(&path), (0..100).collect::<Vec<_>>());

    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 100);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["diff"],
        json!({"value": {"old": 0, "new": 1, "secret": false}})
    );
}

#[test]
fn dropping_the_sink_writes_what_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap();
    for value in 0..50 {
        export(&sink, 1, value).unwrap();
    }
    drop(sink);
    assert_eq!(values(&path).len(), 50);
}

#[test]
fn reopening_appends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    for value in 0..2 {
        let sink = JsonLinesSink::open(&path).unwrap();
        export(&sink, 1, value).unwrap();
    }
    assert_eq!(values(&path), [0, 1]);
}

#[test]
fn full_disk_is_reported_by_flush() {
    let sink = JsonLinesSink::open("/dev/full").unwrap();
    export(&sink, 1, 0).unwrap();
    export(&sink, 1, 1).unwrap();
    let error = sink.flush().unwrap_err();
    let ExportError::Write { failed, source } = &error else {
        panic!("expected a write error, got {error:?}");
    };
    assert_eq!(*failed, 2);
    // The typed cause is kept: the file's `io::Error`.
    let source = source.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(source.raw_os_error(), Some(28)); // ENOSPC
    assert_eq!(
        error.to_string(),
        "2 audit entries could not be written: No space left on device (os error 28)"
    );
    // The error is reported once: a flush with nothing new to write succeeds.
    sink.flush().unwrap();
    // The next entry fails again, and is counted alone.
    export(&sink, 1, 2).unwrap();
    let ExportError::Write { failed, .. } = sink.flush().unwrap_err() else {
        panic!("expected a write error");
    };
    assert_eq!(failed, 1);
}

/// A sink whose file holds one synced entry, then is removed under it.
fn sink_whose_synced_file_is_removed() -> (tempfile::TempDir, PathBuf, JsonLinesSink) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap();
    export(&sink, 1, 0).unwrap();
    sink.flush().unwrap();
    std::fs::remove_file(&path).unwrap();
    (dir, path, sink)
}

#[test]
fn removed_file_is_reported_and_a_new_one_started() {
    let (_dir, path, sink) = sink_whose_synced_file_is_removed();
    export(&sink, 1, 1).unwrap();
    let error = sink.flush().unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("1 audit entry could not be written: "),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("was removed while entries were written to it; a new file was started"),
        "{error}"
    );

    export(&sink, 1, 2).unwrap();
    sink.flush().unwrap();
    assert_eq!(values(&path), [2]);
}

#[test]
fn a_removed_file_whose_entries_were_all_synced_loses_nothing() {
    let (_dir, path, sink) = sink_whose_synced_file_is_removed();
    // Nothing was written since the last sync: nothing is lost, and the
    // flush says so; the new file continues the chain.
    sink.flush().unwrap();
    export(&sink, 1, 1).unwrap();
    sink.flush().unwrap();
    drop(sink);
    assert_eq!(values(&path), [1]);
    let contents = json_lines::read(&path).unwrap();
    assert!(contents.skipped.is_empty(), "{:?}", contents.skipped);
    // Its first line is the rotation record after the removed file's one entry.
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with(r#"{"rotation":{"seq":1,"#), "{first}");
}

#[test]
fn partial_last_line_is_skipped_and_reported_and_isolated_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    {
        let sink = JsonLinesSink::open(&path).unwrap();
        export(&sink, 1, 0).unwrap();
        export(&sink, 1, 1).unwrap();
    }
    // A crash cut the third entry short.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(br#"{"id":"0192"#)
        .unwrap();

    let log = json_lines::read(&path).unwrap();
    assert_eq!(log.entries.len(), 2);
    assert_eq!(log.skipped.len(), 1);
    assert_eq!(log.skipped[0].line, 3);
    assert!(log.skipped[0].partial);
    assert!(
        log.skipped[0].error.contains("EOF while parsing"),
        "{}",
        log.skipped[0].error
    );

    // The next writer starts a fresh line, so its entries stay readable.
    {
        let sink = JsonLinesSink::open(&path).unwrap();
        export(&sink, 1, 2).unwrap();
    }
    let log = json_lines::read(&path).unwrap();
    assert_eq!(values(&path), [0, 1, 2]);
    assert_eq!(log.skipped.len(), 1);
    assert!(!log.skipped[0].partial);
}

/// A FIFO nobody reads from: the writer blocks once the pipe is full.
fn stalled_sink(dir: &Path) -> std::path::PathBuf {
    let fifo = dir.join("stalled");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    fifo
}

/// Reads the FIFO to its end in the background, so that a stalled writer can finish.
fn drain(fifo: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let mut reader = std::fs::File::open(fifo).unwrap();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).unwrap();
        bytes
    })
}

#[test]
fn full_buffer_returns_the_entry_after_the_wait_instead_of_growing() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = stalled_sink(dir.path());
    let sink = JsonLinesSink::builder(&fifo)
        .max_pending_bytes(4096)
        .max_wait(Duration::from_millis(20))
        .open()
        .unwrap();
    let mut accepted = 0u64;
    let returned = loop {
        match export(&sink, 1, accepted) {
            Ok(()) => accepted += 1,
            Err(error) => break error,
        }
        assert!(accepted < 100_000, "the queue never filled");
    };
    let ExportError::QueueFull(entry) = returned else {
        panic!("expected a full queue, got {returned:?}");
    };
    assert_eq!(
        entry.diff.get("value").unwrap().old_value(),
        Some(&json!(accepted))
    );

    let reader = drain(&fifo);
    drop(sink);
    let written = String::from_utf8(reader.join().unwrap()).unwrap();
    assert_eq!(written.lines().count() as u64, accepted);
}

#[test]
fn export_waits_for_room() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = stalled_sink(dir.path());
    let sink = JsonLinesSink::builder(&fifo)
        .max_pending_bytes(1)
        .max_wait(Duration::MAX)
        .open()
        .unwrap();
    let reader = drain(&fifo);
    for value in 0..2_000 {
        export(&sink, 1, value).unwrap();
    }
    drop(sink);
    let written = String::from_utf8(reader.join().unwrap()).unwrap();
    assert_eq!(written.lines().count(), 2_000);
}

const CHILD_ENV: &str = "AUDIT_TEST_KILLED_WRITER";

/// Run in a child process by `killed_writer_leaves_flushed_entries_intact`:
/// flushes 500 entries, says so, then writes until it is killed.
#[test]
#[ignore = "child process of killed_writer_leaves_flushed_entries_intact"]
fn killed_writer_child() {
    let path = std::env::var(CHILD_ENV).expect(
        "a child process: killed_writer_leaves_flushed_entries_intact runs it with its log in AUDIT_TEST_KILLED_WRITER",
    );
    let sink = JsonLinesSink::open(&path).unwrap();
    for value in 0..500 {
        export(&sink, 1, value).unwrap();
    }
    sink.flush().unwrap();
    println!("flushed");
    std::io::stdout().flush().unwrap();
    for value in 500.. {
        export(&sink, 1, value).unwrap();
    }
}

#[test]
fn killed_writer_leaves_flushed_entries_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "json_lines::killed_writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let started = Instant::now();
    let mut buffer = [0u8; 256];
    while !seen.contains("flushed") {
        let read = stdout.read(&mut buffer).unwrap();
        assert!(read > 0, "the child stopped early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buffer[..read]));
        assert!(started.elapsed() < Duration::from_mins(1), "{seen}");
    }
    // Let it write some more, then kill it mid-stream.
    std::thread::sleep(Duration::from_millis(50));
    child.kill().unwrap();
    child.wait().unwrap();

    let log = json_lines::read(&path).unwrap();
    let values = values(&path);
    assert!(values.len() >= 500, "{} entries", values.len());
    assert_eq!(values, (0..values.len() as u64).collect::<Vec<_>>());
    assert!(log.skipped.len() <= 1, "{:?}", log.skipped);
    assert!(
        log.skipped.iter().all(|line| line.partial),
        "{:?}",
        log.skipped
    );
}

#[test]
fn background_audit_records_its_subsystem_and_always_diffs() {
    let sink = audit_core::MemorySink::new();
    let old = Counter {
        id: 3,
        value: 1,
        padding: String::new(),
    };
    let new = Counter {
        value: 2,
        ..old.clone()
    };
    BackgroundAudit::new(&sink, "counter_reset")
        .automatic_actor("scheduler")
        .actor("user-2")
        .additional_field("run", 17)
        .status(500)
        .export(Action::WRITE, Some(&old), Some(&new))
        .unwrap();
    let entry = sink.last().unwrap();
    assert_eq!(entry.actor.as_deref(), Some("user-2"));
    assert_eq!(entry.status_code, Some(500));
    assert_eq!(
        serde_json::to_value(&entry.additional_fields).unwrap(),
        json!({"automatic_actor": "scheduler", "automatic_subsystem": "counter_reset", "run": 17})
    );
    assert_eq!(
        serde_json::to_value(&entry.diff).unwrap(),
        json!({"value": {"old": 1, "new": 2, "secret": false}})
    );
}

#[test]
fn entries_carry_their_schema_fingerprint_and_old_entries_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap();
    export(&sink, 1, 0).unwrap();
    sink.flush().unwrap();
    let log = json_lines::read(&path).unwrap();
    assert_eq!(
        log.entries[0].schema_fingerprint.as_deref(),
        Some(Counter::SCHEMA.fingerprint())
    );

    // A line written before fingerprints, chained.
    let old = r#"{"id":"01925d3c-0000-7000-8000-000000000001","time":"2026-01-04T10:00:01Z","actor":null,"organization_id":null,"ip":null,"user_agent":null,"resource_type":"counter","resource_id":"1","resource_target":"1","resource_link":null,"action":"write","diff":{},"status_code":200,"additional_fields":{},"request_id":null}"#;
    let mut chained = Vec::new();
    audit_core::chain::Chainer::new("old")
        .append(old.as_bytes(), &mut chained)
        .unwrap();
    chained.push(b'\n');
    std::fs::write(&path, &chained).unwrap();
    let log = json_lines::read(&path).unwrap();
    assert!(log.skipped.is_empty(), "{:?}", log.skipped);
    assert_eq!(log.entries[0].schema_fingerprint, None);

    // Without a chain, the log's writer did not write it: not an entry.
    std::fs::write(&path, format!("{old}\n")).unwrap();
    let log = json_lines::read(&path).unwrap();
    assert!(log.entries.is_empty());
    assert_eq!(log.skipped.len(), 1);
    assert_eq!(
        log.skipped[0].error,
        "the line has no \"chain\" member: the log's writer did not write it; `audit verify` reports it"
    );
}

/// A tracked JSON value a client set.
#[derive(Clone, Serialize, Auditable)]
struct Payload {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    body: serde_json::Value,
}

/// `[[[…]]]`, `levels` arrays deep: 400 bytes for 200 levels. Built, not
/// parsed: `serde_json` reads 128 levels at most.
fn nested_arrays(levels: usize) -> serde_json::Value {
    (1..levels).fold(json!([]), |inner, _| json!([inner]))
}

#[test]
fn a_value_too_deep_for_readers_is_recorded_as_an_error_and_every_entry_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap();
    let old = Payload {
        id: 1,
        body: json!(null),
    };
    let new = Payload {
        body: nested_arrays(200),
        ..old.clone()
    };
    BackgroundAudit::new(&sink, "import")
        .additional_field("raw", nested_arrays(200))
        .additional_field("shallow", nested_arrays(3))
        .write(&old, &new)
        .unwrap();
    // A value just within the limit is recorded as it is.
    let within = Payload {
        body: nested_arrays(100),
        ..old.clone()
    };
    BackgroundAudit::new(&sink, "import")
        .write(&old, &within)
        .unwrap();
    sink.flush().unwrap();

    let log = json_lines::read(&path).unwrap();
    assert!(log.skipped.is_empty(), "{:?}", log.skipped);
    assert_eq!(log.entries.len(), 2);
    let deep = &log.entries[0];
    assert_eq!(
        deep.diff.get("body").unwrap().error(),
        Some("the value nests deeper than 100 levels of arrays and objects")
    );
    assert_eq!(
        serde_json::to_value(&deep.additional_fields["raw"]).unwrap(),
        json!({"error": "not recorded: the value nests deeper than 100 levels of arrays and objects"})
    );
    assert_eq!(deep.additional_fields["shallow"], nested_arrays(3));
    assert_eq!(
        log.entries[1].diff.get("body").unwrap().new_value(),
        Some(&nested_arrays(100))
    );
}
