//! What every store must do, written once against `AuditStore` and run on
//! each: `tests/stores/sqlite.rs` and `tests/stores/postgres.rs` expand
//! [`store_suite!`](crate::store_suite), which calls every test function here
//! with a fresh, empty store.
//!
//! Each function panics, as a test does, when the store misbehaves.
#![allow(clippy::missing_panics_doc)] // Said once, above.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv6Addr};

use audit_core::store::{AuditQuery, AuditStore, COUNT_CAP, Cursor, StatusFilter};
use audit_core::{Action, AuditEntry, AuditRequest, Auditable, Flag, MemorySink};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

/// The shared store tests, listed once: one `#[tokio::test]` per function of
/// this module that tests a store, each running on a store that `with_store`
/// makes for it. A test function added here is added to this list, and so runs
/// on every store.
///
/// `with_store` is an async function `(test: &str, run: impl AsyncFnOnce(&S))`
/// that makes a fresh, empty store for the test named `test` and runs `run`
/// on it, or returns without running it when the store's server is missing
/// and may be (see [`postgres_server`](crate::postgres_server)). The SQLite
/// store's, in `tests/stores/sqlite.rs`, is three lines.
#[macro_export]
macro_rules! store_suite {
    ($with_store:path) => {
        $crate::store_suite!(
            @tests $with_store;
            entries_come_back_exactly,
            every_filter_selects_what_it_says,
            pages_walk_entries_of_equal_time,
            count_is_capped,
            history_is_one_call,
            purge_deletes_before_the_cutoff,
            concurrent_writers_lose_nothing,
            hostile_values_come_back_exactly,
        );
    };
    (@tests $with_store:path; $($test:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $test() {
            $with_store(stringify!($test), async |store| {
                $crate::stores::$test(store).await;
            })
            .await;
        }
    )*};
}

/// The resource the entries are about.
#[derive(Clone, Serialize, Auditable)]
#[audit(resource = "doc", actions(create, write, delete))]
pub struct Doc {
    /// Its id.
    #[audit(track)]
    pub id: String,
    /// What it says.
    #[audit(track)]
    pub body: Value,
    /// Its password.
    #[audit(secret = "a password")]
    pub password: String,
}

/// A sound `write` entry about doc `id`, by `actor`, made at `time`.
///
/// # Panics
///
/// Never: the memory sink takes every entry.
pub fn entry(id: &str, actor: &str, time: OffsetDateTime) -> AuditEntry {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE)
        .actor(actor)
        .request_id(format!("req-{id}"))
        .ip(IpAddr::V6(Ipv6Addr::LOCALHOST))
        .additional_field("source", "test");
    audit.set_old(Doc {
        id: id.to_owned(),
        body: json!({"n": 0}),
        password: "a".into(),
    });
    audit.set_new(Doc {
        id: id.to_owned(),
        body: json!({"n": 1}),
        password: "b".into(),
    });
    audit.commit(200).unwrap();
    let mut entry = sink.last().unwrap();
    entry.time = time;
    entry
}

/// A varied log: 120 entries over 4 docs, 3 actors, 2 organizations, 3
/// actions, 4 statuses, some flagged, spread over 12 days with some equal times.
pub fn varied_log() -> Vec<AuditEntry> {
    let start = datetime!(2026-11-01 00:00 UTC);
    (0..120u16)
        .map(|n| {
            let time = start + time::Duration::hours(i64::from(n / 2) * 5);
            let mut entry = entry(
                &format!("doc-{}", n % 4),
                ["ada", "bob", "cy"][usize::from(n % 3)],
                time,
            );
            entry.organization_id = (n % 5 != 0).then(|| format!("org-{}", n % 2));
            entry.action =
                [Action::CREATE, Action::WRITE, Action::DELETE][usize::from(n % 7 % 3)].clone();
            entry.status_code = [Some(200), Some(404), Some(500), None][usize::from(n % 4)];
            entry.request_id = Some(format!("req-{}", n / 3));
            if n % 11 == 0 {
                entry.flags.push(Flag::EmptyWriteDiff);
            }
            if entry.status_code.is_none() {
                entry.flags.push(Flag::Uncommitted);
            }
            entry.id = Uuid::now_v7();
            entry
        })
        .collect()
}

/// Exports `entries` and waits until they are committed (blocking: each
/// store's writer has a thread of its own, so the runtime may block on it).
pub fn write_all(store: &impl AuditStore, entries: &[AuditEntry]) {
    for entry in entries {
        store.export(entry.clone()).unwrap();
    }
    store.flush().unwrap();
}

/// `entries`, newest first, as every query returns them.
fn newest_first(mut entries: Vec<AuditEntry>) -> Vec<AuditEntry> {
    entries.sort_by_key(|entry| std::cmp::Reverse((micros(entry.time), entry.id)));
    entries
}

fn micros(time: OffsetDateTime) -> i128 {
    time.unix_timestamp_nanos().div_euclid(1000)
}

/// Every page of `query`, followed by cursor.
async fn all_pages(store: &impl AuditStore, mut query: AuditQuery) -> Vec<Vec<AuditEntry>> {
    let mut pages = Vec::new();
    loop {
        let page = store.query(&query).await.unwrap();
        pages.push(page.entries);
        match page.next_cursor {
            // Through its string form, as a client would send it back.
            Some(cursor) => query = query.after(cursor.to_string().parse::<Cursor>().unwrap()),
            None => return pages,
        }
    }
}

/// An entry comes back equal to the one exported: diff, secret, error,
/// additional fields, ip, flags, no status, nanosecond time.
pub async fn entries_come_back_exactly(store: &impl AuditStore) {
    let mut first = entry(
        "doc-1",
        "ada",
        datetime!(2026-11-28 10:00:00.123_456_789 UTC),
    );
    first.status_code = None;
    first.flags = vec![Flag::Uncommitted, Flag::EmptyWriteDiff];
    first.user_agent = Some("curl/8".into());
    first.resource_link = Some("/docs/doc-1".into());
    let second = entry("doc-2", "bob", datetime!(1969-07-20 20:17:40 UTC));
    write_all(store, &[first.clone(), second.clone()]);

    let page = store.query(&AuditQuery::new()).await.unwrap();
    assert_eq!(page.entries, vec![first.clone(), second]);
    assert_eq!(page.next_cursor, None);
    assert_eq!(
        serde_json::to_value(&page.entries[0].diff).unwrap(),
        json!({
            "body": {"old": {"n": 0}, "new": {"n": 1}, "secret": false},
            "password": {"secret": true},
        })
    );
}

type Filter = Box<dyn Fn(&AuditEntry) -> bool>;

/// Each filter alone, then all together, against the same filter in memory.
pub async fn every_filter_selects_what_it_says(store: &impl AuditStore) {
    let log = varied_log();
    write_all(store, &log);
    let t = |day: u8| datetime!(2026-11-01 00:00 UTC) + time::Duration::days(i64::from(day));
    let cases: Vec<(AuditQuery, Filter)> = vec![
        (AuditQuery::new(), Box::new(|_| true)),
        (AuditQuery::new().resource_type("doc"), Box::new(|_| true)),
        (AuditQuery::new().resource_type("chat"), Box::new(|_| false)),
        (
            AuditQuery::new().resource_type("doc").resource_id("doc-2"),
            Box::new(|e| e.resource_id == "doc-2"),
        ),
        (
            AuditQuery::new().resource_id("doc-3"),
            Box::new(|e| e.resource_id == "doc-3"),
        ),
        (
            AuditQuery::new().action(Action::DELETE),
            Box::new(|e| e.action == Action::DELETE),
        ),
        (
            AuditQuery::new().actions([Action::CREATE, Action::DELETE]),
            Box::new(|e| e.action != Action::WRITE),
        ),
        (
            AuditQuery::new().action(Action::from_static("archive")),
            Box::new(|_| false),
        ),
        (
            AuditQuery::new().actor("bob"),
            Box::new(|e| e.actor.as_deref() == Some("bob")),
        ),
        (
            AuditQuery::new().organization("org-1"),
            Box::new(|e| e.organization_id.as_deref() == Some("org-1")),
        ),
        (
            AuditQuery::new().request_id("req-7"),
            Box::new(|e| e.request_id.as_deref() == Some("req-7")),
        ),
        (
            AuditQuery::new().status(StatusFilter::Code(404)),
            Box::new(|e| e.status_code == Some(404)),
        ),
        (
            AuditQuery::new().status(StatusFilter::Succeeded),
            Box::new(|e| e.status_code.is_some_and(|s| s < 400)),
        ),
        (
            AuditQuery::new().status(StatusFilter::Failed),
            Box::new(|e| e.status_code.is_some_and(|s| s >= 400)),
        ),
        (
            AuditQuery::new().status(StatusFilter::Uncommitted),
            Box::new(|e| e.status_code.is_none()),
        ),
        (
            AuditQuery::new().flag(Flag::EmptyWriteDiff),
            Box::new(|e| e.flags.contains(&Flag::EmptyWriteDiff)),
        ),
        (
            AuditQuery::new().since(t(3)),
            Box::new(move |e| e.time >= t(3)),
        ),
        (
            AuditQuery::new().until(t(3)),
            Box::new(move |e| e.time < t(3)),
        ),
        (
            AuditQuery::new()
                .resource_type("doc")
                .resource_id("doc-1")
                .actor("ada")
                .organization("org-1")
                .actions([Action::WRITE, Action::CREATE])
                .status(StatusFilter::Succeeded)
                .since(t(1))
                .until(t(11)),
            Box::new(move |e| {
                e.resource_id == "doc-1"
                    && e.actor.as_deref() == Some("ada")
                    && e.organization_id.as_deref() == Some("org-1")
                    && e.action != Action::DELETE
                    && e.status_code.is_some_and(|s| s < 400)
                    && e.time >= t(1)
                    && e.time < t(11)
            }),
        ),
    ];
    for (query, keep) in cases {
        let expected = newest_first(log.iter().filter(|e| keep(e)).cloned().collect());
        let query = query.limit(1000);
        let page = store.query(&query).await.unwrap();
        assert_eq!(ids(&page.entries), ids(&expected), "{query:?}");
        let count = store.count(&query, COUNT_CAP).await.unwrap();
        assert_eq!(count.count, expected.len() as u64, "{query:?}");
        assert!(!count.capped);
    }
}

fn ids(entries: &[AuditEntry]) -> Vec<Uuid> {
    entries.iter().map(|entry| entry.id).collect()
}

/// Pages of 7 over 250 entries, most made in the same microsecond: every
/// entry once, in order, and entries written meanwhile do not shift pages.
pub async fn pages_walk_entries_of_equal_time(store: &impl AuditStore) {
    let same = datetime!(2026-11-28 12:00 UTC);
    let mut log: Vec<AuditEntry> = (0..250)
        .map(|n| {
            let time = if n % 10 == 0 {
                same + time::Duration::microseconds(n)
            } else {
                same
            };
            let mut entry = entry(&format!("doc-{n}"), "ada", time);
            entry.id = Uuid::now_v7();
            entry
        })
        .collect();
    // Ids in both orders among equal times.
    log.reverse();
    write_all(store, &log);

    let pages = all_pages(store, AuditQuery::new().actor("ada").limit(7)).await;
    assert_eq!(pages.len(), 36);
    assert!(pages[..35].iter().all(|page| page.len() == 7));
    assert_eq!(pages[35].len(), 5);
    let read: Vec<AuditEntry> = pages.into_iter().flatten().collect();
    assert_eq!(ids(&read), ids(&newest_first(log.clone())));

    // A page read after newer entries arrived starts where the cursor says.
    let first = store.query(&AuditQuery::new().limit(50)).await.unwrap();
    let cursor = first.next_cursor.unwrap();
    write_all(
        store,
        &[entry("doc-new", "ada", same + time::Duration::hours(1))],
    );
    let second = store
        .query(&AuditQuery::new().limit(50).after(cursor))
        .await
        .unwrap();
    assert_eq!(ids(&second.entries), ids(&read[50..100]));
}

/// The count stops at the cap and says so; it ignores limit and cursor.
pub async fn count_is_capped(store: &impl AuditStore) {
    let log: Vec<AuditEntry> = (0..30)
        .map(|n| {
            entry(
                "doc-1",
                "ada",
                datetime!(2026-11-28 00:00 UTC) + time::Duration::seconds(n),
            )
        })
        .collect();
    write_all(store, &log);
    let query = AuditQuery::new().resource_type("doc").limit(3);
    let page = store.query(&query).await.unwrap();
    let query = query.after(page.next_cursor.unwrap());
    for (cap, count, capped) in [
        (10, 10, true),
        (29, 29, true),
        (30, 30, false),
        (2000, 30, false),
    ] {
        let counted = store.count(&query, cap).await.unwrap();
        assert_eq!(
            (counted.count, counted.capped),
            (count, capped),
            "cap {cap}"
        );
    }
    assert_eq!(store.count(&query, 10).await.unwrap().to_string(), "10+");
    assert_eq!(
        store
            .count(&AuditQuery::new().actor("nobody"), 10)
            .await
            .unwrap()
            .to_string(),
        "0"
    );
}

/// A resource's history: all of it, newest first, past one page.
pub async fn history_is_one_call(store: &impl AuditStore) {
    let start = datetime!(2026-01-01 00:00 UTC);
    let mine: Vec<AuditEntry> = (0..1205)
        .map(|n| entry("doc-42", "ada", start + time::Duration::seconds(n)))
        .collect();
    let others: Vec<AuditEntry> = (0..20)
        .map(|n| {
            entry(
                &format!("doc-4{n}"),
                "ada",
                start + time::Duration::seconds(n),
            )
        })
        .filter(|entry| entry.resource_id != "doc-42")
        .collect();
    write_all(store, &mine);
    write_all(store, &others);
    let history = store.history("doc", "doc-42").await.unwrap();
    assert_eq!(ids(&history), ids(&newest_first(mine)));
    assert!(store.history("doc", "doc-404").await.unwrap().is_empty());
    assert!(store.history("chat", "doc-42").await.unwrap().is_empty());
}

/// Purging deletes exactly the entries before the cutoff, past one batch,
/// and says how many.
pub async fn purge_deletes_before_the_cutoff(store: &impl AuditStore) {
    let cutoff = datetime!(2026-06-01 00:00 UTC);
    let old: Vec<AuditEntry> = (0..2500)
        .map(|n| entry("doc-old", "ada", cutoff - time::Duration::minutes(n + 1)))
        .collect();
    let mut at_cutoff = entry("doc-new", "ada", cutoff);
    at_cutoff.id = Uuid::now_v7();
    let new: Vec<AuditEntry> = std::iter::once(at_cutoff)
        .chain((0..10).map(|n| entry("doc-new", "ada", cutoff + time::Duration::minutes(n))))
        .collect();
    write_all(store, &old);
    write_all(store, &new);
    assert_eq!(store.purge_before(cutoff).await.unwrap(), 2500);
    assert_eq!(store.purge_before(cutoff).await.unwrap(), 0);
    // What is left: the new entries, and the purge's own record, newest.
    let left = store.query(&AuditQuery::new()).await.unwrap();
    let (purges, kept): (Vec<AuditEntry>, Vec<AuditEntry>) = left
        .entries
        .into_iter()
        .partition(|entry| entry.action.as_str() == audit_core::store::PURGE_ACTION);
    assert_eq!(ids(&kept), ids(&newest_first(new)));
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0].additional_fields["purged"], 2500);
}

/// Eight threads export at once; every entry is stored once.
pub async fn concurrent_writers_lose_nothing<S: AuditStore + Sync>(store: &S) {
    let per_thread: u16 = 500;
    std::thread::scope(|scope| {
        for thread in 0..8 {
            scope.spawn(move || {
                for n in 0..per_thread {
                    let mut entry = entry(
                        &format!("doc-{thread}"),
                        &format!("writer-{thread}"),
                        datetime!(2026-11-28 00:00 UTC) + time::Duration::microseconds(n.into()),
                    );
                    loop {
                        // A full queue hands the entry back: retry, as a caller should.
                        match store.export(entry) {
                            Ok(()) => break,
                            Err(error) => {
                                entry = error.into_entry().unwrap();
                                std::thread::yield_now();
                            }
                        }
                    }
                }
            });
        }
    });
    store.flush().unwrap();
    let count = store.count(&AuditQuery::new(), 10_000).await.unwrap();
    assert_eq!(count.count, 8 * u64::from(per_thread));
    for thread in 0..8 {
        let history = store
            .history("doc", &format!("doc-{thread}"))
            .await
            .unwrap();
        assert_eq!(history.len(), usize::from(per_thread));
        let unique: BTreeSet<Uuid> = history.iter().map(|entry| entry.id).collect();
        assert_eq!(unique.len(), history.len());
    }
    assert!(store.take_unwritten().is_empty());
}

/// Odd keys, huge values, NUL, quotes and control characters come back
/// exactly, and filtering on them finds them.
pub async fn hostile_values_come_back_exactly(store: &impl AuditStore) {
    let odd = "'; DROP TABLE audit_entries; -- \0 \u{1} \\u0000 $1 ? %s \u{202e} 🦀";
    let mut entry = entry(odd, odd, datetime!(2026-11-28 00:00 UTC));
    let huge = "x".repeat(2 << 20);
    let keys = ["", "a.b", "$", odd, "\0", "ключ", "{\"json\":1}"];
    let changed: BTreeMap<&str, Value> = keys
        .iter()
        .map(|key| (*key, json!({"old": null, "new": odd, "secret": false})))
        .collect();
    entry.diff = serde_json::from_value(serde_json::to_value(&changed).unwrap()).unwrap();
    entry
        .additional_fields
        .insert(odd.into(), json!([huge, odd, "\0"]));
    entry.organization_id = Some(odd.into());
    entry.user_agent = Some(odd.into());
    entry.request_id = Some(odd.into());
    entry.resource_target = odd.into();
    write_all(store, &[entry.clone()]);

    for query in [
        AuditQuery::new(),
        AuditQuery::new().actor(odd),
        AuditQuery::new().organization(odd),
        AuditQuery::new().request_id(odd),
        AuditQuery::history("doc", odd),
    ] {
        let page = store.query(&query).await.unwrap();
        assert_eq!(page.entries.len(), 1, "{query:?}");
        assert!(
            page.entries[0] == entry,
            "{query:?}: the entry changed on its way"
        );
    }
    // The table is still there, and the quote matched nothing else.
    assert_eq!(
        store
            .count(&AuditQuery::new().actor("'"), 10)
            .await
            .unwrap()
            .count,
        0
    );
    assert_eq!(store.history("doc", odd).await.unwrap().len(), 1);
}
