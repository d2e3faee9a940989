//! An audit store in PostgreSQL.
//!
//! [`PostgresStore`] is a sink that writes entries to the `audit_entries`
//! table from a background thread, and a store that reads them back:
//! filtered, paginated queries, capped counts, a resource's history and a
//! batched retention purge, with the same methods and meaning as the SQLite
//! store (see [`store`](crate::store)). [`insert_entries`] writes entries
//! with the caller's own connection, inside its transaction.
//!
//! ```no_run
//! use audit_core::postgres::PostgresStore;
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
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let store = PostgresStore::connect("postgres://audit@127.0.0.1/app").await?;
//!
//! let mut audit = AuditRequest::new(&store, Action::WRITE).actor("ada");
//! audit.set_old(Chat { id: 7, pin_order: 0 });
//! audit.set_new(Chat { id: 7, pin_order: 1 });
//! audit.commit_async(200).await?;
//! store.flush_async().await?; // committed
//!
//! let page = store.query(&AuditQuery::new().actor("ada").limit(10)).await?;
//! assert_eq!(page.entries.len(), 1);
//! let history = store.history("chat", "7").await?;
//! let how_many = store.count(&AuditQuery::new(), COUNT_CAP).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Threads and runtimes
//!
//! Reads use the store's [`PgPool`], on the caller's tokio runtime. The
//! writer is a thread of the store's own, with a single-threaded tokio
//! runtime and a connection of its own (made from the pool's options, named
//! `audit-core writer`), so that `export` and the blocking
//! [`flush`](crate::AuditSink::flush) work from any thread, sync or async,
//! and never wait for the caller's runtime; async code awaits
//! [`export_async`](crate::AuditSink::export_async) and
//! [`flush_async`](crate::AuditSink::flush_async) (this feature turns on
//! `tokio`) instead of blocking a worker. After a failure, the writer reconnects; a batch that fails
//! twice is reported (see [`store`](crate::store#writing)). It gives up on a
//! connection after 10 s and on a batch after 30 s.
//!
//! The sealer (see [`store`](crate::store#sealed-not-locked)) is another
//! thread of the store's own, with its runtime and a connection named
//! `audit-core sealer`, which holds the table's seal lock while it seals,
//! and one named `audit-core sealer listener` that waits for flushes of
//! other processes (`LISTEN audit_seal`). A sealing round that fails is
//! written to standard error (and `tracing`) once, and retried every
//! [`SEAL_INTERVAL`] on a new connection.
//!
//! # Crate, and types
//!
//! The store runs on sqlx, the driver most Rust services already hold a
//! pool of, with its `postgres`, `runtime-tokio` and `tls-rustls-ring-webpki`
//! features (see [TLS](#tls)) and none of its defaults: no compile-time checked
//! `query!` macros, which would need a database, or files prepared from one,
//! in every build of every crate that depends on this one. Queries are built
//! at run time from constants and placeholders, with every value bound;
//! binding with `Query::bind` reports a value that cannot be encoded as an
//! error, where `QueryBuilder::push_bind` would panic.
//!
//! Resource types and actions are `text`, so that a new resource or action
//! needs no migration; the diff and additional fields are `jsonb`, the ip
//! `inet`, the time `timestamptz` (to the microsecond). The table and its
//! version table are created unqualified: on the connection's `search_path`,
//! so a schema of their own is a connection option away.
//!
//! # TLS
//!
//! The URL says how to connect, as it does for libpq: `sslmode` (`disable`,
//! `prefer`, the default, `require`, `verify-ca` or `verify-full`),
//! `sslrootcert` (a PEM file of the CA certificates to trust), and `sslcert`
//! and `sslkey` for a client certificate; or the `PGSSLMODE`,
//! `PGSSLROOTCERT`, `PGSSLCERT` and `PGSSLKEY` environment variables. A
//! managed service is reached with
//! `postgres://audit@db.example.com/app?sslmode=verify-full&sslrootcert=/etc/ssl/provider-ca.pem`.
//! The writer's connection is made from the pool's options, so it is made
//! the same way.
//!
//! - `verify-full` checks that the certificate chains to a trusted root and
//!   names the host of the URL: the mode to use. `verify-ca` checks the chain
//!   only; `require` encrypts but checks neither, and so does not stop a
//!   machine in the middle. `prefer` encrypts when the server offers TLS,
//!   unchecked, and falls back to plain TCP when it does not.
//! - The trusted roots are Mozilla's, compiled in (webpki-roots), and the
//!   certificates of `sslrootcert`, which add to them: unlike libpq, which
//!   trusts those of `sslrootcert` alone. A provider whose certificates chain to a
//!   public CA needs no `sslrootcert`; one with a CA of its own does.
//!   libpq's `~/.postgresql/root.crt` is not read, and
//!   `sslrootcert=system` is taken for a file's name.
//!
//! TLS comes with the `postgres` feature, not in a feature of its own:
//! production PostgreSQL speaks it and managed services require it, and
//! without it a URL with `sslmode=require` would build, then fail on every
//! connection, while `prefer` would quietly stay plain. It is rustls on ring,
//! which needs a C compiler (as the `sqlite` feature's bundled SQLite does):
//! not aws-lc-rs, a much longer C build, nor the system's OpenSSL. Its cost
//! is paid on a cold build only: rustls, ring, webpki and the C build tools
//! took 20 s of CPU time more than the 92 s of a cold `cargo build -p
//! audit-core --features postgres` without them, a fifth more (a debug
//! build, on 2 shared cores). A build that also turns on sqlx's
//! `tls-native-tls` connects with that instead.
//!
//! # NUL
//!
//! PostgreSQL `text` and `jsonb` cannot hold NUL (`\0`), which a Rust string
//! can. The entry's own JSON, from which it is read back, escapes it and
//! keeps it exactly. In the columns that queries filter on, NUL is stored as
//! U+FFFD, and so is a NUL in a query's filter value, so that filtering on
//! such a value finds the entry (and would also find one with U+FFFD where
//! the NUL was).

mod insert;
mod read;
mod schema;
mod seal;

use std::collections::BTreeMap;
use std::time::Duration;

use sqlx::PgPool;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::chain::Digest;
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::entry::AuditEntry;
use crate::sink::AuditSink;
use crate::sink::error::ExportError;
use crate::store::batch::{StoreWriter, writer_config};
use crate::store::chain::{FromVersion1, unchained_entry};
use crate::store::{AuditQuery, CappedCount, MAX_LIMIT, Page, StoreError, StoreReport, micros};
use crate::writer::WriterConfig;

pub use self::insert::{append_chained, insert_entries, insert_entries_from};
#[cfg(feature = "viewer")]
pub(crate) use self::read::{count_and_menus, for_each_stored, resource_facts};
pub use self::seal::SEAL_INTERVAL;

/// How many entries wait for the writer when the builder sets no capacity.
pub const DEFAULT_CAPACITY: usize = 4096;

/// How many entries one transaction writes at most when the builder sets no
/// batch size.
pub const DEFAULT_BATCH_SIZE: usize = 1000;

/// How long `export` waits for room in a full queue when the builder sets
/// no wait: as long as [`JsonLinesSink`](crate::JsonLinesSink)'s.
pub const DEFAULT_MAX_WAIT: Duration = crate::writer::DEFAULT_MAX_WAIT;

/// An audit sink and store in a PostgreSQL database; see the [module docs](self).
pub struct PostgresStore {
    pool: PgPool,
    // Dropped before the sealer, which seals what its last flush waits for.
    writer: StoreWriter,
    /// The writer's origin: the chain its entries join.
    origin: String,
    sealer: Option<seal::Sealer>,
    /// Signs purge records, with the key of the store's checkpoints.
    #[cfg(feature = "checkpoints")]
    purge_signer: Option<crate::chain::checkpoint::CheckpointSigner>,
}

/// Configures a [`PostgresStore`].
#[derive(Debug)]
#[must_use = "the store starts when the builder is opened"]
pub struct PostgresStoreBuilder {
    pool: PgPool,
    writer: WriterConfig,
    sealer: bool,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host/database`),
    /// creates or migrates the table and starts the writer.
    ///
    /// # Errors
    ///
    /// When the database cannot be reached or migrated: among others
    /// [`StoreError::SchemaVersion`] when its table was written by a newer
    /// audit-core.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPool::connect(url).await.map_err(StoreError::database)?;
        PostgresStore::builder(pool).open().await
    }

    /// Configures a store that reads with `pool`, and writes with a
    /// connection made from its options.
    pub fn builder(pool: PgPool) -> PostgresStoreBuilder {
        PostgresStoreBuilder {
            pool,
            writer: writer_config(
                "audit-postgres-writer",
                DEFAULT_CAPACITY,
                DEFAULT_BATCH_SIZE,
            ),
            sealer: true,
        }
    }

    /// Creates the table if it is missing, or migrates it, in a transaction
    /// of its own that concurrent migrations wait for: for
    /// [`insert_entries`] on the application's own connections.
    ///
    /// # Errors
    ///
    /// When the table cannot be created, or has a schema version this
    /// audit-core cannot write ([`StoreError::SchemaVersion`]); also for a
    /// table of version 1, whose rows have no chain: the store's open
    /// migrates it and records them in its chain, in the same breath, which
    /// this cannot.
    pub async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
        schema::migrate(pool, FromVersion1::Refused).await.map(drop)
    }

    /// The pool the store reads with.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The writer's origin: the chain its entries join, for
    /// [`insert_entries_from`] to add to the same one.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// One page of the entries `query` selects, newest first.
    ///
    /// # Errors
    ///
    /// When the database cannot be read, or a stored entry cannot be parsed.
    pub async fn query(&self, query: &AuditQuery) -> Result<Page, StoreError> {
        read::query(&self.pool, query).await
    }

    /// How many entries `query` selects, ignoring its limit and cursor,
    /// counted up to `cap`.
    ///
    /// # Errors
    ///
    /// When the database cannot be read.
    pub async fn count(&self, query: &AuditQuery, cap: u64) -> Result<CappedCount, StoreError> {
        read::count(&self.pool, query, cap).await
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
        let mut query = AuditQuery::history(resource_type, resource_id).limit(MAX_LIMIT);
        let mut entries = Vec::new();
        loop {
            let page = read::query(&self.pool, &query).await?;
            entries.extend(page.entries);
            match page.next_cursor {
                Some(cursor) => query = query.after(cursor),
                None => return Ok(entries),
            }
        }
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
        let (purged, unchained) = read::purge_before(&self.pool, micros(cutoff)).await?;
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
                // Through the writer, whose flush signs a checkpoint after it.
                self.writer
                    .export_async(entry)
                    .await
                    .map_err(StoreError::database)?;
                self.writer
                    .flush_async()
                    .await
                    .map_err(StoreError::database)?;
            } else {
                self.insert_sealed(&purge.origin, entry).await?;
            }
        }
        Ok(deleted)
    }

    /// Inserts `entry` into `origin`'s chain and waits until it is sealed:
    /// a record of the store's own, in the chain it is about, which that
    /// origin's writer's next checkpoint covers.
    async fn insert_sealed(&self, origin: &str, entry: AuditEntry) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::database)?;
        let id = entry.id;
        insert::insert_entries_from(&mut conn, origin, [entry]).await?;
        let sealer = self.sealer.as_ref().map(seal::Sealer::handle);
        seal::wait_sealed(&mut conn, &[id], origin, sealer)
            .await
            .map_err(StoreError::Database)?;
        Ok(())
    }

    /// The entries the writer could not write since the last call, in the
    /// order they were exported, to retry or spool. Their number was
    /// returned by `flush`. Each was also written to standard error when its
    /// write failed, so that a process stopped before anyone asks loses none;
    /// a line starting `audit: ` says why, then each entry follows as JSON.
    pub fn take_unwritten(&self) -> Vec<AuditEntry> {
        self.writer.take_unwritten()
    }
}

impl PostgresStoreBuilder {
    crate::store::batch::writer_builder_methods!("`postgres:` and the database's name");

    /// Whether this store runs a sealer: on by default. One sealer at a
    /// time seals a database's rows (see [`store`](crate::store#tamper-evidence));
    /// the others stand by and take over within [`SEAL_INTERVAL`] when it
    /// stops. Turn it off for a store that must never write to rows it did
    /// not insert; its flushes then wait for another store's sealer.
    pub fn sealer(mut self, sealer: bool) -> Self {
        self.sealer = sealer;
        self
    }

    /// Creates or migrates the table, and starts the writer.
    ///
    /// # Errors
    ///
    /// As [`PostgresStore::connect`], or when the writer cannot be started.
    pub async fn open(mut self) -> Result<PostgresStore, StoreError> {
        let from_version_1 = schema::migrate(&self.pool, FromVersion1::Allowed).await?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::Thread)?;
        let options = (*self.pool.connect_options())
            .clone()
            .application_name("audit-core writer");
        let origin = self.writer.origin.take().unwrap_or_else(|| {
            options.get_database().map_or_else(
                || crate::store::DEFAULT_ORIGIN.to_owned(),
                |database| format!("postgres:{database}"),
            )
        });
        let sealer = if self.sealer {
            let options = options.clone().application_name("audit-core sealer");
            Some(seal::Sealer::spawn(options).map_err(StoreError::Thread)?)
        } else {
            None
        };
        #[cfg(feature = "checkpoints")]
        let purge_signer = self.writer.signer();
        let writer = StoreWriter::spawn(
            self.writer,
            insert::PostgresBatch::new(
                runtime,
                options,
                origin.clone(),
                sealer.as_ref().map(|sealer| sealer.handle().clone()),
            ),
        )
        .map_err(StoreError::Thread)?;
        let store = PostgresStore {
            pool: self.pool,
            writer,
            #[cfg(feature = "checkpoints")]
            purge_signer,
            origin,
            sealer,
        };
        if from_version_1 {
            store.record_unchained().await?;
        }
        Ok(store)
    }
}

impl PostgresStore {
    /// Records, in the chain, the rows without a `seq` of a table this open
    /// just migrated from version 1: written before the store chained its
    /// entries (see [`UNCHAINED_ACTION`](crate::store::UNCHAINED_ACTION)).
    /// Only then: any other unchained row was inserted behind the store's
    /// back, and is left for `audit verify` to report, whatever the table
    /// says.
    async fn record_unchained(&self) -> Result<(), StoreError> {
        let ids = read::unchained_ids(&self.pool).await?;
        if ids.is_empty() || read::any_unchained_record(&self.pool).await? {
            return Ok(());
        }
        let entry = unchained_entry(&self.origin, ids);
        self.writer
            .export_async(entry)
            .await
            .map_err(|error| StoreError::Thread(std::io::Error::other(error)))?;
        self.writer
            .flush_async()
            .await
            .map_err(|error| StoreError::Thread(std::io::Error::other(error)))
    }
}

crate::store::impl_audit_store!(PostgresStore);

impl AuditSink for PostgresStore {
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

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

/// One page of the entries `query` selects, newest first, read with the
/// caller's pool: for tools that read a database without opening a store on
/// it (which would migrate it and start a writer).
///
/// # Errors
///
/// When the database cannot be read, or a stored entry cannot be parsed.
pub async fn query(pool: &PgPool, query: &AuditQuery) -> Result<Page, StoreError> {
    read::query(pool, query).await
}

/// The origins of the entries in `pool`'s database, sealed or not yet, in
/// order: each is a chain of its own, for [`verify_chain`].
///
/// # Errors
///
/// When the database cannot be read.
pub async fn origins(pool: &PgPool) -> Result<Vec<String>, StoreError> {
    read::origins(pool).await
}

/// Verifies the hash chain of `origin`'s entries in `pool`'s database: its
/// sealed rows in `seq` order, each `entry_json` a line of the chain (see
/// [`store`](crate::store#tamper-evidence)), against the `heads` that
/// checkpoints of that origin commit to, and reports its rows not sealed
/// yet. A problem's `line` is the row's position in `seq` order, from 1.
/// The chain may start after seq 1, where a retention purge removed the
/// oldest rows.
///
/// # Errors
///
/// When the database cannot be read.
pub async fn verify_chain(
    pool: &PgPool,
    origin: &str,
    heads: &BTreeMap<u64, Digest>,
) -> Result<StoreReport, StoreError> {
    read::verify_chain(pool, origin, heads).await
}

/// The time `micros` microseconds after the Unix epoch, clamped to the
/// range `time` supports.
pub(crate) fn time_of(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).unwrap_or_else(|_| {
        if micros < 0 {
            PrimitiveDateTime::MIN.assume_utc()
        } else {
            PrimitiveDateTime::MAX.assume_utc()
        }
    })
}
