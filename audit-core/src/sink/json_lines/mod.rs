//! A durable sink: one JSON object per line, appended to a file by a
//! background writer ([`JsonLinesSink`]); and the reader that loads such a
//! file back ([`read`]).
//!
//! The sink's handle and builder are here; the bounded buffer between
//! callers and the writer is in `queue.rs`, the background thread in
//! `writer.rs`, the reader in `read.rs`.

mod queue;
mod read;
mod writer;

use std::cell::RefCell;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use self::queue::{Appended, Bound, FlushReply, Queue};
pub use self::read::{Contents, SkippedLine, read};
use self::writer::{Writer, open_for_append};
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
#[cfg(feature = "tokio")]
use crate::sink::ExportFuture;
use crate::{AuditEntry, AuditSink, ExportError};

/// How many bytes of serialized entries a [`JsonLinesSink`] holds for its
/// writer when none is set: 4 MiB, some 8,000 typical entries.
pub const DEFAULT_MAX_PENDING_BYTES: usize = 4 * 1024 * 1024;

/// How long [`export`](AuditSink::export) waits for room when none is set.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(10);

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
    queue: Arc<Queue>,
    writer: Option<JoinHandle<()>>,
    max_wait: Duration,
}

/// Configures a [`JsonLinesSink`].
#[derive(Debug)]
#[must_use = "the sink starts when the builder is opened"]
pub struct JsonLinesSinkBuilder {
    path: PathBuf,
    max_pending_bytes: usize,
    max_wait: Duration,
    origin: Option<String>,
    #[cfg(feature = "checkpoints")]
    checkpoints: Option<Checkpoints>,
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
            max_pending_bytes: DEFAULT_MAX_PENDING_BYTES,
            max_wait: DEFAULT_MAX_WAIT,
            origin: None,
            #[cfg(feature = "checkpoints")]
            checkpoints: None,
        }
    }
}

impl JsonLinesSinkBuilder {
    /// How many bytes of serialized entries may wait for the writer before
    /// exporters wait for room; at least 1. An entry larger than this is
    /// taken alone.
    pub fn max_pending_bytes(mut self, bytes: usize) -> Self {
        self.max_pending_bytes = bytes.max(1);
        self
    }

    /// How long [`export`](AuditSink::export) waits for room before it
    /// returns [`ExportError::QueueFull`] with the entry: `Duration::ZERO`
    /// never waits, `Duration::MAX` waits as long as it takes. The async
    /// `export_async` always awaits room.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The name a new chain is started with, which its first entry and every
    /// checkpoint repeat: a stable name for the log, such as `prod-eu/api`.
    /// By default, the file's name. A log that already has a chain keeps it.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Signs checkpoints of the chain's head, as `checkpoints` says when, and
    /// on every flush and when the sink is dropped.
    #[cfg(feature = "checkpoints")]
    pub fn checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.checkpoints = Some(checkpoints);
        self
    }

    /// Opens the file and starts the writer.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened for appending, or the writer thread
    /// cannot be started.
    pub fn open(self) -> io::Result<JsonLinesSink> {
        let file = open_for_append(&self.path)?;
        let queue = Arc::new(Queue::new(self.max_pending_bytes));
        let origin = self.origin.unwrap_or_else(|| {
            self.path.file_name().map_or_else(
                || self.path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            )
        });
        let writer = Writer::new(self.path, file, Arc::clone(&queue), origin);
        #[cfg(feature = "checkpoints")]
        let writer = writer.with_checkpoints(self.checkpoints);
        let writer = std::thread::Builder::new()
            .name("audit-json-lines".to_owned())
            .spawn(move || writer.run())?;
        Ok(JsonLinesSink {
            queue,
            writer: Some(writer),
            max_wait: self.max_wait,
        })
    }
}

thread_local! {
    /// The buffer each thread serializes its entries into, reused.
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Serializes `entry` as one line and calls `with` on it, through the
/// thread's reusable buffer.
fn with_line<R>(entry: &AuditEntry, with: impl FnOnce(&[u8]) -> R) -> Result<R, serde_json::Error> {
    fn serialize(line: &mut Vec<u8>, entry: &AuditEntry) -> Result<(), serde_json::Error> {
        line.clear();
        serde_json::to_writer(&mut *line, entry)?;
        line.push(b'\n');
        Ok(())
    }
    // Re-entered (a serializer that exports), or during thread teardown,
    // the thread's buffer is unavailable: a fresh one is used.
    let mut with = Some(with);
    let mut call = |line: &[u8]| with.take().map(|with| with(line));
    let reused = LINE.try_with(|line| {
        let mut line = line.try_borrow_mut().ok()?;
        let result = serialize(&mut line, entry).map(|()| call(&line));
        // A rare huge entry does not keep its buffer forever.
        if line.capacity() > queue::BATCH {
            *line = Vec::new();
        }
        Some(result)
    });
    if let Ok(Some(result)) = reused
        && let Some(result) = result?
    {
        return Ok(result);
    }
    let mut line = Vec::new();
    serialize(&mut line, entry)?;
    call(&line).ok_or_else(|| serde_json::Error::io(io::Error::other("serialized twice")))
}

/// An entry that cannot be serialized can be written nowhere; the caller is
/// told (`Write`, one entry).
fn unserializable(error: serde_json::Error) -> ExportError {
    ExportError::Write {
        failed: 1,
        source: io::Error::other(error),
    }
}

/// The result of an export, from what became of its line.
fn exported(appended: Appended, entry: AuditEntry) -> Result<(), ExportError> {
    match appended {
        Appended::Yes => Ok(()),
        Appended::Full => Err(ExportError::QueueFull(Box::new(entry))),
        Appended::Stopped => Err(ExportError::Closed(Box::new(entry))),
    }
}

impl AuditSink for JsonLinesSink {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        let appended = with_line(&entry, |line| {
            match self.queue.try_append(line, Bound::Respect) {
                Appended::Full if !self.max_wait.is_zero() => {
                    let deadline = Instant::now().checked_add(self.max_wait);
                    self.queue.append_waiting(line, deadline)
                }
                appended => appended,
            }
        })
        .map_err(unserializable)?;
        exported(appended, entry)
    }

    fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        let appended = with_line(&entry, |line| self.queue.try_append(line, Bound::Exceed))
            .map_err(unserializable)?;
        exported(appended, entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        let (reply, result) = std::sync::mpsc::sync_channel(1);
        self.queue
            .flush(FlushReply::Blocking(reply))
            .map_err(|_| ExportError::Stopped)?;
        result.recv().unwrap_or(Err(ExportError::Stopped))
    }

    #[cfg(feature = "tokio")]
    fn export_async(&self, entry: AuditEntry) -> ExportFuture<'_> {
        // The fast path, with room: no copy of the line, nothing to await.
        let appended = with_line(&entry, |line| {
            match self.queue.try_append(line, Bound::Respect) {
                Appended::Full => Err(line.to_vec()),
                appended => Ok(appended),
            }
        });
        let line = match appended {
            Err(error) => return Box::pin(std::future::ready(Err(unserializable(error)))),
            Ok(Ok(appended)) => return Box::pin(std::future::ready(exported(appended, entry))),
            Ok(Err(line)) => line,
        };
        Box::pin(async move {
            let mut waiting = WaitingLine {
                queue: &self.queue,
                line,
            };
            let appended = self.queue.append_async(&waiting.line).await;
            waiting.line.clear();
            exported(appended, entry)
        })
    }

    #[cfg(feature = "tokio")]
    fn flush_async(&self) -> ExportFuture<'_> {
        let (reply, result) = tokio::sync::oneshot::channel();
        if self.queue.flush(FlushReply::Async(reply)).is_err() {
            return Box::pin(std::future::ready(Err(ExportError::Stopped)));
        }
        Box::pin(async move { result.await.unwrap_or(Err(ExportError::Stopped)) })
    }
}

/// A line awaiting room. If its export is dropped before there is room, the
/// line goes in anyway, beyond the bound: a cancelled export loses nothing.
#[cfg(feature = "tokio")]
struct WaitingLine<'a> {
    queue: &'a Queue,
    /// Emptied once the line is in.
    line: Vec<u8>,
}

#[cfg(feature = "tokio")]
impl Drop for WaitingLine<'_> {
    fn drop(&mut self) {
        if !self.line.is_empty()
            && self.queue.try_append(&self.line, Bound::Exceed) != Appended::Yes
        {
            let error = io::Error::other("the audit log writer stopped");
            crate::sink::deliver::report_lines(Path::new("the audit log"), 1, &error, &self.line);
        }
    }
}

impl Drop for JsonLinesSink {
    fn drop(&mut self) {
        // The writer writes, syncs and reports what is left, then stops.
        self.queue.close();
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            crate::sink::deliver::report_error(&ExportError::Stopped);
        }
    }
}

impl std::fmt::Debug for JsonLinesSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLinesSink")
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}
