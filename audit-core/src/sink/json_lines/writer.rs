//! The background thread of a [`JsonLinesSink`](super::JsonLinesSink): it
//! takes batches of lines from the queue, chains them, writes them out, syncs
//! and makes checkpoints on flush, and reports failures.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::queue::{BATCH, Batch, FlushReply, Queue};
use crate::ExportError;
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::chain::{self, Chainer};

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
    /// The origin of a chain started in a new file.
    origin: String,
    /// The hash chain; `None` until it is resumed from the file, which it is
    /// again after a failed write (the file may end inside a line) or when
    /// the file was replaced.
    chainer: Option<Chainer>,
    /// The batch's lines, chained.
    chained: Vec<u8>,
    #[cfg(feature = "checkpoints")]
    checkpoints: Option<Checkpoints>,
    /// A checkpoint that failed outside a flush, for the next flush.
    #[cfg(feature = "checkpoints")]
    checkpoint_failure: Option<io::Error>,
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
            crate::sink::deliver::report_lines(self.path, left.entries, &error, &left.lines);
        }
        for flush in left.flushes {
            // A flusher already gone has nothing to be told.
            let _ = flush.send(Err(ExportError::Stopped));
        }
    }
}

impl Writer {
    pub(super) fn new(path: PathBuf, file: File, queue: Arc<Queue>, origin: String) -> Self {
        Writer {
            path,
            file,
            queue,
            unsynced: 0,
            needs_newline: false,
            origin,
            chainer: None,
            chained: Vec::new(),
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
            } = queue.take(spare, self.next_checkpoint_in());
            self.write_chained(&lines, entries);
            queue.done(lines.len());
            lines.clear();
            spare = lines;
            if !flushes.is_empty() || closing {
                self.sync_and_reply(flushes, closing);
            } else {
                self.checkpoint_if_due();
            }
            if closing {
                return;
            }
        }
    }

    /// Syncs, and sends the outcome to the first flusher still waiting (the
    /// others flushed nothing it did not). A failure nobody received waits
    /// for the next flush, or goes to standard error when the sink closes.
    fn sync_and_reply(&mut self, flushes: Vec<FlushReply>, closing: bool) {
        let mut result = Some(self.sync().and_then(|()| self.checkpoint()));
        for flush in flushes {
            let outcome = result.take().unwrap_or(Ok(()));
            if let Err(undelivered @ Err(_)) = flush.send(outcome) {
                result = Some(undelivered);
            }
        }
        match result {
            Some(Err(ExportError::Write { failed, source })) if !closing => {
                self.add_failure(failed, source);
            }
            Some(Err(error)) => crate::sink::deliver::report_error(&error),
            Some(Ok(())) | None => {}
        }
    }

    /// Chains `lines` (`entries` complete lines) and writes them.
    fn write_chained(&mut self, lines: &[u8], entries: usize) {
        if lines.is_empty() {
            return;
        }
        let mut chainer = match self.chainer.take() {
            Some(chainer) => chainer,
            None => match self.resume_chain() {
                Ok(chainer) => chainer,
                Err(error) => {
                    self.lose(lines, entries, error);
                    return;
                }
            },
        };
        let mut out = std::mem::take(&mut self.chained);
        out.clear();
        for line in lines.split_inclusive(|&byte| byte == b'\n') {
            let entry = line.strip_suffix(b"\n").unwrap_or(line);
            // An entry always serializes as an object; anything else is
            // written as it is, and `audit verify` will name it.
            if chainer.append(entry, &mut out).is_err() {
                out.extend_from_slice(entry);
            }
            out.push(b'\n');
        }
        self.chainer = Some(chainer);
        self.write(&out, entries);
        if out.capacity() > 4 * BATCH {
            out = Vec::new();
        }
        self.chained = out;
    }

    /// The chain of the file, continued from its last entry, after ending a
    /// partial last line.
    fn resume_chain(&mut self) -> io::Result<Chainer> {
        if !self.file.metadata()?.is_file() {
            // A pipe or device: nothing to read back, every run starts a chain.
            return Ok(Chainer::new(self.origin.clone()));
        }
        end_line(&mut self.file)?;
        self.needs_newline = false;
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

    /// How long the writer may wait for lines before a checkpoint is due.
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
                .as_mut()
                .is_some_and(|checkpoints| checkpoints.due(head));
            if due {
                // Errors are kept for the next flush.
                match self.sync() {
                    Ok(()) => {
                        if let Err(ExportError::Checkpoint { source }) = self.checkpoint() {
                            self.checkpoint_failure = Some(source);
                        }
                    }
                    Err(ExportError::Write { failed, source }) => {
                        self.add_failure(failed, source);
                    }
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
        // The chain resumes from what is in the file.
        self.chainer = None;
        crate::sink::deliver::report_lines(&self.path, entries, &error, lines);
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
            crate::sink::deliver::report_count(&self.path, unsynced, &error);
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
}

/// How many lines `bytes` holds: its newlines. Only on a failed write.
#[allow(clippy::naive_bytecount)]
fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| byte == b'\n').count()
}
