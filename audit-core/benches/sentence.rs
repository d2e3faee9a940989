//! The sentence of an entry, rendered when the entry is made: the default
//! one, a field's `says` sentence chosen by the new value, one that counts a
//! keyed list's added elements, a failed request, and an entry read back
//! without one. `divan::AllocProfiler` counts the heap allocations: the
//! sentence's string is the only one.
//!
//! Run with `cargo bench -p audit-core --bench sentence`; see
//! docs/performance.md.

use audit_core::{Action, AuditEntry, AuditRequest, Auditable, MemorySink};
use divan::Bencher;
use serde::Serialize;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
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
#[audit(noun = "chat", actions(create, write, delete, archive))]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    name: String,
    #[audit(track, says(true = "archived {noun} {target}", false = "unarchived {noun} {target}"))]
    archived: bool,
    #[audit(nested, key = user_id, says(
        added = "shared {noun} {target} with {added} {added|user|users}",
        removed = "unshared {noun} {target} with {removed} {removed|user|users}",
    ))]
    members: Vec<Member>,
    #[audit(track)]
    topic: String,
}

fn chat() -> Chat {
    Chat {
        id: 7,
        name: "Quarterly planning".into(),
        archived: false,
        members: vec![Member {
            user_id: "u-1".into(),
            role: "owner".into(),
        }],
        topic: "numbers".into(),
    }
}

/// The entry of a `write` from `chat()` to `new`, with `status`, and the new value.
fn entry(new: Chat, status: u16) -> (AuditEntry, Chat) {
    let sink = MemorySink::new();
    let mut request =
        AuditRequest::new(&sink, Action::WRITE).actor("0192f5d3-0000-7000-8000-0000000000aa");
    request.set_old(chat());
    request.set_new(new.clone());
    request.commit(status).unwrap();
    (sink.last().unwrap(), new)
}

fn bench(bencher: Bencher<'_, '_>, new: Chat, status: u16) {
    let (entry, new) = entry(new, status);
    bencher.bench_local(|| audit_core::__private::describe(divan::black_box(&entry), Some(&new)));
}

/// "… updated chat …": no field sentence applies.
#[divan::bench]
fn default_sentence(bencher: Bencher<'_, '_>) {
    bench(
        bencher,
        Chat {
            topic: "launch".into(),
            ..chat()
        },
        200,
    );
}

/// "… archived chat …": the `bool` field's sentence, chosen by its new value.
#[divan::bench]
fn field_sentence_by_value(bencher: Bencher<'_, '_>) {
    bench(
        bencher,
        Chat {
            archived: true,
            ..chat()
        },
        200,
    );
}

/// "… shared chat … with 2 users": the keyed list's added elements counted.
#[divan::bench]
fn field_sentence_counting(bencher: Bencher<'_, '_>) {
    let mut new = chat();
    for id in ["u-2", "u-3"] {
        new.members.push(Member {
            user_id: id.into(),
            role: "viewer".into(),
        });
    }
    bench(bencher, new, 200);
}

/// "… unsuccessfully attempted to write chat …".
#[divan::bench]
fn failed_request(bencher: Bencher<'_, '_>) {
    bench(
        bencher,
        Chat {
            archived: true,
            ..chat()
        },
        403,
    );
}

/// `AuditEntry::description()` of an entry written before sentences were
/// recorded: the default sentence, without the schema.
#[divan::bench]
fn read_back_without_one(bencher: Bencher<'_, '_>) {
    let (mut entry, _) = entry(
        Chat {
            archived: true,
            ..chat()
        },
        200,
    );
    entry.description = None;
    bencher.bench_local(|| divan::black_box(&entry).description().into_owned());
}
