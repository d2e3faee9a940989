//! The background thread of a [`JsonLinesSink`](super::JsonLinesSink): it
//! gathers lines, writes them out, syncs on flush and reports failures.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};

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
pub(super) struct Writer {
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
    pub(super) fn new(path: PathBuf, file: File) -> Self {
        Writer {
            path,
            file,
            pending: Vec::with_capacity(BUFFER_SIZE),
            unsynced: 0,
            needs_newline: false,
            failure: None,
        }
    }

    pub(super) fn run(mut self, receiver: &Receiver<Message>) {
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

    fn write(&mut self, entry: &AuditEntry) {
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
