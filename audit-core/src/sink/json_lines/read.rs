//! Reads a JSON-lines audit log back.

use std::io;
use std::path::Path;

use crate::chain;
use crate::entry::AuditEntry;

/// The entries of a JSON-lines audit log, and the lines that could not be read.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Contents {
    /// Every entry read, in file order: the lines the log's writer chained.
    pub entries: Vec<AuditEntry>,
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

/// Why a well-formed entry without a chain is skipped.
const UNCHAINED: &str = "the line has no \"chain\" member: the log's writer did not write it; `audit verify` reports it";

/// Reads the JSON-lines audit log at `path`. Lines that are not an entry,
/// such as a partial last line left by a crash, are skipped and listed in
/// [`Contents::skipped`]; so are lines without the `"chain"` member every
/// line the sink writes has, even well-formed entries: the log's writer did
/// not write them (they were added by someone else, or written before the
/// log was chained), and `audit verify` reports them. Blank lines, and the
/// rotation record that starts a file continuing a rotated one, are
/// ignored.
///
/// # Errors
///
/// When the file cannot be read.
pub fn read(path: impl AsRef<Path>) -> io::Result<Contents> {
    let bytes = std::fs::read(path)?;
    let mut log = Contents::default();
    let ends_with_newline = bytes.last() == Some(&b'\n');
    let lines: Vec<&[u8]> = bytes.split(|&byte| byte == b'\n').collect();
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if chain::is_rotation_record(line) {
            // The chained first line of a file that continues a rotated one.
            continue;
        }
        let read = serde_json::from_slice::<AuditEntry>(line)
            .map_err(|error| error.to_string())
            .and_then(|entry| match chain::link_of(line) {
                Some(_) => Ok(entry),
                None => Err(UNCHAINED.to_owned()),
            });
        match read {
            Ok(entry) => log.entries.push(entry),
            Err(error) => log.skipped.push(SkippedLine {
                line: index + 1,
                partial: index + 1 == count && !ends_with_newline,
                error,
            }),
        }
    }
    Ok(log)
}
