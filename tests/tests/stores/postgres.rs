//! The PostgreSQL store against a real server: the shared store tests
//! (`audit_tests::stores`), on a plain URL and again over TLS, then what is
//! PostgreSQL's own: TLS, schema versions, the caller's transaction, a lost
//! connection and a server that goes away.
//!
//! The server is `AUDIT_TEST_DATABASE_URL` when it is set (`.ci/run` sets
//! it), else a throwaway one that `.ci/pg.sh` starts from the installed
//! PostgreSQL binaries and stops when the tests exit. The TLS tests connect
//! with `AUDIT_TEST_DATABASE_TLS_URL`, else the throwaway server's TLS URL
//! (see `audit_tests::postgres_server`). Without a server, the
//! tests pass with a printed reason, except under `CI=true`, where a missing
//! server fails them. Each test works in a schema of its own.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::str::FromStr as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use audit_core::postgres::{PostgresStore, insert_entries, insert_entries_from};
use audit_core::store::{AuditQuery, Outbox, StoreError};
use audit_core::{Action, AuditRequest, AuditSink, ExportError};
use audit_tests::postgres_server::{UNRELATED_CA, server, tls_server, with_parameter};
use audit_tests::stores::{Doc, entry};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool};
use time::macros::datetime;

/// Connection options for `url` that work in the schema `schema`.
pub(crate) fn in_schema(url: &str, schema: &str) -> PgConnectOptions {
    PgConnectOptions::from_str(url)
        .unwrap()
        .options([("search_path", schema)])
}

/// A pool on a new, empty schema named after the test.
pub(crate) async fn pool(schema: &str) -> Option<PgPool> {
    Some(pool_on(server()?, schema).await)
}

/// A pool on a new, empty schema `schema` of the server at `url`.
pub(crate) async fn pool_on(url: &str, schema: &str) -> PgPool {
    let admin = PgPool::connect(url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    )))
    .execute(&admin)
    .await
    .unwrap();
    PgPoolOptions::new()
        .max_connections(4)
        .connect_with(in_schema(url, schema))
        .await
        .unwrap()
}

/// Runs a shared store test on a fresh store in a schema named after it.
async fn with_store(test: &str, run: impl AsyncFnOnce(&PostgresStore)) {
    let Some(pool) = pool(&format!("t_{test}")).await else {
        return;
    };
    run(&PostgresStore::builder(pool).open().await.unwrap()).await;
}

audit_tests::store_suite!(with_store);

/// The shared tests again, on the TLS URL: the pool's connections and the
/// writer's are verified TLS connections.
mod over_tls {
    use super::*;

    /// Runs a shared store test on a fresh store over TLS.
    async fn with_store(test: &str, run: impl AsyncFnOnce(&PostgresStore)) {
        let Some(url) = tls_server() else { return };
        let pool = pool_on(url, &format!("t_tls_{test}")).await;
        run(&PostgresStore::builder(pool).open().await.unwrap()).await;
    }

    audit_tests::store_suite!(with_store);
}

/// Whether the connection that runs the query is encrypted.
const SSL: &str = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

#[tokio::test]
async fn the_store_connects_with_the_urls_sslmode_and_root_certificate() {
    let Some(url) = tls_server() else { return };
    let schema = "t_tls_connect";
    pool_on(url, schema).await.close().await;
    // `connect`, as an application would, with nothing but the URL.
    let store = PostgresStore::connect(&with_parameter(url, "options[search_path]", schema))
        .await
        .unwrap();
    let written: Vec<_> = (0..5)
        .map(|n| {
            let time = datetime!(2026-12-01 00:00 UTC) + time::Duration::minutes(n);
            entry(&format!("doc-{n}"), "ada", time)
        })
        .collect();
    for entry in &written {
        store.export(entry.clone()).unwrap();
    }
    store.flush_async().await.unwrap();
    let mut read = store
        .query(&AuditQuery::new().actor("ada").limit(10))
        .await
        .unwrap()
        .entries;
    read.reverse(); // newest first
    assert_eq!(read, written);

    let encrypted: bool = sqlx::query_scalar(SSL)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(encrypted, "the pool's connection is not TLS");
    // The writer's connection, made from the pool's options: this role's
    // writers are all encrypted.
    let writers: Vec<bool> = sqlx::query_scalar(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.application_name = 'audit-core writer' AND a.usename = current_user",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(
        !writers.is_empty() && writers.iter().all(|ssl| *ssl),
        "{writers:?}"
    );
}

#[tokio::test]
async fn a_server_certificate_from_another_ca_is_refused() {
    let Some(url) = tls_server() else { return };
    let error =
        match PostgresStore::connect(&with_parameter(url, "sslrootcert", UNRELATED_CA)).await {
            Ok(_) => panic!("connected with a CA that did not sign the server's certificate"),
            Err(error) => error.to_string(),
        };
    assert!(
        error.contains("invalid peer certificate: UnknownIssuer"),
        "{error}"
    );
}

#[tokio::test]
async fn the_tls_url_is_refused_without_tls() {
    let Some(url) = tls_server() else { return };
    let plain = with_parameter(url, "sslmode", "disable");
    let error = PgPool::connect(&plain).await.unwrap_err().to_string();
    assert!(error.contains("no encryption"), "{error}");
    // The same check that the TLS tests rely on tells the two apart.
    let Some(url) = server() else { return };
    let plain = PgPool::connect(&with_parameter(url, "sslmode", "disable"))
        .await
        .unwrap();
    let encrypted: bool = sqlx::query_scalar(SSL).fetch_one(&plain).await.unwrap();
    assert!(!encrypted);
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_untouched() {
    let Some(pool) = pool("t_newer_schema").await else {
        return;
    };
    PostgresStore::migrate(&pool).await.unwrap();
    sqlx::query("UPDATE audit_schema_version SET version = 4")
        .execute(&pool)
        .await
        .unwrap();
    let error = PostgresStore::builder(pool.clone())
        .open()
        .await
        .unwrap_err();
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
    assert!(error.to_string().contains("upgrade audit-core"), "{error}");
    let version: i32 = sqlx::query_scalar("SELECT version FROM audit_schema_version")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(version, 4);
}

#[tokio::test]
async fn a_table_audit_core_did_not_create_is_refused() {
    let Some(pool) = pool("t_foreign_table").await else {
        return;
    };
    sqlx::raw_sql(
        "CREATE TABLE audit_entries (what text); INSERT INTO audit_entries VALUES ('mine')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let error = PostgresStore::migrate(&pool).await.unwrap_err();
    assert!(
        matches!(error, StoreError::SchemaVersion { found: None, .. }),
        "{error:?}"
    );
    let kept: String = sqlx::query_scalar("SELECT what FROM audit_entries")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, "mine");
}

#[tokio::test]
async fn concurrent_migrations_create_the_table_once() {
    let Some(pool) = pool("t_concurrent_migrations").await else {
        return;
    };
    let migrations: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { PostgresStore::migrate(&pool).await })
        })
        .collect();
    for migration in migrations {
        migration.await.unwrap().unwrap();
    }
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_schema_version")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(versions, 1);
}

/// Updates doc-1 in `tx`, auditing the change into `outbox`.
async fn update_doc(tx: &mut sqlx::PgConnection, outbox: &Outbox) {
    let doc = |n: i64| Doc {
        id: "doc-1".into(),
        body: json!({"n": n}),
        password: String::new(),
    };
    let mut audit = AuditRequest::new(outbox, Action::WRITE).actor("ada");
    audit.set_old(doc(0));
    sqlx::query("UPDATE docs SET n = 1 WHERE id = 'doc-1'")
        .execute(&mut *tx)
        .await
        .unwrap();
    audit.set_new(doc(1));
    audit.commit(200).unwrap();
}

async fn app_database(schema: &str) -> Option<PgPool> {
    let pool = pool(schema).await?;
    sqlx::raw_sql("CREATE TABLE docs (id text PRIMARY KEY, n bigint NOT NULL); INSERT INTO docs VALUES ('doc-1', 0)")
        .execute(&pool)
        .await
        .unwrap();
    PostgresStore::migrate(&pool).await.unwrap();
    Some(pool)
}

async fn doc_n(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT n FROM docs WHERE id = 'doc-1'")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_entry_commits_with_the_callers_transaction() {
    let Some(pool) = app_database("t_tx_commit").await else {
        return;
    };
    let mut tx = pool.begin().await.unwrap();
    let outbox = Outbox::new();
    update_doc(&mut tx, &outbox).await;
    assert_eq!(insert_entries(&mut tx, outbox.take()).await.unwrap(), 1);
    tx.commit().await.unwrap();

    let store = PostgresStore::builder(pool.clone()).open().await.unwrap();
    let history = store.history("doc", "doc-1").await.unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].diff.contains("body"));
    assert_eq!(doc_n(&pool).await, 1);
}

#[tokio::test]
async fn an_entry_rolls_back_with_the_callers_transaction() {
    let Some(pool) = app_database("t_tx_rollback").await else {
        return;
    };
    let mut tx = pool.begin().await.unwrap();
    let outbox = Outbox::new();
    update_doc(&mut tx, &outbox).await;
    insert_entries(&mut tx, outbox.take()).await.unwrap();
    tx.rollback().await.unwrap();

    let store = PostgresStore::builder(pool.clone()).open().await.unwrap();
    assert!(store.history("doc", "doc-1").await.unwrap().is_empty());
    assert_eq!(doc_n(&pool).await, 0);
}

#[tokio::test]
async fn a_failed_insert_fails_the_callers_transaction() {
    let Some(pool) = app_database("t_tx_failed_insert").await else {
        return;
    };
    sqlx::query("ALTER TABLE audit_entries ADD CHECK (actor <> 'mallory')")
        .execute(&pool)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let outbox = Outbox::new();
    update_doc(&mut tx, &outbox).await;
    let mut refused = outbox.take();
    refused[0].actor = Some("mallory".into());
    let error = insert_entries(&mut tx, refused).await.unwrap_err();
    assert!(error.to_string().contains("check constraint"), "{error}");
    tx.rollback().await.unwrap();
    assert_eq!(doc_n(&pool).await, 0);
}

#[tokio::test]
async fn a_lost_connection_is_made_again_and_nothing_is_lost() {
    let Some(pool) = pool("t_lost_connection").await else {
        return;
    };
    let store = PostgresStore::builder(pool.clone()).open().await.unwrap();
    let first = entry("doc-1", "ada", datetime!(2026-11-28 00:00 UTC));
    store.export(first).unwrap();
    store.flush_async().await.unwrap();

    // The server ends the writer's session, as a restart or a failover would.
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'audit-core writer' AND datname = current_database()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        !ended.is_empty() && ended.iter().all(|ended| *ended),
        "{ended:?}"
    );

    for n in 0..20 {
        store
            .export(entry(
                &format!("doc-{n}"),
                "bob",
                datetime!(2026-11-28 00:00 UTC),
            ))
            .unwrap();
    }
    store.flush_async().await.unwrap();
    assert_eq!(
        store.count(&AuditQuery::new(), 100).await.unwrap().count,
        21
    );
    assert!(store.take_unwritten().is_empty());
}

/// A TCP proxy in front of the server, that can play a server going away.
struct Proxy {
    address: SocketAddr,
    gone: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(server: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = Proxy {
            address: listener.local_addr().unwrap(),
            gone: Arc::default(),
            streams: Arc::default(),
        };
        let (gone, streams) = (Arc::clone(&proxy.gone), Arc::clone(&proxy.streams));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if gone.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(upstream) = TcpStream::connect(server) else {
                    continue;
                };
                let mut kept = streams.lock().unwrap();
                kept.push(client.try_clone().unwrap());
                kept.push(upstream.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), upstream.try_clone().unwrap()),
                    (upstream, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        proxy
    }

    /// Every connection is cut, and new ones are closed at once.
    fn go_away(&self) {
        self.gone.store(true, Ordering::SeqCst);
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

#[tokio::test]
async fn entries_are_reported_when_the_server_goes_away() {
    let Some(direct) = pool("t_server_goes_away").await else {
        return;
    };
    let url = server().unwrap();
    let options = in_schema(url, "t_server_goes_away");
    let server = format!("{}:{}", options.get_host(), options.get_port())
        .parse()
        .unwrap();
    let proxy = Proxy::start(server);
    let through_proxy = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options.host("127.0.0.1").port(proxy.address.port()))
        .await
        .unwrap();
    let store = PostgresStore::builder(through_proxy).open().await.unwrap();
    let written: Vec<_> = (0..100)
        .map(|n| entry(&format!("doc-{n}"), "ada", datetime!(2026-11-28 00:00 UTC)))
        .collect();
    for entry in &written {
        store.export(entry.clone()).unwrap();
    }
    store.flush_async().await.unwrap();

    proxy.go_away();
    let lost: Vec<_> = (0..50)
        .map(|n| entry(&format!("doc-{n}"), "bob", datetime!(2026-11-28 00:00 UTC)))
        .collect();
    for entry in &lost {
        store.export(entry.clone()).unwrap();
    }
    match store.flush_async().await {
        Err(ExportError::Write { failed, .. }) => assert_eq!(failed, 50),
        other => panic!("expected a write error, got {other:?}"),
    }
    // Every entry is either stored or handed back: none vanished.
    assert_eq!(store.take_unwritten(), lost);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_entries")
        .fetch_one(&direct)
        .await
        .unwrap();
    assert_eq!(stored, 100);
}

#[tokio::test]
async fn the_chain_stays_linear_across_the_writer_and_concurrent_transactions() {
    let Some(pool) = pool("t_chain_linear").await else {
        return;
    };
    let store = PostgresStore::builder(pool.clone())
        .origin("chats")
        .open()
        .await
        .unwrap();
    // The writer starts the chain, with its origin.
    store
        .export(entry("first", "bob", datetime!(2026-01-01 00:00 UTC)))
        .unwrap();
    store.flush_async().await.unwrap();
    // A rolled-back transaction takes its sequence numbers with it.
    let mut tx = pool.begin().await.unwrap();
    insert_entries(
        &mut tx,
        [entry("rolled-back", "ada", datetime!(2026-01-01 00:00 UTC))],
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    // The writer and eight transactions at once: one chain, no gap.
    let mut tasks = Vec::new();
    for task in 0..8 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..5 {
                let mut tx = pool.begin().await.unwrap();
                let id = format!("tx-{task}-{n}");
                let kept = entry(&id, "ada", datetime!(2026-01-02 00:00 UTC));
                let inserted = insert_entries_from(&mut tx, "chats", [&kept, &kept]);
                assert_eq!(inserted.await.unwrap(), 1);
                tx.commit().await.unwrap();
            }
        }));
    }
    for n in 0..19 {
        store
            .export(entry(
                &format!("w-{n}"),
                "bob",
                datetime!(2026-01-03 00:00 UTC),
            ))
            .unwrap();
    }
    for task in tasks {
        task.await.unwrap();
    }
    store.flush_async().await.unwrap();
    // The writer's rows are sealed as they are written, the transactions'
    // by the sealer, within an interval of their commit.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let report = loop {
        let report =
            audit_core::postgres::verify_chain(&pool, "chats", &std::collections::BTreeMap::new())
                .await
                .unwrap();
        if report.unsealed.rows == 0 || std::time::Instant::now() > deadline {
            break report;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.chain.origin.as_deref(), Some("chats"));
    assert_eq!(report.unsealed.rows, 0);
    assert_eq!((report.chain.entries, report.unchained), (60, 0));
    assert_eq!(report.chain.head.unwrap().seq, 60);
}

/// While its sealer holds the lock and is between rounds, the writer chains
/// its rows as it inserts them, in the order they were exported; a sealer's
/// round would have chained them in the order of their times.
#[tokio::test]
async fn the_writer_chains_its_rows_as_it_inserts_them() {
    let Some(pool) = pool("t_writer_seals").await else {
        return;
    };
    let store = PostgresStore::builder(pool.clone()).open().await.unwrap();
    // The first flush waits for the sealer, which then holds the lock.
    store
        .export(entry("first", "bob", datetime!(2026-01-01 00:00 UTC)))
        .unwrap();
    store.flush_async().await.unwrap();
    // A batch that meets a round of the sealer goes to the sealer instead:
    // one of three tries must not.
    let mut orders = Vec::new();
    for attempt in 0..3 {
        let ids: Vec<String> = ["c", "b", "a"]
            .iter()
            .map(|id| format!("{id}{attempt}"))
            .collect();
        for (id, day) in ids.iter().zip([3, 2, 1]) {
            let time = datetime!(2026-02-01 00:00 UTC) + time::Duration::days(day);
            store.export(entry(id, "bob", time)).unwrap();
        }
        store.flush_async().await.unwrap();
        let chained: Vec<String> = sqlx::query_scalar(
            "SELECT resource_id FROM audit_entries WHERE resource_id = ANY($1) ORDER BY seq",
        )
        .bind(&ids)
        .fetch_all(&pool)
        .await
        .unwrap();
        if chained == ids {
            break;
        }
        orders.push(chained);
    }
    assert!(
        orders.len() < 3,
        "chained in time order each time: {orders:?}"
    );
    let report = audit_core::postgres::verify_chain(
        &pool,
        store.origin(),
        &std::collections::BTreeMap::new(),
    )
    .await
    .unwrap();
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.unsealed.rows, 0);
}

#[tokio::test]
async fn the_writer_signs_checkpoints_and_a_cut_tail_is_caught() {
    use audit_core::chain::checkpoint::{
        self, CheckpointSigner, Checkpoints, FileCheckpointSink, SignedCheckpoint,
    };

    let Some(pool) = pool("t_checkpoints").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.checkpoints");
    let signer = CheckpointSigner::from_seed("test-store", [7; 32]).unwrap();
    let key = signer.verifier_key();
    let store = PostgresStore::builder(pool.clone())
        .origin("chats")
        .checkpoints(Checkpoints::new(signer, FileCheckpointSink::new(&file)))
        .open()
        .await
        .unwrap();
    for id in ["a", "b", "c"] {
        store
            .export(entry(id, "ada", datetime!(2026-01-01 00:00 UTC)))
            .unwrap();
    }
    store.flush_async().await.unwrap();
    drop(store);

    let text = std::fs::read_to_string(&file).unwrap();
    let checkpoints = SignedCheckpoint::parse_all(&text).unwrap();
    let heads = checkpoint::verify_all(&checkpoints, &key).unwrap()["chats"].clone();
    assert_eq!(heads.keys().next_back(), Some(&3));
    assert_eq!(checkpoints.last().unwrap().checkpoint().origin, "chats");
    let report = audit_core::postgres::verify_chain(&pool, "chats", &heads)
        .await
        .unwrap();
    assert_eq!(report.chain.problem, None);
    assert_eq!(report.chain.entries, 3);

    sqlx::query("DELETE FROM audit_entries WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    let report = audit_core::postgres::verify_chain(&pool, "chats", &heads)
        .await
        .unwrap();
    assert!(report.chain.problem.is_some(), "{report:?}");
}

/// A batch that meets an id already stored skips it without chaining it: in
/// the caller's transaction and through the store's writer, the chain stays
/// one sequence with no gap.
#[tokio::test]
async fn an_entry_already_stored_is_skipped_and_takes_no_sequence_number() {
    let Some(pool) = pool("t_already_stored").await else {
        return;
    };
    let store = PostgresStore::builder(pool.clone())
        .origin("chats")
        .open()
        .await
        .unwrap();
    let first = entry("first", "bob", datetime!(2026-01-01 00:00 UTC));
    store.export(first.clone()).unwrap();
    store.flush_async().await.unwrap();

    let mut tx = pool.begin().await.unwrap();
    let second = entry("second", "ada", datetime!(2026-01-02 00:00 UTC));
    // The stored entry first: every row after it would be chained to it.
    let third = entry("third", "ada", datetime!(2026-01-02 00:00 UTC));
    assert_eq!(
        insert_entries_from(&mut tx, "chats", [&first, &second, &third])
            .await
            .unwrap(),
        2
    );
    tx.commit().await.unwrap();
    // The store's writer, retrying an entry it wrote: skipped too.
    store.export(second.clone()).unwrap();
    store
        .export(entry("fourth", "bob", datetime!(2026-01-03 00:00 UTC)))
        .unwrap();
    store.flush_async().await.unwrap();

    let report =
        audit_core::postgres::verify_chain(&pool, "chats", &std::collections::BTreeMap::new())
            .await
            .unwrap();
    assert_eq!(report.chain.problem, None);
    assert_eq!((report.chain.entries, report.unchained), (4, 0));
    assert_eq!(report.chain.head.unwrap().seq, 4);
    assert_eq!(store.history("doc", "second").await.unwrap(), [second]);
}
