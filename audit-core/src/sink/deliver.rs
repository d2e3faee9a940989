//! The last resort for entries no caller can be told about: standard error.
//!
//! An entry a sink could not take from a dropped guard, or lines its writer
//! could not write, have nobody to return to. They are written to standard
//! error, always, one line of JSON each (entries never hold secrets), and
//! also reported through `tracing` when that feature is on. Always, rather
//! than only when no `tracing` subscriber is installed: a subscriber may
//! filter the `audit` target or drop events under load (a non-blocking
//! appender does), and a process supervisor keeps standard error.

use std::io::Write as _;

use crate::{AuditEntry, ExportError};

/// Writes the entry `error` carries to standard error, with the error.
pub(crate) fn report_error(error: &ExportError) {
    let entry = error.entry().map(entry_json);
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "audit",
        entry = entry.as_deref().map(tracing::field::display),
        "audit entry not exported: {error}"
    );
    let mut stderr = std::io::stderr().lock();
    let _ = match entry {
        Some(entry) => writeln!(
            stderr,
            "audit: entry not exported: {error}; the entry follows\n{entry}"
        ),
        None => writeln!(stderr, "audit: {error}"),
    };
}

/// Writes `lines`, complete JSON lines that could not be written to `path`,
/// to standard error, after a line saying why.
pub(crate) fn report_lines(
    path: &std::path::Path,
    count: usize,
    error: &std::io::Error,
    lines: &[u8],
) {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "audit",
        path = %path.display(),
        lost = count,
        "audit log write failed: {error}; the entries were written to standard error"
    );
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "audit: {count} {} could not be written to {}: {error}; {}",
        if count == 1 { "entry" } else { "entries" },
        path.display(),
        if count == 1 {
            "the entry follows"
        } else {
            "the entries follow"
        },
    );
    let _ = stderr.write_all(lines);
    let _ = stderr.flush();
}

/// Says on standard error that `count` entries written to `path` may not be
/// durable: their lines are no longer at hand.
pub(crate) fn report_count(path: &std::path::Path, count: usize, error: &std::io::Error) {
    if count == 0 {
        return;
    }
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", path = %path.display(), lost = count, "audit log sync failed: {error}");
    let _ = writeln!(
        std::io::stderr(),
        "audit: {count} {} written to {} may not be durable: {error}",
        if count == 1 { "entry" } else { "entries" },
        path.display(),
    );
}

fn entry_json(entry: &AuditEntry) -> String {
    serde_json::to_string(entry).unwrap_or_else(|error| {
        format!(
            "{{\"unserializable_entry\":{:?},\"error\":{:?}}}",
            entry.id.to_string(),
            error.to_string()
        )
    })
}
