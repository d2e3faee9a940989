//! What can go wrong delivering entries.

use std::fmt;

use crate::entry::AuditEntry;

/// An entry could not be delivered to a sink, or a sink could not write.
///
/// The variants that concern one entry carry it, so that the caller can
/// retry, spool or report it: nothing is dropped silently.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExportError {
    /// The sink stayed full for as long as the exporter would wait: its
    /// writer cannot keep up (a slow or stalled disk). The entry is returned.
    QueueFull(Box<AuditEntry>),
    /// The sink no longer accepts entries: its writer stopped. The entry is returned.
    Closed(Box<AuditEntry>),
    /// The sink's writer stopped (it panicked or could not be reached), so
    /// whether the entries exported before were written is unknown.
    Stopped,
    /// Writing to the sink's storage failed. The entries that could not be
    /// written were written to standard error, one line of JSON each, when
    /// the failure happened: nobody else could be handed them.
    Write {
        /// How many entries could not be written.
        failed: usize,
        /// The first error, as the storage reported it: an `io::Error` from
        /// a file, the database driver's error from a store.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The entries were written (committed to the store), but not sealed
    /// into its hash chain in time: no sealer runs on the store, or it
    /// cannot keep up. They are stored all the same, and a sealer will
    /// chain them; until then `audit verify` counts them as unsealed.
    Unsealed {
        /// How long was waited, and for how many entries.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The entries were written to the sink's spool on disk, but the
    /// destination behind it (a Kafka broker) did not acknowledge them in
    /// time. They are not lost: they wait in the spool, and are delivered
    /// once the destination is reachable, by this sink or the next one
    /// opened on the spool.
    Undelivered {
        /// How many entries wait in the spool.
        entries: u64,
        /// The last failure to deliver, or how long was waited.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The entries were written, but a checkpoint of the log's hash chain
    /// could not be made or stored.
    Checkpoint {
        /// Why: an `io::Error` from the checkpoint sink, or the signer's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ExportError {
    /// The entry the sink could not take, if the error concerns one.
    pub fn entry(&self) -> Option<&AuditEntry> {
        match self {
            ExportError::QueueFull(entry) | ExportError::Closed(entry) => Some(entry),
            ExportError::Stopped
            | ExportError::Write { .. }
            | ExportError::Unsealed { .. }
            | ExportError::Undelivered { .. }
            | ExportError::Checkpoint { .. } => None,
        }
    }

    /// The entry the sink could not take, if the error concerns one.
    pub fn into_entry(self) -> Option<AuditEntry> {
        match self {
            ExportError::QueueFull(entry) | ExportError::Closed(entry) => Some(*entry),
            ExportError::Stopped
            | ExportError::Write { .. }
            | ExportError::Unsealed { .. }
            | ExportError::Undelivered { .. }
            | ExportError::Checkpoint { .. } => None,
        }
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The resource's type and id are the application's text: quoted
            // and escaped, so that a newline in one cannot forge a line.
            ExportError::QueueFull(entry) => write!(
                f,
                "the audit sink's queue is full; entry {} ({} {:?} {:?}) was not exported",
                entry.id, entry.action, entry.resource_type, entry.resource_id
            ),
            ExportError::Closed(entry) => write!(
                f,
                "the audit sink is closed; entry {} ({} {:?} {:?}) was not exported",
                entry.id, entry.action, entry.resource_type, entry.resource_id
            ),
            ExportError::Stopped => f.write_str(
                "the audit sink's writer stopped; entries exported before may not have been written",
            ),
            ExportError::Write { failed, source } => write!(
                f,
                "{failed} audit {} could not be written: {source}",
                if *failed == 1 { "entry" } else { "entries" }
            ),
            ExportError::Unsealed { source } => {
                write!(f, "the audit entries were stored, but not sealed into the chain: {source}")
            }
            ExportError::Undelivered { entries, source } => write!(
                f,
                "{entries} audit {} wait in the spool, not yet delivered: {source}",
                if *entries == 1 { "entry" } else { "entries" }
            ),
            ExportError::Checkpoint { source } => {
                write!(f, "the audit log's checkpoint could not be made: {source}")
            }
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Write { source, .. }
            | ExportError::Unsealed { source }
            | ExportError::Undelivered { source, .. }
            | ExportError::Checkpoint { source } => Some(&**source),
            ExportError::QueueFull(_) | ExportError::Closed(_) | ExportError::Stopped => None,
        }
    }
}
