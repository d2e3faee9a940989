//! A durable sink: one JSON object per line, appended to a file by a
//! background writer ([`JsonLinesSink`]); and the reader that loads such a
//! file back ([`read`]).
//!
//! The sink's handle and builder are here; what it gives the
//! writer engine (`crate::writer`: its lines, and how they are chained,
//! written and synced) is in `lines.rs`, how callers hand it their lines in
//! `line_writer.rs` (which the Kafka sink shares), the reader in `read.rs`.

pub(crate) mod line_writer;
pub(crate) mod lines;
mod read;

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use self::line_writer::LineWriter;
use self::lines::{BATCH, LinesBatch, open_for_append};
pub use self::read::{Contents, SkippedLine, read};
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::entry::AuditEntry;
use crate::sink::AuditSink;
#[cfg(feature = "tokio")]
use crate::sink::ExportFuture;
use crate::sink::error::ExportError;
use crate::writer::{Writer, WriterConfig};

/// How many bytes of serialized entries a [`JsonLinesSink`] holds for its
/// writer when none is set: 4 MiB, some 8,000 typical entries.
pub const DEFAULT_MAX_PENDING_BYTES: usize = 4 * 1024 * 1024;

/// How long [`export`](AuditSink::export) waits for room when none is set.
pub const DEFAULT_MAX_WAIT: Duration = crate::writer::DEFAULT_MAX_WAIT;

/// How long a line may wait for a batch to fill before it is written anyway.
const LINGER: Duration = Duration::from_millis(10);

/// Appends each entry as one line of JSON to a file, written by a background
/// thread.
///
/// - The caller serializes its entry (into a reusable per-thread buffer) and
///   appends the line to a shared buffer; the writer thread takes every line
///   at once and writes them with one call, so that a burst costs a write
///   per 64 KiB, not per entry. A line waits at most 10 ms for a batch to
///   fill before it is written anyway.
/// - The buffer is bounded ([`DEFAULT_MAX_PENDING_BYTES`]). When the disk
///   cannot keep up and it is full, the caller waits: [`export`](AuditSink::export)
///   blocks its thread for up to [`DEFAULT_MAX_WAIT`], then returns
///   [`ExportError::QueueFull`] with the entry;
///   `export_async` (feature `tokio`) awaits room
///   as long as it takes, without blocking a worker thread. Async code should
///   use it, through `AuditRequest::commit_async`.
/// - A caller that cannot wait, such as a guard dropped uncommitted, goes
///   beyond the bound: its entry is never lost for lack of room.
/// - [`flush`](AuditSink::flush) (and `flush_async`)
///   returns once every entry exported before it is written and synced to
///   disk, or with the write error if one was not. Entries that could not be
///   written (disk full, file removed) are written to standard error, one line
///   of JSON each, when the write fails: nobody else could be handed them.
/// - Dropping the sink writes and syncs what is left, blocking until it is
///   done; a failure then is written to standard error with the lost entries.
/// - A process killed mid-write leaves every flushed entry intact and at
///   most one partial last line, which [`read`] skips and reports.
/// - Every line is [hash-chained](crate::chain) to the one before, by the
///   writer thread, which decides the order of the lines: `audit verify`
///   tells whether an entry was edited, removed, inserted or reordered. The
///   chain continues across restarts from the file's last entry; a partial
///   last line is accounted for by the next entry. With the `checkpoints`
///   feature, `JsonLinesSinkBuilder::checkpoints` also signs the chain's
///   head, periodically and on every flush. One sink, in one process, writes
///   a file: two would interleave their chains, which `audit verify` reports
///   as reordered entries.
///
/// ```
/// use audit_core::{Action, Auditable, AuditSink, BackgroundAudit, JsonLinesSink, json_lines};
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
/// let path = dir.path().join("audit.jsonl");
/// let sink = JsonLinesSink::open(&path)?;
/// let old = Chat { id: 1, archived: false };
/// BackgroundAudit::new(&sink, "chat_auto_archive").write(&old, &Chat { archived: true, ..old.clone() })?;
/// sink.flush()?;
///
/// let log = json_lines::read(&path)?;
/// assert_eq!(log.entries.len(), 1);
/// assert!(log.entries[0].diff.contains("archived"));
/// assert!(log.skipped.is_empty());
/// # Ok(())
/// # }
/// ```
pub struct JsonLinesSink {
    writer: LineWriter,
}

/// Configures a [`JsonLinesSink`].
#[derive(Debug)]
#[must_use = "the sink starts when the builder is opened"]
pub struct JsonLinesSinkBuilder {
    path: PathBuf,
    writer: WriterConfig,
}

impl JsonLinesSink {
    /// Appends to the file at `path`, creating it if needed, with the
    /// defaults: [`DEFAULT_MAX_PENDING_BYTES`] and [`DEFAULT_MAX_WAIT`].
    ///
    /// # Errors
    ///
    /// When the file cannot be opened for appending.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        JsonLinesSink::builder(path).open()
    }

    /// Configures a sink for the file at `path`.
    pub fn builder(path: impl AsRef<Path>) -> JsonLinesSinkBuilder {
        JsonLinesSinkBuilder {
            path: path.as_ref().to_owned(),
            writer: WriterConfig::new("audit-json-lines", DEFAULT_MAX_PENDING_BYTES, BATCH, LINGER),
        }
    }
}

impl JsonLinesSinkBuilder {
    /// How many bytes of serialized entries may wait for the writer before
    /// exporters wait for room; at least 1. An entry larger than this is
    /// taken alone.
    pub fn max_pending_bytes(mut self, bytes: usize) -> Self {
        self.writer.capacity = bytes.max(1);
        self
    }

    /// How long [`export`](AuditSink::export) waits for room before it
    /// returns [`ExportError::QueueFull`] with the entry: `Duration::ZERO`
    /// never waits, `Duration::MAX` waits as long as it takes. The async
    /// `export_async` always awaits room.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.writer.max_wait = wait;
        self
    }

    /// The name a new chain is started with, which its first entry and every
    /// checkpoint repeat: a stable name for the log, such as `prod-eu/api`.
    /// By default, the file's name. A log that already has a chain keeps it.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.writer.origin = Some(origin.into());
        self
    }

    /// Signs checkpoints of the chain's head, as `checkpoints` says when, and
    /// on every flush and when the sink is dropped.
    #[cfg(feature = "checkpoints")]
    #[cfg_attr(docsrs, doc(cfg(feature = "checkpoints")))]
    pub fn checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.writer.checkpoints = Some(checkpoints);
        self
    }

    /// Opens the file and starts the writer.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened for appending, or the writer thread
    /// cannot be started.
    pub fn open(mut self) -> io::Result<JsonLinesSink> {
        let file = open_for_append(&self.path)?;
        let origin = self.writer.origin.take().unwrap_or_else(|| {
            self.path.file_name().map_or_else(
                || self.path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            )
        });
        #[cfg_attr(not(feature = "checkpoints"), allow(unused_mut))]
        let mut batch = LinesBatch::new(self.path, file, origin);
        #[cfg(feature = "checkpoints")]
        {
            batch.signer = self.writer.signer();
        }
        Ok(JsonLinesSink {
            writer: LineWriter::new(Writer::spawn(self.writer, batch)?),
        })
    }
}

impl AuditSink for JsonLinesSink {
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
    fn export_async(&self, entry: AuditEntry) -> ExportFuture<'_> {
        self.writer.export_async(entry)
    }

    #[cfg(feature = "tokio")]
    fn flush_async(&self) -> ExportFuture<'_> {
        self.writer.flush_async()
    }
}

impl std::fmt::Debug for JsonLinesSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLinesSink")
            .field("writer", &self.writer)
            .finish_non_exhaustive()
    }
}
