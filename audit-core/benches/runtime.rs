//! The runtime path: entries per second through `AuditRequest` and
//! `JsonLinesSink`, against writing the same entries with
//! `serde_json::to_writer` into a `BufWriter` (the floor: no diff, no queue,
//! no background thread). Both end with everything synced to disk.
//!
//! Run with `cargo bench -p audit-core --bench runtime`; see docs/performance.md.

use std::fs::File;
use std::io::{BufWriter, Write as _};

use audit_core::{
    Action, AuditEntry, AuditRequest, AuditSink, Auditable, JsonLinesSink, MemorySink,
};
use divan::Bencher;
use divan::counter::ItemsCount;
use serde::Serialize;
use uuid::Uuid;

fn main() {
    divan::main();
}

/// Entries per benchmark iteration, for the memory sink.
const ENTRIES: usize = 1_000;

/// Entries per iteration, each iteration ending with one sync to disk, for
/// the two file writers: with 1,000 the disk's sync weighs heavily, with
/// 10,000 the cost of each entry shows.
const PER_SYNC: [usize; 2] = [1_000, 10_000];

#[derive(Clone, Serialize, Auditable)]
#[audit(org = organization_id, link = "/chats/{id}")]
struct Chat {
    #[audit(track)]
    id: Uuid,
    #[audit(track)]
    owner_id: Uuid,
    #[audit(ignore)]
    organization_id: Uuid,
    #[audit(secret)]
    title: String,
    #[audit(track)]
    archived: bool,
    #[audit(track)]
    pin_order: i32,
    #[audit(track)]
    labels: Vec<String>,
}

fn chat(n: usize) -> Chat {
    Chat {
        id: Uuid::from_u128(n as u128),
        owner_id: Uuid::from_u128(0xaa),
        organization_id: Uuid::from_u128(0x01),
        title: format!("Chat {n}"),
        archived: false,
        pin_order: 0,
        labels: vec!["team:core".to_owned()],
    }
}

/// The pairs every variant audits: an archive and a pin per chat.
fn changes(entries: usize) -> Vec<(Chat, Chat)> {
    (0..entries)
        .map(|n| {
            let old = chat(n);
            let new = Chat {
                archived: true,
                pin_order: 1,
                ..old.clone()
            };
            (old, new)
        })
        .collect()
}

/// Audits each change, its values moved into the guard as a handler's would
/// be (built beforehand, as the floor's entries are).
fn audit(sink: &dyn AuditSink, changes: Vec<(Chat, Chat)>) {
    for (old, new) in changes {
        let mut request = AuditRequest::new(sink, Action::WRITE)
            .actor("user-1")
            .request_id("req-1");
        request.set_old(old);
        request.set_new(new);
        if let Err(error) = request.commit(200) {
            panic!("export failed: {error}");
        }
    }
}

/// Where the tmpfs variants write: memory, so that no disk hides the CPU cost.
const TMPFS: &str = "/dev/shm";

/// A scratch directory on the disk (`None`) or in `tmpfs`.
fn scratch(tmpfs: Option<&str>) -> tempfile::TempDir {
    match tmpfs {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .unwrap_or_else(|error| panic!("{error}"))
}

/// `AuditRequest` + `JsonLinesSink` in its default configuration, flushed
/// (and synced) at the end.
#[divan::bench(args = PER_SYNC)]
fn request_to_json_lines(bencher: Bencher<'_, '_>, entries: usize) {
    json_lines(bencher, entries, None);
}

/// `request_to_json_lines` with the file in tmpfs.
#[divan::bench(args = PER_SYNC)]
fn request_to_json_lines_tmpfs(bencher: Bencher<'_, '_>, entries: usize) {
    json_lines(bencher, entries, Some(TMPFS));
}

fn json_lines(bencher: Bencher<'_, '_>, entries: usize, tmpfs: Option<&str>) {
    let dir = scratch(tmpfs);
    let path = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap_or_else(|error| panic!("{error}"));
    bencher
        .counter(ItemsCount::new(entries))
        .with_inputs(|| changes(entries))
        .bench_local_values(|changes| {
            audit(&sink, changes);
            sink.flush().unwrap_or_else(|error| panic!("{error}"));
        });
}

/// `AuditRequest` + `MemorySink`: the guard's own cost, without the file.
#[divan::bench]
fn request_to_memory(bencher: Bencher<'_, '_>) {
    bencher
        .counter(ItemsCount::new(ENTRIES))
        .with_inputs(|| (MemorySink::new(), changes(ENTRIES)))
        .bench_local_values(|(sink, changes)| {
            audit(&sink, changes);
            sink
        });
}

/// The same entries, already built, written with `serde_json::to_writer`
/// into a `BufWriter` and synced at the end.
#[divan::bench(args = PER_SYNC)]
fn serde_json_to_buf_writer(bencher: Bencher<'_, '_>, count: usize) {
    buf_writer(bencher, count, None);
}

/// `serde_json_to_buf_writer` with the file in tmpfs.
#[divan::bench(args = PER_SYNC)]
fn serde_json_to_buf_writer_tmpfs(bencher: Bencher<'_, '_>, count: usize) {
    buf_writer(bencher, count, Some(TMPFS));
}

fn buf_writer(bencher: Bencher<'_, '_>, count: usize, tmpfs: Option<&str>) {
    let dir = scratch(tmpfs);
    let path = dir.path().join("audit.jsonl");
    let memory = MemorySink::new();
    audit(&memory, changes(count));
    let entries: Vec<AuditEntry> = memory.entries();
    let file = File::create(&path).unwrap_or_else(|error| panic!("{error}"));
    let mut out = BufWriter::new(file);
    bencher.counter(ItemsCount::new(count)).bench_local(|| {
        for entry in &entries {
            serde_json::to_writer(&mut out, entry).unwrap_or_else(|error| panic!("{error}"));
            out.write_all(b"\n")
                .unwrap_or_else(|error| panic!("{error}"));
        }
        out.flush().unwrap_or_else(|error| panic!("{error}"));
        out.get_ref()
            .sync_data()
            .unwrap_or_else(|error| panic!("{error}"));
    });
}
