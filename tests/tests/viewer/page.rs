//! The page, its JSON and its exports over real HTTP, on every source: a
//! SQLite store, the same file read-only, a JSON-lines file and PostgreSQL.

use std::collections::BTreeMap;
use std::sync::Arc;

use audit_core::AuditSink as _;
use audit_core::postgres::PostgresStore;
use audit_core::sqlite::SqliteStore;
use audit_core::viewer::{CONTENT_SECURITY_POLICY, ViewerSource, router};
use serde_json::Value;

use crate::fixtures::{get, log, serve};

/// A SQLite store holding the fixtures' log, in `dir`.
pub(crate) fn sqlite_store(dir: &tempfile::TempDir) -> Arc<SqliteStore> {
    let store = SqliteStore::open(dir.path().join("audit.db")).unwrap();
    for entry in log() {
        store.export(entry).unwrap();
    }
    store.flush().unwrap();
    Arc::new(store)
}

/// The stored lines of the SQLite store in `dir`, in chain order.
fn stored_lines(dir: &tempfile::TempDir) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.path().join("audit.db")).unwrap();
    let mut statement = conn
        .prepare("SELECT entry_json FROM audit_entries ORDER BY seq")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// What every source shows of the fixtures' log.
async fn behaves(base: &str) {
    let response = reqwest::get(base).await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-security-policy"], CONTENT_SECURITY_POLICY);
    assert_eq!(
        CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'"
    );
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let html = response.text().await.unwrap();
    for expected in [
        // The count, and the exports of the same query.
        r#"<span id="count">11</span> matching entries <a class="export" href="/audit/ui/export.csv?q=" download>Export CSV</a>"#,
        // Deleted by a successful delete: the target unlinked, marked, on every row of it.
        r#"<p class="sentence">user-2 deleted chat <span class="target">Old</span> <span class="deleted">(deleted)</span></p> <span class="pill succeeded">200</span>"#,
        r#"<p class="sentence">user-2 created chat <span class="target">Old</span> <span class="deleted">(deleted)</span></p>"#,
        // A refused delete deletes nothing.
        r#"<p class="sentence">user-3 unsuccessfully attempted to delete chat <a class="target" href="/chats/3">Kept</a></p> <span class="pill failed">failed 403</span>"#,
        // The target linked; the time.
        r#"<p class="sentence">user-1 updated chat <a class="target" href="/chats/1">Plans</a></p> <span class="pill succeeded">200</span> <time datetime="2026-11-28T09:01:00Z">2026-11-28 09:01:00 UTC</time>"#,
        // Dropped before commit.
        r#"<p class="sentence">user-2 updated chat <a class="target" href="/chats/1">Plans 2</a> (not confirmed)</p> <span class="pill uncommitted">not confirmed</span>"#,
        // Every value escaped.
        r#"<p class="sentence">&lt;img src=x onerror=alert(1)&gt; created chat <a class="target" href="/chats/4">&lt;img src=x onerror=alert(1)&gt;</a></p>"#,
        r#"<span class="field"><span class="label">actor</span> &lt;img src=x onerror=alert(1)&gt;</span>"#,
        // The request-id link, the ip and user agent.
        r#"<span class="field"><span class="label">ip</span> 192.0.2.7</span> <span class="field"><span class="label">user agent</span> Mozilla/5.0 (X11; Linux) test</span> <a class="request" href="/audit/ui?q=request_id%3A%22req%20user-1%201795856460%22">request req user-1 1795856460</a>"#,
        // The diff, in place.
        r#"<details class="diff"><summary>1 changed field</summary><table><thead><tr><th scope="col">field</th><th scope="col">before</th><th scope="col">after</th><th scope="col"></th></tr></thead><tbody><tr><th scope="row" class="path">archived</th><td class="old"><span class="sign">−</span> <code>false</code></td><td class="new"><span class="sign">+</span> <code>true</code></td><td class="note"></td></tr></tbody></table></details>"#,
        // Secrets masked; their fingerprints tell a rotation from a value set back.
        r#"<th scope="row" class="path">api_token</th><td class="old"><span class="sign">−</span> <code>••••••••</code></td><td class="new"><span class="sign">+</span> <code>••••••••</code></td><td class="note">changed (rotated)</td>"#,
        r#"<th scope="row" class="path">api_token</th><td class="old"><span class="sign">−</span> <code>••••••••</code></td><td class="new"><span class="sign">+</span> <code>••••••••</code></td><td class="note">set back to an earlier value</td>"#,
        // The menus, from the log's distinct values.
        r#"<select id="menu-resource_type" name="resource_type"><option value="">any</option><option value="chat">chat</option></select>"#,
        r#"<select id="menu-action" name="action"><option value="">any</option><option value="create">create</option><option value="delete">delete</option><option value="write">write</option></select>"#,
    ] {
        assert!(html.contains(expected), "missing {expected}\nin {html}");
    }
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("style="), "{html}");
    assert!(!html.contains("hmac-sha256"), "{html}");
    assert!(!html.contains("tok-"), "{html}");
    // One row per entry, newest first.
    assert_eq!(html.matches("<li class=\"entry\"").count(), 11);
    let first = html
        .find("=cmd|&#39; /C calc&#39;!A0 updated chat")
        .unwrap();
    let last = html.find("user-1 created chat").unwrap();
    assert!(first < last);

    // The style sheet, from the router itself.
    let (status, content_type, css) = get(&format!("{base}/style.css")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/css; charset=utf-8")
    );
    assert!(css.contains("details.diff"), "{css}");
}

/// A bad query: 400 with its message above the (empty) list, as JSON from
/// `/entries`, as text from the exports.
async fn refuses_bad_queries(base: &str) {
    let message = "status:maybe: the status is a code from 100 to 599 (status:404), failed \
                   (400 and above), succeeded (below 400) or uncommitted (no status)";
    let (status, _, html) = get(&format!("{base}?q=chat%20status%3Amaybe")).await;
    assert_eq!(status, 400);
    assert!(
        html.contains(&format!(
            r#"<main><p class="error" role="alert" id="search-error">{message}</p><ol class="entries"></ol></main>"#
        )),
        "{html}"
    );
    // The query stays in the box, to be corrected.
    assert!(html.contains(r#"value="chat status:maybe""#), "{html}");
    let (status, content_type, json) = get(&format!("{base}/entries?q=status%3Amaybe")).await;
    assert_eq!((status, content_type.as_str()), (400, "application/json"));
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap(),
        serde_json::json!({ "error": message })
    );
    for export in ["export.csv", "export.jsonl"] {
        let (status, _, text) = get(&format!("{base}/{export}?q=status%3Amaybe")).await;
        assert_eq!((status, text), (400, format!("{message}\n")));
    }
    let (status, _, json) = get(&format!("{base}/entries?cursor=page-2")).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap()["error"],
        "\"page-2\" is not an audit-log cursor; use a page's next_cursor as it is"
    );
    let (status, _, json) = get(&format!("{base}/entries?limit=0")).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap()["error"],
        "limit=0: the page size is a number from 1 to 1000"
    );
    // Only GET.
    let client = reqwest::Client::new();
    for path in ["", "/entries", "/export.csv"] {
        let response = client.post(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 405, "{path}");
    }
}

/// `/entries` pages by cursor through every entry once, newest first, and
/// filters by the search.
async fn pages_and_filters(base: &str) {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, _, json) = get(&format!("{base}/entries?limit=3&cursor={cursor}")).await;
        assert_eq!(status, 200, "{json}");
        let page: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(page["count"], 11);
        assert_eq!(page["count_capped"], false);
        let keys: Vec<&str> = page
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["count", "count_capped", "entries", "next_cursor"]);
        for entry in page["entries"].as_array().unwrap() {
            ids.push((
                entry["time"].as_str().unwrap().to_owned(),
                entry["id"].as_str().unwrap().to_owned(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(next) => next.clone_into(&mut cursor),
            None => break,
        }
    }
    assert_eq!(ids.len(), 11);
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");

    // The HTML page links to the next page with the same query and size.
    let (_, _, html) = get(&format!("{base}?q=chat&limit=4")).await;
    let next = html
        .split(r#"<a rel="next" id="next-page" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next page");
    assert!(next.starts_with("/audit/ui?q=chat&amp;cursor="), "{next}");
    assert!(next.ends_with("&amp;limit=4"), "{next}");

    for (query, expected) in [
        ("status%3Afailed", vec!["user-3"]),
        ("status%3Auncommitted", vec!["user-2"]),
        ("action%3Adelete%20-status%3Afailed", vec!["user-2"]),
        (
            "field%3Aapi_token%20action%3Awrite",
            vec!["user-1", "user-1"],
        ),
        ("field%3Aarchived%20action%3Awrite", vec!["user-1"]),
        (
            "field%3Atitle%20-actor%3Auser-2",
            vec![
                "=cmd|' /C calc'!A0",
                "<img src=x onerror=alert(1)>",
                "user-1",
            ],
        ),
        (
            "request_id%3A%22req%20user-1%201795856460%22",
            vec!["user-1"],
        ),
        ("until%3A2026-11-28T09%3A01%3A00Z", vec!["user-1"]),
        ("since%3A2026-11-29", vec![]),
        ("workspace", vec![]),
    ] {
        let (status, _, json) = get(&format!("{base}/entries?q={query}")).await;
        assert_eq!(status, 200, "{query}: {json}");
        let page: Value = serde_json::from_str(&json).unwrap();
        let actors: Vec<&str> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["actor"].as_str().unwrap())
            .collect();
        assert_eq!(actors, expected, "{query}");
        assert_eq!(page["count"], expected.len(), "{query}");
    }
}

/// A menu's choice is added to the query, in the URL.
async fn menus_redirect(base: &str) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .get(format!(
            "{base}?q=status%3Afailed&resource_type=chat&action="
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/audit/ui?q=status%3Afailed%20resource_type%3Achat"
    );
}

/// The exports: every matching entry, streamed; JSON lines as stored,
/// CSV safe from formulas.
async fn exports(base: &str, stored: &[String]) {
    let response = reqwest::get(format!("{base}/export.jsonl")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"audit-log.jsonl\""
    );
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines, stored.iter().map(String::as_str).collect::<Vec<_>>());

    let (status, content_type, csv) = get(&format!("{base}/export.csv?q=-actor%3Auser-1")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    let records: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(
        records[0],
        r#""id","time","actor","organization_id","ip","user_agent","resource_type","resource_id","resource_target","resource_link","action","status_code","request_id","description","flags","diff","additional_fields""#
    );
    assert_eq!(records.len(), 1 + 6, "{csv}");
    let formula = records
        .iter()
        .find(|record| record.contains("calc"))
        .unwrap();
    assert!(
        formula.contains(r#","'=cmd|' /C calc'!A0","#),
        "the actor cell is prefixed: {formula}"
    );
    assert!(
        formula.contains(r#","'=cmd|' /C calc'!A0 updated chat Kept up","#),
        "and so is the sentence: {formula}"
    );
    assert!(
        !csv.contains(",\"=") && !csv.contains(",\"+") && !csv.contains(",\"@"),
        "{csv}"
    );
}

#[tokio::test]
async fn on_a_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir);
    let source = ViewerSource::from(Arc::clone(&store));
    let base = serve(router(source.clone())).await;
    behaves(&base).await;
    refuses_bad_queries(&base).await;
    pages_and_filters(&base).await;
    menus_redirect(&base).await;
    exports(&base, &stored_lines(&dir)).await;

    // A full export verifies as a chain.
    let body = reqwest::get(format!("{base}/export.jsonl"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let report = audit_core::chain::verify::verify(body.as_bytes(), &BTreeMap::new()).unwrap();
    assert_eq!((report.entries, report.problem), (11, None));
}

#[tokio::test]
async fn on_a_sqlite_file_read_only() {
    let dir = tempfile::tempdir().unwrap();
    drop(sqlite_store(&dir));
    let base = serve(router(ViewerSource::sqlite_file(
        dir.path().join("audit.db"),
    )))
    .await;
    behaves(&base).await;
    refuses_bad_queries(&base).await;
    pages_and_filters(&base).await;
    exports(&base, &stored_lines(&dir)).await;
}

#[tokio::test]
async fn on_a_json_lines_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let lines: Vec<String> = log()
        .iter()
        .map(|entry| serde_json::to_string(entry).unwrap())
        .collect();
    // A line that is not an entry is left out.
    std::fs::write(&path, format!("{}\nnot an entry\n", lines.join("\n"))).unwrap();
    let base = serve(router(ViewerSource::json_lines(&path))).await;
    behaves(&base).await;
    refuses_bad_queries(&base).await;
    pages_and_filters(&base).await;
    menus_redirect(&base).await;
    exports(&base, &lines).await;
}

#[tokio::test]
async fn on_postgres() {
    let Some(url) = audit_tests::postgres_server::server() else {
        return;
    };
    let schema = "t_viewer_page";
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
    let store = PostgresStore::builder(pool.clone()).open().await.unwrap();
    for entry in log() {
        store.export(entry).unwrap();
    }
    store.flush().unwrap();
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT entry_json FROM audit_entries ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    let source = ViewerSource::from(&store);
    let base = serve(router(source.clone())).await;
    behaves(&base).await;
    refuses_bad_queries(&base).await;
    pages_and_filters(&base).await;
    menus_redirect(&base).await;
    exports(&base, &stored).await;
    statements_per_page(&base, &source).await;
}

/// Whatever the page's length, it runs at most 3 statements: the page, the
/// count (with the menus, once a minute), and the deleted marks and
/// fingerprints of all its resources.
async fn statements_per_page(base: &str, source: &ViewerSource) {
    for limit in [1, 5, 11, 1000] {
        for query in [
            "",
            "chat",
            "field%3Aapi_token",
            "-actor%3Auser-1%20status%3Asucceeded",
        ] {
            let before = source.statements_run();
            let (status, _, html) = get(&format!("{base}?q={query}&limit={limit}")).await;
            assert_eq!(status, 200, "{html}");
            let run = source.statements_run() - before;
            assert!(
                (2..=3).contains(&run),
                "{run} statements for limit={limit} q={query}"
            );
        }
    }
}

#[tokio::test]
async fn a_page_runs_at_most_three_statements() {
    let dir = tempfile::tempdir().unwrap();
    let source = ViewerSource::from(sqlite_store(&dir));
    let base = serve(router(source.clone())).await;
    statements_per_page(&base, &source).await;
    let file_source = ViewerSource::sqlite_file(dir.path().join("audit.db"));
    let base = serve(router(file_source.clone())).await;
    statements_per_page(&base, &file_source).await;
}
