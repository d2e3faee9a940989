//! The life of a chat, audited: create, patch the title (a secret), pin,
//! archive, a background auto-archive and a delete, written to an embedded
//! SQLite database, then read back through the query API and printed, one
//! JSON object per line, oldest first.
//!
//! Run it with `cargo run -p audit-examples --example chat`. The database's
//! path goes to standard error, so that standard output is JSON lines only
//! (`... | jq .diff`); the database is kept, for a look with `sqlite3`.
//!
//! With `-- --json-lines PATH` every entry also goes to the hash-chained
//! JSON-lines log at PATH (appended to, and kept), for `audit verify PATH`;
//! with `--checkpoint-seed FILE` as well, that log's checkpoints are signed
//! with the 32-byte seed in FILE into `PATH.checkpoints`.
//!
//! With `--features postgres` and `-- --postgres URL [--origin NAME]`, the
//! entries go to the PostgreSQL store at URL instead, under the origin NAME
//! (by default `chat-` and the process id): run it twice, at once, with two
//! origins, and `audit verify URL` verifies each instance's chain.

use std::io::Write as _;
use std::path::PathBuf;

use audit_core::chain::checkpoint::{CheckpointSigner, Checkpoints, FileCheckpointSink};
use audit_core::sqlite::SqliteStore;
use audit_core::store::{AuditQuery, AuditStore};
use audit_core::{AuditEntry, AuditSink, ExportError, JsonLinesSink};

/// Where the entries go: the database, and the JSON-lines log when asked.
struct Sinks<S> {
    store: S,
    json_lines: Option<JsonLinesSink>,
}

impl<S: AuditSink> AuditSink for Sinks<S> {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        if let Some(json_lines) = &self.json_lines {
            json_lines.export(entry.clone())?;
        }
        self.store.export(entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        if let Some(json_lines) = &self.json_lines {
            json_lines.flush()?;
        }
        self.store.flush()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut json_lines_path = None;
    let mut seed = None;
    let mut postgres = None;
    let mut origin = format!("chat-{}", std::process::id());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json-lines" => json_lines_path = args.next().map(PathBuf::from),
            "--checkpoint-seed" => seed = args.next(),
            "--postgres" => postgres = args.next(),
            "--origin" => origin = args.next().ok_or("--origin needs a name")?,
            _ => {
                return Err(format!(
                    "unknown argument {arg:?}; expected [--json-lines PATH [--checkpoint-seed FILE]] [--postgres URL [--origin NAME]]"
                )
                .into());
            }
        }
    }
    let json_lines = match json_lines_path {
        None => None,
        Some(path) => {
            let mut builder = JsonLinesSink::builder(&path).origin("chat-example");
            if let Some(seed) = seed {
                let signer = CheckpointSigner::from_seed_file("chat-example", seed)?;
                builder = builder.checkpoints(Checkpoints::new(
                    signer,
                    FileCheckpointSink::new(path.with_extension("checkpoints")),
                ));
            }
            Some(builder.open()?)
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    if let Some(url) = postgres {
        #[cfg(feature = "postgres")]
        {
            let pool = runtime.block_on(sqlx::PgPool::connect(&url))?;
            let store = runtime.block_on(
                audit_core::postgres::PostgresStore::builder(pool)
                    .origin(&origin)
                    .open(),
            )?;
            eprintln!("audit database: {url}, origin {origin:?}");
            return run(&Sinks { store, json_lines }, &origin, &runtime);
        }
        #[cfg(not(feature = "postgres"))]
        return Err(format!(
            "--postgres {url} --origin {origin}: build the example with --features postgres"
        )
        .into());
    }
    let path = std::env::temp_dir().join(format!("chat-audit-{}.db", std::process::id()));
    let store = SqliteStore::open(&path)?;
    let origin = store.origin().to_owned();
    eprintln!("audit database: {}", path.display());
    run(&Sinks { store, json_lines }, &origin, &runtime)
}

/// Runs the chat's life into `sinks`, then prints the entries of `origin`
/// read back from the store.
fn run<S: AuditStore>(
    sinks: &Sinks<S>,
    origin: &str,
    runtime: &tokio::runtime::Runtime,
) -> Result<(), Box<dyn std::error::Error>> {
    audit_examples::lifecycle::run(sinks)?;
    sinks.flush()?;

    // Every entry, a page at a time, newest first; printed oldest first.
    let mut entries = Vec::new();
    let mut query = AuditQuery::new().origin(origin).limit(100);
    loop {
        let page = runtime.block_on(sinks.store.query(&query))?;
        entries.extend(page.entries);
        match page.next_cursor {
            Some(cursor) => query = query.after(cursor),
            None => break,
        }
    }
    let mut out = std::io::stdout().lock();
    for entry in entries.iter().rev() {
        serde_json::to_writer(&mut out, entry)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
