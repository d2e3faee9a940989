//! The life of a chat, audited: create, patch the title (a secret), pin,
//! archive, a background auto-archive and a delete, written to an embedded
//! SQLite database, then read back through the query API and printed, one
//! JSON object per line, oldest first.
//!
//! Run it with `cargo run -p audit-examples --example chat`. The database's
//! path goes to standard error, so that standard output is JSON lines only
//! (`... | jq .diff`); the database is kept, for a look with `sqlite3`.

use std::io::Write as _;

use audit_core::AuditSink as _;
use audit_core::sqlite::SqliteStore;
use audit_core::store::AuditQuery;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("chat-audit-{}.db", std::process::id()));
    let store = SqliteStore::open(&path)?;
    audit_examples::lifecycle::run(&store)?;
    store.flush()?;
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
