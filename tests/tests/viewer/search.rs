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

const QUERIES: [&str; 30] = [
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
];

async fn selects_as_in_memory(store: &impl AuditStore) {
    let log = log();
    for entry in &log {
        store.export(entry.clone()).unwrap();
    }
    store.flush().unwrap();
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
    let schema = "t_viewer_search";
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
    let pool = sqlx::PgPool::connect_with(options).await.unwrap();
    let store = audit_core::postgres::PostgresStore::builder(pool)
        .open()
        .await
        .unwrap();
    selects_as_in_memory(&store).await;
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
