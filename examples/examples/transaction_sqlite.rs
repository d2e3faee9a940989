//! An audit entry in the same transaction as its change, on SQLite: the
//! entry commits if and only if the change does.
//!
//! Run it with `cargo run -p audit-examples --example transaction_sqlite`.
//! It archives a chat twice: once committed, once rolled back (the handler
//! fails after the update), and prints what the audit log then holds.

use audit_core::sqlite::{SqliteStore, insert_entries};
use audit_core::store::Outbox;
use audit_core::{Action, AuditRequest};
use audit_examples::lifecycle::{CHAT_ID, OWNER_ID, new_chat};
use rusqlite::{Connection, params};

/// Archives the chat in one transaction, with its audit entry; commits only
/// when `fail_after_update` is false.
fn archive(
    conn: &mut Connection,
    fail_after_update: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let tx = conn.transaction()?;
    let outbox = Outbox::new();
    let mut audit = AuditRequest::new(&outbox, Action::WRITE)
        .actor(OWNER_ID.to_string())
        .request_id(if fail_after_update {
            "req-rolled-back"
        } else {
            "req-committed"
        });
    let stored = new_chat(); // in a real service: read from `tx`
    audit.set_old(stored.clone());
    tx.execute(
        "UPDATE chats SET archived = 1 WHERE id = ?1",
        params![CHAT_ID.to_string()],
    )?;
    audit.set_new(audit_examples::chat::Chat {
        archived: true,
        ..stored
    }); // re-read after the update
    audit.commit(200)?;
    insert_entries(&tx, outbox.take())?;
    if fail_after_update {
        // Dropping `tx` rolls back the update and its entry together.
        return Err("the handler failed after the update".into());
    }
    tx.commit()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("chat-tx-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("app.db");
    let mut conn = Connection::open(&path)?;
    conn.execute_batch(
        "CREATE TABLE chats (id TEXT PRIMARY KEY, archived INTEGER NOT NULL DEFAULT 0)",
    )?;
    conn.execute(
        "INSERT INTO chats (id) VALUES (?1)",
        params![CHAT_ID.to_string()],
    )?;
    // The application's own connection writes the entries: the table must exist.
    SqliteStore::migrate(&conn)?;

    if let Err(error) = archive(&mut conn, true) {
        println!("rolled back: {error}");
    }
    archive(&mut conn, false)?;
    println!("committed");

    let store = SqliteStore::open(&path)?;
    for entry in store.blocking_history("chat", &CHAT_ID.to_string())? {
        println!(
            "{} {}: {}",
            entry.request_id.unwrap_or_default(),
            entry.action,
            serde_json::to_string(&entry.diff)?
        );
    }
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
