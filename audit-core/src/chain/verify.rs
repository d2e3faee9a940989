//! Checking a chained log: every link, and the heads checkpoints commit to.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead};

use sha2::{Digest as _, Sha256};

use super::{ChainedLine, Digest, Head, Link, is_torn_write};

/// What [`verify`] found in a log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The origin the chain's first entry names, or the first entry of a file
    /// that continues a chain.
    pub origin: Option<String>,
    /// The last entry of an earlier file that the first file verified
    /// continues, as its first entry's link names it: the log was rotated,
    /// and that file holds the entries before.
    pub continues: Option<Head>,
    /// How many chained entries were verified: all of them when there is no
    /// [`problem`](Report::problem).
    pub entries: u64,
    /// The last entry verified.
    pub head: Option<Head>,
    /// The `time` of the first and of the last entry verified.
    pub times: Option<(String, String)>,
    /// Lines that are not entries and that the chain accounts for: torn by a
    /// crash and recorded, by hash, by the entry written after them.
    pub skipped: Vec<SkippedLine>,
    /// How many of the heads given to [`verify`] were found and matched.
    pub heads_matched: usize,
    /// The first thing wrong, if any.
    pub problem: Option<Problem>,
    /// The signature of the rotation record the first file starts with,
    /// when it [`continues`](Report::continues) a rotated one.
    rotation_signature: Option<[u8; 68]>,
}

impl Report {
    /// Whether the rotation record that starts the first file verified is
    /// signed by `key`, when that file [`continues`](Report::continues) a
    /// rotated one: what tells a rotation by the log's writer from a file
    /// replaced by whoever could write the log's directory.
    #[cfg(feature = "checkpoints")]
    #[cfg_attr(docsrs, doc(cfg(feature = "checkpoints")))]
    pub fn rotation_signed_by(&self, key: &crate::chain::checkpoint::VerifierKey) -> bool {
        match (&self.origin, self.continues, &self.rotation_signature) {
            (Some(origin), Some(old), Some(signature)) => {
                key.signed_rotation(origin, old, signature)
            }
            _ => false,
        }
    }
}

/// A line that is not an entry, which the chain accounts for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedLine {
    /// The file the line is in, from 0, in the order the files were verified.
    pub file: usize,
    /// The line's number in its file, from 1.
    pub line: usize,
    /// Whether it is a complete line before the chain's first entry, written
    /// before the log was chained, rather than a write cut short: accepted
    /// only by [`ChainVerifier::allowing_unchained_start`].
    pub unchained: bool,
}

/// The first line that breaks the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// The file the bad line is in, from 0, in the order the files were
    /// verified.
    pub file: usize,
    /// The bad line's number in its file, from 1.
    pub line: usize,
    /// The bad line's sequence number, when it has one.
    pub seq: Option<u64>,
    /// The bad line's entry id, when it has one.
    pub id: Option<String>,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a line of a chained log.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The line no longer hashes to the `prev` the next entry recorded: it was
    /// modified (or entries after it were removed, and the rest renumbered).
    Modified {
        /// The line of the next entry.
        next_line: usize,
        /// The `prev` the next entry records.
        recorded: Digest,
        /// The hash of the line as it is.
        actual: Digest,
    },
    /// The line's `prev` does not match the previous line, which the entry
    /// after it confirms: the line's link was modified.
    LinkModified {
        /// The line of the previous entry.
        previous_line: usize,
        /// The `prev` the line records.
        recorded: Digest,
        /// The hash of the previous entry's line.
        actual: Digest,
    },
    /// The line's sequence number is beyond the next one: entries were
    /// removed, or moved further down.
    Missing {
        /// The sequence number that should come next.
        expected: u64,
    },
    /// The line's sequence number is behind the next one: entries were
    /// reordered, duplicated or inserted.
    OutOfOrder {
        /// The sequence number that should come next.
        expected: u64,
    },
    /// The first entry's `prev` is not the genesis hash of its origin, or it
    /// names no origin.
    Genesis,
    /// The line is not a chained entry, nor a write cut short by a crash,
    /// and no entry accounts for it: it was inserted, or modified.
    NotChained,
    /// The line is not a chained entry, nor a write cut short by a crash (an
    /// incomplete JSON object), yet the entry after it recorded it: its
    /// writer found it when it resumed, so it was put in the log while the
    /// writer was stopped. Its writer recorded it rather than lose entries;
    /// nothing vouches for it.
    Unchained {
        /// The line of the entry that recorded it.
        entry_line: usize,
    },
    /// The log ends with a line that is not an entry and that no entry
    /// accounts for: a write cut short by a crash, or bytes added to the log;
    /// nothing tells which. The writer's next entry records it when it
    /// resumes, and the log verifies again.
    Unaccounted,
    /// The first line of a file continues a chain, but links to another
    /// last entry of the earlier file than a checkpoint commits to: the file
    /// does not continue the checkpointed chain.
    ContinuesElsewhere {
        /// The head the checkpoint commits to, for the entry before.
        committed: Digest,
    },
    /// The file ends with an entry without its newline: a write cut short by
    /// a crash just before its end, or the newline removed; no hash covers a
    /// missing newline, so the line is not taken as written. The writer ends
    /// the line when it resumes.
    NoNewline,
    /// The line names another origin than the chain's.
    OtherOrigin {
        /// The chain's origin.
        chain: String,
        /// The origin the line names.
        line: String,
    },
    /// Lines that an entry recorded as skipped (torn by a crash) are not the
    /// bytes it recorded: they were modified, removed or inserted.
    SkippedChanged {
        /// The line of the entry that recorded them.
        entry_line: usize,
    },
    /// The line hashes to something else than a checkpoint commits to: the
    /// line was modified, or the chain recomputed.
    CheckpointMismatch {
        /// The head the checkpoint commits to.
        committed: Digest,
        /// The hash of the line as it is.
        actual: Digest,
    },
    /// A store's row says something in a query column (its actor, its
    /// resource, its time...) that its chained line does not: the column was
    /// edited behind the chain, so that queries filtering on it would hide or
    /// misattribute the entry.
    ColumnMismatch {
        /// The column's name.
        column: &'static str,
    },
    /// The log ends before the last entry a checkpoint commits to: its tail
    /// was removed. The problem's line is where the missing entries belong.
    Truncated {
        /// The last sequence number in the log.
        last: u64,
        /// The sequence number the checkpoint commits to.
        committed: u64,
    },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Modified {
                next_line,
                recorded,
                actual,
            } => write!(
                f,
                "the line hashes to {}, but line {next_line} records prev {}: \
                 the line was modified, or entries after it were removed",
                actual.short(),
                recorded.short()
            ),
            ProblemKind::LinkModified {
                previous_line,
                recorded,
                actual,
            } => write!(
                f,
                "prev is {}, but line {previous_line} hashes to {}: the line's link was modified",
                recorded.short(),
                actual.short()
            ),
            ProblemKind::Missing { expected } => write!(
                f,
                "expected seq {expected}: entry {expected} was removed or moved"
            ),
            ProblemKind::OutOfOrder { expected } => write!(
                f,
                "expected seq {expected}: entries were reordered, duplicated or inserted"
            ),
            ProblemKind::Genesis => f.write_str(
                "the first entry's prev is not the genesis hash of its origin: the chain's start was modified",
            ),
            ProblemKind::NotChained => f.write_str(
                "the line is not a chained entry and no entry accounts for it: it was inserted or modified",
            ),
            ProblemKind::Unchained { entry_line } => write!(
                f,
                "the line is not chained, and not a write cut short by a crash (an incomplete JSON object): \
                 line {entry_line} recorded it when its writer resumed, so it was put in the log while the writer was stopped"
            ),
            ProblemKind::Unaccounted => f.write_str(
                "the last line is not an entry and no entry accounts for it: a write cut short by a crash, \
                 or bytes added to the log; the writer's next entry records it when it resumes",
            ),
            ProblemKind::ContinuesElsewhere { committed } => write!(
                f,
                "the line continues a rotated file, but links to another last entry than a checkpoint \
                 commits to ({}): it does not continue the checkpointed chain",
                committed.short()
            ),
            ProblemKind::NoNewline => f.write_str(
                "the last line has no newline: a write cut short by a crash just before its end, \
                 or the newline removed; the writer ends the line when it resumes",
            ),
            ProblemKind::OtherOrigin { chain, line } => {
                write!(f, "the line names origin {line:?}, but the chain's is {chain:?}")
            }
            ProblemKind::SkippedChanged { entry_line } => write!(
                f,
                "the skipped lines before line {entry_line} are not those it recorded: \
                 lines were modified, removed or inserted"
            ),
            ProblemKind::CheckpointMismatch { committed, actual } => write!(
                f,
                "the line hashes to {}, but a checkpoint commits to {}: \
                 the line was modified or the chain recomputed",
                actual.short(),
                committed.short()
            ),
            ProblemKind::ColumnMismatch { column } => write!(
                f,
                "the `{column}` column says something else than the chained entry: the \
                 column was edited, and queries that filter on it hide or misattribute the entry"
            ),
            ProblemKind::Truncated { last, committed } => write!(
                f,
                "the log ends at seq {last}, but a checkpoint commits to seq {committed}: \
                 {} entries at the end were removed",
                committed - last
            ),
        }
    }
}

/// Verifies the chained log read from `log`: each line's link to the one
/// before, the sequence numbers, the lines skipped after a crash, and the
/// `heads` (sequence number to line hash) that checkpoints commit to. Stops
/// at the first problem. A log whose first entry continues the chain of an
/// earlier file (it was rotated) is verified from that entry; to verify the
/// files together, push them to one [`ChainVerifier`].
///
/// ```
/// use std::collections::BTreeMap;
/// use audit_core::chain::{Chainer, verify::{ProblemKind, verify}};
///
/// let mut chainer = Chainer::new("example");
/// let mut log = Vec::new();
/// for n in 0..3 {
///     chainer.append(format!(r#"{{"id":"e{n}"}}"#).as_bytes(), &mut log).unwrap();
///     log.push(b'\n');
/// }
/// let report = verify(log.as_slice(), &BTreeMap::new()).unwrap();
/// assert_eq!((report.entries, report.problem), (3, None));
///
/// // Change `e1` to `E1`: line 2 no longer hashes to what line 3 recorded.
/// let at = log.windows(2).position(|w| w == b"e1").unwrap();
/// log[at] = b'E';
/// let problem = verify(log.as_slice(), &BTreeMap::new()).unwrap().problem.unwrap();
/// assert_eq!((problem.line, problem.seq, problem.id.as_deref()), (2, Some(2), Some("E1")));
/// assert!(matches!(problem.kind, ProblemKind::Modified { next_line: 3, .. }));
/// ```
///
/// # Errors
///
/// When `log` cannot be read.
pub fn verify(log: impl BufRead, heads: &BTreeMap<u64, Digest>) -> io::Result<Report> {
    let mut verifier = ChainVerifier::for_files(heads);
    verifier.read(log)?;
    Ok(verifier.finish())
}

/// The origin a log's first chained line names: the chain's, whether the
/// log starts the chain or continues it after a rotation. `None` when that
/// line names none (the log's start was removed) or the log has no chained
/// line. Reads no further than that line.
///
/// # Errors
///
/// When `log` cannot be read.
pub fn origin_of(mut log: impl BufRead) -> io::Result<Option<String>> {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        if log.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(None);
        }
        let line = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
        if let Some((link, _, _)) = ChainedLine::parse(line) {
            return Ok(link.origin);
        }
    }
}

/// Verifies a chain handed over one line at a time: the rows of a SQL store,
/// in `seq` order, each row a line; or the lines of one or more files, the
/// files of a rotated log in order.
///
/// ```
/// use std::collections::BTreeMap;
/// use audit_core::chain::{Chainer, verify::ChainVerifier};
///
/// let mut chainer = Chainer::new("rows");
/// let mut rows = Vec::new();
/// for n in 0..3 {
///     let mut row = Vec::new();
///     chainer.append(format!(r#"{{"id":"e{n}"}}"#).as_bytes(), &mut row).unwrap();
///     rows.push(row);
/// }
/// let heads = BTreeMap::new();
/// // Retention removed the first row: the chain is checked from the second.
/// let mut verifier = ChainVerifier::new(&heads).starting_anywhere();
/// for row in &rows[1..] {
///     assert!(!verifier.push(row));
/// }
/// let report = verifier.finish();
/// assert_eq!((report.entries, report.head.unwrap().seq, report.problem), (2, 3, None));
/// ```
pub struct ChainVerifier<'a> {
    state: Verifier<'a>,
    done: bool,
}

impl<'a> ChainVerifier<'a> {
    /// A verifier of a chain that starts at its first entry (seq 1, linked to
    /// the genesis hash of its origin), or at an entry that continues the
    /// chain of an earlier file, with the `heads` checkpoints commit to. Its
    /// lines are rows: their bytes, without a newline.
    pub fn new(heads: &'a BTreeMap<u64, Digest>) -> Self {
        ChainVerifier {
            state: Verifier {
                heads,
                file: 0,
                line: 0,
                previous: None,
                region: None,
                suspect: None,
                anywhere: false,
                unchained_start: false,
                newlines: false,
                unterminated: None,
                report: Report::default(),
            },
            done: false,
        }
    }

    /// A verifier of files: each line pushed ends with its newline, which is
    /// not part of what is hashed; [`read`](Self::read) pushes a whole file.
    pub fn for_files(heads: &'a BTreeMap<u64, Digest>) -> Self {
        let mut verifier = ChainVerifier::new(heads);
        verifier.state.newlines = true;
        verifier
    }

    /// Accepts a chain whose first entries were removed, as a store's
    /// retention purge removes them: the first line may have any sequence
    /// number, and its link is not checked, since nothing is left to check
    /// it against. The entries before it are then anchored only by
    /// checkpoints.
    #[must_use]
    pub fn starting_anywhere(mut self) -> Self {
        self.state.anywhere = true;
        self
    }

    /// Accepts complete lines without a chain before the chain's first entry
    /// (seq 1), when that entry recorded them: a log written before it was
    /// chained. They are listed in [`Report::skipped`], not verified. Lines
    /// without a chain after the first entry are never accepted.
    #[must_use]
    pub fn allowing_unchained_start(mut self) -> Self {
        self.state.unchained_start = true;
        self
    }

    /// Checks the next line, its exact bytes (for a file, with its newline,
    /// if it has one; for a row, a newline at its end is part of it, and
    /// changes its hash); `true` once a problem is found, after which further
    /// lines are ignored.
    pub fn push(&mut self, line: &[u8]) -> bool {
        if !self.done {
            self.done = self.state.line(line);
        }
        self.done
    }

    /// Pushes every line of `file`; `true` once a problem is found.
    ///
    /// # Errors
    ///
    /// When `file` cannot be read.
    pub fn read(&mut self, mut file: impl BufRead) -> io::Result<bool> {
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            if self.done || file.read_until(b'\n', &mut buffer)? == 0 {
                return Ok(self.done);
            }
            self.push(&buffer);
        }
    }

    /// Starts the next file of the log: the lines pushed after this are
    /// numbered from 1 again, and its first entry continues the chain of the
    /// file before. What ends the file before must be accounted for, as the
    /// end of a log is; `true` once a problem is found.
    pub fn next_file(&mut self) -> bool {
        if !self.done {
            self.done = self.state.end_of_file();
            self.state.file += 1;
            self.state.line = 0;
        }
        self.done
    }

    /// The report, once every line is pushed.
    pub fn finish(mut self) -> Report {
        if !self.done {
            self.state.finish();
        }
        self.state.report
    }
}

/// A chained line, as the verifier remembers it.
#[derive(Clone, Debug)]
struct Entry {
    file: usize,
    line: usize,
    seq: u64,
    id: Option<String>,
    hash: Digest,
}

/// Lines since the last entry that are not entries.
struct Region {
    first_line: usize,
    hasher: Sha256,
    /// The first of them that is not a write cut short by a crash (an
    /// incomplete JSON object): a complete JSON value, a blank line, text.
    first_not_torn: Option<usize>,
    lines: Vec<usize>,
}

struct Verifier<'a> {
    heads: &'a BTreeMap<u64, Digest>,
    file: usize,
    line: usize,
    previous: Option<Entry>,
    region: Option<Region>,
    /// A link that did not match the line before it: whether that line or the
    /// link was modified is decided by the next entry.
    /// Holds the line before, the line with the link, and the link's `prev`.
    suspect: Option<(Entry, Entry, Digest)>,
    /// Whether the first entry may have any sequence number.
    anywhere: bool,
    /// Whether complete lines before seq 1 are accepted, when recorded.
    unchained_start: bool,
    /// Whether lines end with a newline that is not part of them (a file).
    newlines: bool,
    /// A file's last entry, when it has no newline.
    unterminated: Option<usize>,
    report: Report,
}

impl Verifier<'_> {
    /// Checks one line, with its newline if it has one; `true` once a
    /// problem is found.
    fn line(&mut self, bytes: &[u8]) -> bool {
        self.line += 1;
        let content = if self.newlines {
            bytes.strip_suffix(b"\n").unwrap_or(bytes)
        } else {
            bytes
        };
        let Some((link, id, time)) = ChainedLine::parse(content) else {
            let region = self.region.get_or_insert_with(|| Region {
                first_line: self.line,
                hasher: Sha256::new(),
                first_not_torn: None,
                lines: Vec::new(),
            });
            region.hasher.update(bytes);
            region.lines.push(self.line);
            if region.first_not_torn.is_none() && !is_torn_write(content) {
                region.first_not_torn = Some(self.line);
            }
            return false;
        };
        if self.newlines && !bytes.ends_with(b"\n") {
            self.unterminated = Some(self.line);
        }
        let entry = Entry {
            file: self.file,
            line: self.line,
            seq: link.seq,
            id,
            hash: Digest::of(content),
        };
        let continued = self.report.continues.is_some();
        if let Some(problem) = self.check(&entry, &link) {
            self.report.problem = Some(problem);
            return true;
        }
        if !continued && self.report.continues.is_some() {
            self.report.rotation_signature = crate::chain::rotation_signature_of(content);
        }
        if self.report.origin.is_none() {
            self.report.origin.clone_from(&link.origin);
        }
        self.report.entries += 1;
        self.report.head = Some(Head {
            seq: entry.seq,
            hash: entry.hash,
        });
        let time = time.unwrap_or_default();
        match &mut self.report.times {
            Some((_, last)) => *last = time,
            None => self.report.times = Some((time.clone(), time)),
        }
        self.previous = Some(entry);
        false
    }

    /// What is wrong with the lines between the previous entry and `entry`,
    /// which `link` may record as skipped.
    fn check_region(&mut self, entry: &Entry, link: &Link) -> Option<Problem> {
        if let Some(region) = self.region.take() {
            let Some(recorded) = link.skipped else {
                return Some(self.at_line(region.first_line, ProblemKind::NotChained));
            };
            if Digest::from_bytes(region.hasher.finalize().into()) != recorded {
                let kind = ProblemKind::SkippedChanged {
                    entry_line: entry.line,
                };
                return Some(self.at_line(region.first_line, kind));
            }
            // Only a write cut short is a crash; a log written before it was
            // chained is accepted when asked, before its first entry.
            let unchained_start = self.unchained_start && self.previous.is_none() && link.seq == 1;
            if let Some(line) = region.first_not_torn
                && !unchained_start
            {
                let kind = ProblemKind::Unchained {
                    entry_line: entry.line,
                };
                return Some(self.at_line(line, kind));
            }
            let file = self.file;
            self.report
                .skipped
                .extend(region.lines.iter().map(|&line| SkippedLine {
                    file,
                    line,
                    unchained: unchained_start,
                }));
        } else if link.skipped.is_some() {
            let kind = ProblemKind::SkippedChanged {
                entry_line: entry.line,
            };
            return Some(at_entry(entry, kind));
        }
        None
    }

    /// What is wrong with `entry`, given the lines before it.
    fn check(&mut self, entry: &Entry, link: &Link) -> Option<Problem> {
        // Lines between the previous entry and this one come first.
        if let Some(problem) = self.check_region(entry, link) {
            return Some(problem);
        }
        if let (Some(chain), Some(line)) = (&self.report.origin, &link.origin)
            && chain != line
        {
            let kind = ProblemKind::OtherOrigin {
                chain: chain.clone(),
                line: line.clone(),
            };
            return Some(at_entry(entry, kind));
        }
        // A link that did not match: this entry decides which line was modified.
        if let Some((previous, suspect, recorded)) = self.suspect.take() {
            return Some(
                if link.prev == suspect.hash && link.seq == suspect.seq + 1 {
                    modified(&previous, &suspect, recorded)
                } else {
                    let kind = ProblemKind::LinkModified {
                        previous_line: previous.line,
                        recorded,
                        actual: previous.hash,
                    };
                    at_entry(&suspect, kind)
                },
            );
        }
        // A file that continues a chain starts with a rotation record (a
        // chained line without an entry id) that names the origin. An entry
        // there is not one: renumbered to look like a continuation, it
        // would put every checkpoint before it in an "earlier file".
        let continues =
            self.previous.is_none() && link.seq > 1 && link.origin.is_some() && entry.id.is_none();
        let expected = match &self.previous {
            Some(previous) => previous.seq + 1,
            None if self.anywhere || continues => link.seq,
            None => 1,
        };
        if link.seq > expected {
            return Some(at_entry(entry, ProblemKind::Missing { expected }));
        }
        if link.seq < expected {
            return Some(at_entry(entry, ProblemKind::OutOfOrder { expected }));
        }
        match &self.previous {
            None if continues => {
                // The old file's last entry, which a checkpoint may commit to.
                if let Some(&committed) = self.heads.get(&(link.seq - 1))
                    && committed != link.prev
                {
                    let kind = ProblemKind::ContinuesElsewhere { committed };
                    return Some(at_entry(entry, kind));
                }
                self.report.continues = Some(Head {
                    seq: link.seq - 1,
                    hash: link.prev,
                });
            }
            None if link.seq != 1 => {}
            None => {
                let genesis = link.origin.as_deref().map(Digest::genesis);
                if genesis != Some(link.prev) {
                    return Some(at_entry(entry, ProblemKind::Genesis));
                }
            }
            Some(previous) if link.prev != previous.hash => {
                // Decided by the next entry; until then, this one counts.
                self.suspect = Some((previous.clone(), entry.clone(), link.prev));
            }
            Some(_) => {}
        }
        if let Some(&committed) = self.heads.get(&entry.seq) {
            if committed != entry.hash {
                let kind = ProblemKind::CheckpointMismatch {
                    committed,
                    actual: entry.hash,
                };
                return Some(at_entry(entry, kind));
            }
            self.report.heads_matched += 1;
        }
        None
    }

    /// Lines at the end of a file that no entry accounts for: a problem,
    /// since nothing tells a write cut short from bytes added; `true` then.
    fn end_of_file(&mut self) -> bool {
        if let Some(line) = self.unterminated.take() {
            self.report.problem = Some(self.at_line(line, ProblemKind::NoNewline));
            return true;
        }
        let Some(region) = self.region.take() else {
            return false;
        };
        let kind = match region.first_not_torn {
            Some(_) => ProblemKind::NotChained,
            None => ProblemKind::Unaccounted,
        };
        let problem = self.at_line(region.first_line, kind);
        self.report.problem = Some(problem);
        true
    }

    fn finish(&mut self) {
        if let Some((previous, suspect, recorded)) = self.suspect.take() {
            // No entry after it to tell: the line before was modified, or this link.
            self.report.problem = Some(modified(&previous, &suspect, recorded));
            return;
        }
        let last = self.report.head.map_or(0, |head| head.seq);
        if let Some((&committed, _)) = self.heads.last_key_value()
            && committed > last
        {
            let line = self
                .previous
                .as_ref()
                .filter(|previous| previous.file == self.file)
                .map_or(1, |previous| previous.line + 1);
            self.report.problem = Some(Problem {
                file: self.file,
                line,
                seq: Some(last + 1),
                id: None,
                kind: ProblemKind::Truncated { last, committed },
            });
            return;
        }
        self.end_of_file();
    }

    /// A problem at a line of the current file that is not an entry.
    fn at_line(&self, line: usize, kind: ProblemKind) -> Problem {
        Problem {
            file: self.file,
            line,
            seq: None,
            id: None,
            kind,
        }
    }
}

/// A problem at an entry.
fn at_entry(entry: &Entry, kind: ProblemKind) -> Problem {
    Problem {
        file: entry.file,
        line: entry.line,
        seq: Some(entry.seq),
        id: entry.id.clone(),
        kind,
    }
}

/// `previous` no longer hashes to what `next` recorded.
fn modified(previous: &Entry, next: &Entry, recorded: Digest) -> Problem {
    let kind = ProblemKind::Modified {
        next_line: next.line,
        recorded,
        actual: previous.hash,
    };
    at_entry(previous, kind)
}
