//! Delivery, and its last resort for entries no caller can be told about:
//! standard error.
//!
//! An entry a sink could not take from a dropped guard, or entries a writer
//! could not write, have nobody to return to. They are written to standard
//! error at once, always, one line of JSON each (entries never hold secrets),
//! after one line that says why and starts `audit: `; they are also reported
//! through `tracing` when that feature is on. Always, rather than only when
//! no `tracing` subscriber is installed: a subscriber may filter the `audit`
//! target or drop events under load (a non-blocking appender does), and a
//! process supervisor keeps standard error. Every sink reports in this one
//! format, so that an operator greps for one thing.

use std::error::Error;
use std::fmt::Display;
use std::io::Write as _;

use crate::entry::AuditEntry;
use crate::sink::AuditSink;
use crate::sink::error::ExportError;

/// Hands `entry` to `sink` without waiting, for callers that cannot be told
/// of a failure (a dropped guard): what the sink hands back goes to
/// standard error. Its flags are reported first.
pub(crate) fn export_or_report(sink: &dyn AuditSink, entry: AuditEntry) {
    report_flags(&entry);
    if let Err(error) = sink.export_without_waiting(entry) {
        report_error(&error);
    }
}

/// Reports every flag of `entry` through `tracing`, then exports it.
pub(crate) fn export(sink: &dyn AuditSink, entry: AuditEntry) -> Result<(), ExportError> {
    report_flags(&entry);
    sink.export(entry)
}

/// Reports every flag of `entry` through `tracing`. Text is recorded with
/// `Debug`, quoted and escaped, so that a newline in an id cannot forge a line.
pub(crate) fn report_flags(entry: &AuditEntry) {
    #[cfg(feature = "tracing")]
    for flag in &entry.flags {
        tracing::warn!(
            target: "audit",
            flag = ?flag,
            resource_type = ?entry.resource_type,
            resource_id = ?entry.resource_id,
            action = %entry.action,
            request_id = entry.request_id.as_deref().map(tracing::field::debug),
            "audit entry flagged: {}",
            flag.description(),
        );
    }
    #[cfg(not(feature = "tracing"))]
    let _ = entry;
}

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

/// Writes `lines`, complete JSON lines that could not be written to `to`
/// (a file, a store), to standard error, after a line saying why.
pub(crate) fn report_lines(to: &dyn Display, count: usize, error: &dyn Error, lines: &[u8]) {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "audit",
        to = %to,
        lost = count,
        "audit entries could not be written: {error}; they were written to standard error"
    );
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "audit: {count} {} could not be written to {to}: {error}; {}",
        if count == 1 { "entry" } else { "entries" },
        if count == 1 {
            "the entry follows"
        } else {
            "the entries follow"
        },
    );
    let _ = stderr.write_all(lines);
    let _ = stderr.flush();
}

/// [`report_lines`] for entries not yet serialized.
#[cfg(feature = "sql")]
pub(crate) fn report_entries(to: &dyn Display, entries: &[AuditEntry], error: &dyn Error) {
    let mut lines = Vec::new();
    for entry in entries {
        lines.extend_from_slice(entry_json(entry).as_bytes());
        lines.push(b'\n');
    }
    report_lines(to, entries.len(), error, &lines);
}

/// Says `what` happened to the audit log, though nothing was lost: through
/// `tracing`, and on standard error.
pub(crate) fn report_notice(what: &dyn Display) {
    #[cfg(feature = "tracing")]
    tracing::warn!(target: "audit", "{what}");
    let _ = writeln!(std::io::stderr(), "audit: {what}");
}

/// Says on standard error that `count` entries written to `to` may not be
/// durable: their lines are no longer at hand.
pub(crate) fn report_count(to: &dyn Display, count: usize, error: &dyn Error) {
    if count == 0 {
        return;
    }
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", to = %to, lost = count, "audit log sync failed: {error}");
    let _ = writeln!(
        std::io::stderr(),
        "audit: {count} {} written to {to} may not be durable: {error}",
        if count == 1 { "entry" } else { "entries" },
    );
}

/// Logs a failure that the next flush returns (its entries were reported
/// where they failed).
#[cfg(any(feature = "checkpoints", feature = "kafka"))]
pub(crate) fn log_failure(name: &str, message: &str) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", writer = name, "{message}");
    #[cfg(not(feature = "tracing"))]
    let _ = (name, message);
}

/// Reports a fault of a background part of a sink (a store's sealer) that
/// no caller is waiting on: through `tracing`, and on standard error.
#[cfg(any(feature = "postgres", feature = "kafka"))]
pub(crate) fn report_fault(name: &str, message: &str) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", writer = name, "{message}");
    let _ = writeln!(std::io::stderr().lock(), "audit: {name}: {message}");
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
