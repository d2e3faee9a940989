//! The chat service over HTTP, auditing itself into an embedded SQLite
//! store: see `audit_examples::server` for its routes.
//!
//! Run it with
//! `cargo run -p audit-examples --example chat_server -- --listen 127.0.0.1:3000 [--db PATH]`;
//! without `--db`, the audit log is a new file in the temporary directory.
//! `--trust-proxy CIDR` (repeatable) believes `X-Forwarded-For` from there;
//! `--auditor USER` (repeatable; `auditor` when none is given) may read
//! every entry at `GET /audit`, where other callers read their own, and the
//! auditors' page at `GET /audit/ui` (in a browser, with a extension that
//! sends `Authorization: Bearer auditor`; or `curl -H 'Authorization: Bearer
//! auditor' http://127.0.0.1:3000/audit/ui`), which others are refused.

use std::path::PathBuf;
use std::sync::Arc;

use audit_core::AuditSink as _;
use audit_core::axum::IpNet;
use audit_core::sqlite::SqliteStore;
use audit_examples::server;

const USAGE: &str = "usage: chat_server [--listen ADDR] [--db PATH] [--trust-proxy CIDR]... [--auditor USER]...  (ADDR defaults to 127.0.0.1:3000)";

struct Options {
    listen: String,
    db: PathBuf,
    trusted_proxies: Vec<IpNet>,
    auditors: Vec<String>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        listen: "127.0.0.1:3000".to_owned(),
        db: std::env::temp_dir().join(format!("chat-server-audit-{}.db", std::process::id())),
        trusted_proxies: Vec::new(),
        auditors: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => options.listen = value()?,
            "--db" => options.db = value()?.into(),
            "--trust-proxy" => {
                let cidr = value()?;
                let network = cidr
                    .parse()
                    .map_err(|error| format!("--trust-proxy {cidr}: {error}"))?;
                options.trusted_proxies.push(network);
            }
            "--auditor" => options.auditors.push(value()?),
            "--help" | "-h" => return Err(USAGE.to_owned()),
            _ => return Err(format!("unknown argument {flag:?}\n{USAGE}")),
        }
    }
    if options.auditors.is_empty() {
        options.auditors.push("auditor".to_owned());
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let options = options()?;

    let store = Arc::new(SqliteStore::open(&options.db)?);
    let listener = tokio::net::TcpListener::bind(&options.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    println!("audit log: {}", options.db.display());

    let app = server::app(store.clone(), options.trusted_proxies, options.auditors);
    let shutdown = async {
        // Without a signal handler, run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    server::serve(listener, app, shutdown).await?;
    store.flush()?;
    Ok(())
}
