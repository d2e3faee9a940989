//! A sink that holds entries for the caller to insert in its own transaction.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::entry::AuditEntry;

use crate::sink::AuditSink;

use crate::sink::error::ExportError;

/// Collects the entries of a change, for the caller to insert with the
/// change, in its own transaction: the entries commit if and only if the
/// change does.
///
/// Audit the change into an `Outbox`, then insert what it holds with the
/// transaction's connection, before committing:
/// `audit_core::sqlite::insert_entries(&tx, outbox.take())` for a
/// `rusqlite::Transaction`, `audit_core::postgres::insert_entries(&mut tx,
/// outbox.take()).await` for a `sqlx::Transaction`. The table must exist:
/// open a store on the database once, or call its `migrate`.
///
/// ```
/// use audit_core::store::Outbox;
/// use audit_core::{Action, AuditRequest, Auditable};
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Chat {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     archived: bool,
/// }
///
/// let outbox = Outbox::new();
/// let mut audit = AuditRequest::new(&outbox, Action::WRITE).actor("ada");
/// audit.set_old(Chat { id: 1, archived: false });
/// audit.set_new(Chat { id: 1, archived: true });
/// audit.commit(200)?;
///
/// let entries = outbox.take();
/// assert_eq!(entries.len(), 1);
/// assert!(outbox.is_empty());
/// # Ok::<(), audit_core::ExportError>(())
/// ```
#[derive(Debug, Default)]
pub struct Outbox {
    entries: Mutex<Vec<AuditEntry>>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Outbox::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<AuditEntry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes every entry, in export order, leaving the outbox empty.
    #[must_use = "the entries are lost unless they are inserted"]
    pub fn take(&self) -> Vec<AuditEntry> {
        std::mem::take(&mut *self.lock())
    }

    /// How many entries wait in the outbox.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no entry waits in the outbox.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl AuditSink for Outbox {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.lock().push(entry);
        Ok(())
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        // Entries left behind belong to a change that was, most likely, rolled
        // back: they must not be stored. Worth a warning all the same, in case
        // the insert was forgotten.
        #[cfg(feature = "tracing")]
        {
            let left = self.lock().len();
            if left > 0 {
                tracing::warn!(
                    target: "audit",
                    left,
                    "an audit Outbox was dropped with entries that were never inserted; if their change committed, insert them with insert_entries before committing"
                );
            }
        }
    }
}
