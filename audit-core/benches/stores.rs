//! The stores: insert throughput of `SqliteStore` and `PostgresStore`
//! (export every entry, then flush) against hand-written batched `INSERT`s
//! of the same rows (serialize, then 1000 rows a transaction, on the
//! caller's thread), and query latency at 300 000 entries: a filtered page,
//! a deep page, a resource's history and a capped count.
//!
//! PostgreSQL is `AUDIT_BENCH_DATABASE_URL` when set, else a throwaway
//! server started with `.ci/pg.sh` (fsync off, as in the tests) and stopped
//! at the end. Run with
//! `cargo bench -p audit-core --features sqlite,postgres --bench stores`;
//! see docs/performance.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use audit_core::postgres::PostgresStore;
use audit_core::sqlite::SqliteStore;
use audit_core::store::{AuditQuery, COUNT_CAP};
use audit_core::{Action, AuditEntry, AuditRequest, AuditSink, Auditable, MemorySink};
use divan::Bencher;
use divan::counter::ItemsCount;
use serde::Serialize;
use sqlx::{PgPool, QueryBuilder};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

/// Entries per insert iteration.
const INSERTS: usize = 10_000;

/// Rows already in the table for the `_filled` insert benchmarks.
const FILLED: usize = 1_000_000;

/// Entries in the table the queries read.
const ROWS: usize = 300_000;

#[derive(Clone, Serialize, Auditable)]
#[audit(org = organization_id, link = "/docs/{id}")]
struct Doc {
    #[audit(track)]
    id: String,
    #[audit(ignore)]
    organization_id: String,
    #[audit(track)]
    archived: bool,
    #[audit(track)]
    labels: Vec<String>,
}

/// `count` entries over 10 000 docs, 100 actors, 10 organizations and a year.
fn entries(count: usize) -> Vec<AuditEntry> {
    let sink = MemorySink::new();
    let old = Doc {
        id: String::new(),
        organization_id: String::new(),
        archived: false,
        labels: vec!["team:core".into()],
    };
    let mut audit = AuditRequest::new(&sink, Action::WRITE).request_id("req");
    audit.set_old(old.clone());
    audit.set_new(Doc {
        archived: true,
        ..old
    });
    audit.commit(200).unwrap();
    let template = sink.last().unwrap();
    let start = datetime!(2026-01-01 00:00 UTC);
    (0..count)
        .map(|n| {
            let mut entry = template.clone();
            entry.id = Uuid::now_v7();
            entry.time =
                start + time::Duration::seconds((i64::try_from(n).unwrap() * 105) % (365 * 86_400));
            entry.resource_id = format!("doc-{}", n % 10_000);
            entry.actor = Some(format!("user-{}", n % 100));
            entry.organization_id = Some(format!("org-{}", n % 10));
            entry.request_id = Some(format!("req-{n}"));
            entry.action = [Action::CREATE, Action::WRITE, Action::DELETE][n % 3].clone();
            entry
        })
        .collect()
}

fn main() {
    divan::main();
    if let Some(state) = PG_STATE.get() {
        let _ = Command::new(pg_script()).arg("stop").arg(state).status();
    }
}

static PG_STATE: OnceLock<PathBuf> = OnceLock::new();

fn pg_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/pg.sh")
}

fn pg_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("AUDIT_BENCH_DATABASE_URL") {
            return url;
        }
        let state = std::env::temp_dir().join(format!("audit-pg-bench-{}", std::process::id()));
        let output = Command::new(pg_script())
            .arg("start")
            .arg(&state)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        PG_STATE.set(state).unwrap();
        // Plain, as the figures in docs/performance.md were measured: the
        // throwaway server also offers TLS, which `prefer` would take.
        let url = String::from_utf8(output.stdout).unwrap();
        format!("{}?sslmode=disable", url.trim())
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

/// A pool on a fresh schema `schema`, with the audit table.
fn pg_pool(schema: &str) -> PgPool {
    runtime().block_on(async {
        let admin = PgPool::connect(pg_url()).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        )))
        .execute(&admin)
        .await
        .unwrap();
        let options: sqlx::postgres::PgConnectOptions = pg_url().parse().unwrap();
        let pool = PgPool::connect_with(options.options([("search_path", schema)]))
            .await
            .unwrap();
        PostgresStore::migrate(&pool).await.unwrap();
        pool
    })
}

mod insert {
    use super::{
        AuditSink, Bencher, FILLED, INSERTS, ItemsCount, PostgresStore, QueryBuilder, SqliteStore,
        entries, micros, pg_pool, runtime,
    };

    #[divan::bench(sample_count = 10)]
    fn sqlite_store(bencher: Bencher<'_, '_>) {
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| {
                let dir = tempfile::tempdir().unwrap();
                let store = SqliteStore::builder(dir.path().join("audit.db"))
                    .capacity(INSERTS)
                    .open()
                    .unwrap();
                (dir, store, entries(INSERTS))
            })
            .bench_local_values(|(dir, store, entries)| {
                for entry in entries {
                    store.export(entry).unwrap();
                }
                store.flush().unwrap();
                (dir, store)
            });
    }

    #[divan::bench(sample_count = 10)]
    fn sqlite_by_hand(bencher: Bencher<'_, '_>) {
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| {
                let dir = tempfile::tempdir().unwrap();
                let conn = sqlite_by_hand_conn(&dir.path().join("audit.db"));
                (dir, conn, entries(INSERTS))
            })
            .bench_local_values(|(dir, mut conn, entries)| {
                sqlite_insert_by_hand(&mut conn, &entries);
                (dir, conn)
            });
    }

    /// `sqlite_store` into a table that already holds `FILLED` rows.
    #[divan::bench(sample_count = 5)]
    fn sqlite_store_filled(bencher: Bencher<'_, '_>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        fill_sqlite(&path);
        let store = SqliteStore::builder(&path)
            .capacity(INSERTS)
            .open()
            .unwrap();
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| entries(INSERTS))
            .bench_local_values(|entries| {
                for entry in entries {
                    store.export(entry).unwrap();
                }
                store.flush().unwrap();
            });
    }

    /// `sqlite_by_hand` into a table that already holds `FILLED` rows.
    #[divan::bench(sample_count = 5)]
    fn sqlite_by_hand_filled(bencher: Bencher<'_, '_>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        fill_sqlite(&path);
        let mut conn = sqlite_by_hand_conn(&path);
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| entries(INSERTS))
            .bench_local_values(|entries| sqlite_insert_by_hand(&mut conn, &entries));
    }

    fn sqlite_by_hand_conn(path: &std::path::Path) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        SqliteStore::migrate(&conn).unwrap();
        conn
    }

    fn sqlite_insert_by_hand(conn: &mut rusqlite::Connection, entries: &[audit_core::AuditEntry]) {
        for batch in entries.chunks(1000) {
            let tx = conn.transaction().unwrap();
            {
                let mut insert = tx
                            .prepare_cached(
                                "INSERT INTO audit_entries (id, time_us, actor, organization_id, ip, \
                                 user_agent, resource_type, resource_id, resource_target, resource_link, \
                                 action, diff, status_code, additional_fields, request_id, flags, entry_json) \
                                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                            )
                            .unwrap();
                for entry in batch {
                    insert
                        .execute(rusqlite::params![
                            entry.id.as_bytes().as_slice(),
                            micros(entry.time),
                            entry.actor,
                            entry.organization_id,
                            entry.ip.map(|ip| ip.to_string()),
                            entry.user_agent,
                            entry.resource_type,
                            entry.resource_id,
                            entry.resource_target,
                            entry.resource_link,
                            entry.action.as_str(),
                            serde_json::to_string(&entry.diff).unwrap(),
                            entry.status_code,
                            serde_json::to_string(&entry.additional_fields).unwrap(),
                            entry.request_id,
                            serde_json::to_string(&entry.flags).unwrap(),
                            serde_json::to_string(entry).unwrap(),
                        ])
                        .unwrap();
                }
            }
            tx.commit().unwrap();
        }
    }

    #[divan::bench(sample_count = 10)]
    fn postgres_store(bencher: Bencher<'_, '_>) {
        let pool = pg_pool("bench_insert_store");
        let store = runtime()
            .block_on(
                PostgresStore::builder(pool.clone())
                    .capacity(INSERTS)
                    .open(),
            )
            .unwrap();
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| {
                runtime()
                    .block_on(sqlx::query("TRUNCATE audit_entries").execute(&pool))
                    .unwrap();
                entries(INSERTS)
            })
            .bench_local_values(|entries| {
                for entry in entries {
                    store.export(entry).unwrap();
                }
                store.flush().unwrap();
            });
    }

    /// `postgres_store` into a table that already holds `FILLED` rows.
    #[divan::bench(sample_count = 5)]
    fn postgres_store_filled(bencher: Bencher<'_, '_>) {
        let pool = pg_pool("bench_insert_store_filled");
        fill_postgres(&pool);
        let store = runtime()
            .block_on(
                PostgresStore::builder(pool.clone())
                    .capacity(INSERTS)
                    .open(),
            )
            .unwrap();
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| entries(INSERTS))
            .bench_local_values(|entries| {
                for entry in entries {
                    store.export(entry).unwrap();
                }
                store.flush().unwrap();
            });
    }

    /// `postgres_by_hand` into a table that already holds `FILLED` rows.
    #[divan::bench(sample_count = 5)]
    fn postgres_by_hand_filled(bencher: Bencher<'_, '_>) {
        let pool = pg_pool("bench_insert_by_hand_filled");
        fill_postgres(&pool);
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| entries(INSERTS))
            .bench_local_values(|entries| postgres_insert_by_hand(&pool, &entries));
    }

    #[divan::bench(sample_count = 10)]
    fn postgres_by_hand(bencher: Bencher<'_, '_>) {
        let pool = pg_pool("bench_insert_by_hand");
        bencher
            .counter(ItemsCount::new(INSERTS))
            .with_inputs(|| {
                runtime()
                    .block_on(sqlx::query("TRUNCATE audit_entries").execute(&pool))
                    .unwrap();
                entries(INSERTS)
            })
            .bench_local_values(|entries| postgres_insert_by_hand(&pool, &entries));
    }

    fn postgres_insert_by_hand(pool: &sqlx::PgPool, entries: &[audit_core::AuditEntry]) {
        runtime().block_on(async {
                    for batch in entries.chunks(1000) {
                        let mut tx = pool.begin().await.unwrap();
                        let mut insert = QueryBuilder::new(
                            "INSERT INTO audit_entries (id, \"time\", actor, organization_id, ip, \
                             user_agent, resource_type, resource_id, resource_target, resource_link, \
                             action, diff, status_code, additional_fields, request_id, flags, entry_json) ",
                        );
                        insert.push_values(batch, |mut row, entry| {
                            row.push_bind(entry.id)
                                .push_bind(entry.time)
                                .push_bind(entry.actor.clone())
                                .push_bind(entry.organization_id.clone())
                                .push_bind(entry.ip.map(|ip| ip.to_string()))
                                .push_unseparated("::inet")
                                .push_bind(entry.user_agent.clone())
                                .push_bind(entry.resource_type.clone())
                                .push_bind(entry.resource_id.clone())
                                .push_bind(entry.resource_target.clone())
                                .push_bind(entry.resource_link.clone())
                                .push_bind(entry.action.as_str().to_owned())
                                .push_bind(serde_json::to_string(&entry.diff).unwrap())
                                .push_unseparated("::jsonb")
                                .push_bind(entry.status_code.map(i32::from))
                                .push_bind(serde_json::to_string(&entry.additional_fields).unwrap())
                                .push_unseparated("::jsonb")
                                .push_bind(entry.request_id.clone())
                                .push_bind(Vec::<String>::new())
                                .push_bind(serde_json::to_string(entry).unwrap());
                        });
                        insert.build().execute(&mut *tx).await.unwrap();
                        tx.commit().await.unwrap();
                    }
                });
    }

    /// Fills a new SQLite table at `path` with `FILLED` rows, by SQL.
    fn fill_sqlite(path: &std::path::Path) {
        let conn = sqlite_by_hand_conn(path);
        conn.execute_batch(&format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {FILLED}) \
             INSERT INTO audit_entries (id, time_us, actor, organization_id, resource_type, resource_id, \
             resource_target, action, diff, additional_fields, request_id, flags, entry_json, seq) \
             SELECT randomblob(16), 1735689600000000 + n * 1000, 'user-' || (n % 100), 'org-' || (n % 10), \
             'doc', 'doc-' || (n % 10000), 'doc', 'write', '{{}}', '{{}}', 'req-' || n, '[]', \
             printf('%.600c', 'x'), n FROM g; ANALYZE;"
        ))
        .unwrap();
    }

    /// Fills the PostgreSQL table of `pool` with `FILLED` rows, by SQL, and
    /// analyzes it.
    fn fill_postgres(pool: &sqlx::PgPool) {
        runtime().block_on(async {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "INSERT INTO audit_entries (id, \"time\", actor, organization_id, resource_type, resource_id, \
                 resource_target, action, diff, additional_fields, request_id, entry_json, seq) \
                 SELECT gen_random_uuid(), '2025-01-01'::timestamptz + make_interval(secs => g), \
                 'user-' || (g % 100), 'org-' || (g % 10), 'doc', 'doc-' || (g % 10000), 'doc', 'write', \
                 '{{}}', '{{}}', 'req-' || g, repeat('x', 600), g FROM generate_series(1, {FILLED}) g; \
                 ANALYZE audit_entries;"
            )))
            .execute(pool)
            .await
            .unwrap();
        });
    }
}

fn micros(time: OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos() / 1000).unwrap()
}

/// The query benches' stores, each holding [`ROWS`] entries.
fn sqlite_full() -> &'static SqliteStore {
    static STORE: OnceLock<(tempfile::TempDir, SqliteStore)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path().join("audit.db")).unwrap();
            fill(&store);
            (dir, store)
        })
        .1
}

fn postgres_full() -> &'static PostgresStore {
    static STORE: OnceLock<PostgresStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = runtime()
            .block_on(PostgresStore::builder(pg_pool("bench_query")).open())
            .unwrap();
        fill(&store);
        runtime()
            .block_on(sqlx::query("VACUUM ANALYZE audit_entries").execute(store.pool()))
            .unwrap();
        store
    })
}

fn fill(store: &impl AuditSink) {
    let started = std::time::Instant::now();
    for entry in entries(ROWS) {
        let mut entry = entry;
        // A full queue hands the entry back; wait for room.
        while let Err(error) = store.export(entry) {
            entry = error.into_entry().unwrap();
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
    }
    store.flush().unwrap();
    eprintln!("filled with {ROWS} entries in {:.1?}", started.elapsed());
}

/// The query named `name`: a page of an organization's writes, a page of
/// an actor's entries, or a resource's history (30 entries).
fn query_named(name: &str) -> AuditQuery {
    match name {
        "org_writes_page" => AuditQuery::new()
            .organization("org-3")
            .action(Action::WRITE)
            .limit(50),
        "actor_page" => AuditQuery::new().actor("user-42").limit(50),
        "history" => AuditQuery::history("doc", "doc-1234").limit(1000),
        _ => unreachable!("{name}"),
    }
}

mod query {
    use super::{AuditQuery, Bencher, COUNT_CAP, postgres_full, query_named, runtime, sqlite_full};

    const QUERIES: &[&str] = &["org_writes_page", "actor_page", "history"];

    #[divan::bench(args = QUERIES)]
    fn sqlite(bencher: Bencher<'_, '_>, name: &str) {
        let store = sqlite_full();
        let query = query_named(name);
        bencher.bench(|| store.blocking_query(&query).unwrap());
    }

    #[divan::bench(args = QUERIES)]
    fn postgres(bencher: Bencher<'_, '_>, name: &str) {
        let store = postgres_full();
        let query = query_named(name);
        bencher.bench(|| runtime().block_on(store.query(&query)).unwrap());
    }

    #[divan::bench]
    fn sqlite_count_capped(bencher: Bencher<'_, '_>) {
        let store = sqlite_full();
        let query = AuditQuery::new().organization("org-3");
        bencher.bench(|| store.blocking_count(&query, COUNT_CAP).unwrap());
    }

    #[divan::bench]
    fn postgres_count_capped(bencher: Bencher<'_, '_>) {
        let store = postgres_full();
        let query = AuditQuery::new().organization("org-3");
        bencher.bench(|| runtime().block_on(store.count(&query, COUNT_CAP)).unwrap());
    }

    #[divan::bench]
    fn sqlite_deep_page(bencher: Bencher<'_, '_>) {
        let store = sqlite_full();
        let cursor = deep_cursor(|query| store.blocking_query(query).unwrap());
        let query = AuditQuery::new().limit(50).after(cursor);
        bencher.bench(|| store.blocking_query(&query).unwrap());
    }

    #[divan::bench]
    fn postgres_deep_page(bencher: Bencher<'_, '_>) {
        let store = postgres_full();
        let cursor = deep_cursor(|query| runtime().block_on(store.query(query)).unwrap());
        let query = AuditQuery::new().limit(50).after(cursor);
        bencher.bench(|| runtime().block_on(store.query(&query)).unwrap());
    }

    /// The cursor 100 000 entries into the log.
    fn deep_cursor(
        mut query: impl FnMut(&AuditQuery) -> audit_core::store::Page,
    ) -> audit_core::store::Cursor {
        let mut cursor = None;
        for _ in 0..100 {
            let mut next = AuditQuery::new().limit(1000);
            if let Some(cursor) = cursor {
                next = next.after(cursor);
            }
            cursor = query(&next).next_cursor;
        }
        cursor.unwrap()
    }
}
