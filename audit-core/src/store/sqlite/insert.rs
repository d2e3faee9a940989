//! Writing entries: into the caller's transaction, or in the writer's batches.

use std::borrow::{Borrow, Cow};

use rusqlite::{CachedStatement, Connection, OptionalExtension as _, TransactionBehavior, params};

use crate::chain::{Digest, Head};
use crate::entry::AuditEntry;
use crate::store::StoreError;
use crate::store::batch::{BoxError, WriteRows};
use crate::store::chain::{self, DEFAULT_ORIGIN};
use crate::store::ingest::{self, Appended, Rejection};
use crate::store::row::EntryRow;
use crate::store::sql::changed_paths;

const INSERT: &str = "INSERT INTO audit_entries (id, time_us, actor, organization_id, ip, \
    user_agent, resource_type, resource_id, resource_target, resource_link, action, diff, \
    status_code, additional_fields, request_id, flags, entry_json, seq, origin) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) \
    ON CONFLICT (id) DO NOTHING";

/// Takes the database's write lock in the transaction `conn` is in, if it
/// does not hold it yet: a write that changes nothing. From then until the
/// transaction ends, no other connection writes, so the head stays the head.
const TAKE_WRITE_LOCK: &str = "UPDATE audit_schema_version SET version = version";

/// The head of `origin`'s chain: its row with the highest `seq`.
pub(crate) fn read_head(conn: &Connection, origin: &str) -> rusqlite::Result<Option<Head>> {
    conn.prepare_cached(
        "SELECT seq, entry_json FROM audit_entries WHERE origin = ?1 AND seq IS NOT NULL \
         ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([origin], |row| {
        Ok(chain::head_of(row.get(0)?, row.get_ref(1)?.as_str()?))
    })
    .optional()
}

/// Inserts `rows` on `conn`, in the transaction it is in, chained after
/// `origin`'s head (a new chain from `origin` when it has none): how many
/// were inserted, and the chain's head after them. An entry already stored
/// (same id) is skipped, and takes no sequence number.
pub(crate) fn insert_rows(
    conn: &Connection,
    rows: &[EntryRow<'_>],
    origin: &str,
) -> Result<(usize, Option<Head>), BoxError> {
    conn.execute(TAKE_WRITE_LOCK, [])?;
    let mut chainer = chain::resume(origin, read_head(conn, origin)?);
    let mut statements = Statements::new(conn)?;
    let mut inserted = 0;
    // The changed paths of the rows inserted, each with its row's index.
    let mut paths: Vec<(&str, usize)> = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let mark = chainer.mark();
        let (seq, line) = chain::chain_row(&mut chainer, &row.entry_json)?;
        if statements.insert_entry(row, &line, seq, origin)? == 1 {
            inserted += 1;
            paths.extend(
                row.entry
                    .diff
                    .keys()
                    .flat_map(changed_paths)
                    .map(|path| (path, index)),
            );
        } else {
            chainer.rewind(mark);
        }
    }
    // In the table's key order, so that the batch writes each of its pages
    // once, not once per row that lands on it.
    paths.sort_unstable_by(|&(a, i), &(b, j)| {
        (a, rows[i].time_us, rows[i].entry.id).cmp(&(b, rows[j].time_us, rows[j].entry.id))
    });
    for (path, index) in paths {
        statements.insert_path(&rows[index], path)?;
    }
    Ok((inserted, chainer.head()))
}

/// Records each changed path of an entry, and each path above one, with
/// the entry's resource type, action, status and flags, for `field:`
/// searches (see `schema.rs`).
const INSERT_PATH: &str = "INSERT OR IGNORE INTO audit_changed_paths \
    (path, entry_time_us, entry_id, resource_type, action, status_code, flags) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// The statements that insert rows, prepared once for a batch of them.
struct Statements<'conn> {
    entry: CachedStatement<'conn>,
    path: CachedStatement<'conn>,
    /// Whether an id is stored: what an insert that changed nothing means.
    stored: CachedStatement<'conn>,
}

impl<'conn> Statements<'conn> {
    fn new(conn: &'conn Connection) -> rusqlite::Result<Self> {
        Ok(Statements {
            entry: conn.prepare_cached(INSERT)?,
            path: conn.prepare_cached(INSERT_PATH)?,
            stored: conn.prepare_cached("SELECT 1 FROM audit_entries WHERE id = ?1")?,
        })
    }

    /// Inserts `row`, as `line` at `seq` of `origin`'s chain, and its
    /// changed paths: 1, or 0 when its id is stored already.
    fn insert_row(
        &mut self,
        row: &EntryRow<'_>,
        line: &str,
        seq: i64,
        origin: &str,
    ) -> rusqlite::Result<usize> {
        let inserted = self.insert_entry(row, line, seq, origin)?;
        if inserted == 1 {
            for key in row.entry.diff.keys() {
                for path in changed_paths(key) {
                    self.insert_path(row, path)?;
                }
            }
        }
        Ok(inserted)
    }

    /// Inserts `row`, as `line` at `seq` of `origin`'s chain, without its
    /// changed paths: 1, or 0 when its id is stored already. An insert that
    /// changed nothing although the id is not stored (a trigger the store
    /// did not make ignored it) is an error, never a silently dropped entry.
    fn insert_entry(
        &mut self,
        row: &EntryRow<'_>,
        line: &str,
        seq: i64,
        origin: &str,
    ) -> rusqlite::Result<usize> {
        let inserted = self.insert_entry_row(row, line, seq, origin)?;
        if inserted == 0 && !self.stored.exists([row.entry.id.as_bytes().as_slice()])? {
            return Err(rusqlite::Error::ToSqlConversionFailure(
                format!(
                    "the database ignored the insert of audit entry {}, whose id it does not hold: a trigger the store did not make",
                    row.entry.id
                )
                .into(),
            ));
        }
        Ok(inserted)
    }

    /// The insert of [`insert_entry`](Self::insert_entry): how many rows it
    /// changed.
    fn insert_entry_row(
        &mut self,
        row: &EntryRow<'_>,
        line: &str,
        seq: i64,
        origin: &str,
    ) -> rusqlite::Result<usize> {
        let entry = row.entry;
        self.entry.execute(params![
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
            &*flags_text(row)?,
            line,
            seq,
            origin,
        ])
    }

    /// Records `path` as changed by the entry of `row`.
    fn insert_path(&mut self, row: &EntryRow<'_>, path: &str) -> rusqlite::Result<()> {
        let entry = row.entry;
        self.path.execute(params![
            path,
            row.time_us,
            entry.id.as_bytes().as_slice(),
            entry.resource_type,
            entry.action.as_str(),
            entry.status_code,
            &*flags_text(row)?,
        ])?;
        Ok(())
    }
}

/// The flags of `row` as the JSON text of their column.
fn flags_text<'a>(row: &'a EntryRow<'_>) -> rusqlite::Result<Cow<'a, str>> {
    // Most entries have no flag: their text needs no serializer.
    if row.flags.is_empty() {
        return Ok(Cow::Borrowed("[]"));
    }
    serde_json::to_string(&row.flags)
        .map(Cow::Owned)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))
}

/// Appends `lines`, chained elsewhere (by a Kafka sink, say), to the chain
/// of `origin` in the store, with `conn`, in the transaction it is in: each
/// line stored as it is at its own sequence number when it is the chain's
/// next link; a line already stored dropped as a duplicate; any other
/// rejected, never stored (see [`store::ingest`](crate::store::ingest)).
/// What became of each line, in order.
///
/// Run it in a transaction, and commit before acknowledging the lines to
/// their source (a consumer group's offsets): after a crash in between,
/// they come again and are dropped as duplicates. `origin` must not be a
/// store writer's own.
///
/// # Errors
///
/// When the store cannot be read or written.
pub fn append_chained(
    conn: &Connection,
    origin: &str,
    lines: &[&str],
) -> Result<Vec<Appended>, StoreError> {
    let appended = (|| -> Result<Vec<Appended>, BoxError> {
        conn.execute(TAKE_WRITE_LOCK, [])?;
        let mut head = read_head(conn, origin)?;
        let mut stored_line = conn.prepare_cached(
            "SELECT entry_json FROM audit_entries WHERE origin = ?1 AND seq = ?2",
        )?;
        let mut statements = Statements::new(conn)?;
        let mut outcomes = Vec::with_capacity(lines.len());
        for line in lines {
            let line = match ingest::parse(line) {
                Ok(line) => line,
                Err(rejection) => {
                    outcomes.push(Appended::Rejected(rejection));
                    continue;
                }
            };
            let seq = i64::try_from(line.link.seq)?;
            let stored = stored_line
                .query_row(params![origin, seq], |row| {
                    Ok(Digest::of(row.get_ref(0)?.as_str()?.as_bytes()))
                })
                .optional()?;
            let before = head;
            let mut outcome = ingest::decide(origin, &mut head, &line, stored);
            if matches!(outcome, Appended::Stored { .. }) {
                let row = EntryRow::new(&line.entry)?;
                if statements.insert_row(&row, line.line, seq, origin)? == 0 {
                    head = before;
                    outcome = Appended::Rejected(Rejection::DuplicateId {
                        seq: line.link.seq,
                        id: line.entry.id.to_string(),
                    });
                }
            }
            outcomes.push(outcome);
        }
        if outcomes
            .iter()
            .any(|outcome| matches!(outcome, Appended::Stored { .. }))
        {
            conn.execute(chain::RECORD_APPENDED_ORIGIN, [origin])?;
        }
        Ok(outcomes)
    })();
    appended.map_err(StoreError::Database)
}

/// Inserts `entries` with `conn`, in the transaction it is in: a
/// `rusqlite::Transaction` derefs to the `Connection` this takes, so the
/// entries commit, or roll back, with the caller's change. Outside a
/// transaction, the entries are inserted all together or not at all.
///
/// The entries are chained after the last one of their origin,
/// [`DEFAULT_ORIGIN`](crate::store::DEFAULT_ORIGIN) ([`insert_entries_from`]
/// names another; see [`store`](crate::store#tamper-evidence)). SQLite has
/// one writer at a time whatever this does: the caller's transaction holds
/// the database's write lock from its first write to its end, so the entries
/// are chained, sealed, as they are inserted. A deferred transaction that
/// read before another connection wrote then fails with `SQLITE_BUSY`; begin
/// it with `TransactionBehavior::Immediate` to take the lock at its start.
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
    insert_entries_from(conn, DEFAULT_ORIGIN, entries)
}

/// [`insert_entries`], with the entries' origin: the writer whose chain
/// they join, such as the store's ([`SqliteStore::origin`](super::SqliteStore::origin)).
///
/// # Errors
///
/// As [`insert_entries`].
pub fn insert_entries_from<I>(
    conn: &Connection,
    origin: &str,
    entries: I,
) -> Result<usize, StoreError>
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
    match insert_rows(conn, &rows, origin) {
        Ok((inserted, _)) => {
            conn.execute_batch("RELEASE audit_insert")
                .map_err(StoreError::database)?;
            Ok(inserted)
        }
        Err(error) => {
            // The caller learns of `error`; a failed rollback adds nothing to it.
            let _ = conn.execute_batch("ROLLBACK TO audit_insert; RELEASE audit_insert");
            Err(StoreError::Database(error))
        }
    }
}

/// The writer thread's connection.
pub(crate) struct SqliteBatch {
    pub(crate) conn: Connection,
    /// The origin of a new chain.
    pub(crate) origin: String,
}

impl WriteRows for SqliteBatch {
    fn write(&mut self, rows: &[EntryRow<'_>]) -> Result<Option<Head>, BoxError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (_, head) = insert_rows(&tx, rows, &self.origin)?;
        tx.commit()?;
        Ok(head)
    }

    fn origin(&self) -> &str {
        &self.origin
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use crate::store::sql::changed_paths;

    /// The paths cut in Rust are those the SQL that fills the table for
    /// entries stored before it existed cuts (`BACKFILL_CHANGED_PATHS`),
    /// which the trigger of earlier versions cut alike.
    #[test]
    fn paths_are_cut_as_the_backfill_cuts_them() {
        let conn = Connection::open_in_memory().unwrap();
        let keys = [
            "title",
            "settings.theme",
            "members[id=3].role",
            "labels['app.kubernetes.io/name']",
            "members[id='u-1'].grants[0]",
            "a.b.c",
            "é.ü[ß]",
            "quote\"d.key",
        ];
        for key in keys {
            let diff = serde_json::json!({ key: {"secret": true} }).to_string();
            let mut from_sql: Vec<String> = conn
                .prepare(
                    "SELECT prefix FROM (SELECT group_concat(segment.value, '') OVER (
                        PARTITION BY changed.key ORDER BY segment.key
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prefix
                     FROM json_each(?1) AS changed,
                          json_each('[' || replace(replace(json_quote(changed.key), '.', '\",\".'), '[', '\",\"[') || ']') AS segment
                     ) WHERE prefix <> ''",
                )
                .unwrap()
                .query_map([&diff], |row| row.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            from_sql.sort();
            let mut from_rust: Vec<String> = changed_paths(key).map(str::to_owned).collect();
            from_rust.sort();
            assert_eq!(from_rust, from_sql, "{key}");
        }
        // No diff key starts with a cut (the SQL records a stray path for
        // one): nothing is cut before the first character.
        assert_eq!(changed_paths(".a.b").collect::<Vec<_>>(), [".a", ".a.b"]);
        assert_eq!(changed_paths("[0]").collect::<Vec<_>>(), ["[0]"]);
    }
}
