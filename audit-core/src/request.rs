//! The guard around a mutation: captures the old and the new value and
//! commits one entry.

use crate::entry::{self, Context, Flag};
use crate::{Action, AuditSink, Auditable, ExportError};

/// Audits one mutation of a resource: set the old value before it, the new
/// value after it (re-read from storage), then [`commit`](AuditRequest::commit)
/// with the response status.
///
/// - The entry describes `new` if it was set, else `old` (a delete).
/// - The diff is computed only when the status is below 400.
/// - A successful `write` whose diff is empty is exported with
///   [`Flag::EmptyWriteDiff`] and reported through `tracing`: the "new" value
///   was most likely captured before the change was made.
/// - An action the resource does not declare in `actions(...)`, or a missing
///   organization on an organization-scoped resource, is flagged and
///   reported the same way. Nothing here panics.
/// - Dropped without `commit` or [`cancel`](AuditRequest::cancel), the request
///   still exports its entry, flagged [`Flag::Uncommitted`] and without a
///   status, when an old or a new value was set.
///
/// ```
/// use audit_core::{Action, Auditable, MemorySink, AuditRequest};
/// use serde_json::json;
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Chat {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     archived: bool,
/// }
///
/// let sink = MemorySink::new();
/// let stored = Chat { id: 7, archived: false };
///
/// let mut audit = AuditRequest::new(&sink, Action::WRITE).actor("ada").request_id("req-1");
/// audit.set_old(stored.clone());
/// let updated = Chat { archived: true, ..stored }; // the row as re-read after the update
/// audit.set_new(updated);
/// audit.commit(200).unwrap();
///
/// let entry = sink.last().unwrap();
/// assert_eq!(entry.resource_id, "7");
/// assert_eq!(
///     serde_json::to_value(&entry.diff).unwrap(),
///     json!({"archived": {"old": false, "new": true, "secret": false}}),
/// );
/// sink.assert_no_empty_writes();
/// ```
#[must_use = "a request is audited when it is committed; dropped, it is exported flagged as uncommitted"]
pub struct AuditRequest<'a, T: Auditable> {
    sink: &'a dyn AuditSink,
    action: Action,
    context: Context,
    old: Option<T>,
    new: Option<T>,
    finished: bool,
}

impl<'a, T: Auditable> AuditRequest<'a, T> {
    /// A request that will export one entry for `action` to `sink`.
    pub fn new(sink: &'a dyn AuditSink, action: Action) -> Self {
        AuditRequest {
            sink,
            action,
            context: Context::default(),
            old: None,
            new: None,
            finished: false,
        }
    }

    entry::context_builder_methods!();

    /// The resource before the mutation.
    pub fn set_old(&mut self, old: T) {
        self.old = Some(old);
    }

    /// The resource after the mutation. Capture it from storage after the
    /// change, not before: a stale "new" value gives an empty diff.
    pub fn set_new(&mut self, new: T) {
        self.new = Some(new);
    }

    /// The old value, if set.
    pub fn old_value(&self) -> Option<&T> {
        self.old.as_ref()
    }

    /// The new value, if set.
    pub fn new_value(&self) -> Option<&T> {
        self.new.as_ref()
    }

    /// Exports the entry with the response status.
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error carries it.
    pub fn commit(mut self, status_code: u16) -> Result<(), ExportError> {
        self.finished = true;
        let entry = self.entry(Some(status_code), status_code < 400);
        entry::export(self.sink, entry)
    }

    /// Exports nothing: the mutation did not happen and needs no entry.
    pub fn cancel(mut self) {
        self.finished = true;
    }

    fn entry(&mut self, status_code: Option<u16>, with_diff: bool) -> crate::AuditEntry {
        std::mem::take(&mut self.context).entry(
            self.action.clone(),
            self.old.as_ref(),
            self.new.as_ref(),
            status_code,
            with_diff,
        )
    }
}

impl<T: Auditable> Drop for AuditRequest<'_, T> {
    fn drop(&mut self) {
        if self.finished || (self.old.is_none() && self.new.is_none()) {
            return;
        }
        let mut entry = self.entry(None, true);
        entry.flags.push(Flag::Uncommitted);
        if let Err(error) = entry::export(self.sink, entry) {
            entry::report_lost(&error);
        }
    }
}
