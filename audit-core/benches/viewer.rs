//! The auditors' page at scale: a SQLite store (and a PostgreSQL one) of
//! 1,000,000 entries spread over a year, and the pages an auditor asks for:
//! the first page, a filtered page, the 100th page by cursor, `field:`
//! searches, and an export of 100,000 entries with the memory it takes.
//!
//! ```sh
//! cargo bench -p audit-core --features viewer,sqlite,postgres --bench viewer -- \
//!     [--db /tmp/viewer-1m.db] [--postgres URL] [--keep-postgres] [--runs 30] [--plans] \
//!     [--only-postgres] [--insert-cost]
//! ```
//!
//! `--db` keeps the SQLite database between runs (it is built when missing,
//! in about a minute); `--postgres` (or `AUDIT_TEST_DATABASE_URL`) also
//! measures PostgreSQL, in a schema `viewer_bench` it rebuilds, or, with
//! `--keep-postgres`, reuses when it holds the entries already (migrated
//! like any store a newer version opens: the time it takes is printed). Each request
//! goes through the router (`tower::ServiceExt::oneshot`): the store's
//! statements and the HTML, not the TCP connection. Results go to
//! docs/performance.md, "The auditors' page".

use std::time::{Duration, Instant};

use audit_core::sqlite::SqliteStore;
use audit_core::viewer::{ViewerSource, router};
use tower::ServiceExt as _;

const ENTRIES: i64 = 1_000_000;
/// 2025-01-01T00:00:00Z, in microseconds.
const START_US: i64 = 1_735_689_600_000_000;
/// One entry every 31.536 s: a year for a million entries.
const STEP_US: i64 = 31_536_000;

/// The resource types, weighted by repetition: chats and workspaces most.
const TYPES: &str = r#"["chat","chat","chat","chat","chat","chat","chat","chat","workspace","workspace","workspace","workspace","template","template","user","api_key","organization","group","workspace_build","license"]"#;
/// The actions, weighted: mostly writes.
const ACTIONS: &str = r#"["write","write","write","write","write","write","write","write","write","write","create","create","create","delete","login","login","login","logout","logout","start"]"#;
/// The changed paths an entry's diff has one or two of.
const PATHS: &str = r#"["title","archived","pin_order","settings.theme","settings.locale","members[id=3].role","members[id=7].role","labels.team","ttl","template_version_id","name","api_token"]"#;

/// Fills a new SQLite store at `path` by SQL: every column and the stored
/// JSON of a realistic entry. The store records the changed paths of the
/// entries it writes itself, not of rows inserted by SQL: the table of
/// changed paths is dropped first, and opening the store again fills it in,
/// as it does for a store of a version before the table.
fn fill_sqlite(path: &std::path::Path) {
    drop(SqliteStore::open(path).unwrap());
    let conn = rusqlite::Connection::open(path).unwrap();
    let started = Instant::now();
    conn.execute_batch(&format!(
        r#"
PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;
DROP TABLE audit_changed_paths;
BEGIN;
WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {last}),
base AS (
  SELECT n,
    {START_US} + n * {STEP_US} AS time_us,
    printf('%012x7%03x8%015x', ({START_US} + n * {STEP_US}) / 1000, n % 4096, n) AS hex,
    json_extract('{TYPES}', '$[' || ((n * 7919) % 20) || ']') AS resource_type,
    'r-' || ((n * 2654435761) % 20000) AS resource_id,
    json_extract('{ACTIONS}', '$[' || ((n * 104729) % 20) || ']') AS action,
    CASE WHEN n % 50 = 0 THEN NULL ELSE 'user-' || ((n * 31) % 500) END AS actor,
    'org-' || (n % 10) AS organization_id,
    CASE WHEN n % 200 < 10 THEN 403 WHEN n % 200 < 16 THEN 404 WHEN n % 200 < 20 THEN 500
         WHEN n % 200 = 20 THEN NULL ELSE 200 END AS status_code,
    'req-' || (n / 2) AS request_id,
    json_extract('{PATHS}', '$[' || ((n * 13) % 12) || ']') AS k1,
    json_extract('{PATHS}', '$[' || ((n * 13 + 5) % 12) || ']') AS k2
  FROM g
),
e AS (
  SELECT *,
    substr(hex, 1, 8) || '-' || substr(hex, 9, 4) || '-' || substr(hex, 13, 4) || '-' ||
      substr(hex, 17, 4) || '-' || substr(hex, 21, 12) AS uuid,
    strftime('%Y-%m-%dT%H:%M:%fZ', time_us / 1000000.0, 'unixepoch') AS time_text,
    CASE WHEN n % 3 = 0
      THEN json_object(k1, json_object('old', n, 'new', n + 1, 'secret', json('false')),
                       k2, json_object('old', 'a', 'new', 'b', 'secret', json('false')))
      ELSE json_object(k1, json_object('old', n, 'new', n + 1, 'secret', json('false'))) END AS diff
  FROM base
)
INSERT INTO audit_entries (id, time_us, actor, organization_id, ip, user_agent, resource_type,
  resource_id, resource_target, resource_link, action, diff, status_code, additional_fields,
  request_id, flags, entry_json, seq)
SELECT unhex(hex), time_us, actor, organization_id, '10.0.' || (n % 250) || '.' || (n % 7),
  'Mozilla/5.0 (X11; Linux x86_64) Chrome/148.0', resource_type, resource_id,
  'target ' || resource_id, '/' || resource_type || 's/' || resource_id, action, diff,
  status_code, '{{}}', request_id, CASE WHEN status_code IS NULL THEN '["uncommitted"]' ELSE '[]' END,
  json_object('id', uuid, 'time', time_text, 'actor', actor, 'organization_id', organization_id,
    'ip', '10.0.' || (n % 250) || '.' || (n % 7), 'user_agent', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/148.0',
    'resource_type', resource_type, 'resource_id', resource_id, 'resource_target', 'target ' || resource_id,
    'resource_link', '/' || resource_type || 's/' || resource_id, 'action', action, 'diff', json(diff),
    'status_code', status_code, 'additional_fields', json('{{}}'), 'request_id', request_id,
    'schema_fingerprint', NULL,
    'flags', json(CASE WHEN status_code IS NULL THEN '["uncommitted"]' ELSE '[]' END),
    'chain', json_object('seq', n + 1, 'prev', 'sha256:' || printf('%064d', 0))),
  n + 1
FROM e;
COMMIT;
"#,
        last = ENTRIES - 1
    ))
    .unwrap();
    drop(SqliteStore::open(path).unwrap());
    conn.execute_batch("ANALYZE").unwrap();
    eprintln!("built {ENTRIES} entries in {:.1?}", started.elapsed());
}

/// Fills the PostgreSQL schema `viewer_bench` of `url` the same way; with
/// `keep`, reuses it when it holds the entries, migrated by the store.
async fn fill_postgres(url: &str, keep: bool) -> sqlx::PgPool {
    use std::str::FromStr as _;
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    let options = sqlx::postgres::PgConnectOptions::from_str(url)
        .unwrap()
        .options([("search_path", "viewer_bench")]);
    let connect = || {
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
    };
    if keep {
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT count(*) FROM viewer_bench.audit_entries \
             WHERE to_regclass('viewer_bench.audit_entries') IS NOT NULL",
        )
        .fetch_one(&admin)
        .await
        .ok();
        if stored == Some(ENTRIES) {
            let pool = connect().await.unwrap();
            let started = Instant::now();
            audit_core::postgres::PostgresStore::migrate(&pool)
                .await
                .unwrap();
            eprintln!(
                "reused {ENTRIES} PostgreSQL entries, migrated in {:.1?}",
                started.elapsed()
            );
            vacuum(&pool).await;
            return pool;
        }
    }
    sqlx::raw_sql("DROP SCHEMA IF EXISTS viewer_bench CASCADE; CREATE SCHEMA viewer_bench")
        .execute(&admin)
        .await
        .unwrap();
    let pool = connect().await.unwrap();
    audit_core::postgres::PostgresStore::migrate(&pool)
        .await
        .unwrap();
    let started = Instant::now();
    let sql = format!(
        r#"
INSERT INTO audit_entries (id, "time", actor, organization_id, ip, user_agent, resource_type,
  resource_id, resource_target, resource_link, action, diff, status_code, additional_fields,
  request_id, flags, entry_json, seq)
SELECT uuid, ts, actor, organization_id, ip::inet, ua, resource_type, resource_id,
  'target ' || resource_id, '/' || resource_type || 's/' || resource_id, action, diff, status_code,
  '{{}}'::jsonb, request_id, CASE WHEN status_code IS NULL THEN '{{uncommitted}}'::text[] ELSE '{{}}' END,
  jsonb_build_object('id', uuid, 'time', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'actor', actor, 'organization_id', organization_id, 'ip', ip, 'user_agent', ua,
    'resource_type', resource_type, 'resource_id', resource_id, 'resource_target', 'target ' || resource_id,
    'resource_link', '/' || resource_type || 's/' || resource_id, 'action', action, 'diff', diff,
    'status_code', status_code, 'additional_fields', '{{}}'::jsonb, 'request_id', request_id,
    'schema_fingerprint', NULL,
    'flags', CASE WHEN status_code IS NULL THEN '["uncommitted"]'::jsonb ELSE '[]'::jsonb END,
    'chain', jsonb_build_object('seq', n + 1, 'prev', 'sha256:' || repeat('0', 64)))::text,
  n + 1
FROM (
  SELECT n, ts,
    (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') || '7' || lpad(to_hex(n % 4096), 3, '0')
      || '8' || lpad(to_hex(n), 15, '0'))::uuid AS uuid,
    ('{TYPES}'::jsonb ->> ((n * 7919) % 20)::int) AS resource_type,
    'r-' || ((n * 2654435761) % 20000) AS resource_id,
    ('{ACTIONS}'::jsonb ->> ((n * 104729) % 20)::int) AS action,
    CASE WHEN n % 50 = 0 THEN NULL ELSE 'user-' || ((n * 31) % 500) END AS actor,
    'org-' || (n % 10) AS organization_id,
    '10.0.' || (n % 250) || '.' || (n % 7) AS ip,
    'Mozilla/5.0 (X11; Linux x86_64) Chrome/148.0' AS ua,
    CASE WHEN n % 200 < 10 THEN 403 WHEN n % 200 < 16 THEN 404 WHEN n % 200 < 20 THEN 500
         WHEN n % 200 = 20 THEN NULL ELSE 200 END AS status_code,
    'req-' || (n / 2) AS request_id,
    CASE WHEN n % 3 = 0
      THEN jsonb_build_object('{PATHS}'::jsonb ->> ((n * 13) % 12)::int, jsonb_build_object('old', n, 'new', n + 1, 'secret', false),
                              '{PATHS}'::jsonb ->> ((n * 13 + 5) % 12)::int, jsonb_build_object('old', 'a', 'new', 'b', 'secret', false))
      ELSE jsonb_build_object('{PATHS}'::jsonb ->> ((n * 13) % 12)::int, jsonb_build_object('old', n, 'new', n + 1, 'secret', false)) END AS diff
  FROM (SELECT n, '2025-01-01T00:00:00Z'::timestamptz + (n * {step_ms}) * interval '1 millisecond' AS ts
        FROM generate_series(0, {last}::bigint) AS n) AS g
) AS e;
"#,
        last = ENTRIES - 1,
        step_ms = STEP_US / 1000
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&pool)
        .await
        .unwrap();
    vacuum(&pool).await;
    eprintln!(
        "built {ENTRIES} PostgreSQL entries in {:.1?}",
        started.elapsed()
    );
    pool
}

/// `VACUUM ANALYZE` of the tables the pages read, then `VACUUM` again
/// while pages are left out of the visibility map (the first pass after
/// the fill leaves some, or all, out): the settled store that autovacuum
/// leaves, whose index-only scans need no heap.
async fn vacuum(pool: &sqlx::PgPool) {
    for table in ["audit_entries", "audit_changed_paths"] {
        let mut command = "VACUUM ANALYZE";
        for _ in 0..3 {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("{command} {table}")))
                .execute(pool)
                .await
                .unwrap();
            command = "VACUUM";
            let (pages, visible): (i32, i32) = sqlx::query_as(
                "SELECT relpages, relallvisible FROM pg_class WHERE oid = to_regclass($1)",
            )
            .bind(table)
            .fetch_one(pool)
            .await
            .unwrap();
            eprintln!("{table}: {visible} of {pages} pages all-visible");
            if visible >= pages {
                break;
            }
        }
    }
}

/// GET `uri` from `app`: the status, the body's length, and how long it took.
async fn get(app: &axum::Router, uri: &str) -> (u16, Vec<u8>, Duration) {
    let started = Instant::now();
    let request = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec(), started.elapsed())
}

/// The `next_cursor` after `pages` pages of 50.
async fn cursor_after(app: &axum::Router, pages: usize) -> String {
    let mut cursor = String::new();
    for _ in 0..pages {
        let (status, body, _) = get(app, &format!("/entries?limit=50&cursor={cursor}")).await;
        assert_eq!(status, 200);
        let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
        page["next_cursor"]
            .as_str()
            .unwrap()
            .clone_into(&mut cursor);
    }
    cursor
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Times `uri` `runs` times after one warm-up: median, p95, max; the
/// number of entries on the page.
async fn measure(store: &str, app: &axum::Router, name: &str, uri: &str, runs: usize) {
    let (status, body, _) = get(app, uri).await;
    assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&body));
    let text = String::from_utf8_lossy(&body);
    let rows = text.matches("<li class=\"entry\"").count();
    let count = text
        .split("<span id=\"count\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or("?")
        .to_owned();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(get(app, uri).await.2);
    }
    times.sort();
    println!(
        "| {store} | {name} | {rows} | {count} | {:.1} | {:.1} | {:.1} |",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
    );
}

/// The resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Streams the export at `uri`, sampling the memory as it goes: entries,
/// seconds, and the most the resident memory grew.
async fn export(app: &axum::Router, uri: &str) -> (usize, Duration, u64) {
    use http_body_util::BodyExt as _;
    let before = rss_kib();
    let started = Instant::now();
    let request = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let (mut lines, mut grew) = (0usize, 0u64);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            lines += data.split(|&byte| byte == b'\n').count() - 1;
            grew = grew.max(rss_kib().saturating_sub(before));
        }
    }
    (lines, started.elapsed(), grew)
}

/// The time of entry `n`, as a search term's RFC 3339 value.
fn time_of(n: i64) -> String {
    let time =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(START_US + n * STEP_US) * 1000)
            .unwrap();
    time.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The searches measured, by name and query string, before and after the
/// 100th page.
const SEARCHES: [&[(&str, &str)]; 2] = [
    &[
        ("first page", ""),
        (
            "resource_type:workspace action:create",
            "q=resource_type%3Aworkspace%20action%3Acreate",
        ),
        ("actor:user-7", "q=actor%3Auser-7"),
        ("status:failed", "q=status%3Afailed"),
        (
            "chat -action:write status:succeeded",
            "q=chat%20-action%3Awrite%20status%3Asucceeded",
        ),
    ],
    &[
        ("field:settings", "q=field%3Asettings"),
        (
            "field:members[id=3].role",
            "q=field%3A%22members%5Bid%3D3%5D.role%22",
        ),
        (
            "field:ttl resource_type:template",
            "q=field%3Attl%20resource_type%3Atemplate",
        ),
        // Rare combinations: no license and no deletion changed `ttl`, so
        // that a page walking the path's entries would read them all.
        (
            "field:ttl resource_type:license",
            "q=field%3Attl%20resource_type%3Alicense",
        ),
        ("field:ttl action:delete", "q=field%3Attl%20action%3Adelete"),
        ("field:ttl status:failed", "q=field%3Attl%20status%3Afailed"),
        // The presets "Not confirmed" (1,667 of the path's entries: the
        // count reads them all) and "Empty write diffs" (none) after a
        // field term; and a filter the table of changed paths does not hold.
        (
            "field:ttl status:uncommitted",
            "q=field%3Attl%20status%3Auncommitted",
        ),
        (
            "field:ttl flag:empty_write_diff",
            "q=field%3Attl%20flag%3Aempty_write_diff",
        ),
        (
            "field:ttl organization:org-3",
            "q=field%3Attl%20organization%3Aorg-3",
        ),
        ("request_id:req-4242", "q=request_id%3Areq-4242"),
    ],
];

async fn pages(store: &str, app: &axum::Router, runs: usize) {
    for (name, query) in SEARCHES[0] {
        measure(store, app, name, &format!("/?{query}"), runs).await;
    }
    let cursor = cursor_after(app, 99).await;
    measure(
        store,
        app,
        "100th page (cursor)",
        &format!("/?cursor={cursor}"),
        runs,
    )
    .await;
    for (name, query) in SEARCHES[1] {
        measure(store, app, name, &format!("/?{query}"), runs).await;
    }
    let since = time_of(ENTRIES - 100_000);
    for (entries, since) in [(10_000, time_of(ENTRIES - 10_000)), (100_000, since)] {
        for format in ["jsonl", "csv"] {
            let (lines, took, grew) =
                export(app, &format!("/export.{format}?q=since%3A{since}")).await;
            println!(
                "| {store} | export.{format} of the last {entries} | {} lines | {:.2} s | resident memory grew at most {} KiB |",
                lines,
                took.as_secs_f64(),
                grew
            );
        }
    }
}

/// The statements the page runs (as `store::sql` writes them, values
/// inlined), for `EXPLAIN QUERY PLAN`.
const PLANS: [(&str, &str); 15] = [
    (
        "first page",
        "SELECT entry_json FROM audit_entries ORDER BY time_us DESC, id DESC LIMIT 51",
    ),
    (
        "resource_type:workspace action:create",
        "SELECT entry_json FROM audit_entries WHERE (resource_type = 'workspace') AND (action = 'create') ORDER BY time_us DESC, id DESC LIMIT 51",
    ),
    (
        "chat -action:write status:succeeded",
        "SELECT entry_json FROM audit_entries WHERE (resource_type = 'chat') AND (status_code < 400) AND (action = 'write') IS NOT TRUE ORDER BY time_us DESC, id DESC LIMIT 51",
    ),
    (
        "status:failed",
        "SELECT entry_json FROM audit_entries WHERE (status_code >= 400) ORDER BY time_us DESC, id DESC LIMIT 51",
    ),
    (
        "100th page (cursor)",
        "SELECT entry_json FROM audit_entries WHERE (time_us, id) < (1736000000000000, x'00') ORDER BY time_us DESC, id DESC LIMIT 51",
    ),
    (
        "field:settings",
        "SELECT entry_json FROM audit_changed_paths JOIN audit_entries ON audit_entries.id = audit_changed_paths.entry_id WHERE audit_changed_paths.path = 'settings' ORDER BY entry_time_us DESC, entry_id DESC LIMIT 51",
    ),
    (
        "field:ttl resource_type:template",
        "SELECT entry_json FROM audit_changed_paths JOIN audit_entries ON audit_entries.id = audit_changed_paths.entry_id WHERE audit_changed_paths.path = 'ttl' AND (audit_changed_paths.resource_type = 'template') ORDER BY entry_time_us DESC, entry_id DESC LIMIT 51",
    ),
    (
        "count of field:ttl resource_type:license",
        "SELECT count(*) FROM (SELECT 1 FROM audit_changed_paths WHERE audit_changed_paths.path = 'ttl' AND (audit_changed_paths.resource_type = 'license') LIMIT 2001) AS matching",
    ),
    (
        "field:ttl status:failed",
        "SELECT entry_json FROM audit_changed_paths JOIN audit_entries ON audit_entries.id = audit_changed_paths.entry_id WHERE audit_changed_paths.path = 'ttl' AND (audit_changed_paths.status_code >= 400) ORDER BY entry_time_us DESC, entry_id DESC LIMIT 51",
    ),
    (
        "count of field:ttl status:failed",
        "SELECT count(*) FROM (SELECT 1 FROM audit_changed_paths WHERE audit_changed_paths.path = 'ttl' AND (audit_changed_paths.status_code >= 400) LIMIT 2001) AS matching",
    ),
    (
        "count of field:ttl organization:org-3",
        "SELECT count(*) FROM (SELECT 1 FROM audit_changed_paths JOIN audit_entries ON audit_entries.id = audit_changed_paths.entry_id WHERE audit_changed_paths.path = 'ttl' AND (organization_id = 'org-3') LIMIT 2001) AS matching",
    ),
    (
        "count of resource_type:workspace action:create",
        "SELECT count(*) FROM (SELECT 1 FROM audit_entries WHERE (resource_type = 'workspace') AND (action = 'create') LIMIT 2001) AS matching",
    ),
    (
        "count of field:settings",
        "SELECT count(*) FROM (SELECT 1 FROM audit_changed_paths WHERE audit_changed_paths.path = 'settings' LIMIT 2001) AS matching",
    ),
    (
        "deleted marks and fingerprints",
        "SELECT resource_type, resource_id, time_us, action, diff FROM audit_entries WHERE (resource_type, resource_id) IN (VALUES ('chat', 'r-1'), ('workspace', 'r-2')) AND ((action = 'delete' AND status_code < 400) OR diff LIKE '%\"old_hmac\"%' OR diff LIKE '%\"new_hmac\"%')",
    ),
    (
        "menus",
        "WITH RECURSIVE types(v, n) AS (SELECT min(resource_type), 1 FROM audit_entries UNION ALL SELECT (SELECT min(resource_type) FROM audit_entries WHERE resource_type > types.v), n + 1 FROM types WHERE types.v IS NOT NULL AND n < 200) SELECT v FROM types",
    ),
];

fn print_plans(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for (name, sql) in PLANS {
        println!("{name}:");
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = statement
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap();
        for row in rows {
            println!("    {}", row.unwrap());
        }
    }
}

/// `count` entries whose diffs change `settings.theme` and `title`.
fn entries(count: usize) -> Vec<audit_core::AuditEntry> {
    (0..count)
        .map(|n| {
            serde_json::from_value(serde_json::json!({
                "id": uuid::Uuid::now_v7(),
                "time": "2026-11-28T09:00:00Z",
                "actor": format!("user-{}", n % 100),
                "organization_id": "org-1",
                "ip": "10.0.0.1",
                "user_agent": "bench",
                "resource_type": "chat",
                "resource_id": format!("c-{n}"),
                "resource_target": "target",
                "resource_link": null,
                "action": "write",
                "diff": {
                    "settings.theme": {"old": "dark", "new": "light", "secret": false},
                    "title": {"old": n, "new": n + 1, "secret": false},
                },
                "status_code": 200,
                "additional_fields": {},
                "request_id": format!("req-{n}"),
            }))
            .unwrap()
        })
        .collect()
}

/// What recording the changed paths costs the stores' writers: 20,000
/// entries exported and flushed into a new store, three rounds. SQLite's
/// store records them itself, cut in Rust (its per-entry cost is printed,
/// to compare with the trigger it replaced: docs/performance.md);
/// PostgreSQL's by a trigger, timed with it and without (dropped),
/// alternating.
async fn insert_cost(postgres: Option<&str>) {
    use audit_core::AuditSink as _;
    let batch = entries(20_000);
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("audit.db")).unwrap();
        let started = Instant::now();
        for entry in batch.clone() {
            store.export(entry).unwrap();
        }
        store.flush().unwrap();
        let took = started.elapsed();
        println!(
            "| SQLite | round {round} | paths recorded by the store | {:.1} µs/entry |",
            took.as_secs_f64() * 1e6 / 20_000.0
        );
    }
    let Some(url) = postgres else { return };
    for round in 0..3 {
        for with_triggers in [true, false] {
            let pool = fill_postgres_empty(url).await;
            let store = audit_core::postgres::PostgresStore::builder(pool.clone())
                .open()
                .await
                .unwrap();
            if !with_triggers {
                sqlx::raw_sql("DROP TRIGGER audit_changed_paths_insert ON audit_entries")
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            let started = Instant::now();
            for entry in batch.clone() {
                while let Err(error) = store.export_async(entry.clone()).await {
                    drop(error);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            store.flush_async().await.unwrap();
            let took = started.elapsed();
            println!(
                "| PostgreSQL | round {round} | triggers {with_triggers} | {:.1} µs/entry |",
                took.as_secs_f64() * 1e6 / 20_000.0
            );
        }
    }
}

/// An empty store's schema `viewer_bench_insert` on `url`.
async fn fill_postgres_empty(url: &str) -> sqlx::PgPool {
    use std::str::FromStr as _;
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::raw_sql(
        "DROP SCHEMA IF EXISTS viewer_bench_insert CASCADE; CREATE SCHEMA viewer_bench_insert",
    )
    .execute(&admin)
    .await
    .unwrap();
    let options = sqlx::postgres::PgConnectOptions::from_str(url)
        .unwrap()
        .options([("search_path", "viewer_bench_insert")]);
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .unwrap()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut db = None;
    let mut postgres = std::env::var("AUDIT_TEST_DATABASE_URL").ok();
    let mut runs = 30;
    let mut plans = false;
    let mut only_postgres = false;
    let mut keep_postgres = false;
    let mut insert_only = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => db = args.next().map(std::path::PathBuf::from),
            "--postgres" => postgres = args.next(),
            "--runs" => runs = args.next().and_then(|runs| runs.parse().ok()).unwrap_or(30),
            "--bench" => {}
            "--plans" => plans = true,
            "--only-postgres" => only_postgres = true,
            "--keep-postgres" => keep_postgres = true,
            "--insert-cost" => insert_only = true,
            other => panic!("unknown argument {other}"),
        }
    }
    if insert_only {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(insert_cost(postgres.as_deref()));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = db.unwrap_or_else(|| dir.path().join("viewer-1m.db"));
    if !path.exists() {
        fill_sqlite(&path);
    }
    if plans {
        print_plans(&path);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("| store | page | rows | count | p50 ms | p95 ms | max ms |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    runtime.block_on(async {
        if !only_postgres {
            let started = Instant::now();
            let store = SqliteStore::open(&path).unwrap();
            eprintln!(
                "opened the SQLite store (migrated if need be) in {:.1?}",
                started.elapsed()
            );
            let app = router(ViewerSource::from(store));
            pages("SQLite", &app, runs).await;
        }
        if let Some(url) = postgres {
            let pool = fill_postgres(&url, keep_postgres).await;
            let app = router(ViewerSource::postgres(pool));
            pages("PostgreSQL", &app, runs).await;
        }
    });
}
