//! The SQLite store against a real SQLite database in a temporary
//! directory: the shared store tests (`audit_tests::stores`), then what is
//! SQLite's own: blocking reads, schema versions, the caller's transaction,
//! and a writer that cannot write.

use audit_core::sqlite::{SqliteStore, insert_entries, insert_entries_from};
use audit_core::store::{AuditQuery, COUNT_CAP, Outbox, StoreError};
use audit_core::{Action, AuditRequest, AuditSink, ExportError};
use audit_tests::stores::{self, Doc, entry};
use std::time::Duration;

use rusqlite::Connection;
use serde_json::json;
use tempfile::TempDir;
use time::macros::datetime;

fn store() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("audit.db")).unwrap();
    (dir, store)
}

/// Runs a shared store test on a fresh store in a temporary directory.
async fn with_store(_test: &str, run: impl AsyncFnOnce(&SqliteStore)) {
    let (_dir, store) = store();
    run(&store).await;
}

audit_tests::store_suite!(with_store);

#[test]
fn blocking_reads_match_the_async_ones_without_a_runtime() {
    let (_dir, store) = store();
    let log = stores::varied_log();
    for entry in &log {
        store.export(entry.clone()).unwrap();
    }
    store.flush().unwrap();
    let query = AuditQuery::new().actor("ada").limit(10);
    let page = store.blocking_query(&query).unwrap();
    assert_eq!(page.entries.len(), 10);
    let count = store.blocking_count(&query, COUNT_CAP).unwrap();
    assert_eq!(count.count, 40);
    assert_eq!(store.blocking_history("doc", "doc-1").unwrap().len(), 30);
    // A sync caller may still drive the async form with any executor.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(store.query(&query)).unwrap(), page);
    // Every entry is older than the cutoff; the chain's head stays, so
    // that the next entry has something to link to.
    assert_eq!(
        store
            .blocking_purge_before(datetime!(2030-01-01 00:00 UTC))
            .unwrap(),
        119
    );
}

#[test]
fn entries_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let written = entry("doc-1", "ada", datetime!(2026-11-28 00:00 UTC));
    {
        let store = SqliteStore::open(&path).unwrap();
        store.export(written.clone()).unwrap();
        // Dropped without a flush: the writer commits what is queued.
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.blocking_history("doc", "doc-1").unwrap(),
        vec![written]
    );
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE audit_schema_version SET version = 4", [])
        .unwrap();

    let error = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::SchemaVersion {
                found: Some(4),
                supported: 3
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the audit table has schema version 4, newer than version 3 which this audit-core writes; upgrade audit-core, since writing with this one could corrupt the table"
    );
    let version: i64 = conn
        .query_row("SELECT version FROM audit_schema_version", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(version, 4);

    conn.execute("UPDATE audit_schema_version SET version = 0", [])
        .unwrap();
    let error = SqliteStore::migrate(&conn).unwrap_err();
    assert!(
        error.to_string().starts_with("the audit table has schema version 0, which this audit-core (schema version 3) cannot migrate"),
        "{error}"
    );
}

#[test]
fn a_table_audit_core_did_not_create_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE audit_entries (what TEXT); INSERT INTO audit_entries VALUES ('mine');",
    )
    .unwrap();
    let error = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::SchemaVersion { found: None, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("was not created by audit-core"),
        "{error}"
    );
    let kept: String = conn
        .query_row("SELECT what FROM audit_entries", [], |row| row.get(0))
        .unwrap();
    assert_eq!(kept, "mine");
}

/// An app's own database: a table of docs, the audit table migrated in.
fn app_database() -> (TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE docs (id TEXT PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO docs VALUES ('doc-1', 0);",
    )
    .unwrap();
    SqliteStore::migrate(&conn).unwrap();
    (dir, conn)
}

/// Updates doc-1 in `tx`, auditing the change into `outbox`.
fn update_doc(tx: &rusqlite::Transaction<'_>, outbox: &Outbox) {
    let doc = |n: i64| Doc {
        id: "doc-1".into(),
        body: json!({"n": n}),
        password: String::new(),
    };
    let mut audit = AuditRequest::new(outbox, Action::WRITE).actor("ada");
    audit.set_old(doc(0));
    tx.execute("UPDATE docs SET n = 1 WHERE id = 'doc-1'", [])
        .unwrap();
    audit.set_new(doc(1));
    audit.commit(200).unwrap();
}

#[test]
fn an_entry_commits_with_the_callers_transaction() {
    let (dir, mut conn) = app_database();
    let tx = conn.transaction().unwrap();
    let outbox = Outbox::new();
    update_doc(&tx, &outbox);
    assert_eq!(insert_entries(&tx, outbox.take()).unwrap(), 1);
    tx.commit().unwrap();

    let store = SqliteStore::open(dir.path().join("app.db")).unwrap();
    let history = store.blocking_history("doc", "doc-1").unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].diff.contains("body"));
    let n: i64 = conn
        .query_row("SELECT n FROM docs", [], |row| row.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn an_entry_rolls_back_with_the_callers_transaction() {
    let (dir, mut conn) = app_database();
    let tx = conn.transaction().unwrap();
    let outbox = Outbox::new();
    update_doc(&tx, &outbox);
    insert_entries(&tx, outbox.take()).unwrap();
    tx.rollback().unwrap();

    let store = SqliteStore::open(dir.path().join("app.db")).unwrap();
    assert!(store.blocking_history("doc", "doc-1").unwrap().is_empty());
    let n: i64 = conn
        .query_row("SELECT n FROM docs", [], |row| row.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn migrate_and_insert_outside_a_transaction_are_all_or_nothing() {
    let (_dir, conn) = app_database();
    let first = entry("doc-1", "ada", datetime!(2026-11-28 00:00 UTC));
    let mut broken = entry("doc-2", "ada", datetime!(2026-11-28 00:00 UTC));
    broken.id = first.id; // skipped as already stored
    assert_eq!(insert_entries(&conn, [&first, &broken]).unwrap(), 1);
    assert!(conn.is_autocommit());
    // Migrating twice is a no-op.
    SqliteStore::migrate(&conn).unwrap();
}

#[test]
fn entries_the_writer_cannot_write_are_reported_not_dropped() {
    let (dir, store) = store();
    let before = entry("doc-1", "ada", datetime!(2026-11-28 00:00 UTC));
    store.export(before).unwrap();
    store.flush().unwrap();

    // Someone drops the table under the store: every write now fails.
    let conn = Connection::open(dir.path().join("audit.db")).unwrap();
    conn.execute_batch("DROP TABLE audit_entries").unwrap();
    let lost: Vec<_> = (0..3)
        .map(|n| entry(&format!("doc-{n}"), "bob", datetime!(2026-11-28 00:00 UTC)))
        .collect();
    for entry in &lost {
        store.export(entry.clone()).unwrap();
    }
    match store.flush() {
        Err(ExportError::Write { failed, source }) => {
            assert_eq!(failed, 3);
            // The typed cause is kept: the database's own error.
            let source = source.downcast_ref::<rusqlite::Error>().unwrap();
            assert!(source.to_string().contains("no such table"), "{source}");
        }
        other => panic!("expected a write error, got {other:?}"),
    }
    assert_eq!(store.take_unwritten(), lost);
    assert!(store.take_unwritten().is_empty());
    // The next flush has nothing more to report.
    store.flush().unwrap();
}

#[test]
fn a_full_queue_makes_export_wait_and_never_loses_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::builder(dir.path().join("audit.db"))
        .capacity(1)
        .open()
        .unwrap();
    for n in 0..500 {
        store
            .export(entry(
                &format!("doc-{n}"),
                "ada",
                datetime!(2026-11-28 00:00 UTC),
            ))
            .unwrap();
    }
    // A guard dropped uncommitted cannot wait: its entry goes beyond the bound.
    for n in 0..50 {
        store
            .export_without_waiting(entry(
                &format!("late-{n}"),
                "ada",
                datetime!(2026-11-28 00:00 UTC),
            ))
            .unwrap();
    }
    store.flush().unwrap();
    assert_eq!(
        store
            .blocking_count(&AuditQuery::new(), 10_000)
            .unwrap()
            .count,
        550
    );
}

#[tokio::test]
async fn export_async_awaits_room() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::builder(dir.path().join("audit.db"))
        .capacity(1)
        .max_wait(Duration::ZERO)
        .open()
        .unwrap();
    for n in 0..500 {
        store
            .export_async(entry(
                &format!("doc-{n}"),
                "ada",
                datetime!(2026-11-28 00:00 UTC),
            ))
            .await
            .unwrap();
    }
    store.flush_async().await.unwrap();
    assert_eq!(
        store.count(&AuditQuery::new(), 10_000).await.unwrap().count,
        500
    );
}

#[test]
fn a_full_queue_hands_the_entry_back_after_max_wait() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::builder(dir.path().join("audit.db"))
        .capacity(1)
        .max_wait(Duration::ZERO)
        .open()
        .unwrap();
    let mut returned = 0;
    for n in 0..2000 {
        let entry = entry(&format!("doc-{n}"), "ada", datetime!(2026-11-28 00:00 UTC));
        match store.export(entry.clone()) {
            Ok(()) => {}
            Err(ExportError::QueueFull(back)) => {
                assert_eq!(*back, entry);
                returned += 1;
            }
            Err(other) => panic!("{other}"),
        }
    }
    store.flush().unwrap();
    let stored = store
        .blocking_count(&AuditQuery::new(), 10_000)
        .unwrap()
        .count;
    assert_eq!(stored + returned, 2000);
    assert!(returned > 0, "a queue of 1 never filled");
}

#[test]
fn the_chat_example_reads_its_life_back() {
    let (_dir, store) = store();
    audit_examples::lifecycle::run(&store).unwrap();
    store.flush().unwrap();
    let chat = audit_examples::lifecycle::CHAT_ID.to_string();
    let actions: Vec<String> = store
        .blocking_history("chat", &chat)
        .unwrap()
        .iter()
        .rev()
        .map(|entry| entry.action.to_string())
        .collect();
    assert_eq!(
        actions,
        ["create", "write", "write", "write", "write", "delete"]
    );
    let everything = store.blocking_query(&AuditQuery::new()).unwrap();
    assert_eq!(everything.entries.len(), 8);
    let archived_by_the_subsystem = store
        .blocking_query(
            &AuditQuery::new()
                .resource_id(audit_examples::lifecycle::IDLE_CHAT_ID.to_string())
                .action(Action::WRITE),
        )
        .unwrap();
    assert_eq!(
        archived_by_the_subsystem.entries[0].additional_fields["automatic_subsystem"],
        "chat_auto_archive"
    );
}

/// The `seq` column, in order, and whether each row's `prev` is the hash of
/// the row before.
fn chain_of(conn: &Connection) -> Vec<(i64, bool)> {
    let mut statement = conn
        .prepare("SELECT seq, entry_json FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq")
        .unwrap();
    let rows: Vec<(i64, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut previous: Option<String> = None;
    rows.into_iter()
        .map(|(seq, json)| {
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["chain"]["seq"], seq, "{json}");
            let linked = previous.as_ref().is_none_or(|previous| {
                value["chain"]["prev"]
                    == audit_core::chain::Digest::of(previous.as_bytes()).to_string()
            });
            previous = Some(json);
            (seq, linked)
        })
        .collect()
}

#[test]
fn the_chain_survives_restarts_rollbacks_and_the_callers_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = SqliteStore::builder(&path).origin("chats").open().unwrap();
    store
        .export(entry("a", "ada", datetime!(2026-01-01 00:00 UTC)))
        .unwrap();
    store.flush().unwrap();
    drop(store);

    let mut conn = Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    insert_entries_from(
        &tx,
        "chats",
        [entry("rolled-back", "ada", datetime!(2026-01-02 00:00 UTC))],
    )
    .unwrap();
    tx.rollback().unwrap();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let kept = entry("b", "ada", datetime!(2026-01-03 00:00 UTC));
    assert_eq!(
        insert_entries_from(&tx, "chats", [&kept, &kept]).unwrap(),
        1
    );
    tx.commit().unwrap();
    // Already stored: skipped, and no sequence number taken.
    assert_eq!(insert_entries_from(&conn, "chats", [&kept]).unwrap(), 0);

    let store = SqliteStore::builder(&path).origin("chats").open().unwrap();
    store
        .export(entry("c", "ada", datetime!(2026-01-04 00:00 UTC)))
        .unwrap();
    store.flush().unwrap();

    assert_eq!(chain_of(&conn), [(1, true), (2, true), (3, true)]);
    let report =
        audit_core::sqlite::verify_chain(&conn, "chats", &std::collections::BTreeMap::new())
            .unwrap();
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.chain.origin.as_deref(), Some("chats"));
    assert_eq!((report.chain.entries, report.unchained), (3, 0));
    // Read back as exported: the chain member is not part of the entry.
    assert_eq!(store.blocking_history("doc", "b").unwrap(), [kept]);
}

#[test]
fn a_version_2_table_becomes_the_chain_of_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = SqliteStore::builder(&path).origin("legacy").open().unwrap();
    for n in 0..3 {
        store
            .export(entry(
                &format!("v2-{n}"),
                "ada",
                datetime!(2026-01-01 00:00 UTC),
            ))
            .unwrap();
    }
    store.flush().unwrap();
    drop(store);
    // Back to version 2: one chain, no origin column.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP INDEX audit_entries_origin_seq; DROP INDEX audit_entries_origin; \
         ALTER TABLE audit_entries DROP COLUMN origin; \
         CREATE UNIQUE INDEX audit_entries_seq ON audit_entries (seq); \
         UPDATE audit_schema_version SET version = 2;",
    )
    .unwrap();

    let store = SqliteStore::builder(&path).origin("api-1").open().unwrap();
    store
        .export(entry("v3-0", "bob", datetime!(2026-01-02 00:00 UTC)))
        .unwrap();
    store.flush().unwrap();
    drop(store);
    let store = SqliteStore::builder(&path).origin("legacy").open().unwrap();
    store
        .export(entry("v3-1", "bob", datetime!(2026-01-03 00:00 UTC)))
        .unwrap();
    store.flush().unwrap();
    assert_eq!(
        audit_core::sqlite::origins(&conn).unwrap(),
        ["api-1", "legacy"]
    );
    for (origin, entries) in [("legacy", 4), ("api-1", 1)] {
        let report =
            audit_core::sqlite::verify_chain(&conn, origin, &std::collections::BTreeMap::new())
                .unwrap();
        assert_eq!(report.chain.problem, None, "{origin}");
        assert_eq!(report.chain.origin.as_deref(), Some(origin));
        assert_eq!(report.chain.entries, entries, "{origin}");
        assert_eq!(report.chain.head.unwrap().seq, entries, "{origin}");
    }
    let legacy = store
        .blocking_query(&AuditQuery::new().origin("legacy"))
        .unwrap();
    assert_eq!(legacy.entries.len(), 4);
}

#[test]
fn a_version_1_table_is_migrated_and_its_rows_stay_unchained() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = SqliteStore::open(&path).unwrap();
    for id in ["old-1", "old-2"] {
        store
            .export(entry(id, "ada", datetime!(2026-01-01 00:00 UTC)))
            .unwrap();
    }
    store.flush().unwrap();
    drop(store);
    // Back to version 1: no seq column.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP INDEX audit_entries_origin_seq; DROP INDEX audit_entries_origin; \
         ALTER TABLE audit_entries DROP COLUMN seq; ALTER TABLE audit_entries DROP COLUMN origin; \
         UPDATE audit_schema_version SET version = 1;",
    )
    .unwrap();
    // Only the store's open migrates it, since it records the rows at once.
    let error = SqliteStore::migrate(&conn).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the audit table has schema version 1, whose rows have no hash chain: open the store \
         (`SqliteStore::open`, `PostgresStore::connect`) to migrate it to version 3, which records \
         those rows in its chain at once; `migrate` alone cannot"
    );

    let store = SqliteStore::open(&path).unwrap();
    store
        .export(entry("new", "ada", datetime!(2026-01-02 00:00 UTC)))
        .unwrap();
    store.flush().unwrap();
    let version: i64 = conn
        .query_row("SELECT version FROM audit_schema_version", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(version, 3);
    // The first chained row records the two rows written before the chain,
    // so that verify tells them from a row inserted later without a seq.
    assert_eq!(chain_of(&conn), [(1, true), (2, true)]);
    let report = audit_core::sqlite::verify_chain(
        &conn,
        "sqlite:audit.db",
        &std::collections::BTreeMap::new(),
    )
    .unwrap();
    assert_eq!((report.chain.entries, report.unchained), (2, 2));
    assert_eq!(report.chain.problem, None);
    let record = report.unchained_record.unwrap();
    assert_eq!((record.seq, record.matches), (1, true));
    let entries = store.blocking_query(&AuditQuery::new()).unwrap().entries;
    assert_eq!(entries.len(), 4);
    let record = entries
        .iter()
        .find(|entry| entry.action.as_str() == audit_core::store::UNCHAINED_ACTION)
        .unwrap();
    assert_eq!(record.additional_fields["unchained_rows"], 2);
    // Reopened, the store records nothing more.
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store
            .blocking_query(&AuditQuery::new())
            .unwrap()
            .entries
            .len(),
        4
    );
}

mod checkpoints {
    use std::collections::BTreeMap;
    use std::io;
    use std::path::Path;

    use audit_core::chain::Digest;
    use audit_core::chain::checkpoint::{
        self, CheckpointSigner, CheckpointSink, Checkpoints, FileCheckpointSink, SignedCheckpoint,
        VerifierKey,
    };

    use super::*;

    fn signer() -> CheckpointSigner {
        CheckpointSigner::from_seed("test-store", [7; 32]).unwrap()
    }

    /// The checkpoints in `path`, checked with `key`: the heads they commit to.
    fn heads(path: &Path, key: &VerifierKey) -> (usize, BTreeMap<u64, Digest>) {
        let text = std::fs::read_to_string(path).unwrap();
        let checkpoints = SignedCheckpoint::parse_all(&text).unwrap();
        // The store's only origin.
        let heads = checkpoint::verify_all(&checkpoints, key)
            .unwrap()
            .into_values()
            .next()
            .unwrap_or_default();
        (checkpoints.len(), heads)
    }

    /// Two writers of one store (two instances of a service), each signing
    /// checkpoints into one file: the evidence of honest replicas verifies.
    #[test]
    fn two_writers_of_one_store_leave_checkpoints_that_verify() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        let file = dir.path().join("audit.checkpoints");
        let open = || {
            SqliteStore::builder(&path)
                .origin("chats")
                .checkpoints(Checkpoints::new(signer(), FileCheckpointSink::new(&file)))
                .open()
                .unwrap()
        };
        let (first, second) = (open(), open());
        for round in 0..4 {
            for (store, who) in [(&first, "ada"), (&second, "bob")] {
                store
                    .export(entry(
                        &format!("{who}-{round}"),
                        who,
                        datetime!(2026-01-01 00:00 UTC),
                    ))
                    .unwrap();
                store.flush().unwrap();
            }
        }
        drop(first);
        drop(second);
        let key = signer().verifier_key();
        let (count, heads) = heads(&file, &key);
        assert!(count >= 2, "{count}");
        assert_eq!(heads.keys().next_back(), Some(&8));
        let conn = Connection::open(&path).unwrap();
        let report = audit_core::sqlite::verify_chain(&conn, "chats", &heads).unwrap();
        assert_eq!(report.chain.problem, None);
        assert_eq!(report.chain.entries, 8);
    }

    #[test]
    fn a_flush_signs_the_head_and_a_cut_tail_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        let file = dir.path().join("audit.checkpoints");
        let signer = signer();
        let key = signer.verifier_key();
        let store = SqliteStore::builder(&path)
            .origin("chats")
            .checkpoints(Checkpoints::new(signer, FileCheckpointSink::new(&file)))
            .open()
            .unwrap();
        for id in ["a", "b", "c"] {
            store
                .export(entry(id, "ada", datetime!(2026-01-01 00:00 UTC)))
                .unwrap();
        }
        store.flush().unwrap();
        let (count, heads) = heads(&file, &key);
        assert!(count >= 1);
        assert_eq!(heads.keys().next_back(), Some(&3));

        store
            .export(entry("d", "ada", datetime!(2026-01-02 00:00 UTC)))
            .unwrap();
        drop(store);
        // Dropping the store signs the last head too.
        let (_, heads) = self::heads(&file, &key);
        assert_eq!(heads.keys().next_back(), Some(&4));

        let conn = Connection::open(&path).unwrap();
        let report = audit_core::sqlite::verify_chain(&conn, "chats", &heads).unwrap();
        assert_eq!(report.chain.problem, None);
        assert_eq!(report.chain.entries, 4);

        // The last row removed: the chain alone is still whole, the
        // checkpoint is not.
        conn.execute(
            "DELETE FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries)",
            [],
        )
        .unwrap();
        let report = audit_core::sqlite::verify_chain(&conn, "chats", &BTreeMap::new()).unwrap();
        assert_eq!(report.chain.problem, None);
        let report = audit_core::sqlite::verify_chain(&conn, "chats", &heads).unwrap();
        assert!(report.chain.problem.is_some(), "{report:?}");
    }

    #[test]
    fn checkpoints_are_made_on_time_without_a_flush() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("audit.checkpoints");
        let signer = signer();
        let key = signer.verifier_key();
        let store = SqliteStore::builder(dir.path().join("audit.db"))
            .checkpoints(
                Checkpoints::new(signer, FileCheckpointSink::new(&file))
                    .every(Duration::from_millis(20)),
            )
            .open()
            .unwrap();
        store
            .export(entry("a", "ada", datetime!(2026-01-01 00:00 UTC)))
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let latest_seq = || {
            let text = std::fs::read_to_string(&file).ok()?;
            let checkpoints = SignedCheckpoint::parse_all(&text).ok()?;
            Some(checkpoints.last()?.checkpoint().seq)
        };
        while latest_seq() != Some(1) {
            assert!(std::time::Instant::now() < deadline, "no checkpoint made");
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(store);
        assert_eq!(heads(&file, &key).0, 1);
    }

    /// A sink that cannot store anything.
    struct Broken;

    impl CheckpointSink for Broken {
        fn latest(&mut self, _: &str) -> io::Result<Option<SignedCheckpoint>> {
            Ok(None)
        }

        fn publish(&mut self, _: &SignedCheckpoint) -> io::Result<()> {
            Err(io::Error::other("the sink is broken"))
        }
    }

    #[test]
    fn a_failed_checkpoint_is_returned_by_flush() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::builder(dir.path().join("audit.db"))
            .checkpoints(Checkpoints::new(signer(), Broken))
            .open()
            .unwrap();
        store
            .export(entry("a", "ada", datetime!(2026-01-01 00:00 UTC)))
            .unwrap();
        let error = store.flush().unwrap_err();
        assert!(matches!(error, ExportError::Checkpoint { .. }), "{error:?}");
        // The entry itself was committed.
        assert_eq!(store.blocking_history("doc", "a").unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_failure_whose_flush_was_cancelled_goes_to_the_next_flush() {
    use std::future::Future as _;

    let (dir, store) = store();
    // Another connection holds the write lock while it drops the table, so
    // that the writer cannot answer the flush before it is given up.
    let conn = Connection::open(dir.path().join("audit.db")).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; DROP TABLE audit_entries;")
        .unwrap();
    store
        .export(entry("doc-1", "bob", datetime!(2026-11-28 00:00 UTC)))
        .unwrap();
    // The flush is asked for (polled once), then given up...
    {
        let mut cancelled = std::pin::pin!(store.flush_async());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(cancelled.as_mut().poll(&mut context).is_pending());
    }
    conn.execute_batch("COMMIT").unwrap();
    // ...so the next one reports the entry that was not written.
    match store.flush() {
        Err(ExportError::Write { failed, .. }) => assert_eq!(failed, 1),
        other => panic!("expected the failure, got {other:?}"),
    }
    store.flush().unwrap();
}

/// A tracked JSON value a client set.
#[derive(Clone, serde::Serialize, audit_core::Auditable)]
struct Payload {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    body: serde_json::Value,
}

#[tokio::test]
async fn a_value_too_deep_for_readers_leaves_every_page_readable() {
    let (_dir, store) = store();
    // Built, not parsed: `serde_json` reads 128 levels at most.
    let deep = (0..200).fold(json!([]), |inner, _| json!([inner]));
    let mut audit = AuditRequest::new(&store, Action::WRITE).actor("client");
    audit.set_old(Payload {
        id: 1,
        body: json!(null),
    });
    audit.set_new(Payload { id: 1, body: deep });
    audit.commit(200).unwrap();
    store.flush().unwrap();
    let page = store
        .query(&AuditQuery::new().actor("client"))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert!(page.entries[0].diff.get("body").unwrap().error().is_some());
    assert_eq!(store.history("payload", "1").await.unwrap().len(), 1);
}
