//! Writing entries: into the caller's transaction, or in the writer's batches.

use std::borrow::Borrow;

use rusqlite::{Connection, params};

use crate::AuditEntry;
use crate::store::StoreError;
use crate::store::row::EntryRow;
use crate::store::writer::{BoxError, WriteBatch};

const INSERT: &str = "INSERT INTO audit_entries (id, time_us, actor, organization_id, ip, \
    user_agent, resource_type, resource_id, resource_target, resource_link, action, diff, \
    status_code, additional_fields, request_id, flags, entry_json) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) \
    ON CONFLICT (id) DO NOTHING";

/// Inserts `rows` on `conn`, in the transaction it is in. The number inserted:
/// an entry already stored (same id) is skipped.
fn insert_rows(conn: &Connection, rows: &[EntryRow<'_>]) -> rusqlite::Result<usize> {
    let mut statement = conn.prepare_cached(INSERT)?;
    let mut inserted = 0;
    for row in rows {
        let entry = row.entry;
        let flags = serde_json::to_string(&row.flags)
            .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
        inserted += statement.execute(params![
            entry.id.as_bytes().as_slice(),
            row.time_us,
            entry.actor,
            entry.organization_id,
            row.ip,
            entry.user_agent,
            entry.resource_type,
            entry.resource_id,
            entry.resource_target,
            entry.resource_link,
            entry.action.as_str(),
            row.diff,
            entry.status_code,
            row.additional_fields,
            entry.request_id,
            flags,
            row.entry_json,
        ])?;
    }
    Ok(inserted)
}

/// Inserts `entries` with `conn`, in the transaction it is in: a
/// `rusqlite::Transaction` derefs to the `Connection` this takes, so the
/// entries commit, or roll back, with the caller's change. Outside a
/// transaction, the entries are inserted all together or not at all.
///
/// Returns how many were inserted; an entry already stored (same id) is
/// skipped. The table must exist: open a [`SqliteStore`](super::SqliteStore)
/// on the database once, or call [`SqliteStore::migrate`](super::SqliteStore::migrate).
///
/// ```
/// use audit_core::sqlite::{SqliteStore, insert_entries};
/// use audit_core::store::{AuditQuery, Outbox};
/// use audit_core::{Action, AuditRequest, Auditable};
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Chat {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     archived: bool,
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let mut conn = rusqlite::Connection::open(dir.path().join("app.db"))?;
/// conn.execute_batch("CREATE TABLE chats (id INTEGER PRIMARY KEY, archived INTEGER NOT NULL);
///                     INSERT INTO chats VALUES (7, 0);")?;
/// SqliteStore::migrate(&conn)?;
///
/// let tx = conn.transaction()?;
/// let outbox = Outbox::new();
/// let mut audit = AuditRequest::new(&outbox, Action::WRITE).actor("ada");
/// audit.set_old(Chat { id: 7, archived: false });
/// tx.execute("UPDATE chats SET archived = 1 WHERE id = 7", [])?;
/// audit.set_new(Chat { id: 7, archived: true });
/// audit.commit(200)?;
/// insert_entries(&tx, outbox.take())?;
/// tx.commit()?; // the change and its entry, or neither
///
/// let store = SqliteStore::open(dir.path().join("app.db"))?;
/// assert_eq!(store.blocking_history("chat", "7")?.len(), 1);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// When an entry cannot be inserted; in a transaction, the caller then
/// rolls it back.
pub fn insert_entries<I>(conn: &Connection, entries: I) -> Result<usize, StoreError>
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
    // A savepoint is a transaction of its own outside one, and nests inside one.
    conn.execute_batch("SAVEPOINT audit_insert")
        .map_err(StoreError::database)?;
    match insert_rows(conn, &rows) {
        Ok(inserted) => {
            conn.execute_batch("RELEASE audit_insert")
                .map_err(StoreError::database)?;
            Ok(inserted)
        }
        Err(error) => {
            // The caller learns of `error`; a failed rollback adds nothing to it.
            let _ = conn.execute_batch("ROLLBACK TO audit_insert; RELEASE audit_insert");
            Err(StoreError::database(error))
        }
    }
}

/// The writer thread's connection.
pub(crate) struct SqliteBatch {
    pub(crate) conn: Connection,
}

impl WriteBatch for SqliteBatch {
    fn write(&mut self, rows: &[EntryRow<'_>]) -> Result<(), BoxError> {
        let tx = self.conn.transaction()?;
        insert_rows(&tx, rows)?;
        tx.commit()?;
        Ok(())
    }
}
