//! The life of a chat, audited: create, patch the title (a secret), pin,
//! archive, a background auto-archive and a delete, written to an embedded
//! SQLite database, then read back through the query API and printed, one
//! JSON object per line, oldest first.
//!
//! Run it with `cargo run -p audit-examples --example chat`. The database's
//! path goes to standard error, so that standard output is JSON lines only
//! (`... | jq .diff`); the database is kept, for a look with `sqlite3`.
//!
//! With `-- --json-lines PATH` it also appends every entry to the
//! hash-chained log at PATH, for `audit verify PATH`; with
//! `--checkpoint-seed FILE` as well, it signs checkpoints with the 32-byte
//! seed in FILE into `PATH.checkpoints`.

use std::io::Write as _;

use audit_core::chain::checkpoint::{CheckpointSigner, Checkpoints, FileCheckpointSink};
use audit_core::sqlite::SqliteStore;
use audit_core::store::AuditQuery;
use audit_core::{AuditEntry, AuditSink, ExportError, JsonLinesSink};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut json_lines = None;
    let mut seed = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json-lines" => json_lines = args.next().map(std::path::PathBuf::from),
            "--checkpoint-seed" => seed = args.next(),
            _ => {
                return Err(format!(
                    "unknown argument {arg:?}; expected [--json-lines PATH [--checkpoint-seed FILE]]"
                )
                .into());
            }
        }
    }
    let json_lines = match json_lines {
        None => None,
        Some(path) => {
            let mut builder = JsonLinesSink::builder(&path).origin("chat-example");
            if let Some(seed) = seed {
                let signer = CheckpointSigner::from_seed_file("chat-example", seed)?;
                let checkpoints = path.with_extension("checkpoints");
                builder = builder.checkpoints(Checkpoints::new(
                    signer,
                    FileCheckpointSink::new(checkpoints),
                ));
            }
            Some(builder.open()?)
        }
    };

    let path = std::env::temp_dir().join(format!("chat-audit-{}.db", std::process::id()));
    let store = SqliteStore::open(&path)?;
    let sinks = Both(&store, json_lines.as_ref());
    audit_examples::lifecycle::run(&sinks)?;
    sinks.flush()?;
    eprintln!("audit database: {}", path.display());

    // Every entry, a page at a time, newest first; printed oldest first.
    let mut entries = Vec::new();
    let mut query = AuditQuery::new().limit(100);
    loop {
        let page = store.blocking_query(&query)?;
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

/// The store, and the JSON-lines log when there is one: every entry goes to both.
struct Both<'a>(&'a SqliteStore, Option<&'a JsonLinesSink>);

impl AuditSink for Both<'_> {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        if let Some(json_lines) = self.1 {
            json_lines.export(entry.clone())?;
        }
        self.0.export(entry)
    }

    fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        if let Some(json_lines) = self.1 {
            json_lines.export_without_waiting(entry.clone())?;
        }
        self.0.export_without_waiting(entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        if let Some(json_lines) = self.1 {
            json_lines.flush()?;
        }
        self.0.flush()
    }
}
