//! What can go wrong reading, migrating or purging a store.

use std::fmt;

/// A store could not be opened, migrated, read or purged.
///
/// Writing goes through [`AuditSink`](crate::AuditSink): its failures are
/// [`ExportError`](crate::ExportError)s, returned by `flush`.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed: it could not be reached, or refused a statement.
    /// The error is the driver's: a `rusqlite::Error` or an `sqlx::Error`,
    /// to downcast to.
    Database(Box<dyn std::error::Error + Send + Sync>),
    /// The audit table's schema is not one this version of audit-core can
    /// write: newer (written by a later audit-core), older than any it can
    /// migrate, or a table of the same name it did not create; or version 1
    /// given to a store's `migrate`, whose rows only the store's open can
    /// record in its chain. Nothing was written to it.
    SchemaVersion {
        /// The version found; `None` when the table has no version at all.
        found: Option<i64>,
        /// The version this audit-core reads and writes.
        supported: i64,
    },
    /// A stored entry could not be read back as an entry.
    CorruptEntry {
        /// The entry's id, as stored.
        id: String,
        /// Why it could not be read.
        source: serde_json::Error,
    },
    /// The store's background thread could not be started, or stopped.
    Thread(std::io::Error),
    /// The store's database was edited behind its back, in a way that
    /// would make it lie: its indexes no longer match its rows (SQLite's
    /// `PRAGMA integrity_check`), its table of changed paths does not match
    /// its entries, or a row a purge would delete says something else in
    /// its columns than its chained entry (the purge is refused, deleting
    /// nothing). Run `audit verify`.
    Corrupt {
        /// What was found, in a sentence.
        detail: String,
    },
}

impl StoreError {
    #[cfg(any(feature = "sql", feature = "viewer"))]
    pub(crate) fn database(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Database(Box::new(error))
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(error) => write!(f, "audit store: {error}"),
            StoreError::SchemaVersion {
                found: None,
                supported,
            } => write!(
                f,
                "a table named audit_entries exists but has no audit_schema_version: it was not created by audit-core, which leaves it untouched (this audit-core writes schema version {supported}); rename it, or use another database or schema"
            ),
            StoreError::SchemaVersion {
                found: Some(found),
                supported,
            } if found > supported => write!(
                f,
                "the audit table has schema version {found}, newer than version {supported} which this audit-core writes; upgrade audit-core, since writing with this one could corrupt the table"
            ),
            StoreError::SchemaVersion {
                found: Some(1),
                supported,
            } => write!(
                f,
                "the audit table has schema version 1, whose rows have no hash chain: open the store (`SqliteStore::open`, `PostgresStore::connect`) to migrate it to version {supported}, which records those rows in its chain at once; `migrate` alone cannot"
            ),
            StoreError::SchemaVersion {
                found: Some(found),
                supported,
            } => write!(
                f,
                "the audit table has schema version {found}, which this audit-core (schema version {supported}) cannot migrate; migrate it with the audit-core release that wrote it first"
            ),
            StoreError::CorruptEntry { id, source } => {
                write!(f, "stored audit entry {id} cannot be read: {source}")
            }
            StoreError::Thread(error) => write!(f, "audit store thread: {error}"),
            StoreError::Corrupt { detail } => write!(
                f,
                "the audit store's database was edited behind its back: {detail}"
            ),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Database(error) => Some(&**error),
            StoreError::CorruptEntry { source, .. } => Some(source),
            StoreError::Thread(error) => Some(error),
            StoreError::SchemaVersion { .. } | StoreError::Corrupt { .. } => None,
        }
    }
}
