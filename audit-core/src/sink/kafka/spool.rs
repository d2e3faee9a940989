//! The spool: the chained lines a [`KafkaSink`](super::KafkaSink) wrote, on
//! disk, from when its writer chained them until the broker acknowledged
//! them.
//!
//! A directory of four files:
//!
//! - `spool.jsonl`: the chained lines, as a JSON-lines sink would write them;
//!   the delivered ones are dropped from its start now and then (a
//!   compaction: the undelivered lines are copied to a new file, which
//!   replaces it), but never the last line, from which the chain resumes;
//! - `delivered`: the sequence number of the last line the broker
//!   acknowledged, in decimal: after a restart, delivery resumes after it;
//! - `origin`: the chain's origin, which a later sink on the directory must
//!   name too;
//! - `lock`: locked while a sink has the directory open.
//!
//! The writer appends whole batches; a process killed mid-append leaves a
//! partial last line, never flushed, which the next open cuts off. Offsets
//! are logical: they count every byte ever appended, so that a compaction
//! moves no offset the deliverer holds.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::chain::{self, Chainer};

const SPOOL: &str = "spool.jsonl";
const DELIVERED: &str = "delivered";
const ORIGIN: &str = "origin";
const LOCK: &str = "lock";

/// The delivered bytes at the start of the file that make a compaction
/// worth its copy, at least.
const COMPACT_AFTER: u64 = 1024 * 1024;

pub(crate) struct Spool {
    dir: PathBuf,
    /// The most undelivered bytes the spool holds before the writer waits.
    max_bytes: u64,
    state: Mutex<State>,
    /// Signalled when lines are appended or delivered, and when the sink closes.
    changed: Condvar,
    /// Locked while the spool is open.
    _lock: File,
}

struct State {
    file: File,
    /// The logical offset of the file's first byte.
    base: u64,
    /// The logical offset of the end of the last line appended.
    end: u64,
    /// Where the last line starts.
    last_line: u64,
    /// Everything before this offset was acknowledged.
    delivered: u64,
    /// The sequence number of the last line acknowledged; 0 for none.
    delivered_seq: u64,
    /// How many lines were appended and not acknowledged.
    undelivered_lines: u64,
    /// When the sink closes: how long its deliverer may still try.
    closing: Option<Instant>,
    /// Whether the writer appended its last lines.
    writer_done: bool,
    /// The last failure to deliver, for reports.
    last_error: Option<String>,
}

/// What the deliverer is handed.
pub(crate) enum Next {
    /// Lines from `start`, each ending in a newline.
    Lines { start: u64, bytes: Vec<u8> },
    /// Nothing new yet.
    Idle,
}

impl Spool {
    /// Opens the spool in `dir`, creating it, for the chain of `origin`.
    pub(crate) fn open(dir: &Path, origin: &str, max_bytes: u64) -> io::Result<Spool> {
        std::fs::create_dir_all(dir)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK))?;
        if lock.try_lock().is_err() {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "the Kafka spool {} is in use by another sink; give each sink a spool of its own",
                    dir.display()
                ),
            ));
        }
        check_origin(dir, origin)?;
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(dir.join(SPOOL))?;
        let end = cut_partial_line(&mut file)?;
        let delivered_seq = read_delivered(dir)?;
        let scan = scan(&file, end, delivered_seq)?;
        Ok(Spool {
            dir: dir.to_owned(),
            max_bytes: max_bytes.max(1),
            state: Mutex::new(State {
                file,
                base: 0,
                end,
                last_line: scan.last_line,
                delivered: scan.delivered,
                delivered_seq: scan.delivered_seq,
                undelivered_lines: scan.undelivered_lines,
                closing: None,
                writer_done: false,
                last_error: None,
            }),
            changed: Condvar::new(),
            _lock: lock,
        })
    }

    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join(SPOOL)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The chain of the spooled lines, continued from the last one.
    pub(crate) fn resume_chain(&self, origin: &str) -> io::Result<Chainer> {
        let mut state = self.state();
        let (chainer, _) = chain::resume(origin, &mut state.file)?;
        Ok(chainer)
    }

    /// Appends `bytes`, `lines` whole lines the last of which starts at
    /// `last_line` in `bytes`, once the spool has room for them: while the
    /// broker is away and the spool is full, this waits. A batch larger
    /// than the spool is taken once the spool is empty.
    pub(crate) fn append(&self, bytes: &[u8], lines: u64, last_line: usize) -> io::Result<()> {
        let len = bytes.len() as u64;
        let mut state = self.state();
        while state.end - state.delivered > 0
            && state.end - state.delivered + len > self.max_bytes
            && state.closing.is_none()
        {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if let Err(error) = state.file.write_all(bytes) {
            // Whatever part was written goes: the chain resumes from the last
            // whole line.
            let _ = state.file.set_len(state.end - state.base);
            return Err(error);
        }
        state.last_line = state.end + last_line as u64;
        state.end += len;
        state.undelivered_lines += lines;
        drop(state);
        self.changed.notify_all();
        Ok(())
    }

    /// Makes what was appended durable.
    pub(crate) fn sync(&self) -> io::Result<()> {
        self.state().file.sync_data()
    }

    /// The lines after `from`, up to about `max` bytes; waits up to `wait`
    /// for some.
    pub(crate) fn next(&self, from: u64, max: usize, wait: Duration) -> io::Result<Next> {
        let mut state = self.state();
        if state.end <= from && !wait.is_zero() && !state.writer_done {
            state = self
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        // After a failed delivery the deliverer starts again from what was
        // acknowledged, which may precede what it had sent.
        let from = from.max(state.delivered);
        if state.end <= from {
            return Ok(Next::Idle);
        }
        let available = state.end - from;
        let mut bytes = vec![
            0;
            usize::try_from(available)
                .unwrap_or(usize::MAX)
                .min(max.max(1))
        ];
        state.file.read_exact_at(&mut bytes, from - state.base)?;
        // Whole lines only; a line longer than `max` is read whole, up to
        // its newline (the spool ends with one).
        if let Some(newline) = bytes.iter().rposition(|&byte| byte == b'\n') {
            bytes.truncate(newline + 1);
        } else {
            bytes = vec![0; usize::try_from(available).unwrap_or(usize::MAX)];
            state.file.read_exact_at(&mut bytes, from - state.base)?;
            let line = bytes
                .iter()
                .position(|&byte| byte == b'\n')
                .map_or(bytes.len(), |newline| newline + 1);
            bytes.truncate(line);
        }
        Ok(Next::Lines { start: from, bytes })
    }

    /// The broker acknowledged every line before `offset`, `lines` of them,
    /// the last numbered `seq`.
    pub(crate) fn delivered(&self, offset: u64, seq: u64, lines: u64) -> io::Result<()> {
        let mut state = self.state();
        if offset <= state.delivered {
            return Ok(());
        }
        state.delivered = offset;
        state.delivered_seq = seq;
        state.undelivered_lines = state.undelivered_lines.saturating_sub(lines);
        state.last_error = None;
        let written = write_delivered(&self.dir, seq);
        let compacted = self.compact_if_worth_it(&mut state);
        drop(state);
        self.changed.notify_all();
        written.and(compacted)
    }

    /// Drops the delivered lines from the start of the file, but the last
    /// line, when they are many and at least as many bytes as the
    /// undelivered ones, which the compaction copies.
    fn compact_if_worth_it(&self, state: &mut State) -> io::Result<()> {
        let delivered = state.delivered - state.base;
        let undelivered = state.end - state.delivered;
        if delivered < COMPACT_AFTER || delivered < undelivered {
            return Ok(());
        }
        let keep_from = state.delivered.min(state.last_line);
        let temp = self.dir.join("spool.jsonl.new");
        let mut copy = File::create(&temp)?;
        let mut kept = vec![0; usize::try_from(state.end - keep_from).unwrap_or(usize::MAX)];
        state
            .file
            .read_exact_at(&mut kept, keep_from - state.base)?;
        copy.write_all(&kept)?;
        copy.sync_data()?;
        std::fs::rename(&temp, self.dir.join(SPOOL))?;
        File::open(&self.dir)?.sync_all()?;
        state.file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(self.dir.join(SPOOL))?;
        state.base = keep_from;
        Ok(())
    }

    /// Records a failure to deliver, for reports.
    pub(crate) fn failed(&self, error: String) {
        self.state().last_error = Some(error);
    }

    /// How many lines wait for the broker, and the last failure if any.
    pub(crate) fn undelivered(&self) -> (u64, Option<String>) {
        let state = self.state();
        (state.undelivered_lines, state.last_error.clone())
    }

    /// The offset after the last line appended.
    pub(crate) fn end(&self) -> u64 {
        self.state().end
    }

    /// Waits until every line before `offset` was acknowledged, for up to
    /// `timeout`: whether they were.
    pub(crate) fn wait_delivered(&self, offset: u64, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.state();
        while state.delivered < offset {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::from_hours(1),
            };
            if left.is_zero() {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// The sink closes: its deliverer may try until `deadline` (the first
    /// one given), and the writer no longer waits for room.
    pub(crate) fn close(&self, deadline: Instant) {
        self.state().closing.get_or_insert(deadline);
        self.changed.notify_all();
    }

    /// The writer appended its last lines.
    pub(crate) fn writer_done(&self) {
        self.state().writer_done = true;
        self.changed.notify_all();
    }

    /// Whether the deliverer is done: the sink closed, and its writer's
    /// lines are all acknowledged or its time is up.
    pub(crate) fn deliverer_done(&self) -> bool {
        let state = self.state();
        state.closing.is_some_and(|deadline| {
            Instant::now() >= deadline || (state.writer_done && state.delivered >= state.end)
        })
    }
}

/// Records `origin` in a new spool; fails when the spool's chain is another's.
fn check_origin(dir: &Path, origin: &str) -> io::Result<()> {
    let path = dir.join(ORIGIN);
    match std::fs::read_to_string(&path) {
        Ok(recorded) if recorded == origin => Ok(()),
        Ok(recorded) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the Kafka spool {} holds the chain of the origin {recorded:?}, not {origin:?}: \
                 an origin's chain continues from its own spool",
                dir.display()
            ),
        )),
        Err(error) if error.kind() == io::ErrorKind::NotFound => std::fs::write(&path, origin),
        Err(error) => Err(error),
    }
}

/// Cuts a partial last line, left by a process killed while it appended:
/// its entries were never flushed. The length of the file after.
fn cut_partial_line(file: &mut File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    let mut kept = len;
    let mut block = vec![0; 64 * 1024];
    while kept > 0 {
        let start = kept.saturating_sub(block.len() as u64);
        let part = &mut block[..usize::try_from(kept - start).unwrap_or(0)];
        file.read_exact_at(part, start)?;
        if let Some(newline) = part.iter().rposition(|&byte| byte == b'\n') {
            kept = start + newline as u64 + 1;
            break;
        }
        kept = start;
    }
    if kept < len {
        file.set_len(kept)?;
        file.sync_data()?;
    }
    Ok(kept)
}

fn read_delivered(dir: &Path) -> io::Result<u64> {
    match std::fs::read_to_string(dir.join(DELIVERED)) {
        Ok(text) => text.trim().parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a sequence number", dir.join(DELIVERED).display()),
            )
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(error),
    }
}

/// Records that the line `seq` was acknowledged: written to a new file that
/// replaces the old, so that a crash leaves one or the other. Not synced: a
/// record lost with the machine's power only makes the lines after the
/// previous one delivered again, which readers drop as duplicates.
fn write_delivered(dir: &Path, seq: u64) -> io::Result<()> {
    let temp = dir.join("delivered.new");
    std::fs::write(&temp, seq.to_string())?;
    std::fs::rename(temp, dir.join(DELIVERED))
}

/// What a scan of the spool at open found.
struct Scan {
    last_line: u64,
    delivered: u64,
    delivered_seq: u64,
    undelivered_lines: u64,
}

/// Finds where the last line starts, and the end of the line numbered
/// `delivered_seq`, after which delivery resumes.
fn scan(file: &File, end: u64, delivered_seq: u64) -> io::Result<Scan> {
    let mut bytes = Vec::new();
    let mut reader = file;
    reader.seek(SeekFrom::Start(0))?;
    reader.take(end).read_to_end(&mut bytes)?;
    let mut found = Scan {
        last_line: 0,
        delivered: 0,
        delivered_seq: 0,
        undelivered_lines: 0,
    };
    let mut start = 0;
    for line in bytes.split_inclusive(|&byte| byte == b'\n') {
        found.last_line = start as u64;
        start += line.len();
        match seq_of(line) {
            Some(seq) if seq <= delivered_seq => {
                found.delivered = start as u64;
                found.delivered_seq = seq;
                found.undelivered_lines = 0;
            }
            _ => found.undelivered_lines += 1,
        }
    }
    Ok(found)
}

/// The sequence number of a chained line, from its `"chain"` member, which
/// the chainer writes last: no text inside a string can hold the member's
/// unescaped quotes, and an object of the entry named `chain` comes before it.
pub(crate) fn seq_of(line: &[u8]) -> Option<u64> {
    const MEMBER: &[u8] = br#""chain":{"seq":"#;
    let at = line
        .windows(MEMBER.len())
        .rposition(|window| window == MEMBER)?;
    let digits = &line[at + MEMBER.len()..];
    let len = digits
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    std::str::from_utf8(&digits[..len]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{Spool, seq_of};
    use crate::chain::Chainer;

    fn chained(chainer: &mut Chainer, n: usize) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let mut last = 0;
        for i in 0..n {
            last = out.len();
            chainer
                .append(
                    format!(r#"{{"id":"{i}","x":{{"chain":{{"seq":99}}}}}}"#).as_bytes(),
                    &mut out,
                )
                .unwrap();
            out.push(b'\n');
        }
        (out, last)
    }

    #[test]
    fn the_sequence_number_is_the_last_chain_members() {
        let mut chainer = Chainer::new("o");
        let (lines, _) = chained(&mut chainer, 3);
        let seqs: Vec<_> = lines.split_inclusive(|&b| b == b'\n').map(seq_of).collect();
        assert_eq!(seqs, [Some(1), Some(2), Some(3)]);
        assert_eq!(seq_of(b"{}"), None);
    }

    #[test]
    fn a_reopened_spool_resumes_after_the_last_delivered_line_without_the_partial_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut chainer = Chainer::new("o");
        {
            let spool = Spool::open(dir.path(), "o", 1 << 20).unwrap();
            let (lines, last) = chained(&mut chainer, 3);
            spool.append(&lines, 3, last).unwrap();
            let second = lines.iter().position(|&b| b == b'\n').unwrap() + 1;
            let third = second + lines[second..].iter().position(|&b| b == b'\n').unwrap() + 1;
            spool.delivered(third as u64, 2, 2).unwrap();
            assert_eq!(spool.undelivered().0, 1);
            // A torn write after.
            spool.append(br#"{"id":"torn"#, 0, 0).unwrap();
        }
        let again = Spool::open(dir.path(), "o", 1 << 20).unwrap();
        assert_eq!(again.undelivered().0, 1);
        let super::Next::Lines { bytes, .. } =
            again.next(0, 1 << 20, std::time::Duration::ZERO).unwrap()
        else {
            panic!("nothing to deliver")
        };
        assert_eq!(seq_of(&bytes), Some(3));
        assert_eq!(bytes.split_inclusive(|&b| b == b'\n').count(), 1);
        assert_eq!(again.resume_chain("o").unwrap().head().unwrap().seq, 3);

        let other = Spool::open(dir.path(), "o", 1 << 20).err().unwrap();
        assert!(
            other.to_string().contains("in use by another sink"),
            "{other}"
        );
        drop(again);
        let renamed = Spool::open(dir.path(), "p", 1 << 20).err().unwrap();
        assert!(
            renamed.to_string().contains(r#"the origin "o", not "p""#),
            "{renamed}"
        );
    }
}
