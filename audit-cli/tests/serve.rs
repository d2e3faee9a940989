//! `audit serve` over real HTTP: the page over a SQLite store, a JSON-lines
//! file and PostgreSQL; loopback by default; any other address only with a
//! token, which every request must then carry.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use audit_core::sqlite::SqliteStore;
use audit_core::{Action, AuditRequest, Auditable};

#[derive(Clone, serde::Serialize, Auditable)]
#[audit(resource = "chat", link = "/chats/{id}", target = title, actions(create, write, delete))]
struct Chat {
    #[audit(track)]
    id: String,
    #[audit(track)]
    title: String,
}

/// Writes three entries to `sink`: a create, a write and a delete of chat 7.
fn write_log(sink: &dyn audit_core::AuditSink) {
    let plans = Chat {
        id: "7".into(),
        title: "Plans".into(),
    };
    let mut request = AuditRequest::new(sink, Action::CREATE).actor("user-1");
    request.set_new(plans.clone());
    request.commit(201).unwrap();
    let mut request = AuditRequest::new(sink, Action::WRITE).actor("user-1");
    request.set_old(plans.clone());
    request.set_new(Chat {
        title: "Plans B".into(),
        ..plans.clone()
    });
    request.commit(200).unwrap();
    let mut request = AuditRequest::new(sink, Action::DELETE).actor("user-2");
    request.set_old(Chat {
        title: "Plans B".into(),
        ..plans
    });
    request.commit(200).unwrap();
    sink.flush().unwrap();
}

/// `audit serve` running; killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `audit serve ARGS`, and waits for the line that gives its address.
fn serve(args: &[&str], env: Option<(&str, &str)>) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_audit"));
    command
        .arg("serve")
        .args(args)
        .stderr(Stdio::piped())
        .env_remove("AUDIT_SERVE_TOKEN");
    if let Some((key, value)) = env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit_once(" at ").map_or_else(
        || panic!("no address in {line:?}"),
        |(_, url)| url.to_owned(),
    );
    // Reached over loopback whatever the address listened on.
    let url = url.replace("0.0.0.0", "127.0.0.1");
    Server { child, url }
}

fn sqlite_log(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("audit.db");
    let store = SqliteStore::open(&path).unwrap();
    write_log(&store);
    format!("sqlite:{}", path.display())
}

async fn status(url: &str, authorization: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

const DELETED: &str = r#"<p class="sentence">user-2 deleted chat <span class="target">Plans B</span> <span class="deleted">(deleted)</span></p>"#;

#[tokio::test]
async fn serves_a_sqlite_store_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_log(&dir);
    let server = serve(&[&store, "--listen", "127.0.0.1:0"], None);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let (code, html) = status(&server.url, None).await;
    assert_eq!(code, 200, "{html}");
    assert!(html.contains(DELETED), "{html}");
    assert!(
        html.contains(r#"<span id="count">3</span> matching entries"#),
        "{html}"
    );
    let (code, csv) = status(&format!("{}export.csv?q=action%3Adelete", server.url), None).await;
    assert_eq!(code, 200);
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

#[tokio::test]
async fn serves_a_json_lines_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = audit_core::JsonLinesSink::open(&path).unwrap();
    write_log(&sink);
    drop(sink);
    let server = serve(&[path.to_str().unwrap(), "--listen", "127.0.0.1:0"], None);
    let (code, html) = status(&server.url, None).await;
    assert_eq!(code, 200, "{html}");
    assert!(html.contains(DELETED), "{html}");
    // The export is the file's lines.
    let (code, jsonl) = status(&format!("{}export.jsonl", server.url), None).await;
    assert_eq!(code, 200);
    assert_eq!(jsonl, std::fs::read_to_string(&path).unwrap());
}

#[tokio::test]
async fn serves_postgres() {
    let Some(url) = audit_tests::postgres_server::server() else {
        return;
    };
    let database = audit_tests::postgres_server::with_database(url, "audit_serve_test");
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::query("DROP DATABASE IF EXISTS audit_serve_test")
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE audit_serve_test")
        .execute(&admin)
        .await
        .unwrap();
    let store = audit_core::postgres::PostgresStore::connect(&database)
        .await
        .unwrap();
    let writer = std::thread::scope(|scope| scope.spawn(|| write_log(&store)).join());
    writer.unwrap();
    let server = serve(&[&database, "--listen", "127.0.0.1:0"], None);
    let (code, html) = status(&server.url, None).await;
    assert_eq!(code, 200, "{html}");
    assert!(html.contains(DELETED), "{html}");
}

#[test]
fn refuses_another_address_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_log(&dir);
    let output = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(["serve", &store, "--listen", "0.0.0.0:0"])
        .env_remove("AUDIT_SERVE_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "audit: --listen 0.0.0.0:0: not a loopback address; an audit log shows everyone's \
         addresses and changes, so give --token TOKEN (or AUDIT_SERVE_TOKEN) for every request \
         to carry, or listen on 127.0.0.1\n"
    );
}

#[test]
fn refuses_a_short_token() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_log(&dir);
    for token in ["s3cret", "sixteen chars ok"] {
        let output = Command::new(env!("CARGO_BIN_EXE_audit"))
            .args(["serve", &store, "--listen", "0.0.0.0:0", "--token", token])
            .env_remove("AUDIT_SERVE_TOKEN")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{token:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "audit: --token: give at least 16 characters, without spaces (`openssl rand -hex 16` \
             makes one): it is all that stands between the network and the audit log\n"
        );
    }
}

/// Without a token, the page answers only requests addressed to this
/// machine's loopback: a web page pointing a name of its own at 127.0.0.1
/// (DNS rebinding) gets nothing.
#[test]
fn serves_loopback_names_only_without_a_token() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_log(&dir);
    let server = serve(&[&store, "--listen", "127.0.0.1:0"], None);
    let address = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let get = |host: &str| {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "GET /entries HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let port = address.rsplit_once(':').unwrap().1;
    for host in [address.clone(), format!("localhost:{port}")] {
        let response = get(&host);
        assert!(response.starts_with("HTTP/1.1 200 "), "{host}: {response}");
    }
    let response = get(&format!("attacker.example:{port}"));
    assert!(response.starts_with("HTTP/1.1 421 "), "{response}");
    assert!(
        response.ends_with(
            "this audit log is served to this machine only, as http://127.0.0.1:PORT/ or \
             http://localhost:PORT/; to serve it under another name, give `audit serve` a --token\n"
        ),
        "{response}"
    );
    assert!(!response.contains("Plans"), "{response}");
}

/// Every route of a server given a token (by flag or by environment
/// variable) refuses a request without it, or with another.
#[tokio::test]
async fn checks_the_token_on_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_log(&dir);
    let by_flag = serve(
        &[
            &store,
            "--listen",
            "0.0.0.0:0",
            "--token",
            "s3cret-token-0123",
        ],
        None,
    );
    let by_env = serve(
        &[&store, "--listen", "0.0.0.0:0"],
        Some(("AUDIT_SERVE_TOKEN", "s3cret-token-0123")),
    );
    for server in [&by_flag, &by_env] {
        for route in [
            "",
            "entries",
            "export.csv",
            "export.jsonl",
            "style.css",
            "nothing",
        ] {
            let url = format!("{}{route}", server.url);
            for refused in [
                None,
                Some("Bearer wrong"),
                Some("Bearer s3cret-token-012"),
                Some("Basic YTpi"),
            ] {
                let (code, text) = status(&url, refused).await;
                assert_eq!(code, 401, "{url} {refused:?}");
                assert!(text.starts_with("the audit log needs the token"), "{text}");
            }
            let expected = if route == "nothing" { 404 } else { 200 };
            assert_eq!(
                status(&url, Some("Bearer s3cret-token-0123")).await.0,
                expected,
                "{url}"
            );
            // "auditor:s3cret-token-0123", as a browser sends it.
            assert_eq!(
                status(&url, Some("Basic YXVkaXRvcjpzM2NyZXQtdG9rZW4tMDEyMw=="))
                    .await
                    .0,
                expected,
                "{url}"
            );
        }
        let (_, html) = status(&server.url, Some("Bearer s3cret-token-0123")).await;
        assert!(html.contains(DELETED), "{html}");
    }
}
