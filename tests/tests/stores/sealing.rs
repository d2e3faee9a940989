//! PostgreSQL's sealed chain against a real server: entries inserted
//! without a lock, one sealer per table that chains them after they commit
//! and a standby that takes over, many origins each a chain of its own, and
//! two processes writing one store at once, one of them killed and
//! restarted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use audit_core::AuditSink as _;
use audit_core::postgres::{PostgresStore, insert_entries_from, origins, verify_chain};
use audit_core::store::{AuditQuery, StoreReport};
use audit_tests::stores::entry;
use sqlx::{Connection as _, PgPool};
use time::macros::datetime;

use crate::postgres::{in_schema, pool};

/// The report of `origin`'s chain once none of its rows is left unsealed,
/// waiting for a sealer for up to 10 s.
async fn sealed(pool: &PgPool, origin: &str) -> StoreReport {
    let started = Instant::now();
    loop {
        let report = verify_chain(pool, origin, &BTreeMap::new()).await.unwrap();
        if report.unsealed.rows == 0 {
            return report;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not sealed: {report:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The ids of `origin`'s rows in `seq` order.
async fn chain_ids(pool: &PgPool, origin: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT entry_json::jsonb ->> 'resource_id' FROM audit_entries \
         WHERE origin = $1 ORDER BY seq",
    )
    .bind(origin)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_transaction_inserting_entries_waits_for_no_other() {
    let Some(pool) = pool("t_no_lock").await else {
        return;
    };
    PostgresStore::migrate(&pool).await.unwrap();
    // The first transaction inserts its entry and stays open, as an
    // application's does while it finishes its work.
    let mut first = pool.begin().await.unwrap();
    insert_entries_from(
        &mut first,
        "api",
        [entry("first", "ada", datetime!(2026-01-01 00:00 UTC))],
    )
    .await
    .unwrap();
    // A second one inserts and commits meanwhile: with a lock shared by
    // the two, it would wait for the first to end.
    let second = async {
        let mut second = pool.begin().await.unwrap();
        insert_entries_from(
            &mut second,
            "api",
            [entry("second", "bob", datetime!(2026-01-02 00:00 UTC))],
        )
        .await
        .unwrap();
        second.commit().await.unwrap();
    };
    tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("the second transaction waited for the first");
    first.commit().await.unwrap();

    let store = PostgresStore::builder(pool.clone())
        .origin("api")
        .open()
        .await
        .unwrap();
    let report = sealed(&pool, "api").await;
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.chain.entries, 2);
    assert_eq!(report.chain.origin.as_deref(), Some("api"));
    // Sealed in one order: the entries' time, then id.
    assert_eq!(chain_ids(&pool, "api").await, ["first", "second"]);
    drop(store);
}

#[tokio::test]
async fn unsealed_rows_are_reported_as_such_then_sealed_in_order() {
    let Some(pool) = pool("t_unsealed").await else {
        return;
    };
    PostgresStore::migrate(&pool).await.unwrap();
    // No sealer runs yet: the entries stay unsealed.
    let mut conn = pool.acquire().await.unwrap();
    for (id, time) in [
        ("c", datetime!(2026-01-03 00:00 UTC)),
        ("a", datetime!(2026-01-01 00:00 UTC)),
        ("b", datetime!(2026-01-02 00:00 UTC)),
    ] {
        insert_entries_from(&mut conn, "api-1", [entry(id, "ada", time)])
            .await
            .unwrap();
    }
    drop(conn);
    let report = verify_chain(&pool, "api-1", &BTreeMap::new())
        .await
        .unwrap();
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.chain.entries, 0);
    assert_eq!(report.unsealed.rows, 3);
    assert_eq!(
        report.unsealed.oldest_us,
        Some(datetime!(2026-01-01 00:00 UTC).unix_timestamp() * 1_000_000)
    );
    assert_eq!((report.unchained, report.orphaned), (0, 0));
    // Readable before they are sealed, and filtered by origin.
    let store = PostgresStore::builder(pool.clone())
        .origin("api-2")
        .sealer(false)
        .open()
        .await
        .unwrap();
    let page = store
        .query(&AuditQuery::new().origin("api-1"))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 3);
    drop(store);

    // A store with a sealer seals them: one chain per origin.
    let store = PostgresStore::builder(pool.clone())
        .origin("api-2")
        .open()
        .await
        .unwrap();
    store
        .export(entry("d", "bob", datetime!(2026-01-04 00:00 UTC)))
        .unwrap();
    store.flush_async().await.unwrap();
    assert_eq!(origins(&pool).await.unwrap(), ["api-1", "api-2"]);
    let report = sealed(&pool, "api-1").await;
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.chain.entries, 3);
    assert_eq!(report.chain.origin.as_deref(), Some("api-1"));
    assert_eq!(chain_ids(&pool, "api-1").await, ["a", "b", "c"]);
    // The flush returned once its entry was sealed.
    let report = verify_chain(&pool, "api-2", &BTreeMap::new())
        .await
        .unwrap();
    assert_eq!((report.chain.entries, report.unsealed.rows), (1, 0));
    assert_eq!(report.chain.head.unwrap().seq, 1);
    assert_eq!(
        store
            .query(&AuditQuery::new().origin("api-2"))
            .await
            .unwrap()
            .entries
            .len(),
        1
    );
}

/// The session holding the table's seal lock: its application name.
async fn sealer_holders(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted \
         AND l.objid = 'audit_entries'::regclass::oid",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn one_sealer_at_a_time_and_a_standby_takes_over() {
    let Some(pool) = pool("t_takeover").await else {
        return;
    };
    let first = PostgresStore::builder(pool.clone())
        .origin("api-1")
        .open()
        .await
        .unwrap();
    let second = PostgresStore::builder(pool.clone())
        .origin("api-2")
        .open()
        .await
        .unwrap();
    // Both write; one sealer seals for both.
    for store in [&first, &second] {
        store
            .export(entry(
                store.origin(),
                "ada",
                datetime!(2026-01-01 00:00 UTC),
            ))
            .unwrap();
        store.flush_async().await.unwrap();
    }
    let started = Instant::now();
    while sealer_holders(&pool).await.is_empty() {
        assert!(started.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sealer_holders(&pool).await, ["audit-core sealer"]);

    // The first store goes away; the second's sealer takes over.
    drop(first);
    let started = Instant::now();
    second
        .export(entry("after", "ada", datetime!(2026-01-02 00:00 UTC)))
        .unwrap();
    second.flush_async().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(sealer_holders(&pool).await, ["audit-core sealer"]);
    for (origin, entries) in [("api-1", 1), ("api-2", 2)] {
        let report = sealed(&pool, origin).await;
        assert_eq!(report.chain.problem, None, "{origin}");
        assert_eq!(report.chain.entries, entries, "{origin}");
    }
}

const CHILD_ENV: &str = "AUDIT_TEST_SEALING_WRITER";

/// Run in a child process by `two_processes_write_one_store_then_one_is_killed_and_restarted`:
/// `URL SCHEMA ORIGIN START`: writes entries `ORIGIN-START`, ... through
/// the store's writer and, every third, in a transaction of its own;
/// prints each id once its flush returned, and goes on until killed or
/// 300 entries are written.
#[tokio::test]
#[ignore = "child process of two_processes_write_one_store_then_one_is_killed_and_restarted"]
async fn sealing_writer_child() {
    let args = std::env::var(CHILD_ENV)
        .expect("a child process, given its arguments in AUDIT_TEST_SEALING_WRITER");
    let [url, schema, origin, start]: [&str; 4] =
        args.split(' ').collect::<Vec<_>>().try_into().unwrap();
    let start: u32 = start.parse().unwrap();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(in_schema(url, schema))
        .await
        .unwrap();
    let store = PostgresStore::builder(pool.clone())
        .origin(origin)
        .open()
        .await
        .unwrap();
    let time = datetime!(2026-01-01 00:00 UTC);
    for n in start..start + 300 {
        let id = format!("{origin}-{n}");
        if n % 3 == 0 {
            let mut conn = pool.acquire().await.unwrap();
            let mut tx = conn.begin().await.unwrap();
            insert_entries_from(&mut tx, origin, [entry(&id, "ada", time)])
                .await
                .unwrap();
            tx.commit().await.unwrap();
        } else {
            store.export(entry(&id, "bob", time)).unwrap();
            store.flush_async().await.unwrap();
        }
        println!("flushed={id}");
    }
}

/// Starts a writer child for `origin`, from entry `start`.
fn writer(url: &str, schema: &str, origin: &str, start: u32) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "sealing::sealing_writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{url} {schema} {origin} {start}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The ids a child printed, once committed (and, for the writer's, sealed),
/// until it ends (its output read to the end, so that it never writes
/// into a closed pipe) or `stop` of them are read.
fn read_ids(child: &mut Child, stop: usize) -> Vec<String> {
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ids = Vec::new();
    for line in stdout.lines() {
        // The test harness may print its own words before the first.
        if let Some((_, id)) = line.unwrap().split_once("flushed=") {
            ids.push(id.to_owned());
        }
        if ids.len() == stop {
            break;
        }
    }
    ids
}

#[tokio::test]
async fn two_processes_write_one_store_then_one_is_killed_and_restarted() {
    let Some(url) = audit_tests::postgres_server::server() else {
        return;
    };
    let schema = "t_two_processes";
    let pool = crate::postgres::pool_on(url, schema).await;
    PostgresStore::migrate(&pool).await.unwrap();
    let mut first = writer(url, schema, "api-1", 0);
    let mut second = writer(url, schema, "api-2", 0);
    // The first is killed (SIGKILL) midway, the sealer perhaps with it.
    let mut flushed = read_ids(&mut first, 100);
    first.kill().unwrap();
    first.wait().unwrap();
    // Restarted, it goes on with its origin's chain.
    let mut restarted = writer(url, schema, "api-1", 1000);
    flushed.extend(read_ids(&mut restarted, usize::MAX));
    flushed.extend(read_ids(&mut second, usize::MAX));
    assert!(restarted.wait().unwrap().success());
    assert!(second.wait().unwrap().success());
    assert_eq!(flushed.len(), 700);

    // Sealed by whichever sealer is left: a store opened to check.
    let store = PostgresStore::builder(pool.clone())
        .origin("checker")
        .open()
        .await
        .unwrap();
    assert_eq!(origins(&pool).await.unwrap(), ["api-1", "api-2"]);
    let mut stored = BTreeSet::new();
    for origin in ["api-1", "api-2"] {
        let report = sealed(&pool, origin).await;
        assert_eq!(report.chain.problem, None, "{origin}: {report:?}");
        assert_eq!(report.chain.origin.as_deref(), Some(origin));
        let ids = chain_ids(&pool, origin).await;
        assert_eq!(u64::try_from(ids.len()).unwrap(), report.chain.entries);
        stored.extend(ids);
    }
    // Every entry flushed is stored once; the killed process may have
    // committed a few more before it died, none twice.
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_entries")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(usize::try_from(rows).unwrap(), stored.len());
    for id in &flushed {
        assert!(stored.contains(id), "{id} was flushed but is not stored");
    }
    assert!(stored.len() >= 700, "{}", stored.len());
    drop(store);
}

/// Takes a table of schema version 3 back to version 2, as audit-core's
/// version 2 left it: one chain, no origin column, `seq` unique in the table.
const BACK_TO_VERSION_2: &str = "DROP INDEX audit_entries_origin_seq; \
    DROP INDEX audit_entries_unsealed; DROP INDEX audit_entries_origin; \
    ALTER TABLE audit_entries DROP COLUMN origin; \
    CREATE UNIQUE INDEX audit_entries_seq ON audit_entries (seq); \
    UPDATE audit_schema_version SET version = 2";

/// A store of the origin "legacy" that exported five entries made on
/// 2026-01-01, `v2-0` to `v2-4`, in that order in its chain.
async fn legacy_store(pool: &sqlx::PgPool) -> PostgresStore {
    let store = PostgresStore::builder(pool.clone())
        .origin("legacy")
        .open()
        .await
        .unwrap();
    // Each flushed: the sealer chains rows in the order they become
    // visible, and the writer's first transaction may commit after its next.
    for n in 0..5 {
        store
            .export(entry(
                &format!("v2-{n}"),
                "ada",
                datetime!(2026-01-01 00:00 UTC),
            ))
            .unwrap();
        store.flush_async().await.unwrap();
    }
    store
}

#[tokio::test]
async fn a_version_2_table_becomes_the_chain_of_its_origin() {
    let Some(pool) = pool("t_from_v2").await else {
        return;
    };
    // A version-2 store: one chain, started by the origin "legacy".
    let store = legacy_store(&pool).await;
    store.flush_async().await.unwrap();
    drop(store);
    sqlx::raw_sql(BACK_TO_VERSION_2)
        .execute(&pool)
        .await
        .unwrap();
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_name = 'audit_entries' AND table_schema = 't_from_v2' AND column_name = 'origin'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(columns.is_empty());

    // Opened by a writer of another origin: the old chain keeps its origin,
    // and the new writer starts its own.
    let store = PostgresStore::builder(pool.clone())
        .origin("api-1")
        .open()
        .await
        .unwrap();
    let version: i32 = sqlx::query_scalar("SELECT version FROM audit_schema_version")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(version, 3);
    store
        .export(entry("v3-0", "bob", datetime!(2026-01-02 00:00 UTC)))
        .unwrap();
    store.flush_async().await.unwrap();
    drop(store);
    // And by the old origin's writer: its chain goes on.
    let store = PostgresStore::builder(pool.clone())
        .origin("legacy")
        .open()
        .await
        .unwrap();
    store
        .export(entry("v3-1", "bob", datetime!(2026-01-03 00:00 UTC)))
        .unwrap();
    store.flush_async().await.unwrap();
    assert_eq!(origins(&pool).await.unwrap(), ["api-1", "legacy"]);
    let legacy = sealed(&pool, "legacy").await;
    assert_eq!(legacy.chain.problem, None);
    assert_eq!(legacy.chain.origin.as_deref(), Some("legacy"));
    assert_eq!(legacy.chain.head.unwrap().seq, 6);
    assert_eq!(
        chain_ids(&pool, "legacy").await,
        ["v2-0", "v2-1", "v2-2", "v2-3", "v2-4", "v3-1"]
    );
    let new = sealed(&pool, "api-1").await;
    assert_eq!((new.chain.problem, new.chain.entries), (None, 1));
    assert_eq!(new.chain.origin.as_deref(), Some("api-1"));
}

#[tokio::test]
async fn a_purged_version_2_table_takes_its_origin_from_the_purge_record() {
    let Some(pool) = pool("t_from_v2_purged").await else {
        return;
    };
    let store = legacy_store(&pool).await;
    store
        .export(entry("v2-new", "ada", datetime!(2026-03-01 00:00 UTC)))
        .unwrap();
    store.flush_async().await.unwrap();
    // The first five purged, and the purge recorded as seq 7.
    assert_eq!(
        store
            .purge_before(datetime!(2026-02-01 00:00 UTC))
            .await
            .unwrap(),
        5
    );
    drop(store);
    sqlx::raw_sql(BACK_TO_VERSION_2)
        .execute(&pool)
        .await
        .unwrap();

    let store = PostgresStore::builder(pool.clone())
        .origin("api-1")
        .open()
        .await
        .unwrap();
    drop(store);
    assert_eq!(origins(&pool).await.unwrap(), ["legacy"]);
    let report = verify_chain(&pool, "legacy", &BTreeMap::new())
        .await
        .unwrap();
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.chain.entries, 2);
    assert_eq!(report.chain.head.unwrap().seq, 7);
    assert_eq!(report.purges.len(), 1);
    assert_eq!(
        (
            report.purges[0].seq,
            report.purges[0].through_seq,
            report.purges[0].purged
        ),
        (7, 5, 5)
    );
}

/// The chat example's life, run by two instances of a service at once into
/// one PostgreSQL store, each with its origin: both chains verify.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_chat_instances_write_one_store_and_each_chain_verifies() {
    let Some(pool) = pool("t_two_chats").await else {
        return;
    };
    let mut instances = Vec::new();
    for origin in ["chat-1", "chat-2"] {
        let store = PostgresStore::builder(pool.clone())
            .origin(origin)
            .open()
            .await
            .unwrap();
        instances.push(tokio::task::spawn_blocking(move || {
            audit_examples::lifecycle::run(&store).unwrap();
            store.flush().unwrap();
        }));
    }
    for instance in instances {
        instance.await.unwrap();
    }
    assert_eq!(origins(&pool).await.unwrap(), ["chat-1", "chat-2"]);
    for origin in ["chat-1", "chat-2"] {
        let report = verify_chain(&pool, origin, &BTreeMap::new()).await.unwrap();
        assert_eq!(report.chain.problem, None, "{origin}");
        assert_eq!((report.chain.entries, report.unsealed.rows), (8, 0));
        let page = PostgresStore::builder(pool.clone())
            .sealer(false)
            .open()
            .await
            .unwrap()
            .query(&AuditQuery::new().origin(origin))
            .await
            .unwrap();
        assert_eq!(page.entries.len(), 8);
    }
}

/// With no sealer on the table, a flush says that its entries are stored
/// but not sealed, after waiting 10 s; nothing is lost, and a sealer that
/// comes later chains them.
#[tokio::test]
async fn a_flush_without_any_sealer_says_its_entries_are_stored_unsealed() {
    let Some(pool) = pool("t_no_sealer").await else {
        return;
    };
    let store = PostgresStore::builder(pool.clone())
        .origin("api")
        .sealer(false)
        .open()
        .await
        .unwrap();
    store
        .export(entry("waiting", "ada", datetime!(2026-01-01 00:00 UTC)))
        .unwrap();
    let error = store.flush_async().await.unwrap_err();
    assert!(
        matches!(error, audit_core::ExportError::Unsealed { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the audit entries were stored, but not sealed into the chain: 1 entry committed but \
         not sealed after 10 s: no sealer runs on this table, or it cannot keep up; stored, \
         it is chained when a sealer runs"
    );
    assert!(store.take_unwritten().is_empty());
    let report = verify_chain(&pool, "api", &BTreeMap::new()).await.unwrap();
    assert_eq!((report.chain.entries, report.unsealed.rows), (0, 1));

    let sealer = PostgresStore::builder(pool.clone())
        .origin("sealer")
        .open()
        .await
        .unwrap();
    let report = sealed(&pool, "api").await;
    assert_eq!((report.chain.problem, report.chain.entries), (None, 1));
    drop(sealer);
}

/// A purge cuts each origin's chain and records itself in that chain: the
/// writer's own origin through its writer, another's sealed into it.
#[tokio::test]
async fn a_purge_cuts_and_records_each_origins_chain() {
    let Some(pool) = pool("t_purge_origins").await else {
        return;
    };
    let store = PostgresStore::builder(pool.clone())
        .origin("api-1")
        .open()
        .await
        .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    for (n, time) in [
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2026-01-02 00:00 UTC),
        datetime!(2026-03-01 00:00 UTC),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .export(entry(&format!("own-{n}"), "ada", time))
            .unwrap();
        insert_entries_from(
            &mut conn,
            "api-2",
            [entry(&format!("other-{n}"), "bob", time)],
        )
        .await
        .unwrap();
    }
    drop(conn);
    store.flush_async().await.unwrap();
    sealed(&pool, "api-2").await;
    assert_eq!(
        store
            .purge_before(datetime!(2026-02-01 00:00 UTC))
            .await
            .unwrap(),
        4
    );
    for origin in ["api-1", "api-2"] {
        let report = sealed(&pool, origin).await;
        assert_eq!(report.chain.problem, None, "{origin}");
        // The entry kept, then the purge record: seq 3 and 4.
        assert_eq!(report.chain.entries, 2, "{origin}");
        assert_eq!(report.chain.head.unwrap().seq, 4, "{origin}");
        assert_eq!(report.purges.len(), 1, "{origin}");
        let purge = report.purges[0];
        assert_eq!((purge.seq, purge.through_seq, purge.purged), (4, 2, 2));
    }
}
