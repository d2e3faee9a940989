//! A durable sink: one JSON object per line, appended to a file by a
//! background writer; and the reader that loads such a file back.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use crate::{AuditLog, Auditor, ExportError};

/// The number of entries a [`JsonLinesAuditor`] queues when none is set.
pub const DEFAULT_CAPACITY: usize = 4096;

/// Appends each entry as one line of JSON to a file, from a background
/// thread, so that [`export`](Auditor::export) never waits for the disk.
///
/// - [`flush`](Auditor::flush) returns once every entry exported before it is
///   written and synced to disk, or with the write error if one was not.
/// - The queue is bounded. When the writer falls behind, `export` returns
///   [`ExportError::QueueFull`] with the entry, or, if the auditor was built
///   with [`block_when_full`](JsonLinesAuditorBuilder::block_when_full),
///   waits for room: it never grows without bound and never drops an entry
///   silently.
/// - Write errors (disk full, file removed) are returned by the next `flush`
///   and reported through `tracing`.
/// - Dropping the auditor writes and syncs what is queued.
/// - A process killed mid-write leaves every flushed entry intact and at
///   most one partial last line, which [`read_json_lines`] skips and reports.
///
/// ```
/// use audit_core::{Action, Auditable, Auditor, BackgroundAudit, JsonLinesAuditor, read_json_lines};
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
/// let auditor = JsonLinesAuditor::open(&path)?;
/// let old = Chat { id: 1, archived: false };
/// BackgroundAudit::new(&auditor, "chat_auto_archive").write(&old, &Chat { archived: true, ..old.clone() })?;
/// auditor.flush()?;
///
/// let log = read_json_lines(&path)?;
/// assert_eq!(log.entries.len(), 1);
/// assert!(log.entries[0].diff.contains("archived"));
/// assert!(log.skipped.is_empty());
/// # Ok(())
/// # }
/// ```
pub struct JsonLinesAuditor {
    sender: Option<SyncSender<Message>>,
    writer: Option<JoinHandle<()>>,
    block_when_full: bool,
}

/// Configures a [`JsonLinesAuditor`].
#[derive(Clone, Debug)]
#[must_use = "the auditor starts when the builder is opened"]
pub struct JsonLinesAuditorBuilder {
    path: PathBuf,
    capacity: usize,
    block_when_full: bool,
}

enum Message {
    Entry(Box<AuditLog>),
    Flush(SyncSender<Result<(), ExportError>>),
}

impl JsonLinesAuditor {
    /// Appends to the file at `path`, creating it if needed, with the
    /// default queue of [`DEFAULT_CAPACITY`] entries.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened for appending.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        JsonLinesAuditor::builder(path).open()
    }

    /// Configures an auditor for the file at `path`.
    pub fn builder(path: impl AsRef<Path>) -> JsonLinesAuditorBuilder {
        JsonLinesAuditorBuilder {
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

impl JsonLinesAuditorBuilder {
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
    pub fn open(self) -> io::Result<JsonLinesAuditor> {
        let file = open_for_append(&self.path)?;
        let (sender, receiver) = mpsc::sync_channel(self.capacity);
        let writer = Writer::new(self.path, file);
        let writer = std::thread::Builder::new()
            .name("audit-json-lines".to_owned())
            .spawn(move || writer.run(&receiver))?;
        Ok(JsonLinesAuditor {
            sender: Some(sender),
            writer: Some(writer),
            block_when_full: self.block_when_full,
        })
    }
}

impl Auditor for JsonLinesAuditor {
    fn export(&self, entry: AuditLog) -> Result<(), ExportError> {
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

impl Drop for JsonLinesAuditor {
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

impl std::fmt::Debug for JsonLinesAuditor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLinesAuditor")
            .field("block_when_full", &self.block_when_full)
            .finish_non_exhaustive()
    }
}

fn writer_stopped() -> ExportError {
    ExportError::Write {
        failed: 0,
        source: io::Error::other("the audit log writer stopped"),
    }
}

/// Opens `path` for appending. A file left with a partial last line by a
/// crash gets a newline first, so that the next entry starts a line of its own.
fn open_for_append(path: &Path) -> io::Result<File> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
        }
    }
    Ok(file)
}

/// Syncs `file` to disk. A pipe or device that cannot be synced (`EINVAL`)
/// has nothing to sync.
fn sync_data(file: &File) -> io::Result<()> {
    match file.sync_data() {
        Err(error) if error.kind() == io::ErrorKind::InvalidInput => Ok(()),
        result => result,
    }
}

/// How many bytes of entries the writer gathers before writing them out.
const BUFFER_SIZE: usize = 64 * 1024;

/// The background thread's state.
struct Writer {
    path: PathBuf,
    file: File,
    /// Lines not yet written to the file.
    pending: Vec<u8>,
    /// Entries not yet confirmed on disk: pending, or written but not synced.
    unsynced: usize,
    /// After a failed write the file may end inside a line: the next entry
    /// starts a line of its own.
    needs_newline: bool,
    /// Entries lost since the last flush, and the first error.
    failure: Option<(usize, io::Error)>,
}

impl Writer {
    fn new(path: PathBuf, file: File) -> Self {
        Writer {
            path,
            file,
            pending: Vec::with_capacity(BUFFER_SIZE),
            unsynced: 0,
            needs_newline: false,
            failure: None,
        }
    }

    fn run(mut self, receiver: &Receiver<Message>) {
        for message in receiver {
            match message {
                Message::Entry(entry) => self.write(&entry),
                Message::Flush(reply) => {
                    let result = self.sync();
                    // The flusher may have given up waiting; nothing to tell then.
                    let _ = reply.send(result);
                }
            }
        }
        if let Err(error) = self.sync() {
            crate::entry::report_lost(&error);
        }
    }

    fn write(&mut self, entry: &AuditLog) {
        if self.needs_newline {
            self.pending.push(b'\n');
            self.needs_newline = false;
        }
        let start = self.pending.len();
        if let Err(error) = serde_json::to_writer(&mut self.pending, entry) {
            self.pending.truncate(start);
            self.fail(1, io::Error::other(error));
            return;
        }
        self.pending.push(b'\n');
        self.unsynced += 1;
        if self.pending.len() >= BUFFER_SIZE {
            let written = self.write_pending();
            if let Err(error) = written {
                self.fail_unsynced(error);
            }
        }
    }

    fn write_pending(&mut self) -> io::Result<()> {
        let written = self.file.write_all(&self.pending);
        self.pending.clear();
        written
    }

    /// Writes out what is pending and syncs the file; the errors since the
    /// last sync, if any.
    fn sync(&mut self) -> Result<(), ExportError> {
        let synced = self
            .write_pending()
            .and_then(|()| sync_data(&self.file))
            .and_then(|()| self.check_still_there());
        match synced {
            Ok(()) => self.unsynced = 0,
            Err(error) => self.fail_unsynced(error),
        }
        match self.failure.take() {
            None => Ok(()),
            Some((failed, source)) => Err(ExportError::Write { failed, source }),
        }
    }

    /// Fails when the file was removed or replaced since it was opened: the
    /// entries written since went to a file nobody can read. Starts a new file.
    #[cfg(unix)]
    fn check_still_there(&mut self) -> io::Result<()> {
        use std::os::unix::fs::MetadataExt as _;

        let open = self.file.metadata()?;
        let same = std::fs::metadata(&self.path)
            .is_ok_and(|now| now.ino() == open.ino() && now.dev() == open.dev());
        if same {
            return Ok(());
        }
        self.file = open_for_append(&self.path)?;
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{} was removed or replaced while entries were written to it; a new file was started",
                self.path.display()
            ),
        ))
    }

    #[cfg(not(unix))]
    fn check_still_there(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Every entry not confirmed on disk is lost to `error`.
    fn fail_unsynced(&mut self, error: io::Error) {
        let lost = self.unsynced;
        self.unsynced = 0;
        self.pending.clear();
        self.needs_newline = true;
        self.fail(lost, error);
    }

    fn fail(&mut self, lost: usize, error: io::Error) {
        #[cfg(feature = "tracing")]
        tracing::error!(
            target: "audit",
            path = %self.path.display(),
            lost,
            "audit log write failed: {error}"
        );
        match &mut self.failure {
            Some((failed, _)) => *failed += lost,
            None => self.failure = Some((lost, error)),
        }
    }
}

/// The entries of a JSON-lines audit log, and the lines that could not be read.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct JsonLines {
    /// Every entry read, in file order.
    pub entries: Vec<AuditLog>,
    /// The lines skipped because they are not an entry.
    pub skipped: Vec<SkippedLine>,
}

/// A line of a JSON-lines audit log that is not an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedLine {
    /// The line's number, from 1.
    pub line: usize,
    /// Whether it is the last line and has no newline: an entry whose write
    /// was cut short by a crash.
    pub partial: bool,
    /// Why it is not an entry.
    pub error: String,
}

/// Reads the JSON-lines audit log at `path`. Lines that are not an entry,
/// such as a partial last line left by a crash, are skipped and listed in
/// [`JsonLines::skipped`]; blank lines are ignored.
///
/// # Errors
///
/// When the file cannot be read.
pub fn read_json_lines(path: impl AsRef<Path>) -> io::Result<JsonLines> {
    let bytes = std::fs::read(path)?;
    let mut log = JsonLines::default();
    let ends_with_newline = bytes.last() == Some(&b'\n');
    let lines: Vec<&[u8]> = bytes.split(|&byte| byte == b'\n').collect();
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<AuditLog>(line) {
            Ok(entry) => log.entries.push(entry),
            Err(error) => log.skipped.push(SkippedLine {
                line: index + 1,
                partial: index + 1 == count && !ends_with_newline,
                error: error.to_string(),
            }),
        }
    }
    Ok(log)
}
