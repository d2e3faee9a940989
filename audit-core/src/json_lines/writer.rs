//! The background thread of a [`JsonLinesSink`](super::JsonLinesSink): it
//! takes batches of lines from the queue, writes them out, syncs on flush and
//! reports failures.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::queue::{BATCH, Batch, Queue};
use crate::ExportError;

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

/// The background thread's state.
pub(super) struct Writer {
    path: PathBuf,
    file: File,
    queue: Arc<Queue>,
    /// Entries written since the last sync.
    unsynced: usize,
    /// After a failed write the file may end inside a line: the next entry
    /// starts a line of its own.
    needs_newline: bool,
    /// Entries lost since the last flush, and the first error.
    failure: Option<(usize, io::Error)>,
}

/// Tells the queue the writer is gone when the thread exits, even by a
/// panic, so that no caller waits for it forever; what is left is reported.
struct StopOnExit<'a> {
    path: &'a Path,
    queue: &'a Queue,
}

impl Drop for StopOnExit<'_> {
    fn drop(&mut self) {
        let left = self.queue.stop();
        if left.entries > 0 {
            let error = io::Error::other("the audit log writer stopped");
            crate::lost::report_lines(self.path, left.entries, &error, &left.lines);
        }
        for flush in left.flushes {
            flush.send(Err(ExportError::Stopped));
        }
    }
}

impl Writer {
    pub(super) fn new(path: PathBuf, file: File, queue: Arc<Queue>) -> Self {
        Writer {
            path,
            file,
            queue,
            unsynced: 0,
            needs_newline: false,
            failure: None,
        }
    }

    pub(super) fn run(mut self) {
        let path = self.path.clone();
        let queue = Arc::clone(&self.queue);
        let _stop = StopOnExit {
            path: &path,
            queue: &queue,
        };
        let mut spare = Vec::with_capacity(BATCH);
        loop {
            let Batch {
                mut lines,
                entries,
                flushes,
                closing,
            } = queue.take(spare);
            self.write(&lines, entries);
            queue.done(lines.len());
            lines.clear();
            spare = lines;
            if !flushes.is_empty() || closing {
                let result = self.sync();
                if closing {
                    if let Err(error) = &result {
                        crate::lost::report_error(error);
                    }
                    for flush in flushes {
                        flush.send(Err(ExportError::Stopped));
                    }
                    return;
                }
                let mut flushes = flushes.into_iter();
                if let Some(first) = flushes.next() {
                    // The failure goes to the first flusher; the others
                    // flushed nothing it did not.
                    first.send(result);
                }
                for flush in flushes {
                    flush.send(Ok(()));
                }
            }
        }
    }

    /// Writes `lines` (`entries` complete lines). On an error, the lines not
    /// written go to standard error and are counted as lost.
    fn write(&mut self, lines: &[u8], entries: usize) {
        if lines.is_empty() {
            return;
        }
        if self.needs_newline {
            if let Err(error) = self.file.write_all(b"\n") {
                self.lose(lines, entries, error);
                return;
            }
            self.needs_newline = false;
        }
        let mut written = 0;
        while written < lines.len() {
            match self.file.write(&lines[written..]) {
                Ok(0) => {
                    let error = io::Error::from(io::ErrorKind::WriteZero);
                    self.lose_from(lines, entries, written, error);
                    return;
                }
                Ok(n) => written += n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    self.lose_from(lines, entries, written, error);
                    return;
                }
            }
        }
        self.unsynced += entries;
    }

    /// The write of `lines` failed after `written` bytes: the lines before
    /// are in the file, the rest (from the line cut short) are lost.
    fn lose_from(&mut self, lines: &[u8], entries: usize, written: usize, error: io::Error) {
        let cut = lines[..written]
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |newline| newline + 1);
        let kept = bytecount_lines(&lines[..cut]);
        self.unsynced += kept;
        if written > cut {
            self.needs_newline = true;
        }
        self.lose(&lines[cut..], entries - kept, error);
    }

    fn lose(&mut self, lines: &[u8], entries: usize, error: io::Error) {
        crate::lost::report_lines(&self.path, entries, &error, lines);
        self.add_failure(entries, error);
    }

    fn add_failure(&mut self, lost: usize, error: io::Error) {
        match &mut self.failure {
            Some((failed, _)) => *failed += lost,
            None => self.failure = Some((lost, error)),
        }
    }

    /// Syncs the file; the errors since the last sync, if any.
    fn sync(&mut self) -> Result<(), ExportError> {
        let synced = sync_data(&self.file).and_then(|()| self.check_still_there());
        let unsynced = std::mem::take(&mut self.unsynced);
        if let Err(error) = synced {
            // Written, but maybe not durable: their lines are gone, so say
            // how many, and where.
            crate::lost::report_count(&self.path, unsynced, &error);
            self.add_failure(unsynced, error);
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
}

/// How many lines `bytes` holds: its newlines. Only on a failed write.
#[allow(clippy::naive_bytecount)]
fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| byte == b'\n').count()
}
