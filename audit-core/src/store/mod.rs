//! What the SQL stores share: the query, its page and count, the cursor,
//! the errors, and the [`Outbox`] for writing in the caller's transaction.
//!
//! Two stores keep entries in SQL and read them back, each behind a feature:
//! `sqlite` gives `sqlite::SqliteStore`, an embedded database in a file, and
//! `postgres` gives `postgres::PostgresStore`. Both have the same methods
//! with the same meaning:
//!
//! | method | what it does |
//! | --- | --- |
//! | `export`, `flush` ([`AuditSink`](crate::AuditSink)) | queue an entry without waiting; wait until every entry exported before is committed |
//! | `query(&AuditQuery)` | one [`Page`] of the matching entries, newest first, with the [`Cursor`] of the next page |
//! | `count(&AuditQuery, cap)` | how many entries match, counted up to `cap` ([`CappedCount`]) |
//! | `history(resource_type, resource_id)` | every entry about one resource, newest first |
//! | `purge_before(cutoff)` | deletes the entries before the first one made at or after `cutoff`, in chain order, 1000 a transaction, records the purge in the chain, and says how many |
//! | `take_unwritten()` | the entries the store could not write, to retry or spool |
//!
//! The [`AuditStore`] trait has these methods too, for code that serves
//! either store.
//!
//! The reading methods are `async` on both, and never block the runtime
//! that awaits them, whichever it is. `SqliteStore` also has `blocking_`
//! variants for code without one. With the `tokio` feature (which
//! `postgres` turns on), both stores also have `AuditSink::export_async` and
//! `flush_async`, which await room and the commit instead of blocking.
//!
//! # Writing
//!
//! `export` hands the entry to the store's writer thread and returns; the
//! writer commits what it was given in batches, one transaction a batch. The
//! queue is bounded: when the writer falls behind, `export` waits for room
//! for a bounded time, then returns
//! [`ExportError::QueueFull`](crate::ExportError::QueueFull) with the entry,
//! as [`JsonLinesSink`](crate::JsonLinesSink) does.
//! A batch that fails is retried once, on a new connection; if it fails
//! again, its entries are counted in the error the next `flush` returns and
//! kept for `take_unwritten` (beyond the queue's capacity, and when the
//! store is dropped with entries nobody took, each is written to standard
//! error as JSON). No entry vanishes silently.
//!
//! Each entry is stored twice: as columns (text, JSON, the time) that the
//! queries filter on and the indexes order, and as the exact JSON text it
//! was exported as, from which it is read back. So an entry comes back equal
//! to the one exported, diff included, whatever its values.
//!
//! # Reading
//!
//! Queries see committed entries: `flush` first to see everything exported.
//! Pages are keyset pages, ordered by time then id, both descending, and
//! never use `OFFSET`: a page costs the same at the end of the log as at the
//! start, and entries written while a client pages do not shift the pages.
//! Every index of the table ends with (time, id), so that each filter pages
//! from an index.
//!
//! # Counting
//!
//! `count` reads at most `cap + 1` matching entries: past some thousands,
//! "how many" is not worth a scan of the log. [`COUNT_CAP`] is a good cap.
//!
//! # Tamper evidence
//!
//! Both stores hash-chain their entries as the JSON-lines sink does (see
//! [`chain`](crate::chain)): the `entry_json` column holds the chained line,
//! `{…,"chain":{"seq":N,"prev":"sha256:…"}}`, whose `prev` is the SHA-256 of
//! the previous row's `entry_json` text in the same chain, and the `seq`
//! column its sequence number.
//!
//! ## Origins: one chain per writer
//!
//! Each writer names its `origin`: the builders' `origin` (by default the
//! database's name), `insert_entries_from`, or [`DEFAULT_ORIGIN`] for
//! `insert_entries`. A store holds one chain per origin: the `origin` column
//! says whose chain a row is in, `seq` is unique within an origin, and each
//! chain's first row names its origin. Give each instance of a service its
//! own origin: each chain verifies on its own, against the checkpoints of
//! its origin (each instance's writer signs its own), and
//! [`AuditQuery::origin`] reads one writer's entries.
//!
//! ## Sealed, not locked
//!
//! PostgreSQL: entries are inserted *unsealed*, without a `seq`, with the
//! entry as exported, by `insert_entries` in the caller's transaction, which
//! takes no lock another transaction waits for: audited transactions run
//! side by side, however long they last after the insert. A *sealer* chains
//! them once they are committed. The store's writer inserts its rows
//! unsealed too, unless its own process's sealer holds the lock: it then
//! chains them as it inserts them, in its own transaction, while that
//! sealer waits, so that each row is written once rather than inserted and
//! then sealed (the `UNIQUE (origin, seq)` index refuses them, and they go
//! in unsealed, should another sealer chain the origin meanwhile). One at a time per
//! table (it holds a session-level advisory lock on a connection of its
//! own), it reads the committed, unsealed rows in one deterministic order
//! (origin, time, id), chains each origin's after that origin's head, and
//! writes their `seq` and chained `entry_json` in one transaction. Every
//! `PostgresStore` runs a sealer unless its builder says `sealer(false)`;
//! those that do not hold the lock stand by, and one takes over within
//! [`SEAL_INTERVAL`](crate::postgres::SEAL_INTERVAL) of the holder's
//! connection ending (its process exited or was killed; for a host that
//! vanished, once the server's TCP keepalive notices). While a sealer runs,
//! a committed entry is sealed within `SEAL_INTERVAL` (200 ms) and one
//! sealing round, and at once when a flush waits for it: `flush` returns
//! once the entries it waited for are sealed (a flush that waits more than
//! 10 s says so in its error; the entries are stored all the same). A
//! rolled-back transaction leaves nothing to seal, so a chain has no gap.
//!
//! SQLite has one writer at a time whatever this crate does (a transaction
//! holds the database's write lock from its first write to its end), so
//! there an entry is chained as it is inserted, after its origin's head:
//! sealed at once.
//!
//! What sealing proves, and what it cannot. Once sealed, a row's content
//! and its place in its origin's chain are fixed as any chained line's, and
//! the checkpoints signed after it anchor them. A sealer chains whatever
//! committed, unsealed rows it finds: whoever can insert into the table can
//! add an entry that will be sealed like a genuine one, as whoever could
//! call `insert_entries` always could (a chain never said who wrote a row;
//! the database's privileges do: grant `INSERT` on the table to the
//! application's role alone). Until it is sealed, a row is covered by
//! nothing: `audit verify` reports each origin's unsealed rows (how many,
//! and the age of the oldest), not as tampering; rows that stay unsealed
//! mean that no sealer runs. A row with a `seq` but no origin is in no chain,
//! and reported as such.
//!
//! ## Verifying
//!
//! `verify_chain` on each store, for one origin (`origins` lists them), and
//! `audit verify sqlite:PATH` or `audit verify postgres://…`, for every
//! origin, check each chain's rows in `seq` order, and that the
//! columns queries filter on (id, time, actor, organization, resource type
//! and id, action, status, request id, flags, diff, additional fields,
//! `seq`, and the origin its first row names) say what each row's chained
//! entry says: a column edited beside an intact `entry_json` is reported
//! (`ColumnMismatch`), since a query on it would hide or misattribute the
//! entry. So is a row whose changed paths (what `field:` searches read) are
//! not its diff's; paths of no entry, a trigger, rule or view on the audit
//! tables that the store did not make, and (SQLite) indexes that fail
//! SQLite's integrity check fail verification with [`StoreError::Corrupt`].
//! A row moved to another origin leaves a gap in its chain. Rows written
//! before schema version 2 have no `seq` and no origin: they are counted, not
//! verified. The open that migrates a table of version 1 records their
//! number and the SHA-256 of their sorted ids in its chain at once (an entry
//! with the action [`UNCHAINED_ACTION`]); `audit verify --allow-unchained`
//! accepts unchained rows only when they are exactly the recorded ones (in a
//! record a checkpoint covers, when checkpoints are given), and reports any
//! row inserted later without a `seq`. In SQLite, which seals as it inserts,
//! a row naming an origin without a `seq` is unchained too. The one chain
//! of a store of schema version 2 becomes the chain of the origin its first
//! row names (or its latest purge record, when its first rows were purged).
//!
//! A retention purge removes the oldest rows of each origin's chain in
//! chain order (by `seq`, up to the first entry made at or after its cutoff,
//! never the head, so that an entry made earlier but sealed later stays and
//! the chain left is whole), then writes a [`Purge`] record into that chain
//! (through the store's writer for its own origin, so that its flush signs
//! a checkpoint after it): an entry with the
//! action `purge`, the resource type `audit_log`, the origin as resource id,
//! and `purged_through_seq` and `purged` in its additional fields; a store
//! with checkpoints signs it with their key ([`PURGE_SIGNATURE`]). The record
//! is chained, so the checkpoints after it sign the chain's new start.
//! Verification accepts a chain that starts after seq 1 only when a purge
//! record in it names the seq just before its first row and, with
//! checkpoints, a verified checkpoint covers that record and their key
//! signs it (whoever can write the database can run a purge; only the key's
//! holder signs one); anything else missing at the start is reported with
//! the first seq found. Without checkpoints, a purge record proves nothing,
//! and `audit verify` says that the start is unproven. A purge refuses to
//! delete rows whose `seq` or time column says something else than their
//! chained entry, deleting nothing: edited times would have it delete
//! recent entries.
//!
//! With the `checkpoints` feature, the builders' `checkpoints` makes the
//! store's writer sign the head of its origin's chain after committed (and,
//! on PostgreSQL, sealed) batches, as `chain::checkpoint::Checkpoints` says
//! when (every N entries, every interval), on every flush and when the store
//! is dropped, as the JSON-lines sink does; a failed checkpoint is returned
//! by the next flush as `ExportError::Checkpoint`. Rows that `insert_entries_from`
//! adds to the writer's origin are anchored by the writer's next checkpoint.
//! Keep the checkpoints elsewhere than the database.
//!
//! # In the caller's transaction
//!
//! An entry that must commit if and only if its change does is written with
//! the change's own transaction: audit into an [`Outbox`], then insert its
//! entries with `sqlite::insert_entries` or `postgres::insert_entries`.

mod audit_store;
mod cursor;
mod error;
#[cfg(feature = "viewer")]
pub(crate) mod facts;
mod page;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub mod postgres;
mod query;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub mod sqlite;

#[cfg(feature = "sql")]
pub(crate) mod batch;
#[cfg(feature = "sql")]
pub(crate) mod chain;
#[cfg(feature = "sql")]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub mod ingest;
#[cfg(feature = "sql")]
pub(crate) mod row;
#[cfg(feature = "sql")]
pub(crate) mod sql;

pub use self::audit_store::AuditStore;
#[cfg(feature = "sql")]
pub(crate) use self::audit_store::impl_audit_store;
#[cfg(feature = "sql")]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use self::chain::{
    DEFAULT_ORIGIN, PURGE_ACTION, PURGE_RESOURCE_TYPE, PURGE_SIGNATURE, Purge, StoreReport,
    UNCHAINED_ACTION, UnchainedRecord, Unsealed,
};
#[cfg(feature = "sql")]
pub(crate) use self::cursor::micros;
pub use self::cursor::{Cursor, CursorError};
pub use self::error::StoreError;
pub use self::page::{CappedCount, Page};
pub use self::query::{AuditQuery, COUNT_CAP, Condition, DEFAULT_LIMIT, MAX_LIMIT, StatusFilter};
pub use crate::sink::outbox::Outbox;

/// How many entries a retention purge deletes in one transaction: short
/// enough never to hold writers back for long (Coder's batch size).
pub const PURGE_BATCH: u32 = 1000;
