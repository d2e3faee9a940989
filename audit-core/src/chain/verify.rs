//! Checking a chained log: every link, and the heads checkpoints commit to.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead};

use sha2::{Digest as _, Sha256};

use super::{ChainedLine, Digest, Head, Link};

/// What [`verify`] found in a log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The origin the chain's first entry names.
    pub origin: Option<String>,
    /// How many chained entries were verified: all of them when there is no
    /// [`problem`](Report::problem).
    pub entries: u64,
    /// The last entry verified.
    pub head: Option<Head>,
    /// The `time` of the first and of the last entry verified.
    pub times: Option<(String, String)>,
    /// Lines that are not entries and that the chain accounts for: torn by a
    /// crash and recorded, by hash, by the entry written after them; or a
    /// torn last line.
    pub skipped: Vec<SkippedLine>,
    /// How many of the heads given to [`verify`] were found and matched.
    pub heads_matched: usize,
    /// The first thing wrong, if any.
    pub problem: Option<Problem>,
}

/// A line that is not an entry, which the chain accounts for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedLine {
    /// The line's number, from 1.
    pub line: usize,
    /// Whether it comes after the last entry, so that no entry accounts for
    /// it yet: a write cut short by a crash.
    pub torn: bool,
}

/// The first line that breaks the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// The bad line's number, from 1.
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
    /// The line is a JSON value but not a chained entry, and no entry
    /// accounts for it: it was inserted, or modified.
    NotChained,
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
/// at the first problem.
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
pub fn verify(mut log: impl BufRead, heads: &BTreeMap<u64, Digest>) -> io::Result<Report> {
    let mut verifier = ChainVerifier::new(heads);
    verifier.state.newlines = true;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        if log.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        if verifier.push(&buffer) {
            break;
        }
    }
    Ok(verifier.finish())
}

/// Verifies a chain handed over one line at a time, for chains that are not
/// a file: the rows of a SQL store, in `seq` order, each row a line.
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
    /// the genesis hash of its origin), with the `heads` checkpoints commit to.
    pub fn new(heads: &'a BTreeMap<u64, Digest>) -> Self {
        ChainVerifier {
            state: Verifier {
                heads,
                line: 0,
                previous: None,
                region: None,
                suspect: None,
                anywhere: false,
                newlines: false,
                report: Report::default(),
            },
            done: false,
        }
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

    /// Checks the next line, its exact bytes without a newline (a newline at
    /// its end is part of it, and changes its hash); `true` once a problem
    /// is found, after which further lines are ignored.
    pub fn push(&mut self, line: &[u8]) -> bool {
        if !self.done {
            self.done = self.state.line(line);
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
    line: usize,
    seq: u64,
    id: Option<String>,
    hash: Digest,
}

/// Lines since the last entry that are not entries.
struct Region {
    first_line: usize,
    hasher: Sha256,
    /// The first of them that is a JSON value rather than a torn write.
    first_json: Option<usize>,
    lines: Vec<usize>,
}

struct Verifier<'a> {
    heads: &'a BTreeMap<u64, Digest>,
    line: usize,
    previous: Option<Entry>,
    region: Option<Region>,
    /// A link that did not match the line before it: whether that line or the
    /// link was modified is decided by the next entry.
    /// Holds the line before, the line with the link, and the link's `prev`.
    suspect: Option<(Entry, Entry, Digest)>,
    /// Whether the first entry may have any sequence number.
    anywhere: bool,
    /// Whether lines end with a newline that is not part of them (a file).
    newlines: bool,
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
                first_json: None,
                lines: Vec::new(),
            });
            region.hasher.update(bytes);
            region.lines.push(self.line);
            if region.first_json.is_none()
                && serde_json::from_slice::<serde::de::IgnoredAny>(content).is_ok()
            {
                region.first_json = Some(self.line);
            }
            return false;
        };
        let entry = Entry {
            line: self.line,
            seq: link.seq,
            id,
            hash: Digest::of(content),
        };
        if let Some(problem) = self.check(&entry, &link) {
            self.report.problem = Some(problem);
            return true;
        }
        if link.seq == 1 {
            self.report.origin = link.origin;
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

    /// What is wrong with `entry`, given the lines before it.
    fn check(&mut self, entry: &Entry, link: &Link) -> Option<Problem> {
        // Lines between the previous entry and this one come first.
        if let Some(region) = self.region.take() {
            let Some(recorded) = link.skipped else {
                let first = region.first_json.unwrap_or(region.first_line);
                return Some(at_line(first, ProblemKind::NotChained));
            };
            if Digest::from_bytes(region.hasher.finalize().into()) != recorded {
                let kind = ProblemKind::SkippedChanged {
                    entry_line: entry.line,
                };
                return Some(at_line(region.first_line, kind));
            }
            self.report.skipped.extend(
                region
                    .lines
                    .iter()
                    .map(|&line| SkippedLine { line, torn: false }),
            );
        } else if link.skipped.is_some() {
            let kind = ProblemKind::SkippedChanged {
                entry_line: entry.line,
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
        let first = if self.anywhere { link.seq } else { 1 };
        let expected = self
            .previous
            .as_ref()
            .map_or(first, |previous| previous.seq + 1);
        if link.seq > expected {
            return Some(at_entry(entry, ProblemKind::Missing { expected }));
        }
        if link.seq < expected {
            return Some(at_entry(entry, ProblemKind::OutOfOrder { expected }));
        }
        match &self.previous {
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

    fn finish(&mut self) {
        if let Some((previous, suspect, recorded)) = self.suspect.take() {
            // No entry after it to tell: the line before was modified, or this link.
            self.report.problem = Some(modified(&previous, &suspect, recorded));
            return;
        }
        if let Some(region) = self.region.take() {
            // Lines after the last entry that are not JSON were torn by a
            // crash; a JSON value there was not written by the sink.
            if let Some(line) = region.first_json {
                self.report.problem = Some(at_line(line, ProblemKind::NotChained));
                return;
            }
            self.report.skipped.extend(
                region
                    .lines
                    .iter()
                    .map(|&line| SkippedLine { line, torn: true }),
            );
        }
        let last = self.report.head.map_or(0, |head| head.seq);
        if let Some((&committed, _)) = self.heads.last_key_value()
            && committed > last
        {
            let line = self
                .previous
                .as_ref()
                .map_or(1, |previous| previous.line + 1);
            self.report.problem = Some(Problem {
                line,
                seq: Some(last + 1),
                id: None,
                kind: ProblemKind::Truncated { last, committed },
            });
        }
    }
}

/// A problem at a line that is not an entry.
fn at_line(line: usize, kind: ProblemKind) -> Problem {
    Problem {
        line,
        seq: None,
        id: None,
        kind,
    }
}

/// A problem at an entry.
fn at_entry(entry: &Entry, kind: ProblemKind) -> Problem {
    Problem {
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
