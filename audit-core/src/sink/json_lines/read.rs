//! Reads a JSON-lines audit log back.

use std::io;
use std::path::Path;

use crate::entry::AuditEntry;

/// The entries of a JSON-lines audit log, and the lines that could not be read.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Contents {
    /// Every entry read, in file order.
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

/// Reads the JSON-lines audit log at `path`. Lines that are not an entry,
/// such as a partial last line left by a crash, are skipped and listed in
/// [`Contents::skipped`]; blank lines are ignored.
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
        match serde_json::from_slice::<AuditEntry>(line) {
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
