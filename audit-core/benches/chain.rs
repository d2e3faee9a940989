//! The cost of the hash chain: chaining one serialized entry against only
//! copying it, and against serializing it; a signed checkpoint; and
//! verifying a chained log.
//!
//! Run with `cargo bench -p audit-core --features checkpoints --bench chain`;
//! see docs/performance.md.

use std::collections::BTreeMap;

use audit_core::chain::checkpoint::{Checkpoint, CheckpointSigner};
use audit_core::chain::{Chainer, Digest, verify};
use audit_core::{Action, AuditEntry, AuditRequest, Auditable, MemorySink};
use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use serde::Serialize;
use uuid::Uuid;

fn main() {
    divan::main();
}

#[derive(Clone, Serialize, Auditable)]
#[audit(org = organization_id, link = "/chats/{id}")]
struct Chat {
    #[audit(track)]
    id: Uuid,
    #[audit(ignore)]
    organization_id: Uuid,
    #[audit(secret)]
    title: String,
    #[audit(track)]
    archived: bool,
    #[audit(track)]
    pin_order: i32,
}

/// A typical entry: a write with two tracked changes, as the runtime bench has.
fn entry() -> AuditEntry {
    let sink = MemorySink::new();
    let old = Chat {
        id: Uuid::from_u128(7),
        organization_id: Uuid::from_u128(1),
        title: "Plans".to_owned(),
        archived: false,
        pin_order: 0,
    };
    let mut request = AuditRequest::new(&sink, Action::WRITE)
        .actor("user-1")
        .request_id("req-1");
    request.set_old(old.clone());
    request.set_new(Chat {
        archived: true,
        pin_order: 1,
        ..old
    });
    request
        .commit(200)
        .unwrap_or_else(|error| panic!("{error}"));
    sink.last().unwrap_or_else(|| panic!("no entry"))
}

fn serialized() -> Vec<u8> {
    serde_json::to_vec(&entry()).unwrap_or_else(|error| panic!("{error}"))
}

/// Copying the serialized entry into the writer's buffer: what the sink does
/// for each entry without a chain.
#[divan::bench]
fn copy_line(bencher: Bencher<'_, '_>) {
    let line = serialized();
    let mut out = Vec::with_capacity(4096);
    bencher
        .counter(BytesCount::new(line.len()))
        .bench_local(|| {
            out.clear();
            out.extend_from_slice(divan::black_box(&line));
            out.push(b'\n');
        });
}

/// Chaining the serialized entry into the writer's buffer: the copy, the
/// `"chain"` member and the SHA-256 of the line.
#[divan::bench]
fn chain_line(bencher: Bencher<'_, '_>) {
    let line = serialized();
    let mut chainer = Chainer::new("bench");
    let mut out = Vec::with_capacity(4096);
    bencher
        .counter(BytesCount::new(line.len()))
        .bench_local(|| {
            out.clear();
            chainer
                .append(divan::black_box(&line), &mut out)
                .unwrap_or_else(|error| panic!("{error}"));
            out.push(b'\n');
        });
}

/// Serializing the entry, which the sink does for every entry anyway.
#[divan::bench]
fn serialize_entry(bencher: Bencher<'_, '_>) {
    let entry = entry();
    let mut out = Vec::with_capacity(4096);
    bencher.bench_local(|| {
        out.clear();
        serde_json::to_writer(&mut out, divan::black_box(&entry))
            .unwrap_or_else(|error| panic!("{error}"));
    });
}

/// Signing one checkpoint (made every 1,000 entries or 60 s, and on flush).
#[divan::bench]
fn sign_checkpoint(bencher: Bencher<'_, '_>) {
    let signer =
        CheckpointSigner::from_seed("bench", [7; 32]).unwrap_or_else(|error| panic!("{error}"));
    bencher.bench_local(|| {
        let checkpoint = Checkpoint::new("bench", 18_240, Digest::of(b"head"), None);
        signer.sign(divan::black_box(checkpoint))
    });
}

/// Verifying a chained log of 1,000 entries, per entry.
#[divan::bench]
fn verify_log(bencher: Bencher<'_, '_>) {
    let line = serialized();
    let mut chainer = Chainer::new("bench");
    let mut log = Vec::new();
    for _ in 0..1_000 {
        chainer
            .append(&line, &mut log)
            .unwrap_or_else(|error| panic!("{error}"));
        log.push(b'\n');
    }
    let heads = BTreeMap::new();
    bencher
        .counter(ItemsCount::new(1_000usize))
        .bench_local(|| {
            let report = verify::verify(divan::black_box(log.as_slice()), &heads)
                .unwrap_or_else(|error| panic!("{error}"));
            assert_eq!(report.entries, 1_000);
        });
}
