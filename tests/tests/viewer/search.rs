//! The search language's conditions run by each store's SQL select exactly
//! what they select in memory (`AuditQuery::selects`, which the JSON-lines
//! source uses).

use audit_core::store::{AuditQuery, AuditStore};
use audit_core::viewer::search::parse;
use audit_core::{AuditEntry, AuditSink as _};
use serde_json::json;

/// Entries whose diffs change paths around `settings`: the path itself,
/// paths under it, and look-alikes that are not under it.
fn log() -> Vec<AuditEntry> {
    let paths: [&[&str]; 8] = [
        &["settings"],
        &["settings.theme"],
        &["settings.theme.dark", "title"],
        &["settings[id=3].role"],
        &["settings_v2", "settingsx"],
        &["setting"],
        &["members[id=3].role", "title"],
        &[],
    ];
    (0..64u32)
        .map(|n| {
            let diff: serde_json::Map<String, serde_json::Value> = paths[n as usize % 8]
                .iter()
                .map(|path| ((*path).to_owned(), json!({"old": n, "new": n + 1, "secret": false})))
                .collect();
            let status = [Some(200), Some(403), Some(500), None, Some(201)][n as usize % 5];
            let entry = json!({
                "id": uuid::Uuid::now_v7(),
                "time": format!("2026-11-{:02}T{:02}:00:00Z", 1 + n % 28, n % 24),
                "actor": (if n % 6 == 0 { None } else { Some(["ada", "bob", "Ada Lovelace"][n as usize % 3]) }),
                "organization_id": (if n % 4 == 0 { None } else { Some(format!("org-{}", n % 2)) }),
                "ip": null,
                "user_agent": null,
                "resource_type": (["chat", "workspace", "api key"][n as usize % 3]),
                "resource_id": format!("{}", n % 5),
                "resource_target": "t",
                "resource_link": null,
                "action": (["create", "write", "delete", "archive"][n as usize % 4]),
                "diff": diff,
                "status_code": status,
                "additional_fields": {},
                "request_id": format!("req {}", n % 7),
                "flags": (if status.is_none() { vec!["uncommitted"] } else if n % 9 == 0 { vec!["empty_write_diff"] } else { vec![] }),
            });
            serde_json::from_value(entry).unwrap()
        })
        .collect()
}

const QUERIES: [&str; 45] = [
    "",
    "chat",
    "chat workspace",
    "\"api key\"",
    "-chat",
    "resource_id:3",
    "action:delete",
    "action:create action:delete",
    "-action:write -action:archive",
    "actor:ada",
    "actor:\"Ada Lovelace\"",
    "-actor:ada",
    "organization:org-1",
    "-organization:org-1",
    "request_id:\"req 3\"",
    "status:403",
    "status:failed",
    "status:succeeded",
    "status:uncommitted",
    "-status:failed",
    "flag:empty_write_diff",
    "-flag:uncommitted",
    "field:settings",
    "field:settings.theme",
    "field:setting",
    "-field:settings",
    "field:members",
    "field:title -field:settings",
    "since:2026-11-10 until:2026-11-20",
    "chat action:write -actor:bob status:succeeded field:settings since:2026-11-02",
    // One field term with filters the table of changed paths holds too
    // (type, action, status, flags, time), which its count reads alone,
    // and others.
    "field:settings chat",
    "field:settings chat workspace",
    "field:settings -chat",
    "field:settings action:delete",
    "field:settings action:create action:delete",
    "field:settings -action:write",
    "field:title \"api key\" action:create since:2026-11-05 until:2026-11-25",
    "field:settings status:failed",
    "field:settings status:403 -chat",
    "field:settings status:uncommitted",
    "field:settings -status:failed action:create",
    "field:settings flag:empty_write_diff",
    "field:title -flag:uncommitted -flag:empty_write_diff",
    "field:members -field:settings chat",
    "field:settings resource_id:3 workspace",
];

fn export(store: &impl AuditStore, entries: &[AuditEntry]) {
    for entry in entries {
        store.export(entry.clone()).unwrap();
    }
    store.flush().unwrap();
}

/// Each of the [`QUERIES`] pages and counts on `store`, which holds `log`,
/// what it selects in memory.
async fn select_as_in_memory(store: &impl AuditStore, log: &[AuditEntry]) {
    for text in QUERIES {
        let query: AuditQuery = parse(text).unwrap().limit(1000);
        let page = store.query(&query).await.unwrap();
        let mut found: Vec<_> = page.entries.iter().map(|entry| entry.id).collect();
        let mut expected: Vec<_> = log
            .iter()
            .filter(|entry| query.selects(entry))
            .map(|entry| entry.id)
            .collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "{text}");
        let count = store.count(&query, 1000).await.unwrap();
        assert_eq!(
            usize::try_from(count.count).unwrap(),
            expected.len(),
            "{text}"
        );
    }
}

async fn selects_as_in_memory(store: &impl AuditStore) {
    let log = log();
    export(store, &log);
    select_as_in_memory(store, &log).await;
    // The prefix rule, spelled out.
    let query = parse("field:settings").unwrap().limit(1000);
    let keys: std::collections::BTreeSet<String> = store
        .query(&query)
        .await
        .unwrap()
        .entries
        .iter()
        .flat_map(|entry| entry.diff.keys().map(str::to_owned).collect::<Vec<_>>())
        .filter(|key| key.starts_with("setting"))
        .collect();
    assert_eq!(
        keys.into_iter().collect::<Vec<_>>(),
        [
            "settings",
            "settings.theme",
            "settings.theme.dark",
            "settings[id=3].role"
        ]
    );
}

#[tokio::test]
async fn on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = audit_core::sqlite::SqliteStore::open(dir.path().join("audit.db")).unwrap();
    selects_as_in_memory(&store).await;
}

#[tokio::test]
async fn on_postgres() {
    let Some(url) = audit_tests::postgres_server::server() else {
        return;
    };
    let pool = pool_in(url, "t_viewer_search").await;
    let store = audit_core::postgres::PostgresStore::builder(pool)
        .open()
        .await
        .unwrap();
    selects_as_in_memory(&store).await;
}

/// A pool on a new, empty schema `schema` of the server at `url`.
async fn pool_in(url: &str, schema: &str) -> sqlx::PgPool {
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    )))
    .execute(&admin)
    .await
    .unwrap();
    let options = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(url)
        .unwrap()
        .options([("search_path", schema)]);
    sqlx::PgPool::connect_with(options).await.unwrap()
}

/// The table of changed paths as versions before it held its entries'
/// columns (type, action, status, flags) made it, on SQLite, with its rows.
const SQLITE_PATHS_WITHOUT_TYPE: &str = r"
CREATE TABLE old_paths AS SELECT path, entry_time_us, entry_id FROM audit_changed_paths;
DROP TABLE audit_changed_paths;
CREATE TABLE audit_changed_paths (
    path TEXT NOT NULL,
    entry_time_us INTEGER NOT NULL,
    entry_id BLOB NOT NULL,
    PRIMARY KEY (path, entry_time_us, entry_id)
) STRICT, WITHOUT ROWID;
INSERT INTO audit_changed_paths SELECT * FROM old_paths;
DROP TABLE old_paths;
";

/// The same on PostgreSQL, with the trigger function that filled it.
const POSTGRES_PATHS_WITHOUT_TYPE: &str = r"
CREATE TABLE old_paths AS SELECT path, entry_time, entry_id FROM audit_changed_paths;
DROP TABLE audit_changed_paths;
CREATE TABLE audit_changed_paths (
    path text NOT NULL,
    entry_time timestamptz NOT NULL,
    entry_id uuid NOT NULL,
    PRIMARY KEY (path, entry_time, entry_id)
);
INSERT INTO audit_changed_paths SELECT * FROM old_paths;
DROP TABLE old_paths;
CREATE OR REPLACE FUNCTION audit_changed_paths_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_changed_paths (path, entry_time, entry_id)
        SELECT key, NEW.time, NEW.id FROM (
        SELECT key FROM jsonb_object_keys(NEW.diff) AS key
        UNION SELECT left(key, cut - 1) FROM jsonb_object_keys(NEW.diff) AS key,
            generate_series(2, length(key)) AS cut WHERE substr(key, cut, 1) IN ('.', '[')
        ) AS prefixes
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
";

/// The rows of the table of changed paths, in order, as text.
const PATH_ROWS: &str = "SELECT path || ' ' || hex(entry_id) || ' ' || resource_type || ' ' \
    || action || ' ' || ifnull(status_code, '-') || ' ' || flags \
    FROM audit_changed_paths ORDER BY path, entry_time_us, entry_id";

/// A store whose table of changed paths was made before it held its
/// entries' columns is migrated on open: the table is made again and
/// filled in, the entries written after hold theirs, and the store selects
/// and counts as a new one, whose rows it has.
#[tokio::test]
async fn sqlite_changed_paths_of_an_earlier_version_are_migrated() {
    let log = log();
    let (first, rest) = log.split_at(40);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    export(
        &audit_core::sqlite::SqliteStore::open(&path).unwrap(),
        first,
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(SQLITE_PATHS_WITHOUT_TYPE).unwrap();
    let store = audit_core::sqlite::SqliteStore::open(&path).unwrap();
    export(&store, rest);
    select_as_in_memory(&store, &log).await;

    let fresh = dir.path().join("fresh.db");
    export(
        &audit_core::sqlite::SqliteStore::open(&fresh).unwrap(),
        &log,
    );
    let rows = |path: &std::path::Path| -> Vec<String> {
        rusqlite::Connection::open(path)
            .unwrap()
            .prepare(PATH_ROWS)
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(rows(&path).len(), 136);
    assert_eq!(rows(&path), rows(&fresh));
}

/// The same on PostgreSQL, whose trigger fills the table: its function is
/// replaced, so that the entries written after the migration hold their
/// columns.
#[tokio::test]
async fn postgres_changed_paths_of_an_earlier_version_are_migrated() {
    let Some(url) = audit_tests::postgres_server::server() else {
        return;
    };
    let log = log();
    let (first, rest) = log.split_at(40);
    let pool = pool_in(url, "t_viewer_paths_migrated").await;
    let open =
        |pool: &sqlx::PgPool| audit_core::postgres::PostgresStore::builder(pool.clone()).open();
    let store = open(&pool).await.unwrap();
    export(&store, first);
    drop(store);
    sqlx::raw_sql(POSTGRES_PATHS_WITHOUT_TYPE)
        .execute(&pool)
        .await
        .unwrap();
    let store = open(&pool).await.unwrap();
    export(&store, rest);
    select_as_in_memory(&store, &log).await;

    let fresh = pool_in(url, "t_viewer_paths_fresh").await;
    export(&open(&fresh).await.unwrap(), &log);
    let rows = async |pool: &sqlx::PgPool| -> Vec<String> {
        sqlx::query_scalar(
            "SELECT path || ' ' || entry_id || ' ' || resource_type || ' ' || action || ' ' \
             || coalesce(status_code::text, '-') || ' ' || flags::text \
             FROM audit_changed_paths ORDER BY path, entry_time, entry_id",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    };
    assert_eq!(rows(&pool).await.len(), 136);
    assert_eq!(rows(&pool).await, rows(&fresh).await);
    // The filters are read from the index of the key alone.
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'audit_changed_paths' \
         AND schemaname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(indexes.len(), 1);
    assert!(
        indexes[0].ends_with(
            "(path, entry_time, entry_id) INCLUDE (resource_type, action, status_code, flags)"
        ),
        "{}",
        indexes[0]
    );
}

/// The changed paths of entries stored before the table of changed paths
/// existed are filled in when a store opens the table, and a purge removes
/// the paths of the entries it deletes.
#[tokio::test]
async fn changed_paths_are_backfilled_and_purged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = audit_core::sqlite::SqliteStore::open(&path).unwrap();
    let log = log();
    for entry in &log {
        store.export(entry.clone()).unwrap();
    }
    store.flush().unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let paths = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM audit_changed_paths", [], |row| {
            row.get(0)
        })
        .unwrap()
    };
    // Each changed path and each path above it, cut before `.` and `[`.
    let expected: i64 = log
        .iter()
        .map(|entry| {
            let mut paths = std::collections::BTreeSet::new();
            for key in entry.diff.keys() {
                paths.insert(key.to_owned());
                for (at, c) in key.char_indices().skip(1) {
                    if c == '.' || c == '[' {
                        paths.insert(key[..at].to_owned());
                    }
                }
            }
            i64::try_from(paths.len()).unwrap()
        })
        .sum();
    assert_eq!(expected, 136);
    assert_eq!(paths(&conn), expected);
    // A store of a version before the table; and the insert trigger that
    // filled it in earlier versions, which opening drops (the store's
    // inserts record the paths themselves now).
    conn.execute_batch(
        "DROP TRIGGER audit_changed_paths_delete; DROP TABLE audit_changed_paths; \
         CREATE TRIGGER audit_changed_paths_insert AFTER INSERT ON audit_entries BEGIN SELECT 1; END;",
    )
    .unwrap();
    drop(conn);
    let store = audit_core::sqlite::SqliteStore::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(paths(&conn), expected);
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(triggers, ["audit_changed_paths_delete"]);
    let query = parse("field:settings").unwrap().limit(1000);
    let expected_matches = log.iter().filter(|entry| query.selects(entry)).count();
    assert_eq!(
        store.query(&query).await.unwrap().entries.len(),
        expected_matches
    );

    let cutoff = time::macros::datetime!(2026-11-15 00:00 UTC);
    store.purge_before(cutoff).await.unwrap();
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_changed_paths WHERE entry_id NOT IN (SELECT id FROM audit_entries)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}
