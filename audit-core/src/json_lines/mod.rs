//! A durable sink: one JSON object per line, appended to a file by a
//! background writer ([`JsonLinesSink`]); and the reader that loads such a
//! file back ([`read`]).
//!
//! The sink's handle and builder are here; the background thread is in
//! `writer.rs`, the reader in `read.rs`.

mod read;
mod writer;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

pub use self::read::{Contents, SkippedLine, read};
use self::writer::{Message, Writer, open_for_append};
use crate::{AuditEntry, AuditSink, ExportError};

/// The number of entries a [`JsonLinesSink`] queues when none is set.
pub const DEFAULT_CAPACITY: usize = 4096;

/// Appends each entry as one line of JSON to a file, from a background
/// thread, so that [`export`](AuditSink::export) never waits for the disk.
///
/// - [`flush`](AuditSink::flush) returns once every entry exported before it is
///   written and synced to disk, or with the write error if one was not.
/// - The queue is bounded. When the writer falls behind, `export` returns
///   [`ExportError::QueueFull`] with the entry, or, if the sink was built
///   with [`block_when_full`](JsonLinesSinkBuilder::block_when_full),
///   waits for room: it never grows without bound and never drops an entry
///   silently.
/// - Write errors (disk full, file removed) are returned by the next `flush`
///   and reported through `tracing`.
/// - Dropping the sink writes and syncs what is queued.
/// - A process killed mid-write leaves every flushed entry intact and at
///   most one partial last line, which [`read`] skips and reports.
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
    sender: Option<SyncSender<Message>>,
    writer: Option<JoinHandle<()>>,
    block_when_full: bool,
}

/// Configures a [`JsonLinesSink`].
#[derive(Clone, Debug)]
#[must_use = "the sink starts when the builder is opened"]
pub struct JsonLinesSinkBuilder {
    path: PathBuf,
    capacity: usize,
    block_when_full: bool,
}

impl JsonLinesSink {
    /// Appends to the file at `path`, creating it if needed, with the
    /// default queue of [`DEFAULT_CAPACITY`] entries.
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
            capacity: DEFAULT_CAPACITY,
            block_when_full: false,
        }
    }

    fn send_flush(&self) -> Result<Receiver<Result<(), ExportError>>, ExportError> {
        let (reply, result) = mpsc::sync_channel(1);
        self.sender
            .as_ref()
            .ok_or(())
            .and_then(|sender| sender.send(Message::Flush(reply)).map_err(drop))
            .map_err(|()| writer_stopped())?;
        Ok(result)
    }
}

impl JsonLinesSinkBuilder {
    /// How many entries may wait for the writer; at least 1.
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// When the queue is full, make `export` wait for room instead of
    /// returning [`ExportError::QueueFull`].
    pub fn block_when_full(mut self, block: bool) -> Self {
        self.block_when_full = block;
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
        let (sender, receiver) = mpsc::sync_channel(self.capacity);
        let writer = Writer::new(self.path, file);
        let writer = std::thread::Builder::new()
            .name("audit-json-lines".to_owned())
            .spawn(move || writer.run(&receiver))?;
        Ok(JsonLinesSink {
            sender: Some(sender),
            writer: Some(writer),
            block_when_full: self.block_when_full,
        })
    }
}

impl AuditSink for JsonLinesSink {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        let Some(sender) = &self.sender else {
            return Err(ExportError::Closed(Box::new(entry)));
        };
        let message = Message::Entry(Box::new(entry));
        let returned = if self.block_when_full {
            sender.send(message).map_err(|error| (error.0, false))
        } else {
            sender.try_send(message).map_err(|error| match error {
                TrySendError::Full(message) => (message, true),
                TrySendError::Disconnected(message) => (message, false),
            })
        };
        match returned {
            Ok(()) => Ok(()),
            Err((Message::Entry(entry), true)) => Err(ExportError::QueueFull(entry)),
            Err((Message::Entry(entry), false)) => Err(ExportError::Closed(entry)),
            Err((Message::Flush(_), _)) => Err(writer_stopped()),
        }
    }

    fn flush(&self) -> Result<(), ExportError> {
        self.send_flush()?
            .recv()
            .unwrap_or_else(|_| Err(writer_stopped()))
    }
}

impl Drop for JsonLinesSink {
    fn drop(&mut self) {
        // Closing the queue makes the writer write, sync and report what is left.
        drop(self.sender.take());
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            crate::entry::report_lost(&writer_stopped());
        }
    }
}

impl std::fmt::Debug for JsonLinesSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLinesSink")
            .field("block_when_full", &self.block_when_full)
            .finish_non_exhaustive()
    }
}

fn writer_stopped() -> ExportError {
    ExportError::Stopped
}
