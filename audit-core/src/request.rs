//! The guard around a mutation: captures the old and the new value and
//! commits one entry.

use std::net::IpAddr;

use serde_json::Value;

use crate::entry::{self, Context, Flag};
use crate::{Action, Auditable, Auditor, ExportError};

/// Audits one mutation of a resource: set the old value before it, the new
/// value after it (re-read from storage), then [`commit`](Request::commit)
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
/// - Dropped without `commit` or [`cancel`](Request::cancel), the request
///   still exports its entry, flagged [`Flag::Uncommitted`] and without a
///   status, when an old or a new value was set.
///
/// ```
/// use audit_core::{Action, Auditable, MemoryAuditor, Request};
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
/// let auditor = MemoryAuditor::new();
/// let stored = Chat { id: 7, archived: false };
///
/// let mut audit = Request::new(&auditor, Action::WRITE).actor("ada").request_id("req-1");
/// audit.set_old(stored.clone());
/// let updated = Chat { archived: true, ..stored }; // the row as re-read after the update
/// audit.set_new(updated);
/// audit.commit(200).unwrap();
///
/// let entry = auditor.last().unwrap();
/// assert_eq!(entry.resource_id, "7");
/// assert_eq!(
///     serde_json::to_value(&entry.diff).unwrap(),
///     json!({"archived": {"old": false, "new": true, "secret": false}}),
/// );
/// auditor.assert_no_empty_writes();
/// ```
#[must_use = "a request is audited when it is committed; dropped, it is exported flagged as uncommitted"]
pub struct Request<'a, T: Auditable> {
    auditor: &'a dyn Auditor,
    action: Action,
    context: Context,
    old: Option<T>,
    new: Option<T>,
    finished: bool,
}

impl<'a, T: Auditable> Request<'a, T> {
    /// A request that will export one entry for `action` to `auditor`.
    pub fn new(auditor: &'a dyn Auditor, action: Action) -> Self {
        Request {
            auditor,
            action,
            context: Context::default(),
            old: None,
            new: None,
            finished: false,
        }
    }

    /// Who makes the change: a user id.
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.context.actor = Some(actor.into());
        self
    }

    /// The id of the request making the change.
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.context.request_id = Some(request_id.into());
        self
    }

    /// The address the request came from.
    pub fn ip(mut self, ip: impl Into<IpAddr>) -> Self {
        self.context.ip = Some(ip.into());
        self
    }

    /// The client's user agent.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.context.user_agent = Some(user_agent.into());
        self
    }

    /// Records `value` under `key` in the entry's additional fields.
    pub fn additional_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.context
            .additional_fields
            .insert(key.into(), value.into());
        self
    }

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
    pub fn old(&self) -> Option<&T> {
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
    /// When the auditor cannot take the entry; the error carries it.
    pub fn commit(mut self, status_code: u16) -> Result<(), ExportError> {
        self.finished = true;
        let entry = self.entry(Some(status_code), status_code < 400);
        entry::export(self.auditor, entry)
    }

    /// Exports nothing: the mutation did not happen and needs no entry.
    pub fn cancel(mut self) {
        self.finished = true;
    }

    fn entry(&mut self, status_code: Option<u16>, with_diff: bool) -> crate::AuditLog {
        std::mem::take(&mut self.context).entry(
            self.action.clone(),
            self.old.as_ref(),
            self.new.as_ref(),
            status_code,
            with_diff,
        )
    }
}

impl<T: Auditable> Drop for Request<'_, T> {
    fn drop(&mut self) {
        if self.finished || (self.old.is_none() && self.new.is_none()) {
            return;
        }
        let mut entry = self.entry(None, true);
        entry.flags.push(Flag::Uncommitted);
        if let Err(error) = entry::export(self.auditor, entry) {
            entry::report_lost(&error);
        }
    }
}
