//! The chat server over real HTTP: a loopback port, a real client, the
//! SQLite store. Each test starts its own server on a new database.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use audit_core::sqlite::SqliteStore;
use audit_examples::server;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const USER_AGENT: &str = "audit-web-tests/1.0";

struct Server {
    base: String,
    client: Client,
    dir: tempfile::TempDir,
}

/// Starts the chat server on a loopback port, believing `X-Forwarded-For`
/// from `trusted_proxies`.
async fn start(trusted_proxies: &[&str]) -> Server {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("audit.db")).unwrap());
    let trusted = trusted_proxies.iter().map(|cidr| cidr.parse().unwrap());
    let app = server::app(store, trusted.collect::<Vec<_>>(), ["auditor".to_owned()]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    let client = Client::builder().user_agent(USER_AGENT).build().unwrap();
    Server { base, client, dir }
}

impl Server {
    fn request(&self, method: reqwest::Method, path: &str, user: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(user)
    }

    /// Creates a chat titled `title` as `user`; its id.
    async fn create(&self, user: &str, title: &str) -> String {
        let response = self
            .request(reqwest::Method::POST, "/chats", user)
            .json(&json!({ "title": title }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let chat: Value = response.json().await.unwrap();
        chat["id"].as_str().unwrap().to_owned()
    }

    /// The entries `GET /audit?{query}` returns, asserting a 200.
    async fn audit(&self, query: &str) -> Vec<Value> {
        let page = self.audit_page(query).await;
        page["entries"].as_array().unwrap().clone()
    }

    async fn audit_page(&self, query: &str) -> Value {
        let response = self
            .request(reqwest::Method::GET, &format!("/audit?{query}"), "auditor")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET /audit?{query}");
        response.json().await.unwrap()
    }
}

/// Every log line of this test binary, for the secret test to search.
fn logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(Mutex::default)
}

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        logs().lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(|| LogWriter)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

fn statuses(entries: &[Value]) -> Vec<Value> {
    entries
        .iter()
        .map(|entry| entry["status_code"].clone())
        .collect()
}

/// The issue's "done when": a curl session of create, archive and delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_archive_delete_is_audited_with_who_where_and_status() {
    let server = start(&[]).await;
    let send = |method, path: &str| {
        server
            .request(method, path, "user-1")
            .header("x-request-id", "r-1")
    };
    let response = send(reqwest::Method::POST, "/chats")
        .json(&json!({ "title": "Plans" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let chat: Value = response.json().await.unwrap();
    let id = chat["id"].as_str().unwrap();
    let path = format!("/chats/{id}");
    let response = send(reqwest::Method::PATCH, &path)
        .json(&json!({ "archived": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["archived"], true);
    let response = send(reqwest::Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let mut entries = server.audit("resource_type=chat").await;
    entries.reverse(); // oldest first
    assert_eq!(statuses(&entries), [201, 200, 204]);
    let actions: Vec<&Value> = entries.iter().map(|entry| &entry["action"]).collect();
    assert_eq!(actions, ["create", "write", "delete"]);
    for entry in &entries {
        assert_eq!(entry["actor"], "user-1");
        assert_eq!(entry["request_id"], "r-1");
        assert_eq!(entry["ip"], "127.0.0.1");
        assert_eq!(entry["user_agent"], USER_AGENT);
        assert_eq!(entry["resource_id"], id);
        assert_eq!(entry["resource_link"], path);
        assert_eq!(entry.get("flags"), None, "{entry}");
    }
    assert_eq!(
        entries[1]["diff"],
        json!({ "archived": { "old": false, "new": true, "secret": false } }),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_an_id_gets_a_new_one() {
    let server = start(&[]).await;
    server.create("user-1", "Plans").await;
    let entries = server.audit("").await;
    let id = entries[0]["request_id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_that_changes_nothing_is_flagged() {
    let server = start(&[]).await;
    let id = server.create("user-1", "Plans").await;
    let response = server
        .request(reqwest::Method::PATCH, &format!("/chats/{id}"), "user-1")
        .json(&json!({ "archived": false, "pin_order": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let entries = server.audit("action=write").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["status_code"], 200);
    assert_eq!(entries[0]["diff"], json!({}));
    assert_eq!(entries[0]["flags"], json!(["empty_write_diff"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_title_is_in_no_response_entry_or_log() {
    let server = start(&[]).await;
    let first = format!("first secret {}", uuid::Uuid::now_v7());
    let second = format!("second secret {}", uuid::Uuid::now_v7());
    let mut bodies = Vec::new();

    let response = server
        .request(reqwest::Method::POST, "/chats", "user-1")
        .json(&json!({ "title": first }))
        .send()
        .await
        .unwrap();
    let created = response.text().await.unwrap();
    let id = serde_json::from_str::<Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    bodies.push(created);
    let path = format!("/chats/{id}");
    for (body, status) in [
        (json!({ "title": second }), StatusCode::OK),
        // Refused bodies that carry the secret: the error must not echo it.
        (
            json!({ "title": 7, "pin_order": first }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({ "titel": first }), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let response = server
            .request(reqwest::Method::PATCH, &path, "user-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        bodies.push(response.text().await.unwrap());
    }
    let response = server
        .request(reqwest::Method::PATCH, &path, "user-1")
        .header("content-type", "application/json")
        .body(format!("{{\"title\": \"{second}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    bodies.push(response.text().await.unwrap());
    let response = server
        .request(reqwest::Method::GET, &path, "user-1")
        .send()
        .await
        .unwrap();
    bodies.push(response.text().await.unwrap());
    // A patch that changes nothing is reported in the log: the log is read.
    let response = server
        .request(reqwest::Method::PATCH, &path, "user-1")
        .json(&json!({ "title": second }))
        .send()
        .await
        .unwrap();
    bodies.push(response.text().await.unwrap());
    let page = server.audit_page("").await;
    bodies.push(page.to_string());

    let entries = page["entries"].as_array().unwrap();
    let title_change = entries
        .iter()
        .find(|entry| entry["status_code"] == 200 && entry["diff"] != json!({}))
        .unwrap();
    assert_eq!(title_change["diff"], json!({ "title": { "secret": true } }));

    let mut stored = Vec::new();
    for file in std::fs::read_dir(server.dir.path()).unwrap() {
        stored.extend(std::fs::read(file.unwrap().path()).unwrap());
    }
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(
        logs.contains(&id),
        "the flagged patch is not in the log:\n{logs}",
    );
    for secret in [&first, &second] {
        for body in &bodies {
            assert!(
                !body.contains(secret.as_str()),
                "{secret:?} in the response {body}"
            );
        }
        assert!(!logs.contains(secret.as_str()), "{secret:?} in the log");
        let needle = secret.as_bytes();
        assert!(
            !stored.windows(needle.len()).any(|window| window == needle),
            "{secret:?} in the database files",
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_ignored_from_an_untrusted_peer() {
    let server = start(&["10.0.0.0/8"]).await;
    let response = server
        .request(reqwest::Method::POST, "/chats", "user-1")
        .header("x-forwarded-for", "203.0.113.7")
        .json(&json!({ "title": "Plans" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(server.audit("").await[0]["ip"], "127.0.0.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_from_a_trusted_proxy_gives_the_rightmost_untrusted_address() {
    let server = start(&["127.0.0.1/32", "10.0.0.0/8"]).await;
    let response = server
        .request(reqwest::Method::POST, "/chats", "user-1")
        .header("x-forwarded-for", "198.51.100.66, 203.0.113.7")
        .header("x-forwarded-for", "10.1.2.3")
        .json(&json!({ "title": "Plans" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(server.audit("").await[0]["ip"], "203.0.113.7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_requests_leave_two_hundred_entries() {
    let server = Arc::new(start(&[]).await);
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..200 {
        let server = Arc::clone(&server);
        requests.spawn(async move {
            server
                .request(reqwest::Method::POST, "/chats", "crowd")
                .header("x-request-id", format!("c-{n}"))
                .json(&json!({ "title": format!("chat {n}") }))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::CREATED);
    }
    let entries = server.audit("actor=crowd&limit=1000").await;
    assert_eq!(entries.len(), 200);
    let mut ids: Vec<&str> = entries
        .iter()
        .map(|entry| entry["request_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200);
    let mut chats: Vec<&str> = entries
        .iter()
        .map(|entry| entry["resource_id"].as_str().unwrap())
        .collect();
    chats.sort_unstable();
    chats.dedup();
    assert_eq!(chats.len(), 200);
}

/// Refused requests get a clean 4xx with a message, and an entry with the
/// status, the action, no diff and no resource id: the rules for a request
/// committed without a value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversized_and_unknown_get_a_clean_4xx_and_are_audited() {
    let server = start(&[]).await;
    let id = server.create("user-1", "Plans").await;
    let unknown = uuid::Uuid::now_v7();
    let oversized = json!({ "title": "x".repeat(server::MAX_BODY_BYTES) });
    let cases: Vec<(reqwest::RequestBuilder, u16, &str, &str)> = vec![
        (
            server
                .request(reqwest::Method::POST, "/chats", "user-1")
                .header("content-type", "application/json")
                .body("{\"title\": "),
            400,
            "create",
            "the body is not valid JSON",
        ),
        (
            server
                .request(reqwest::Method::POST, "/chats", "user-1")
                .json(&oversized),
            413,
            "create",
            "the body is larger than the limit of 16384 bytes",
        ),
        (
            server
                .request(reqwest::Method::POST, "/chats", "user-1")
                .body("{\"title\": \"x\"}"),
            415,
            "create",
            "send the body with `Content-Type: application/json`",
        ),
        (
            server
                .request(reqwest::Method::PATCH, &format!("/chats/{id}"), "user-1")
                .json(&json!({ "archived": "yes" })),
            422,
            "write",
            "the body does not fit",
        ),
        (
            server
                .request(
                    reqwest::Method::PATCH,
                    &format!("/chats/{unknown}"),
                    "user-1",
                )
                .json(&json!({ "archived": true })),
            404,
            "write",
            "no such chat",
        ),
        (
            server.request(reqwest::Method::DELETE, "/chats/not-a-uuid", "user-1"),
            400,
            "delete",
            "a chat id is a UUID",
        ),
        (
            // Another user's chat is not found either.
            server.request(reqwest::Method::DELETE, &format!("/chats/{id}"), "user-2"),
            404,
            "delete",
            "no such chat",
        ),
    ];
    for (n, (request, status, action, message)) in cases.into_iter().enumerate() {
        let response = request
            .header("x-request-id", format!("bad-{n}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "case {n}");
        let body: Value = response.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(error.starts_with(message), "case {n}: {error}");

        let entries = server.audit(&format!("request_id=bad-{n}")).await;
        assert_eq!(entries.len(), 1, "case {n}");
        let entry = &entries[0];
        assert_eq!(entry["status_code"], status, "case {n}");
        assert_eq!(entry["action"], action, "case {n}");
        assert_eq!(entry["resource_id"], "", "case {n}");
        assert_eq!(entry["diff"], json!({}), "case {n}");
        assert_eq!(entry["ip"], "127.0.0.1", "case {n}");
    }
    // The chat is untouched.
    let response = server
        .request(reqwest::Method::GET, &format!("/chats/{id}"), "user-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["archived"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_bearer_token_the_answer_is_401_and_nothing_is_audited() {
    let server = start(&[]).await;
    for request in [
        server.client.post(format!("{}/chats", server.base)),
        server
            .client
            .post(format!("{}/chats", server.base))
            .header("authorization", "Basic dXNlcjpwdw=="),
        server.client.get(format!("{}/audit", server.base)),
    ] {
        let response = request
            .json(&json!({ "title": "Plans" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
    assert_eq!(server.audit("").await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_filters_and_pages() {
    let server = start(&[]).await;
    let first = server.create("ada", "One").await;
    server.create("ada", "Two").await;
    server.create("bob", "Three").await;
    let response = server
        .request(reqwest::Method::DELETE, &format!("/chats/{first}"), "ada")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    assert_eq!(server.audit("actor=ada").await.len(), 3);
    assert_eq!(server.audit("actor=ada&action=delete").await.len(), 1);
    assert_eq!(server.audit("action=delete&action=create").await.len(), 4);
    assert_eq!(server.audit(&format!("resource_id={first}")).await.len(), 2);
    assert_eq!(server.audit("since=2000-01-01T00:00:00Z").await.len(), 4);
    assert_eq!(server.audit("until=2000-01-01T00:00:00Z").await.len(), 0);

    let mut seen = Vec::new();
    let mut query = "limit=3".to_owned();
    loop {
        let page = server.audit_page(&query).await;
        seen.extend(page["entries"].as_array().unwrap().iter().cloned());
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        query = format!("limit=3&cursor={cursor}");
    }
    assert_eq!(seen, server.audit("").await);
    assert_eq!(seen.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_audit_parameters_get_400_with_a_message() {
    let server = start(&[]).await;
    for (query, message) in [
        ("limit=0", "`limit` is a whole number from 1 to 1000"),
        ("limit=ten", "`limit` is a whole number from 1 to 1000"),
        ("since=yesterday", "`since` is an RFC 3339 time"),
        ("until=2026-13-01T00:00:00Z", "`until` is an RFC 3339 time"),
        (
            "cursor=page-2",
            "`cursor` is the `next_cursor` of a previous page",
        ),
        ("action=Archive", "`action` is an action name"),
        ("actor=a&actor=b", "`actor` is given more than once"),
        (
            "user=ada",
            "unknown parameter `user`; the parameters are resource_type, ",
        ),
        ("since=", "`since` is an RFC 3339 time"),
    ] {
        let response = server
            .request(reqwest::Method::GET, &format!("/audit?{query}"), "auditor")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = response.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(error.starts_with(message), "{query}: {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_is_not_an_auditor_reads_their_own_entries_only() {
    let server = start(&[]).await;
    server.create("ada", "Ada's").await;
    server.create("bob", "Bob's").await;
    let read = |user: &'static str, query: &'static str| {
        server
            .request(reqwest::Method::GET, &format!("/audit?{query}"), user)
            .send()
    };
    let response = read("bob", "").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    let actors: Vec<&Value> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["actor"])
        .collect();
    assert_eq!(actors, [&json!("bob")]);
    // Asking for someone else's is refused, not silently narrowed.
    let response = read("bob", "actor=ada").await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "only auditors read other users' audit entries"})
    );
    // The auditor reads everyone's.
    assert_eq!(server.audit("").await.len(), 2);
}

/// The auditors' page at `/audit/ui`: sentences, diffs and a deleted mark
/// after a create, an archive and a delete; for auditors only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auditors_page_is_for_auditors_only() {
    let server = start(&[]).await;
    let id = server.create("user-1", "Plans").await;
    let kept = server.create("user-2", "Kept").await;
    let path = format!("/chats/{id}");
    let response = server
        .request(reqwest::Method::PATCH, &path, "user-1")
        .json(&json!({ "archived": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = server
        .request(reqwest::Method::DELETE, &path, "user-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // Committed: `GET /audit` flushes the store before reading.
    assert_eq!(server.audit("").await.len(), 4);

    let response = server
        .request(reqwest::Method::GET, "/audit/ui", "auditor")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = response.text().await.unwrap();
    let short = &id[..8];
    for expected in [
        format!(r#"<p class="sentence">user-1 deleted chat <span class="target">{short}</span> <span class="deleted">(deleted)</span></p> <span class="pill succeeded">204</span>"#),
        format!(r#"<p class="sentence">user-1 archived chat <span class="target">{short}</span> <span class="deleted">(deleted)</span></p>"#),
        format!(r#"<p class="sentence">user-2 created chat <a class="target" href="/chats/{kept}">{}</a></p> <span class="pill succeeded">201</span>"#, &kept[..8]),
        r#"<th scope="row" class="path">archived</th><td class="old"><span class="sign">−</span> <code>false</code></td><td class="new"><span class="sign">+</span> <code>true</code></td>"#.to_owned(),
        r#"<th scope="row" class="path">title</th><td class="old"><span class="sign">−</span> <code>••••••••</code></td><td class="new"><span class="sign">+</span> <code>••••••••</code></td>"#.to_owned(),
        r#"<link rel="stylesheet" href="/audit/ui/style.css">"#.to_owned(),
    ] {
        assert!(html.contains(&expected), "missing {expected}\nin {html}");
    }
    assert!(
        !html.contains("Plans") && !html.contains("Kept"),
        "a secret title is shown: {html}"
    );

    // The page's own routes, under the same check.
    for route in [
        "/audit/ui",
        "/audit/ui/entries",
        "/audit/ui/export.csv",
        "/audit/ui/export.jsonl",
        "/audit/ui/style.css",
    ] {
        let response = server
            .request(reqwest::Method::GET, route, "user-1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{route}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "error": "only auditors read the audit log" })
        );
        let response = server
            .client
            .get(format!("{}{route}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{route}");
        let response = server
            .request(reqwest::Method::GET, route, "auditor")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{route}");
    }
}
