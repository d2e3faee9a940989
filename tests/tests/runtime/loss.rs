//! No silent loss: what no caller can be handed (a guard dropped while its
//! sink cannot take the entry, lines the writer could not write) goes to
//! standard error, and `flush` says what was lost. The cases that print run
//! in a child process (this test binary's ignored test `loss::child`, run
//! with `CHILD_ENV` naming the case), so that their standard error can be read.

use std::io::Read as _;
use std::path::Path;
use std::pin::pin;
use std::process::{Command, Output, Stdio};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use audit_core::{
    Action, AuditEntry, AuditRequest, AuditSink, Auditable, ExportError, JsonLinesSink,
};
use serde::Serialize;

const CHILD_ENV: &str = "AUDIT_TEST_LOSS_CASE";

#[derive(Clone, Serialize, Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    archived: bool,
}

/// The README's "Auditing a mutation" example, writing to `path`.
fn readme_example(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let sink = JsonLinesSink::open(path)?;
    let stored = Chat {
        id: 7,
        archived: false,
    };

    let mut audit = AuditRequest::new(&sink, Action::WRITE)
        .actor("user-1")
        .request_id("req-1");
    audit.set_old(stored.clone());
    let updated = Chat {
        archived: true,
        ..stored
    }; // the row, re-read after the update
    audit.set_new(updated);
    audit.commit(200)?;
    sink.flush()?; // returns once the entry is on disk, or says why not
    Ok(())
}

/// A sink that takes nothing: its writer is gone.
struct ClosedSink;

impl AuditSink for ClosedSink {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        Err(ExportError::Closed(Box::new(entry)))
    }
}

/// Runs in the child process: the case `CHILD_ENV` names.
#[test]
#[ignore = "child process of the loss tests"]
fn child() {
    let case = std::env::var(CHILD_ENV)
        .expect("a child process: the loss tests run it with the case in AUDIT_TEST_LOSS_CASE");
    match case.as_str() {
        "readme_on_full_disk" => {
            if let Err(error) = readme_example(Path::new("/dev/full")) {
                // What `main` returning the error does.
                eprintln!("Error: {error}");
                std::process::exit(1);
            }
        }
        "drop_sink_on_full_disk" => {
            let sink = JsonLinesSink::open("/dev/full").unwrap();
            for id in 0..3 {
                let mut audit = AuditRequest::new(&sink, Action::CREATE).request_id("req-drop");
                audit.set_new(Chat {
                    id,
                    archived: false,
                });
                audit.commit(201).unwrap();
            }
            // No flush: the drop writes, fails, and must say so.
            drop(sink);
        }
        "guard_dropped_on_closed_sink" => {
            let mut audit = AuditRequest::new(&ClosedSink, Action::WRITE).request_id("req-lost");
            audit.set_old(Chat {
                id: 9,
                archived: false,
            });
            // The handler returns early, and the sink cannot take the entry.
        }
        "store_that_cannot_write_then_killed" => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("audit.db");
            let store = audit_core::sqlite::SqliteStore::open(&path).unwrap();
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch("DROP TABLE audit_entries")
                .unwrap();
            let mut audit = AuditRequest::new(&store, Action::CREATE).request_id("req-store");
            audit.set_new(Chat {
                id: 11,
                archived: false,
            });
            audit.commit(201).unwrap();
            assert!(store.flush().is_err());
            // Stopped as by a signal: no drop, nobody takes the unwritten entry.
            std::process::exit(0);
        }
        other => panic!("unknown case {other}"),
    }
}

/// Runs `case` in a child process.
fn run_child(case: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "loss::child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, case)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The JSON lines of `stderr` that are entries.
fn entries_in(stderr: &str) -> Vec<AuditEntry> {
    stderr
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

#[test]
fn readme_example_on_a_full_disk_fails_and_prints_the_entry() {
    let output = run_child("readme_on_full_disk");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "audit: 1 entry could not be written to /dev/full: No space left on device (os error 28); the entry follows"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Error: 1 audit entry could not be written: No space left on device (os error 28)"
        ),
        "{stderr}"
    );
    let entries = entries_in(&stderr);
    assert_eq!(entries.len(), 1, "{stderr}");
    assert_eq!(entries[0].request_id.as_deref(), Some("req-1"));
    assert_eq!(entries[0].actor.as_deref(), Some("user-1"));
    assert!(entries[0].diff.contains("archived"));
}

#[test]
fn dropping_a_sink_that_cannot_write_prints_its_entries() {
    let output = run_child("drop_sink_on_full_disk");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("audit: 3 entries could not be written to /dev/full"),
        "{stderr}"
    );
    let ids: Vec<String> = entries_in(&stderr)
        .into_iter()
        .map(|entry| entry.resource_id)
        .collect();
    assert_eq!(ids, ["0", "1", "2"], "{stderr}");
}

#[test]
fn guard_dropped_where_the_sink_cannot_take_it_prints_the_entry() {
    // No tracing subscriber in the child: standard error is all there is.
    let output = run_child("guard_dropped_on_closed_sink");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("audit: entry not exported: the audit sink is closed"),
        "{stderr}"
    );
    let entries = entries_in(&stderr);
    assert_eq!(entries.len(), 1, "{stderr}");
    assert_eq!(entries[0].request_id.as_deref(), Some("req-lost"));
    assert_eq!(entries[0].status_code, None);
    assert_eq!(
        serde_json::to_value(&entries[0].flags).unwrap(),
        serde_json::json!(["uncommitted"])
    );
}

#[test]
fn a_store_that_cannot_write_prints_the_entry_at_once() {
    // The process ends without dropping the store, as on a signal: the entry
    // is on standard error already, not only held for `take_unwritten`.
    let output = run_child("store_that_cannot_write_then_killed");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("audit: 1 entry could not be written to audit-sqlite-writer: no such table: audit_entries"),
        "{stderr}"
    );
    let entries = entries_in(&stderr);
    assert_eq!(entries.len(), 1, "{stderr}");
    assert_eq!(entries[0].request_id.as_deref(), Some("req-store"));
}

/// A sink writing into a FIFO nobody reads yet, with a small buffer that
/// never waits: it fills once the pipe is full.
fn stalled(dir: &Path) -> (JsonLinesSink, std::path::PathBuf) {
    let fifo = dir.join("stalled");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let sink = JsonLinesSink::builder(&fifo)
        .max_pending_bytes(4096)
        .max_wait(Duration::ZERO)
        .open()
        .unwrap();
    (sink, fifo)
}

/// Fills the stalled sink until it returns an entry.
fn fill(sink: &JsonLinesSink) -> u64 {
    let mut accepted = 0;
    loop {
        let mut audit = AuditRequest::new(sink, Action::CREATE);
        audit.set_new(Chat {
            id: accepted,
            archived: false,
        });
        match audit.commit(201) {
            Ok(()) => accepted += 1,
            Err(ExportError::QueueFull(_)) => return accepted,
            Err(error) => panic!("{error}"),
        }
        // Gives the writer time to fill the pipe.
        std::thread::sleep(Duration::from_micros(50));
        assert!(accepted < 100_000, "the sink never filled");
    }
}

/// Reads the FIFO to its end, once the sink is dropped.
fn read_all(fifo: &Path, sink: JsonLinesSink) -> Vec<AuditEntry> {
    let mut reader = std::fs::File::open(fifo).unwrap();
    let drop_sink = std::thread::spawn(move || drop(sink));
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    drop_sink.join().unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn guard_dropped_while_the_sink_is_full_is_written_beyond_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, fifo) = stalled(dir.path());
    let accepted = fill(&sink);
    {
        let mut audit = AuditRequest::new(&sink, Action::WRITE).request_id("req-dropped");
        audit.set_old(Chat {
            id: 1_000_000,
            archived: false,
        });
    }
    let entries = read_all(&fifo, sink);
    assert_eq!(entries.len() as u64, accepted + 1);
    let last = entries.last().unwrap();
    assert_eq!(last.request_id.as_deref(), Some("req-dropped"));
    assert_eq!(last.resource_id, "1000000");
}

#[test]
fn cancelled_async_commit_still_writes_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, fifo) = stalled(dir.path());
    let accepted = fill(&sink);
    {
        let mut audit = AuditRequest::new(&sink, Action::WRITE).request_id("req-cancelled");
        audit.set_old(Chat {
            id: 2_000_000,
            archived: false,
        });
        audit.set_new(Chat {
            id: 2_000_000,
            archived: true,
        });
        let mut commit = pin!(audit.commit_async(200));
        // The sink is full: the commit waits for room...
        let poll = commit
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()));
        assert!(matches!(poll, Poll::Pending));
        // ...and is cancelled, as by a timeout or a client gone away.
    }
    let entries = read_all(&fifo, sink);
    assert_eq!(entries.len() as u64, accepted + 1);
    let last = entries.last().unwrap();
    assert_eq!(last.request_id.as_deref(), Some("req-cancelled"));
    assert_eq!(last.status_code, Some(200));
}
