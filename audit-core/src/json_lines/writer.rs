//! The background thread of a [`JsonLinesSink`](super::JsonLinesSink): it
//! gathers lines, writes them out, syncs on flush and reports failures.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::chain::{self, Chainer};
use crate::{AuditEntry, ExportError};

/// What the handle sends the writer.
pub(super) enum Message {
    Entry(Box<AuditEntry>),
    Flush(SyncSender<Result<(), ExportError>>),
}

/// Opens `path` for appending. A file left with a partial last line by a
/// crash gets a newline first, so that the next entry starts a line of its own.
pub(super) fn open_for_append(path: &Path) -> io::Result<File> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    end_line(&mut file)?;
    Ok(file)
}

/// Ends the last line of `file` if it has no newline.
fn end_line(file: &mut File) -> io::Result<()> {
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
        }
    }
    Ok(())
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
pub(super) struct Writer {
    path: PathBuf,
    file: File,
    /// Lines not yet written to the file.
    pending: Vec<u8>,
    /// Entries not yet confirmed on disk: pending, or written but not synced.
    unsynced: usize,
    /// The entry being written, serialized, before it is chained.
    entry: Vec<u8>,
    /// The origin of a chain started in a new file.
    origin: String,
    /// The hash chain; `None` until it is resumed from the file, which it is
    /// again after a failed write (the file may end inside a line) or when
    /// the file was replaced.
    chainer: Option<Chainer>,
    #[cfg(feature = "checkpoints")]
    checkpoints: Option<Checkpoints>,
    /// A checkpoint that failed outside a flush, for the next flush.
    #[cfg(feature = "checkpoints")]
    checkpoint_failure: Option<io::Error>,
    /// Entries lost since the last flush, and the first error.
    failure: Option<(usize, io::Error)>,
}

impl Writer {
    pub(super) fn new(path: PathBuf, file: File, origin: String) -> Self {
        Writer {
            path,
            file,
            pending: Vec::with_capacity(BUFFER_SIZE),
            unsynced: 0,
            entry: Vec::new(),
            origin,
            chainer: None,
            #[cfg(feature = "checkpoints")]
            checkpoints: None,
            #[cfg(feature = "checkpoints")]
            checkpoint_failure: None,
            failure: None,
        }
    }

    /// Makes checkpoints of the chain.
    #[cfg(feature = "checkpoints")]
    pub(super) fn with_checkpoints(mut self, checkpoints: Option<Checkpoints>) -> Self {
        self.checkpoints = checkpoints;
        self
    }

    pub(super) fn run(mut self, receiver: &Receiver<Message>) {
        loop {
            let message = match self.next_checkpoint_in() {
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(wait) => receiver.recv_timeout(wait),
            };
            match message {
                Ok(Message::Entry(entry)) => self.write(&entry),
                Ok(Message::Flush(reply)) => {
                    let result = self.sync().and_then(|()| self.checkpoint());
                    // The flusher may have given up waiting; nothing to tell then.
                    let _ = reply.send(result);
                }
                Err(RecvTimeoutError::Timeout) => self.checkpoint_if_due(),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        if let Err(error) = self.sync().and_then(|()| self.checkpoint()) {
            crate::entry::report_lost(&error);
        }
    }

    fn write(&mut self, entry: &AuditEntry) {
        self.entry.clear();
        if let Err(error) = serde_json::to_writer(&mut self.entry, entry) {
            self.fail(1, io::Error::other(error));
            return;
        }
        let chainer = match self.chainer.take() {
            Some(chainer) => chainer,
            None => match self.resume_chain() {
                Ok(chainer) => chainer,
                Err(error) => {
                    self.fail(1, error);
                    return;
                }
            },
        };
        let chainer = self.chainer.insert(chainer);
        if let Err(error) = chainer.append(&self.entry, &mut self.pending) {
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
        self.checkpoint_if_due();
    }

    /// The chain of the file, continued from its last entry. What is pending
    /// is written first, and a partial last line ended.
    fn resume_chain(&mut self) -> io::Result<Chainer> {
        if !self.file.metadata()?.is_file() {
            // A pipe or device: nothing to read back, every run starts a chain.
            return Ok(Chainer::new(self.origin.clone()));
        }
        self.write_pending()?;
        end_line(&mut self.file)?;
        let (chainer, resumed) = chain::resume(self.origin.clone(), &mut self.file)?;
        #[cfg(feature = "tracing")]
        if resumed.skipped_bytes > 0 {
            tracing::warn!(
                target: "audit",
                path = %self.path.display(),
                skipped_bytes = resumed.skipped_bytes,
                seq = resumed.head.map_or(0, |head| head.seq),
                "the audit log ends with bytes that are not chained entries (a write cut short); \
                 the next entry records their hash and continues the chain"
            );
        }
        #[cfg(not(feature = "tracing"))]
        let _ = resumed;
        Ok(chainer)
    }

    /// How long the writer may wait for a message before a checkpoint is due.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::unused_self))]
    fn next_checkpoint_in(&self) -> Option<Duration> {
        #[cfg(feature = "checkpoints")]
        if let Some(checkpoints) = &self.checkpoints {
            return Some(checkpoints.due_in().max(Duration::from_millis(1)));
        }
        None
    }

    /// Syncs and makes a checkpoint if one is due.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::unused_self))]
    fn checkpoint_if_due(&mut self) {
        #[cfg(feature = "checkpoints")]
        {
            let head = self.chainer.as_ref().and_then(Chainer::head);
            let due = self
                .checkpoints
                .as_ref()
                .zip(head)
                .is_some_and(|(checkpoints, head)| checkpoints.due(head));
            if due {
                // Errors are kept for the next flush.
                match self.sync() {
                    Ok(()) => {
                        if let Err(ExportError::Checkpoint { source }) = self.checkpoint() {
                            self.checkpoint_failure = Some(source);
                        }
                    }
                    Err(ExportError::Write { failed, source }) => self.fail(failed, source),
                    Err(_) => {}
                }
            }
        }
    }

    /// Makes a checkpoint of what is on disk; call it right after a
    /// successful sync.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(
        not(feature = "checkpoints"),
        allow(clippy::unused_self, clippy::unnecessary_wraps)
    )]
    fn checkpoint(&mut self) -> Result<(), ExportError> {
        #[cfg(feature = "checkpoints")]
        if let (Some(checkpoints), Some(chainer)) = (&mut self.checkpoints, &self.chainer)
            && let Some(head) = chainer.head()
        {
            let made = checkpoints.make(chainer.origin(), head);
            let failed = self.checkpoint_failure.take();
            return match (made, failed) {
                (Err(source), _) | (Ok(()), Some(source)) => {
                    #[cfg(feature = "tracing")]
                    tracing::error!(
                        target: "audit",
                        path = %self.path.display(),
                        "audit log checkpoint failed: {source}"
                    );
                    Err(ExportError::Checkpoint { source })
                }
                (Ok(()), None) => Ok(()),
            };
        }
        Ok(())
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
        self.chainer = None;
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
        // The file may end inside a line; the chain resumes from what is there.
        self.chainer = None;
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
