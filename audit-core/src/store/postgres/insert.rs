//! Writing entries: into the caller's transaction, or in the writer's batches.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection as _, Row as _};
use uuid::Uuid;

use crate::chain::{Digest, Head};
use crate::entry::AuditEntry;
use crate::store::StoreError;
use crate::store::batch::{BoxError, WriteRows};
use crate::store::chain::DEFAULT_ORIGIN;
use crate::store::ingest::{self, Appended, Rejection};
use crate::store::postgres::read::text_safe;
use crate::store::postgres::seal::{SEAL_WAIT, SealerHandle, read_head, wait_sealed};
use crate::store::row::EntryRow;

/// The columns of a row, in the order `insert_unsealed` binds them, each
/// with the cast its placeholder needs. No `seq`: the sealer gives it.
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
    ("origin", ""),
];

/// Rows per `INSERT`: 18 parameters a row, under PostgreSQL's 65 535.
const ROWS_PER_INSERT: usize = 1000;

/// `INSERT ... VALUES (...), (...) ON CONFLICT (id) DO NOTHING` for `rows`
/// rows, with a `seq` column after the others when they are `sealed`.
fn insert_sql(rows: usize, sealed: bool) -> String {
    let mut names: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
    let mut casts: Vec<&str> = COLUMNS.iter().map(|(_, cast)| *cast).collect();
    if sealed {
        names.push("seq");
        casts.push("");
    }
    let mut sql = format!("INSERT INTO audit_entries ({}) VALUES ", names.join(", "));
    let mut placeholder = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for (column, cast) in casts.iter().enumerate() {
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

/// Inserts `rows` unsealed (no `seq`; their `entry_json` the entry as
/// exported) under `origin`, with `conn`, in the transaction it is in; the
/// number inserted. An entry already stored (same id) is skipped. Takes no
/// lock but the new rows' own: transactions that insert entries never wait
/// for each other; the sealer chains the rows once they are committed.
pub(crate) async fn insert_unsealed(
    conn: &mut PgConnection,
    rows: &[EntryRow<'_>],
    origin: &str,
) -> Result<u64, sqlx::Error> {
    let inserted = insert(conn, rows, None, origin).await?;
    if usize::try_from(inserted).ok() != Some(rows.len()) {
        // Fewer rows than entries: each missing one must be stored already.
        // One that is not was dropped by a trigger the store did not make,
        // and the write fails rather than lose it without a word.
        let mut ids: Vec<uuid::Uuid> = rows.iter().map(|row| row.entry.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let stored: i64 =
            sqlx::query_scalar("SELECT count(*) FROM audit_entries WHERE id = ANY($1)")
                .bind(&ids)
                .fetch_one(&mut *conn)
                .await?;
        if usize::try_from(stored).ok() != Some(ids.len()) {
            return Err(sqlx::Error::Protocol(format!(
                "the database stored {inserted} of {} audit entries and holds {stored} of their ids: a trigger the store did not make dropped the rest",
                rows.len()
            )));
        }
    }
    Ok(inserted)
}

/// Rows sealed as they are inserted: each one's `seq` and, when they are
/// not the rows' own `entry_json`, their chained lines.
#[derive(Clone, Copy)]
struct Sealed<'a> {
    seqs: &'a [i64],
    lines: Option<&'a [String]>,
}

/// Inserts `rows` under `origin`, sealed when `sealed` says how, else
/// unsealed; the number inserted.
async fn insert(
    conn: &mut PgConnection,
    rows: &[EntryRow<'_>],
    sealed: Option<Sealed<'_>>,
    origin: &str,
) -> Result<u64, sqlx::Error> {
    let origin = text_safe(origin);
    let mut inserted = 0;
    for (index, chunk) in rows.chunks(ROWS_PER_INSERT).enumerate() {
        let mut query = sqlx::query(AssertSqlSafe(insert_sql(chunk.len(), sealed.is_some())));
        for (at, row) in chunk.iter().enumerate() {
            let index = index * ROWS_PER_INSERT + at;
            let line = sealed
                .and_then(|sealed| sealed.lines)
                .map_or(&row.entry_json, |lines| &lines[index]);
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
                .bind(origin.clone());
            if let Some(sealed) = sealed {
                query = query.bind(sealed.seqs[index]);
            }
        }
        inserted += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

/// Inserts `rows` chained after `origin`'s head, sealed as they are, all in
/// one transaction: for the store's writer while its process's sealer holds
/// the lock ([`SealerHandle::seal_exclusively`]), so that no other sealer
/// chains meanwhile, and each row is written once instead of inserted, then
/// sealed. The chain's head after them; `None`, with nothing inserted, when
/// an entry is stored already (the rows then go in unsealed, for the sealer,
/// which skips nothing). The `UNIQUE (origin, seq)` index refuses the rows,
/// should another sealer have sealed this origin meanwhile all the same.
async fn insert_sealed(
    conn: &mut PgConnection,
    rows: &[EntryRow<'_>],
    origin: &str,
) -> Result<Option<Head>, BoxError> {
    let mut tx = conn.begin().await?;
    let mut chainer = crate::store::chain::resume(origin, read_head(&mut tx, origin).await?);
    let mut seqs = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let (seq, line) = crate::store::chain::chain_row(&mut chainer, &row.entry_json)?;
        seqs.push(seq);
        lines.push(line);
    }
    let sealed = Sealed {
        seqs: &seqs,
        lines: Some(&lines),
    };
    let inserted = insert(&mut tx, rows, Some(sealed), origin).await?;
    if usize::try_from(inserted).ok() != Some(rows.len()) {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(chainer.head())
}

/// Inserts `rows` unsealed, all or none: in one statement when they fit in
/// one, which is atomic by itself (and spares the caller's transaction a
/// savepoint's two round trips), else in a transaction of their own (a
/// savepoint in the caller's transaction).
async fn insert_rows(
    conn: &mut PgConnection,
    rows: &[EntryRow<'_>],
    origin: &str,
) -> Result<u64, sqlx::Error> {
    if rows.len() <= ROWS_PER_INSERT {
        return insert_unsealed(conn, rows, origin).await;
    }
    let mut tx = conn.begin().await?;
    let inserted = insert_unsealed(&mut tx, rows, origin).await?;
    tx.commit().await?;
    Ok(inserted)
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
/// inserted all together or not at all. Their origin is
/// [`DEFAULT_ORIGIN`](crate::store::DEFAULT_ORIGIN); [`insert_entries_from`]
/// names another, such as the store's ([`PostgresStore::origin`](super::PostgresStore::origin)).
///
/// The entries are inserted unsealed (see
/// [`store`](crate::store#tamper-evidence)), and this takes no lock that
/// another transaction waits for: audited transactions run side by side
/// however long they last after the insert. Once the transaction commits,
/// the store's sealer chains the entries, within
/// [`SEAL_INTERVAL`](super::SEAL_INTERVAL) while a sealer runs (any
/// [`PostgresStore`](super::PostgresStore) opened on the database runs one
/// by default). A transaction that rolls back leaves nothing to seal.
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
    insert_entries_from(conn, DEFAULT_ORIGIN, entries).await
}

/// [`insert_entries`], with the entries' origin: the writer whose chain
/// they join, such as `"api-3"` for a service's third instance.
///
/// # Errors
///
/// As [`insert_entries`].
pub async fn insert_entries_from<I>(
    conn: &mut PgConnection,
    origin: &str,
    entries: I,
) -> Result<u64, StoreError>
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
    insert_rows(conn, &rows, origin)
        .await
        .map_err(StoreError::database)
}

/// Appends `lines`, chained elsewhere (by a Kafka sink, say), to the chain
/// of `origin` in the store, with `conn`, in the transaction it is in: each
/// line stored as it is, sealed at its own sequence number, when it is the
/// chain's next link; a line already stored dropped as a duplicate; any
/// other rejected, never stored (see [`store::ingest`](crate::store::ingest)).
/// What became of each line, in order.
///
/// Run it in a transaction, and commit before acknowledging the lines to
/// their source (a consumer group's offsets): after a crash in between,
/// they come again and are dropped as duplicates. Appending one origin's
/// chain from two transactions at once fails one of them on the unique
/// `(origin, seq)`; `origin` must not be a store writer's own.
///
/// # Errors
///
/// When the store cannot be read or written.
pub async fn append_chained(
    conn: &mut PgConnection,
    origin: &str,
    lines: &[&str],
) -> Result<Vec<Appended>, StoreError> {
    let parsed: Vec<_> = lines.iter().map(|line| ingest::parse(line)).collect();
    let mut head = read_head(conn, origin)
        .await
        .map_err(StoreError::database)?;
    // The stored lines at the sequence numbers already taken, to tell a
    // duplicate from a forgery; and the ids already stored.
    let head_seq = head.map_or(0, |head| head.seq);
    let taken: Vec<i64> = parsed
        .iter()
        .flatten()
        .filter(|line| line.link.seq <= head_seq)
        .filter_map(|line| i64::try_from(line.link.seq).ok())
        .collect();
    let mut stored = HashMap::new();
    if !taken.is_empty() {
        let rows = sqlx::query(
            "SELECT seq, entry_json FROM audit_entries WHERE origin = $1 AND seq = ANY($2)",
        )
        .bind(origin)
        .bind(&taken)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::database)?;
        for row in rows {
            let seq: i64 = row.try_get(0).map_err(StoreError::database)?;
            let json: &str = row.try_get(1).map_err(StoreError::database)?;
            stored.insert(seq.cast_unsigned(), Digest::of(json.as_bytes()));
        }
    }
    let ids: Vec<Uuid> = parsed.iter().flatten().map(|line| line.entry.id).collect();
    let existing: HashSet<Uuid> =
        sqlx::query_scalar("SELECT id FROM audit_entries WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::database)?
            .into_iter()
            .collect();
    let mut outcomes = Vec::with_capacity(lines.len());
    let mut accepted = Vec::new();
    for line in &parsed {
        let line = match line {
            Ok(line) => line,
            Err(rejection) => {
                outcomes.push(Appended::Rejected(rejection.clone()));
                continue;
            }
        };
        let seq = line.link.seq;
        let fresh = seq > head.map_or(0, |head| head.seq);
        if fresh && existing.contains(&line.entry.id) {
            outcomes.push(Appended::Rejected(Rejection::DuplicateId {
                seq,
                id: line.entry.id.to_string(),
            }));
            continue;
        }
        let outcome = ingest::decide(origin, &mut head, line, stored.get(&seq).copied());
        if matches!(outcome, Appended::Stored { .. }) {
            accepted.push(line);
        }
        outcomes.push(outcome);
    }
    let mut rows = Vec::with_capacity(accepted.len());
    let mut seqs = Vec::with_capacity(accepted.len());
    for line in &accepted {
        let mut row = EntryRow::new(&line.entry).map_err(StoreError::database)?;
        line.line.clone_into(&mut row.entry_json);
        rows.push(row);
        seqs.push(i64::try_from(line.link.seq).map_err(StoreError::database)?);
    }
    let sealed = Sealed {
        seqs: &seqs,
        lines: None,
    };
    let inserted = insert(conn, &rows, Some(sealed), origin)
        .await
        .map_err(StoreError::database)?;
    if inserted > 0 {
        sqlx::query(crate::store::chain::RECORD_APPENDED_ORIGIN)
            .bind(text_safe(origin))
            .execute(&mut *conn)
            .await
            .map_err(StoreError::database)?;
    }
    if usize::try_from(inserted).ok() != Some(rows.len()) {
        return Err(StoreError::Database(
            "an entry appended to the chain was stored meanwhile; roll back and append again"
                .into(),
        ));
    }
    Ok(outcomes)
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
    /// The origin of the rows it writes.
    origin: String,
    /// The store's sealer, when it runs one: asked to seal at once when a
    /// flush waits for its rows.
    sealer: Option<SealerHandle>,
}

impl PostgresBatch {
    pub(crate) fn new(
        runtime: tokio::runtime::Runtime,
        options: PgConnectOptions,
        origin: String,
        sealer: Option<SealerHandle>,
    ) -> Self {
        PostgresBatch {
            conn: None,
            options,
            runtime,
            origin,
            sealer,
        }
    }

    /// Runs `job` with the connection, made if need be, within `timeout`.
    fn with_conn<T>(
        &mut self,
        timeout: Duration,
        what: &'static str,
        job: impl AsyncFnOnce(&mut PgConnection, &str, Option<&SealerHandle>) -> Result<T, BoxError>,
    ) -> Result<T, BoxError> {
        let PostgresBatch {
            conn,
            options,
            runtime,
            origin,
            sealer,
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
            tokio::time::timeout(timeout, job(conn, origin, sealer.as_ref()))
                .await
                .map_err(|_| what)?
        })
    }
}

impl WriteRows for PostgresBatch {
    const SEALS_LATER: bool = true;

    fn write(&mut self, rows: &[EntryRow<'_>]) -> Result<Option<Head>, BoxError> {
        self.with_conn(
            WRITE_TIMEOUT,
            "timed out writing to PostgreSQL",
            async |conn, origin, sealer| {
                if let Some(sealer) = sealer
                    && let Some(_sealing) = sealer.seal_exclusively().await
                    && let Ok(Some(head)) = insert_sealed(conn, rows, origin).await
                {
                    return Ok(Some(head));
                }
                // Without the lock, during a long round, with an entry
                // stored already, or after an error (a lost connection fails
                // again here, and is reported): unsealed, for the sealer.
                insert_rows(conn, rows, origin).await?;
                Ok(None)
            },
        )
    }

    fn await_sealed(&mut self, ids: &[Uuid]) -> Result<Option<Head>, BoxError> {
        let result = self.with_conn(
            SEAL_WAIT + WRITE_TIMEOUT,
            "timed out waiting for the rows to be sealed",
            async |conn, origin, sealer| wait_sealed(conn, ids, origin, sealer).await,
        );
        if result.is_err() {
            self.reset();
        }
        result
    }

    fn origin(&self) -> &str {
        &self.origin
    }

    fn reset(&mut self) {
        let _runtime = self.runtime.enter();
        self.conn = None;
    }
}
