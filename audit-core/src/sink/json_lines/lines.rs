//! What a [`JsonLinesSink`](super::JsonLinesSink) gives the writer engine:
//! the lines its callers serialized ([`Lines`]), and how a batch of them is
//! chained, written to the file and synced ([`LinesBatch`]).

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::chain::{self, Chainer, Head};
use crate::sink::deliver;
use crate::writer::{Batch, Lost, Pending};

/// How many bytes of lines the writer gathers before it writes them.
pub(crate) const BATCH: usize = 64 * 1024;

/// Complete lines, each ending in a newline, and where each ends, so that
/// the writer need not scan every byte for them.
#[derive(Default)]
pub(crate) struct Lines {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Lines {
    /// How many lines.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Chains every line with `chainer` into `out`, each ending in a
    /// newline; where the last one starts in `out`.
    pub(crate) fn chain(&self, chainer: &mut Chainer, out: &mut Vec<u8>) -> usize {
        let mut start = 0;
        let mut last = out.len();
        for &end in &self.ends {
            let line = &self.bytes[start..end];
            start = end;
            last = out.len();
            let entry = line.strip_suffix(b"\n").unwrap_or(line);
            // An entry always serializes as an object; anything else is
            // written as it is, and `audit verify` will name it.
            if chainer.append(entry, out).is_err() {
                out.extend_from_slice(entry);
            }
            out.push(b'\n');
        }
        last
    }
}

impl Pending for Lines {
    /// One serialized entry and its newline: borrowed from the caller's
    /// buffer, or owned while an async export awaits room.
    type Item<'a> = Cow<'a, [u8]>;

    fn weight(line: &Cow<'_, [u8]>) -> usize {
        line.len()
    }

    fn push(&mut self, line: Cow<'_, [u8]>) {
        self.bytes.extend_from_slice(&line);
        self.ends.push(self.bytes.len());
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        // A rare burst does not keep its buffer forever.
        if self.bytes.capacity() > 4 * BATCH {
            *self = Lines::default();
        }
    }

    fn report(&self, name: &str, error: &dyn std::error::Error) {
        deliver::report_lines(&name, self.ends.len(), error, &self.bytes);
    }
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

/// The file a sink appends to, and its chain.
pub(super) struct LinesBatch {
    path: PathBuf,
    file: File,
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
    /// Signs the rotation record a new file starts with: the key of the
    /// log's checkpoints.
    #[cfg(feature = "checkpoints")]
    pub(super) signer: Option<crate::chain::checkpoint::CheckpointSigner>,
}

/// Whether the file at `path` was rotated away from `open`, the file being
/// written: renamed (still linked somewhere) or removed.
#[cfg(unix)]
fn rotated(open: &std::fs::Metadata, path: &Path) -> Option<Rotated> {
    use std::os::unix::fs::MetadataExt as _;

    let same =
        std::fs::metadata(path).is_ok_and(|now| now.ino() == open.ino() && now.dev() == open.dev());
    if same {
        None
    } else if open.nlink() == 0 {
        Some(Rotated::Removed)
    } else {
        Some(Rotated::Renamed)
    }
}

/// What became of the file being written.
#[cfg(unix)]
enum Rotated {
    /// Renamed, by a log rotation: what was written to it is there.
    Renamed,
    /// Removed: what was written since the last sync is lost.
    Removed,
}

impl LinesBatch {
    pub(super) fn new(path: PathBuf, file: File, origin: String) -> Self {
        LinesBatch {
            path,
            file,
            unsynced: 0,
            needs_newline: false,
            origin,
            chainer: None,
            chained: Vec::new(),
            #[cfg(feature = "checkpoints")]
            signer: None,
        }
    }

    /// Chains `lines` and writes them. What is not written goes to standard
    /// error, and is returned as lost.
    fn write_chained(&mut self, lines: &Lines) -> Result<(), Lost> {
        let entries = lines.len();
        let mut chainer = match self.chainer.take() {
            Some(chainer) => chainer,
            None => match self.resume_chain() {
                Ok(chainer) => chainer,
                Err(error) => return Err(self.lose(&lines.bytes, entries, error)),
            },
        };
        let mut out = std::mem::take(&mut self.chained);
        out.clear();
        lines.chain(&mut chainer, &mut out);
        self.chainer = Some(chainer);
        let written = self.write(&out, entries);
        if out.capacity() > 4 * BATCH {
            out = Vec::new();
        }
        self.chained = out;
        written
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
        if resumed.unchained_lines > 0 {
            tracing::error!(
                target: "audit",
                path = %self.path.display(),
                unchained_lines = resumed.unchained_lines,
                seq = resumed.head.map_or(0, |head| head.seq),
                "the audit log holds lines without a chain that no crash explains, put there while \
                 its writer was stopped; the next entry records them and `audit verify` reports them"
            );
        } else if resumed.skipped_bytes > 0 {
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

    /// Writes `lines` (`entries` complete lines). On an error, the lines not
    /// written go to standard error and are returned as lost.
    fn write(&mut self, lines: &[u8], entries: usize) -> Result<(), Lost> {
        if lines.is_empty() {
            return Ok(());
        }
        if self.needs_newline {
            if let Err(error) = self.file.write_all(b"\n") {
                return Err(self.lose(lines, entries, error));
            }
            self.needs_newline = false;
        }
        let mut written = 0;
        while written < lines.len() {
            match self.file.write(&lines[written..]) {
                Ok(0) => {
                    let error = io::Error::from(io::ErrorKind::WriteZero);
                    return Err(self.lose_from(lines, entries, written, error));
                }
                Ok(n) => written += n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(self.lose_from(lines, entries, written, error)),
            }
        }
        self.unsynced += entries;
        Ok(())
    }

    /// The write of `lines` failed after `written` bytes: the lines before
    /// are in the file, the rest (from the line cut short) are lost.
    fn lose_from(
        &mut self,
        lines: &[u8],
        entries: usize,
        written: usize,
        error: io::Error,
    ) -> Lost {
        let cut = lines[..written]
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |newline| newline + 1);
        let kept = bytecount_lines(&lines[..cut]);
        self.unsynced += kept;
        if written > cut {
            self.needs_newline = true;
        }
        self.lose(&lines[cut..], entries - kept, error)
    }

    fn lose(&mut self, lines: &[u8], entries: usize, error: io::Error) -> Lost {
        // The chain resumes from what is in the file.
        self.chainer = None;
        deliver::report_lines(&self.path.display(), entries, &error, lines);
        Lost {
            count: entries,
            source: Box::new(error),
        }
    }

    /// Starts a new file when the file was renamed (a log rotation) or
    /// removed since it was opened, continuing the old file's chain; fails
    /// when it was removed with `unsynced` entries written since the last
    /// sync, which went to a file nobody can read. A removed file that lost
    /// nothing is said on standard error.
    #[cfg(unix)]
    fn check_still_there(&mut self, unsynced: usize) -> io::Result<()> {
        let Some(rotated) = rotated(&self.file.metadata()?, &self.path) else {
            return Ok(());
        };
        // The old file's last entry as it is on disk, for the new file's chain.
        let (_, old) = chain::resume(self.origin.clone(), &mut self.file)?;
        self.file = open_for_append(&self.path)?;
        self.chainer = None;
        if let Some(old) = old.head {
            self.continue_chain(old)?;
        }
        match rotated {
            Rotated::Renamed => Ok(()),
            Rotated::Removed if unsynced == 0 => {
                deliver::report_notice(&format_args!(
                    "{} was removed; every entry written to it had been synced; a new file was started, continuing its chain",
                    self.path.display()
                ));
                Ok(())
            }
            Rotated::Removed => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{} was removed while entries were written to it; a new file was started",
                    self.path.display()
                ),
            )),
        }
    }

    /// Starts the new file, when it has no entries, with a rotation record:
    /// a chained line that continues the chain after `old`, the old file's
    /// last entry, names it, and names the origin. Synced, so that the new
    /// file continues the chain even if no entry follows before a restart.
    #[cfg(unix)]
    fn continue_chain(&mut self, old: Head) -> io::Result<()> {
        let (chainer, resumed) = chain::resume(self.origin.clone(), &mut self.file)?;
        if resumed.head.is_some() || !self.file.metadata()?.is_file() {
            return Ok(());
        }
        let mut chainer = chainer.continue_after(old);
        #[cfg(feature = "checkpoints")]
        let signature = self
            .signer
            .as_ref()
            .map(|signer| signer.sign_rotation(&self.origin, old));
        #[cfg(not(feature = "checkpoints"))]
        let signature: Option<String> = None;
        let mut line = Vec::new();
        chainer
            .append(
                chain::rotation_record(old, signature.as_deref()).as_bytes(),
                &mut line,
            )
            .map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        sync_data(&self.file)?;
        self.chainer = Some(chainer);
        Ok(())
    }

    #[cfg(not(unix))]
    fn check_still_there(&mut self, _unsynced: usize) -> io::Result<()> {
        Ok(())
    }
}

impl Batch for LinesBatch {
    type Pending = Lines;

    fn write(&mut self, lines: &mut Lines) -> Result<(), Lost> {
        self.write_chained(lines)
    }

    /// Syncs the file. The entries written since the last sync are lost
    /// when it fails, or when the file was removed or replaced.
    fn sync(&mut self) -> Result<(), Lost> {
        let unsynced = std::mem::take(&mut self.unsynced);
        let synced = sync_data(&self.file).and_then(|()| self.check_still_there(unsynced));
        synced.map_err(|error| {
            // Written, but maybe not durable: their lines are gone, so say
            // how many, and where.
            deliver::report_count(&self.path.display(), unsynced, &error);
            Lost {
                count: unsynced,
                source: Box::new(error),
            }
        })
    }

    fn head(&self) -> Option<Head> {
        self.chainer.as_ref().and_then(Chainer::head)
    }

    fn origin(&self) -> &str {
        &self.origin
    }
}

/// How many lines `bytes` holds: its newlines. Only on a failed write.
#[allow(clippy::naive_bytecount)]
fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| byte == b'\n').count()
}
