//! An audit store in an embedded SQLite database: no server, one file.
//!
//! [`SqliteStore`] is a sink that writes entries to the file from a
//! background thread, and a store that reads them back: filtered, paginated
//! queries, capped counts, a resource's history and a batched retention
//! purge (see [`store`](crate::store) for what they share with the
//! PostgreSQL store). [`insert_entries`] writes entries with the caller's own
//! connection, inside its transaction.
//!
//! ```
//! use audit_core::sqlite::SqliteStore;
//! use audit_core::store::{AuditQuery, COUNT_CAP};
//! use audit_core::{Action, AuditRequest, AuditSink as _, Auditable};
//!
//! #[derive(Clone, serde::Serialize, Auditable)]
//! struct Chat {
//!     #[audit(track)]
//!     id: u32,
//!     #[audit(track)]
//!     pin_order: i32,
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(dir.path().join("audit.db"))?;
//!
//! let mut audit = AuditRequest::new(&store, Action::WRITE).actor("ada");
//! audit.set_old(Chat { id: 7, pin_order: 0 });
//! audit.set_new(Chat { id: 7, pin_order: 1 });
//! audit.commit(200)?;
//! store.flush()?; // committed
//!
//! let page = store.blocking_query(&AuditQuery::new().actor("ada").limit(10))?;
//! assert_eq!(page.entries[0].diff.get("pin_order").unwrap().new_value(), Some(&1.into()));
//! assert_eq!(page.next_cursor, None);
//! assert_eq!(store.blocking_count(&AuditQuery::new(), COUNT_CAP)?.count, 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Threads, and async code
//!
//! The store owns a writer thread, with its own connection. Reads run on
//! the caller's thread with the `blocking_` methods (`blocking_query`,
//! `blocking_count`, `blocking_history`, `blocking_purge_before`), for
//! code without an async runtime; the `async` methods of the same names
//! without the prefix, the ones the PostgreSQL store has, run the same work
//! on a thread of their own and resolve when it is done, so that they never
//! block the runtime that awaits them, whichever it is. Reads use a few
//! connections of their own; the database runs in WAL mode, so they never
//! wait for the writer, nor the writer for them.
//!
//! # Durability
//!
//! `flush` returns once every entry exported before it is committed with
//! `synchronous = FULL`: on disk, surviving a power loss.
//!
//! # Why rusqlite, and never with sqlx's SQLite
//!
//! rusqlite is synchronous, like a sink's `export` and `flush`, and small;
//! its `bundled` feature, which this feature turns on, compiles SQLite into
//! the program, so that nothing needs to be installed. A build can hold only
//! one `libsqlite3-sys`, the crate that links SQLite (`links = "sqlite3"`).
//! sqlx 0.9's SQLite driver requires libsqlite3-sys `>=0.30.1, <0.38`;
//! rusqlite 0.40 and later require 0.38 or newer. Cargo resolves the
//! lockfile over every optional dependency in the graph (sqlx's SQLite
//! driver is in this workspace's `Cargo.lock` though nothing turns it on),
//! so sqlx 0.9 anywhere in a project rules out rusqlite 0.40 and later.
//! audit-core therefore accepts rusqlite from 0.37 to 0.43 and lets Cargo
//! pick one that fits: next to sqlx 0.9, rusqlite 0.39 with SQLite 3.51.
//! Two SQLite drivers in one program would not share a connection or a
//! transaction anyway: there is no store on sqlx's SQLite driver, and an
//! application on it cannot also enable this feature.
//!
//! The store needs SQLite 3.37 or later (`STRICT` tables), which every
//! bundled SQLite of that range is.

mod insert;
mod read;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use std::collections::BTreeMap;

use rusqlite::{Connection, OpenFlags};
use time::OffsetDateTime;

use crate::chain::Digest;
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;

use crate::entry::AuditEntry;
use crate::sink::AuditSink;
use crate::sink::error::ExportError;
use crate::store::batch::{StoreWriter, writer_config};
use crate::store::chain::unchained_entry;
use crate::store::{
    AuditQuery, CappedCount, DEFAULT_ORIGIN, MAX_LIMIT, Page, StoreError, StoreReport, micros,
};
use crate::writer::WriterConfig;

pub use self::insert::{append_chained, insert_entries, insert_entries_from};
#[cfg(feature = "viewer")]
pub(crate) use self::read::{count_and_menus, for_each_stored, resource_facts};

/// How many entries wait for the writer when the builder sets no capacity.
pub const DEFAULT_CAPACITY: usize = 4096;

/// How many entries one transaction writes at most when the builder sets no
/// batch size.
pub const DEFAULT_BATCH_SIZE: usize = 1000;

/// How long `export` waits for room in a full queue when the builder sets
/// no wait: as long as [`JsonLinesSink`](crate::JsonLinesSink)'s.
pub const DEFAULT_MAX_WAIT: Duration = crate::writer::DEFAULT_MAX_WAIT;

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many idle read connections a store keeps open.
const IDLE_READERS: usize = 4;

/// An audit sink and store in a SQLite database file; see the
/// [module docs](self).
pub struct SqliteStore {
    writer: StoreWriter,
    readers: Arc<Readers>,
    /// The origin the writer starts a chain with, which purge records name.
    origin: String,
    /// Signs purge records, with the key of the store's checkpoints.
    #[cfg(feature = "checkpoints")]
    purge_signer: Option<crate::chain::checkpoint::CheckpointSigner>,
}

/// Configures a [`SqliteStore`].
#[derive(Debug)]
#[must_use = "the store starts when the builder is opened"]
pub struct SqliteStoreBuilder {
    path: PathBuf,
    writer: WriterConfig,
}

/// Connections for reading and purging, opened when needed and kept while idle.
struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it and the table if needed,
    /// with the default capacity and batch size.
    ///
    /// # Errors
    ///
    /// When the database cannot be opened or migrated: among others
    /// [`StoreError::SchemaVersion`] when its table was written by a newer
    /// audit-core.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        SqliteStore::builder(path).open()
    }

    /// Configures a store for the database at `path`.
    pub fn builder(path: impl AsRef<Path>) -> SqliteStoreBuilder {
        SqliteStoreBuilder {
            path: path.as_ref().to_owned(),
            writer: writer_config("audit-sqlite-writer", DEFAULT_CAPACITY, DEFAULT_BATCH_SIZE),
        }
    }

    /// Creates the table on `conn` if it is missing, or migrates it: for
    /// [`insert_entries`] on the application's own connection. Inside a
    /// transaction, it is part of it.
    ///
    /// # Errors
    ///
    /// When the table cannot be created, or has a schema version this
    /// audit-core cannot write ([`StoreError::SchemaVersion`]); also for a
    /// table of version 1, whose rows have no chain: the store's
    /// [`open`](SqliteStore::open) migrates it and records them in its
    /// chain, in the same breath, which this cannot.
    pub fn migrate(conn: &Connection) -> Result<(), StoreError> {
        schema::migrate(conn, schema::FromVersion1::Refused).map(drop)
    }

    /// One page of the entries `query` selects, newest first.
    ///
    /// # Errors
    ///
    /// When the database cannot be read, or a stored entry cannot be parsed.
    pub async fn query(&self, query: &AuditQuery) -> Result<Page, StoreError> {
        let query = query.clone();
        self.on_thread(move |readers| readers.run(|conn| read::query(conn, &query)))
            .await
    }

    /// [`query`](SqliteStore::query), on the caller's thread.
    ///
    /// # Errors
    ///
    /// As [`query`](SqliteStore::query).
    pub fn blocking_query(&self, query: &AuditQuery) -> Result<Page, StoreError> {
        self.readers.run(|conn| read::query(conn, query))
    }

    /// How many entries `query` selects, ignoring its limit and cursor,
    /// counted up to `cap`.
    ///
    /// # Errors
    ///
    /// When the database cannot be read.
    pub async fn count(&self, query: &AuditQuery, cap: u64) -> Result<CappedCount, StoreError> {
        let query = query.clone();
        self.on_thread(move |readers| readers.run(|conn| read::count(conn, &query, cap)))
            .await
    }

    /// [`count`](SqliteStore::count), on the caller's thread.
    ///
    /// # Errors
    ///
    /// As [`count`](SqliteStore::count).
    pub fn blocking_count(&self, query: &AuditQuery, cap: u64) -> Result<CappedCount, StoreError> {
        self.readers.run(|conn| read::count(conn, query, cap))
    }

    /// Every entry about one resource, newest first.
    ///
    /// # Errors
    ///
    /// When the database cannot be read, or a stored entry cannot be parsed.
    pub async fn history(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let query = AuditQuery::history(resource_type, resource_id);
        self.on_thread(move |readers| readers.run(|conn| history(conn, query)))
            .await
    }

    /// [`history`](SqliteStore::history), on the caller's thread.
    ///
    /// # Errors
    ///
    /// As [`history`](SqliteStore::history).
    pub fn blocking_history(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let query = AuditQuery::history(resource_type, resource_id);
        self.readers.run(|conn| history(conn, query))
    }

    /// Deletes the entries made before `cutoff`, in transactions of
    /// [`PURGE_BATCH`](crate::store::PURGE_BATCH) entries, and returns how
    /// many it deleted. Writers wait for one batch at most.
    ///
    /// The chain is cut by sequence number, not by time: the chained entries
    /// deleted are those before the first one made at or after `cutoff`
    /// (an entry made before it but inserted after a newer one is kept), and
    /// never the chain's head. The purge is then recorded in the chain,
    /// through the store's writer, and committed before this returns (see
    /// [`Purge`](crate::store::Purge)): the checkpoints after it are the
    /// signed evidence of where the chain starts.
    ///
    /// # Errors
    ///
    /// When a batch cannot be deleted (the batches before it stay deleted,
    /// unrecorded: the next purge records them), or the purge record cannot
    /// be written.
    pub async fn purge_before(&self, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        let cutoff = micros(cutoff);
        let purged = self
            .on_thread(move |readers| readers.run(|conn| read::purge_before(conn, cutoff)))
            .await?;
        self.record_purges(purged)
    }

    /// [`purge_before`](SqliteStore::purge_before), on the caller's thread.
    ///
    /// # Errors
    ///
    /// As [`purge_before`](SqliteStore::purge_before).
    pub fn blocking_purge_before(&self, cutoff: OffsetDateTime) -> Result<u64, StoreError> {
        let purged = self
            .readers
            .run(|conn| read::purge_before(conn, micros(cutoff)))?;
        self.record_purges(purged)
    }

    /// Records each origin's purge in that origin's chain (an appended
    /// origin's in the store's own), and waits until the records are
    /// committed: through the writer for its own chain, so that its flush
    /// signs a checkpoint after the record; how many rows the purge deleted.
    fn record_purges(
        &self,
        (purged, unchained): (Vec<read::Purged>, u64),
    ) -> Result<u64, StoreError> {
        let mut deleted = unchained;
        for purge in purged {
            deleted += purge.deleted;
            if purge.deleted == 0 {
                continue;
            }
            #[cfg_attr(not(feature = "checkpoints"), allow(unused_mut))]
            let mut entry =
                crate::store::chain::purge_entry(&purge.origin, purge.through, purge.deleted);
            #[cfg(feature = "checkpoints")]
            if let Some(signer) = &self.purge_signer {
                crate::store::chain::sign_purge(&mut entry, signer);
            }
            // An appended origin's next sequence number is its producer's:
            // its record goes to the store's own chain, naming it.
            if purge.origin == self.origin || purge.appended {
                self.writer
                    .export(entry)
                    .and_then(|()| self.writer.flush())
                    .map_err(StoreError::database)?;
            } else {
                self.readers
                    .run(|conn| insert::insert_entries_from(conn, &purge.origin, [entry]))?;
            }
        }
        Ok(deleted)
    }

    /// The writer's origin: the chain its entries join, for
    /// [`insert_entries_from`] to add to the same one.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The entries the writer could not write since the last call, in the
    /// order they were exported, to retry or spool. Their number was
    /// returned by `flush`. Each was also written to standard error when its
    /// write failed, so that a process stopped before anyone asks loses none;
    /// a line starting `audit: ` says why, then each entry follows as JSON.
    pub fn take_unwritten(&self) -> Vec<AuditEntry> {
        self.writer.take_unwritten()
    }

    /// Runs `job` with a read connection, on a thread of its own: for the
    /// auditors' page.
    #[cfg(feature = "viewer")]
    pub(crate) async fn read_with<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_thread(move |readers| readers.run(job)).await
    }

    /// Runs `job` with a read connection, on the caller's thread.
    #[cfg(feature = "viewer")]
    pub(crate) fn blocking_read_with<T>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.readers.run(job)
    }

    async fn on_thread<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Readers) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = Arc::clone(&self.readers);
        crate::writer::reply::on_thread("audit-sqlite-reader", move || job(&readers))
            .await
            .map_err(StoreError::Thread)?
    }
}

/// One page of the entries `query` selects, newest first, read with the
/// caller's connection: for tools that read a database without opening a
/// store on it (which would migrate it and start a writer).
///
/// # Errors
///
/// When the database cannot be read, or a stored entry cannot be parsed.
pub fn query(conn: &Connection, query: &AuditQuery) -> Result<Page, StoreError> {
    read::query(conn, query)
}

/// The origins of the entries in the database on `conn`, in order: each is
/// a chain of its own, for [`verify_chain`].
///
/// # Errors
///
/// When the database cannot be read.
pub fn origins(conn: &Connection) -> Result<Vec<String>, StoreError> {
    read::origins(conn)
}

/// Verifies the hash chain of `origin`'s entries in the database on
/// `conn`: its rows in `seq` order, each `entry_json` a line of the chain
/// (see [`store`](crate::store#tamper-evidence)), against the `heads` that
/// checkpoints of that origin commit to. A problem's `line` is the row's
/// position in `seq` order, from 1. The chain may start after seq 1, where
/// a retention purge removed the oldest rows.
///
/// ```
/// use std::collections::BTreeMap;
/// use audit_core::sqlite::{SqliteStore, origins, verify_chain};
/// use audit_core::{AuditSink as _, Auditable, BackgroundAudit};
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Chat {
///     #[audit(track)]
///     id: u32,
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("audit.db");
/// let store = SqliteStore::builder(&path).origin("chats").open()?;
/// BackgroundAudit::new(&store, "importer").write(&Chat { id: 1 }, &Chat { id: 2 })?;
/// store.flush()?;
///
/// let conn = rusqlite::Connection::open(&path)?;
/// assert_eq!(origins(&conn)?, ["chats"]);
/// let report = verify_chain(&conn, "chats", &BTreeMap::new())?;
/// assert_eq!(report.chain.origin.as_deref(), Some("chats"));
/// assert_eq!((report.chain.entries, report.chain.problem, report.unchained), (1, None, 0));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// When the database cannot be read.
pub fn verify_chain(
    conn: &Connection,
    origin: &str,
    heads: &BTreeMap<u64, Digest>,
) -> Result<StoreReport, StoreError> {
    read::verify_chain(conn, origin, heads)
}

/// Every entry `query` selects, a page of [`MAX_LIMIT`] at a time.
fn history(conn: &Connection, mut query: AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
    query = query.limit(MAX_LIMIT);
    let mut entries = Vec::new();
    loop {
        let page = read::query(conn, &query)?;
        entries.extend(page.entries);
        match page.next_cursor {
            Some(cursor) => query = query.after(cursor),
            None => return Ok(entries),
        }
    }
}

impl SqliteStoreBuilder {
    crate::store::batch::writer_builder_methods!("`sqlite:` and the file's name");

    /// Opens the database, creates or migrates the table, and starts the writer.
    ///
    /// # Errors
    ///
    /// As [`SqliteStore::open`].
    pub fn open(mut self) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(&self.path).map_err(StoreError::database)?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .and_then(|()| conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|()| conn.pragma_update(None, "synchronous", "FULL"))
            .map_err(StoreError::database)?;
        let from_version_1 = schema::migrate(&conn, schema::FromVersion1::Allowed)?;
        let origin = self.writer.origin.take().unwrap_or_else(|| {
            self.path.file_name().map_or_else(
                || DEFAULT_ORIGIN.to_owned(),
                |name| format!("sqlite:{}", name.to_string_lossy()),
            )
        });
        #[cfg(feature = "checkpoints")]
        let purge_signer = self.writer.signer();
        let writer = StoreWriter::spawn(
            self.writer,
            insert::SqliteBatch {
                conn,
                origin: origin.clone(),
            },
        )
        .map_err(StoreError::Thread)?;
        let store = SqliteStore {
            writer,
            #[cfg(feature = "checkpoints")]
            purge_signer,
            origin,
            readers: Arc::new(Readers {
                path: self.path,
                idle: Mutex::new(Vec::new()),
            }),
        };
        if from_version_1 {
            store.record_unchained()?;
        }
        Ok(store)
    }
}

impl SqliteStore {
    /// Records, in the chain, the rows without a `seq` of a table this open
    /// just migrated from version 1: written before the store chained its
    /// entries (see [`UNCHAINED_ACTION`](crate::store::UNCHAINED_ACTION)).
    /// Only then: any other unchained row was inserted behind the store's
    /// back, and is left for `audit verify` to report, whatever the table
    /// says (whoever can write it can write anything a later open would
    /// read as a sign of a migration).
    fn record_unchained(&self) -> Result<(), StoreError> {
        let (ids, recorded) = self.readers.run(|conn| {
            Ok((
                read::unchained_ids(conn)?,
                read::any_unchained_record(conn)?,
            ))
        })?;
        if ids.is_empty() || recorded {
            return Ok(());
        }
        let entry = unchained_entry(&self.origin, ids);
        self.writer
            .export(entry)
            .and_then(|()| self.writer.flush())
            .map_err(|error| StoreError::Thread(std::io::Error::other(error)))
    }
}

impl Readers {
    /// Runs `job` with an idle connection, or a new one.
    fn run<T>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self.lock().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let result = job(&conn);
        let mut idle = self.lock();
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(StoreError::database)?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(StoreError::database)?;
        Ok(conn)
    }
}

crate::store::impl_audit_store!(SqliteStore);

impl AuditSink for SqliteStore {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.writer.export(entry)
    }

    fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.writer.export_without_waiting(entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        self.writer.flush()
    }

    #[cfg(feature = "tokio")]
    fn export_async(&self, entry: AuditEntry) -> crate::sink::ExportFuture<'_> {
        Box::pin(self.writer.export_async(entry))
    }

    #[cfg(feature = "tokio")]
    fn flush_async(&self) -> crate::sink::ExportFuture<'_> {
        Box::pin(self.writer.flush_async())
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.readers.path)
            .finish_non_exhaustive()
    }
}
