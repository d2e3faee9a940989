//! Writing entries: into the caller's transaction, or in the writer's batches.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection as _, Row as _};
use uuid::Uuid;

use crate::chain::Head;
use crate::entry::AuditEntry;
use crate::store::StoreError;
use crate::store::batch::{BoxError, WriteRows};
use crate::store::chain::{self, DEFAULT_ORIGIN};
use crate::store::postgres::read::text_safe;
use crate::store::row::EntryRow;

/// The columns of a row, in the order `push_row` binds them, each with the
/// cast its placeholder needs.
const COLUMNS: [(&str, &str); 18] = [
    ("id", ""),
    ("\"time\"", ""),
    ("actor", ""),
    ("organization_id", ""),
    ("ip", "::inet"),
    ("user_agent", ""),
    ("resource_type", ""),
    ("resource_id", ""),
    ("resource_target", ""),
    ("resource_link", ""),
    ("action", ""),
    ("diff", "::jsonb"),
    ("status_code", ""),
    ("additional_fields", "::jsonb"),
    ("request_id", ""),
    ("flags", ""),
    ("entry_json", ""),
    ("seq", ""),
];

/// The transaction-scoped advisory lock that one writer of the chain holds
/// at a time: `chain` (as ASCII bytes).
const CHAIN_LOCK: i64 = 0x0063_6861_696e;

/// Rows per `INSERT`: 18 parameters a row, under PostgreSQL's 65 535.
const ROWS_PER_INSERT: usize = 1000;

/// `INSERT ... VALUES (...), (...) ON CONFLICT (id) DO NOTHING` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
    let mut sql = format!("INSERT INTO audit_entries ({}) VALUES ", names.join(", "));
    let mut placeholder = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for (column, (_, cast)) in COLUMNS.iter().enumerate() {
            placeholder += 1;
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&placeholder.to_string());
            sql.push_str(cast);
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (id) DO NOTHING");
    sql
}

/// The head of the store's chain: the row with the highest `seq`.
async fn read_head(conn: &mut PgConnection) -> Result<Option<Head>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT seq, entry_json FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| Ok(chain::head_of(row.try_get(0)?, row.try_get(1)?)))
        .transpose()
}

/// Inserts `rows` with `conn`, in a transaction of their own (a savepoint
/// in the caller's transaction), chained after the store's head (a new chain
/// from `origin` in an empty store); the number inserted. An entry already
/// stored (same id) is skipped, and takes no sequence number.
///
/// Entries are new but for a retried batch, so the ids are not looked up
/// first: the rows are inserted `ON CONFLICT (id) DO NOTHING`, and only when
/// fewer rows went in than were sent, which would leave the skipped rows'
/// sequence numbers chained, is the transaction rolled back and done again
/// with the stored ids looked up (`id = ANY`, a sequential scan on a table
/// without statistics).
async fn insert_rows(
    conn: &mut PgConnection,
    rows: &[EntryRow<'_>],
    origin: &str,
) -> Result<(u64, Option<Head>), BoxError> {
    let mut tx = conn.begin().await?;
    if let Some(inserted) = insert_chained(&mut tx, rows, origin, Lookup::Optimistic).await? {
        tx.commit().await?;
        return Ok(inserted);
    }
    tx.rollback().await?;
    let mut tx = conn.begin().await?;
    let inserted = insert_chained(&mut tx, rows, origin, Lookup::Stored)
        .await?
        .ok_or(
            "entries with the batch's ids were inserted while the chain's lock was held: \
             by a writer that does not take it; the batch was rolled back",
        )?;
    tx.commit().await?;
    Ok(inserted)
}

/// Whether [`insert_chained`] looks up which of the rows' ids are stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// No: every row is expected to be new.
    Optimistic,
    /// Yes: a row already stored is skipped before it is chained.
    Stored,
}

/// Takes the chain's lock and inserts `rows` chained after the head, in the
/// transaction `conn` is in. `None` when a row was not inserted because its
/// id is stored: the rows after it are chained to it, so the caller rolls
/// back.
async fn insert_chained(
    conn: &mut PgConnection,
    rows: &[EntryRow<'_>],
    origin: &str,
    lookup: Lookup,
) -> Result<Option<(u64, Option<Head>)>, BoxError> {
    // Held until the transaction ends: no other writer reads the head
    // before this one's rows are committed, or rolled back.
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(CHAIN_LOCK)
        .execute(&mut *conn)
        .await?;
    let mut chainer = chain::resume(origin, read_head(conn).await?);
    let mut seen: HashSet<Uuid> = if lookup == Lookup::Stored {
        let ids: Vec<Uuid> = rows.iter().map(|row| row.entry.id).collect();
        sqlx::query_scalar("SELECT id FROM audit_entries WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect()
    } else {
        HashSet::with_capacity(rows.len())
    };
    let mut to_insert = Vec::with_capacity(rows.len());
    for row in rows {
        // `insert` is false for an id already stored, or earlier in `rows`.
        if seen.insert(row.entry.id) {
            let (next, seq, line) = chain::chain_row(&chainer, &row.entry_json)?;
            chainer = next;
            to_insert.push((row, seq, line));
        }
    }
    let mut inserted = 0;
    for chunk in to_insert.chunks(ROWS_PER_INSERT) {
        let mut query = sqlx::query(AssertSqlSafe(insert_sql(chunk.len())));
        for (row, seq, line) in chunk {
            let entry = row.entry;
            let text = |text: &Option<String>| text.as_deref().map(text_safe);
            query = query
                .bind(entry.id)
                .bind(crate::store::postgres::time_of(row.time_us))
                .bind(text(&entry.actor))
                .bind(text(&entry.organization_id))
                .bind(row.ip.clone())
                .bind(text(&entry.user_agent))
                .bind(text_safe(&entry.resource_type))
                .bind(text_safe(&entry.resource_id))
                .bind(text_safe(&entry.resource_target))
                .bind(text(&entry.resource_link))
                .bind(text_safe(entry.action.as_str()))
                .bind(jsonb_safe(&row.diff))
                .bind(entry.status_code.map(i32::from))
                .bind(jsonb_safe(&row.additional_fields))
                .bind(text(&entry.request_id))
                .bind(row.flags.clone())
                .bind(line.clone())
                .bind(*seq);
        }
        let affected = query.execute(&mut *conn).await?.rows_affected();
        if usize::try_from(affected).map_or(true, |affected| affected < chunk.len()) {
            return Ok(None);
        }
        inserted += affected;
    }
    Ok(Some((inserted, chainer.head())))
}

/// `json` as `jsonb` accepts it: `jsonb` rejects the escape `\u0000`, so a
/// NUL in a string or key becomes U+FFFD. Only the `jsonb` copy changes;
/// the entry's JSON keeps it exactly.
fn jsonb_safe(json: &str) -> String {
    if !json.contains("\\u0000") {
        return json.to_owned();
    }
    match serde_json::from_str::<Value>(json) {
        Ok(mut value) => {
            replace_nul(&mut value);
            value.to_string()
        }
        Err(_) => json.to_owned(),
    }
}

fn replace_nul(value: &mut Value) {
    match value {
        Value::String(text) => *text = text_safe(text),
        Value::Array(items) => items.iter_mut().for_each(replace_nul),
        Value::Object(map) => {
            *map = std::mem::take(map)
                .into_iter()
                .map(|(key, mut value)| {
                    replace_nul(&mut value);
                    (text_safe(&key), value)
                })
                .collect();
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Inserts `entries` with `conn`, in the transaction it is in: pass
/// `&mut tx` for a `sqlx::Transaction` (it derefs to the connection), so that the entries commit, or roll
/// back, with the caller's change. Outside a transaction, the entries are
/// inserted all together or not at all.
///
/// The entries are chained after the store's last one (see
/// [`store`](crate::store#tamper-evidence)): this takes a transaction-scoped
/// advisory lock first, which the store's writer and every other
/// `insert_entries` wait for until the caller's transaction ends. In a
/// `REPEATABLE READ` or `SERIALIZABLE` transaction that read the table
/// before, the head read may be stale: the insert then fails on the unique
/// `seq` and the caller retries. A new chain, in an empty store, starts with
/// the origin [`DEFAULT_ORIGIN`](crate::store::DEFAULT_ORIGIN).
///
/// Returns how many were inserted; an entry already stored (same id) is
/// skipped. The table must exist: open a [`PostgresStore`](super::PostgresStore)
/// on the database once, or call [`PostgresStore::migrate`](super::PostgresStore::migrate).
///
/// ```no_run
/// use audit_core::postgres::{PostgresStore, insert_entries};
/// use audit_core::store::Outbox;
/// use audit_core::{Action, AuditRequest, Auditable};
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Chat {
///     #[audit(track)]
///     id: i64,
///     #[audit(track)]
///     archived: bool,
/// }
///
/// # async fn archive(pool: sqlx::PgPool) -> Result<(), Box<dyn std::error::Error>> {
/// PostgresStore::migrate(&pool).await?; // once, at start-up
///
/// let mut tx = pool.begin().await?;
/// let outbox = Outbox::new();
/// let mut audit = AuditRequest::new(&outbox, Action::WRITE).actor("ada");
/// audit.set_old(Chat { id: 7, archived: false });
/// sqlx::query("UPDATE chats SET archived = true WHERE id = 7").execute(&mut *tx).await?;
/// audit.set_new(Chat { id: 7, archived: true });
/// audit.commit(200)?;
/// insert_entries(&mut tx, outbox.take()).await?;
/// tx.commit().await?; // the change and its entry, or neither
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// When an entry cannot be inserted; in a transaction, the caller then
/// rolls it back.
pub async fn insert_entries<I>(conn: &mut PgConnection, entries: I) -> Result<u64, StoreError>
where
    I: IntoIterator,
    I::Item: Borrow<AuditEntry>,
{
    let entries: Vec<I::Item> = entries.into_iter().collect();
    let rows = entries
        .iter()
        .map(|entry| EntryRow::new(entry.borrow()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::database)?;
    // A transaction outside one, a savepoint inside one.
    let (inserted, _) = insert_rows(conn, &rows, DEFAULT_ORIGIN)
        .await
        .map_err(StoreError::Database)?;
    Ok(inserted)
}

/// How long the writer waits for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the writer waits for a batch to commit before it gives up on
/// the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The writer thread's runtime and connection, made when first needed and
/// again after a failure.
pub(crate) struct PostgresBatch {
    // Dropped before the runtime that drives it.
    conn: Option<PgConnection>,
    options: PgConnectOptions,
    runtime: tokio::runtime::Runtime,
    /// The origin of a new chain.
    origin: String,
}

impl PostgresBatch {
    pub(crate) fn new(
        runtime: tokio::runtime::Runtime,
        options: PgConnectOptions,
        origin: String,
    ) -> Self {
        PostgresBatch {
            conn: None,
            options,
            runtime,
            origin,
        }
    }
}

impl WriteRows for PostgresBatch {
    fn write(&mut self, rows: &[EntryRow<'_>]) -> Result<Option<Head>, BoxError> {
        let PostgresBatch {
            conn,
            options,
            runtime,
            origin,
        } = self;
        runtime.block_on(async {
            let conn = match conn {
                Some(conn) => conn,
                None => conn.insert(
                    tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(options))
                        .await
                        .map_err(|_| "timed out connecting to PostgreSQL")??,
                ),
            };
            tokio::time::timeout(WRITE_TIMEOUT, async {
                let (_, head) = insert_rows(conn, rows, origin).await?;
                Ok::<_, BoxError>(head)
            })
            .await
            .map_err(|_| "timed out writing to PostgreSQL")?
        })
    }

    fn origin(&self) -> &str {
        &self.origin
    }

    fn reset(&mut self) {
        let _runtime = self.runtime.enter();
        self.conn = None;
    }
}
