//! What both stores give the [writer engine](crate::writer): the entries
//! their callers queue ([`Entries`]), and how a batch of them becomes rows
//! written in one transaction ([`RowsBatch`]) by a backend ([`WriteRows`]).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::chain::Head;
use crate::entry::AuditEntry;
use crate::sink::deliver;
use crate::sink::error::ExportError;
use crate::store::row::EntryRow;
pub(crate) use crate::writer::BoxError;
use crate::writer::{Batch, Lost, Pending, Refused, Writer, WriterConfig};

/// How a store writes rows.
pub(crate) trait WriteRows: Send + 'static {
    /// Writes every row in one transaction: all of them, or none. Returns
    /// the chain's head once the transaction committed.
    ///
    /// # Errors
    ///
    /// When the transaction did not commit.
    fn write(&mut self, rows: &[EntryRow<'_>]) -> Result<Option<Head>, BoxError>;

    /// The origin a new chain starts with, which checkpoints name.
    fn origin(&self) -> &str;

    /// Whether rows are sealed after they commit, by a sealer, rather than
    /// chained as they are written: a flush then waits for [`await_sealed`](WriteRows::await_sealed).
    const SEALS_LATER: bool = false;

    /// Waits until the rows of `ids`, written and committed, are sealed
    /// into the chain (a store that chains rows as it writes them has
    /// nothing to wait for); the chain's head then.
    ///
    /// # Errors
    ///
    /// When the rows are not sealed within the store's bound: they are
    /// stored all the same.
    fn await_sealed(&mut self, ids: &[uuid::Uuid]) -> Result<Option<Head>, BoxError> {
        let _ = ids;
        Ok(None)
    }

    /// Called after a failed write, before it is retried once: forget a
    /// broken connection, so that the retry makes a new one.
    fn reset(&mut self) {}
}

/// The settings of a store's writer: its name, and the defaults its builder
/// starts from.
pub(crate) fn writer_config(
    name: &'static str,
    capacity: usize,
    batch_size: usize,
) -> WriterConfig {
    // No linger: a transaction takes what is queued at once; a busy queue
    // fills batches by itself.
    WriterConfig::new(name, capacity, batch_size, Duration::ZERO)
}

/// The builder methods that set a store's [`WriterConfig`], written once for
/// the builders that hold one in a field named `writer`. `$default_origin`
/// says, in the docs, what the origin is when none is set.
macro_rules! writer_builder_methods {
    ($default_origin:literal) => {
        /// How many entries may wait for the writer; at least 1. When the queue
        /// is full, `export` waits for room for up to [`max_wait`](Self::max_wait),
        /// then returns the entry in [`ExportError::QueueFull`];
        /// `export_without_waiting` (a guard dropped uncommitted) queues it
        /// beyond the capacity; `export_async` awaits room.
        pub fn capacity(mut self, capacity: usize) -> Self {
            self.writer.capacity = capacity.max(1);
            self
        }

        /// How long `export` waits for room in a full queue before it returns the
        /// entry: [`DEFAULT_MAX_WAIT`] when not set. `Duration::ZERO` never
        /// waits, `Duration::MAX` waits as long as it takes.
        pub fn max_wait(mut self, wait: Duration) -> Self {
            self.writer.max_wait = wait;
            self
        }

        /// The most entries the writer commits in one transaction; at least 1.
        pub fn batch_size(mut self, batch_size: usize) -> Self {
            self.writer.batch = batch_size.max(1);
            self
        }

        /// The writer's origin: the name of its hash chain, which the chain's
        /// first entry repeats, such as `prod-eu/api-3`. A store holds one
        /// chain per origin: give each writer of one store (each instance of
        /// a service) its own, and each verifies on its own. By
        #[doc = concat!("default, ", $default_origin, ".")]
        pub fn origin(mut self, origin: impl Into<String>) -> Self {
            self.writer.origin = Some(origin.into());
            self
        }

        /// Signs checkpoints of the chain's head once the writer's batches are
        /// committed, as `checkpoints` says when, and on every flush and when
        /// the store is dropped. A checkpoint that fails is returned by the next
        /// flush as [`ExportError::Checkpoint`].
        /// The head is the one of the writer's origin after its last flush
        /// or batch: rows that `insert_entries` adds to the same origin are
        /// covered by the writer's next checkpoint.
        #[cfg(feature = "checkpoints")]
        #[cfg_attr(docsrs, doc(cfg(feature = "checkpoints")))]
        pub fn checkpoints(mut self, checkpoints: Checkpoints) -> Self {
            self.writer.checkpoints = Some(checkpoints);
            self
        }
    };
}
pub(crate) use writer_builder_methods;

/// The entries callers queued for a store's writer.
#[derive(Default)]
pub(crate) struct Entries(Vec<AuditEntry>);

impl Pending for Entries {
    type Item<'a> = AuditEntry;

    fn weight(_: &AuditEntry) -> usize {
        1
    }

    fn push(&mut self, entry: AuditEntry) {
        self.0.push(entry);
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn report(&self, name: &str, error: &dyn std::error::Error) {
        deliver::report_entries(&name, &self.0, error);
    }
}

/// Entries whose batch failed, kept for `take_unwritten`, up to a limit.
pub(crate) struct Unwritten {
    entries: Mutex<Vec<AuditEntry>>,
    limit: usize,
}

impl Unwritten {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<AuditEntry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Writes batches of entries as rows, a transaction per `batch_size` rows,
/// retrying a failed transaction once.
pub(crate) struct RowsBatch<W> {
    name: &'static str,
    rows: W,
    batch_size: usize,
    unwritten: Arc<Unwritten>,
    /// The chain's head after the last committed transaction.
    head: Option<Head>,
    /// The ids committed since the last sync, which a sync waits to see sealed.
    awaiting: Vec<uuid::Uuid>,
}

impl<W: WriteRows> RowsBatch<W> {
    /// Writes `entries` in one transaction, retried once on a fresh
    /// connection; when that fails too, they are lost.
    fn write_chunk(&mut self, entries: &[AuditEntry]) -> Result<(), Lost> {
        let mut rows = Vec::with_capacity(entries.len());
        let mut lost = None;
        for entry in entries {
            match EntryRow::new(entry) {
                Ok(row) => rows.push(row),
                Err(error) => {
                    let failed = self.fail(std::slice::from_ref(entry), Box::new(error));
                    merge(&mut lost, failed);
                }
            }
        }
        if rows.is_empty() {
            return lost.map_or(Ok(()), Err);
        }
        let first = match self.rows.write(&rows) {
            Ok(head) => {
                self.committed(head, &rows);
                return lost.map_or(Ok(()), Err);
            }
            Err(first) => first,
        };
        self.rows.reset();
        let error = match self.rows.write(&rows) {
            Ok(head) => {
                self.committed(head, &rows);
                return lost.map_or(Ok(()), Err);
            }
            Err(error) => error,
        };
        self.rows.reset();
        let failed: Vec<AuditEntry> = rows.iter().map(|row| row.entry.clone()).collect();
        let error: BoxError = if error.to_string() == first.to_string() {
            error
        } else {
            Box::new(Retried { error, first })
        };
        merge(&mut lost, self.fail(&failed, error));
        lost.map_or(Ok(()), Err)
    }

    fn committed(&mut self, head: Option<Head>, rows: &[EntryRow<'_>]) {
        if head.is_some() {
            // Chained as they were written: nothing to wait for.
            self.head = head;
        } else if W::SEALS_LATER {
            self.awaiting.extend(rows.iter().map(|row| row.entry.id));
        }
    }

    /// `entries` were not written: they go to standard error at once, so
    /// that a process stopped before anyone asks loses none of them, and are
    /// kept for `take_unwritten` up to a limit.
    fn fail(&mut self, entries: &[AuditEntry], error: BoxError) -> Lost {
        deliver::report_entries(&self.name, entries, &*error);
        let mut unwritten = self.unwritten.lock();
        let room = self.unwritten.limit.saturating_sub(unwritten.len());
        unwritten.extend(entries.iter().take(room).cloned());
        Lost {
            count: entries.len(),
            source: error,
        }
    }
}

/// Adds `more` to the entries lost so far, keeping the first error.
/// A write that failed twice, differently: says both, and is caused by the
/// retry's error, kept typed for [`ExportError::source`].
#[derive(Debug)]
struct Retried {
    error: BoxError,
    first: BoxError,
}

impl std::fmt::Display for Retried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (first attempt: {})", self.error, self.first)
    }
}

impl std::error::Error for Retried {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.error)
    }
}

fn merge(lost: &mut Option<Lost>, more: Lost) {
    match lost {
        Some(lost) => lost.count += more.count,
        None => *lost = Some(more),
    }
}

impl<W: WriteRows> Batch for RowsBatch<W> {
    type Pending = Entries;

    fn write(&mut self, entries: &mut Entries) -> Result<(), Lost> {
        let mut lost = None;
        for chunk in entries.0.chunks(self.batch_size) {
            if let Err(more) = self.write_chunk(chunk) {
                merge(&mut lost, more);
            }
        }
        // Without flushes, the ids to wait for stay bounded: past the bound,
        // the writer waits for its rows to be sealed before it goes on.
        if self.awaiting.len() >= AWAITING_LIMIT
            && let Err(source) = self.settle()
        {
            // Nothing is lost: the rows are stored, for a sealer to chain.
            deliver::report_error(&ExportError::Unsealed { source });
        }
        lost.map_or(Ok(()), Err)
    }

    /// Waits until what was committed is sealed: a flush returns once its
    /// entries are in the chain. Rows not sealed in time are stored all the
    /// same: the flush's error says so.
    fn settle(&mut self) -> Result<(), BoxError> {
        if self.awaiting.is_empty() {
            return Ok(());
        }
        let awaiting = std::mem::take(&mut self.awaiting);
        let head = self.rows.await_sealed(&awaiting)?;
        if head.is_some() {
            self.head = head;
        }
        Ok(())
    }

    fn head(&self) -> Option<Head> {
        self.head
    }

    fn origin(&self) -> &str {
        self.rows.origin()
    }
}

/// How many committed ids a writer keeps to wait for before it waits for
/// them to be sealed without a flush asking.
const AWAITING_LIMIT: usize = 100_000;

/// A store's handle on its writer, and the entries it could not write.
pub(crate) struct StoreWriter {
    writer: Writer<Entries>,
    unwritten: Arc<Unwritten>,
}

/// The result of an export, from what became of its entry.
fn exported(appended: Result<(), Refused<AuditEntry>>) -> Result<(), ExportError> {
    appended.map_err(|refused| refused.why.into_error(refused.item))
}

impl StoreWriter {
    /// Starts the writer thread, which writes with `rows`.
    pub(crate) fn spawn<W: WriteRows>(config: WriterConfig, rows: W) -> std::io::Result<Self> {
        let unwritten = Arc::new(Unwritten {
            entries: Mutex::new(Vec::new()),
            limit: config.capacity.max(1),
        });
        let batch = RowsBatch {
            name: config.name,
            rows,
            batch_size: config.batch.max(1),
            unwritten: Arc::clone(&unwritten),
            head: None,
            awaiting: Vec::new(),
        };
        Ok(StoreWriter {
            writer: Writer::spawn(config, batch)?,
            unwritten,
        })
    }

    pub(crate) fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        exported(self.writer.append(entry))
    }

    pub(crate) fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        exported(self.writer.append_without_waiting(entry))
    }

    #[cfg(feature = "tokio")]
    pub(crate) async fn export_async(&self, entry: AuditEntry) -> Result<(), ExportError> {
        exported(self.writer.append_async(entry).await)
    }

    pub(crate) fn flush(&self) -> Result<(), ExportError> {
        self.writer.flush()
    }

    #[cfg(feature = "tokio")]
    pub(crate) fn flush_async(
        &self,
    ) -> impl std::future::Future<Output = Result<(), ExportError>> + Send + 'static {
        self.writer.flush_async()
    }

    /// The entries the writer could not write since the last call.
    pub(crate) fn take_unwritten(&self) -> Vec<AuditEntry> {
        std::mem::take(&mut *self.unwritten.lock())
    }
}
