//! An audit entry in the same transaction as its change, on PostgreSQL: the
//! entry commits if and only if the change does.
//!
//! Run it against a database you can write to:
//!
//! ```sh
//! DATABASE_URL=$(.ci/pg.sh start) cargo run -p audit-examples --features postgres --example transaction_postgres
//! .ci/pg.sh stop
//! ```
//!
//! It archives a chat twice: once committed, once rolled back (the handler
//! fails after the update), and prints what the audit log then holds. It
//! works in a schema of its own, `audit_example`, dropped first.

use audit_core::postgres::{PostgresStore, insert_entries};
use audit_core::store::Outbox;
use audit_core::{Action, AuditRequest};
use audit_examples::chat::Chat;
use audit_examples::lifecycle::{CHAT_ID, OWNER_ID, new_chat};
use sqlx::postgres::{PgConnectOptions, PgPool};

/// Archives the chat in one transaction, with its audit entry; commits only
/// when `fail_after_update` is false.
async fn archive(pool: &PgPool, fail_after_update: bool) -> Result<(), Box<dyn std::error::Error>> {
    let mut tx = pool.begin().await?;
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
    sqlx::query("UPDATE chats SET archived = true WHERE id = $1")
        .bind(CHAT_ID)
        .execute(&mut *tx)
        .await?;
    audit.set_new(Chat {
        archived: true,
        ..stored
    }); // re-read after the update
    audit.commit(200)?;
    insert_entries(&mut tx, outbox.take()).await?;
    if fail_after_update {
        // Dropping `tx` rolls back the update and its entry together.
        return Err("the handler failed after the update".into());
    }
    tx.commit().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").map_err(
        |_| "set DATABASE_URL to a PostgreSQL database, e.g. DATABASE_URL=$(.ci/pg.sh start)",
    )?;
    let admin = PgPool::connect(&url).await?;
    sqlx::raw_sql("DROP SCHEMA IF EXISTS audit_example CASCADE; CREATE SCHEMA audit_example")
        .execute(&admin)
        .await?;
    let options: PgConnectOptions = url.parse()?;
    let pool = PgPool::connect_with(options.options([("search_path", "audit_example")])).await?;
    sqlx::raw_sql(
        "CREATE TABLE chats (id uuid PRIMARY KEY, archived boolean NOT NULL DEFAULT false)",
    )
    .execute(&pool)
    .await?;
    sqlx::query("INSERT INTO chats (id) VALUES ($1)")
        .bind(CHAT_ID)
        .execute(&pool)
        .await?;
    // The application's own connections write the entries: the table must exist.
    PostgresStore::migrate(&pool).await?;

    if let Err(error) = archive(&pool, true).await {
        println!("rolled back: {error}");
    }
    archive(&pool, false).await?;
    println!("committed");

    let store = PostgresStore::builder(pool).open().await?;
    for entry in store.history("chat", &CHAT_ID.to_string()).await? {
        println!(
            "{} {}: {}",
            entry.request_id.unwrap_or_default(),
            entry.action,
            serde_json::to_string(&entry.diff)?
        );
    }
    Ok(())
}
