//! The guard around a mutation: captures the old and the new value and
//! commits one entry.

use std::marker::PhantomData;

use crate::entry::AuditEntry;
use crate::entry::context::{self, Context, Ending};
use crate::model::Audited;
use crate::model::action::Action;
use crate::sink::error::ExportError;
use crate::sink::{AuditSink, deliver};

/// Audits one mutation of a resource: set the old value before it, the new
/// value after it (re-read from storage), then [`commit`](AuditRequest::commit)
/// with the response status.
///
/// - The entry describes `new` if it was set, else `old` (a delete).
/// - The diff is computed only when the status is below 400.
/// - A successful `write` whose diff is empty is exported with
///   [`Flag::EmptyWriteDiff`](crate::Flag::EmptyWriteDiff) and reported through `tracing`: the "new" value
///   was most likely captured before the change was made.
/// - An action the resource does not declare in `actions(...)`, or a missing
///   organization on an organization-scoped resource, is flagged and
///   reported the same way. Nothing here panics.
/// - A successful `write` with only a new value (or only an old one) is
///   flagged [`Flag::MissingOldValue`](crate::Flag::MissingOldValue) (or [`Flag::MissingNewValue`](crate::Flag::MissingNewValue)) and
///   reported the same way: its entry cannot say what changed.
/// - Dropped without `commit` or [`cancel`](AuditRequest::cancel), the request
///   still exports its entry, flagged [`Flag::Uncommitted`](crate::Flag::Uncommitted) and without a
///   status, when an old or a new value was set; a request dropped before
///   any value was set exports nothing, as there is nothing to describe.
///   The drop never waits: the sink takes the entry beyond its bound, and if
///   it cannot take it at all, the entry is written to standard error.
/// - In async code, commit with `commit_async`
///   (feature `tokio`), which awaits room in a sink that is behind instead of
///   blocking the thread.
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
pub struct AuditRequest<'a, T: Audited<Via>, Via = T> {
    sink: &'a dyn AuditSink,
    action: Action,
    context: Context,
    old: Option<T>,
    new: Option<T>,
    finished: bool,
    /// The mirror a foreign `T` is audited through; `T` itself otherwise.
    via: PhantomData<fn() -> Via>,
}

impl<'a, T: Audited<Via>, Via> AuditRequest<'a, T, Via> {
    /// A request that will export one entry for `action` to `sink`.
    pub fn new(sink: &'a dyn AuditSink, action: Action) -> Self {
        AuditRequest {
            sink,
            action,
            context: Context::default(),
            old: None,
            new: None,
            finished: false,
            via: PhantomData,
        }
    }

    context::context_builder_methods!();

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
        match self.finish(Ending::Committed(status_code)) {
            Some(entry) => deliver::export(self.sink, entry),
            None => Ok(()),
        }
    }

    /// Exports the entry with the response status, awaiting room when the
    /// sink is behind instead of blocking the thread: the `commit` of async
    /// code (feature `tokio`). It also takes part in tokio's cooperative
    /// scheduling, so that a task committing in a loop lets the others run.
    ///
    /// Dropped before it completes, the future still exports the entry: as
    /// flagged [`Flag::Uncommitted`](crate::Flag::Uncommitted) if it was never polled, else beyond the
    /// sink's bound.
    ///
    /// ```
    /// use audit_core::{Action, Auditable, AuditRequest, AuditSink, JsonLinesSink, json_lines};
    ///
    /// #[derive(Clone, serde::Serialize, Auditable)]
    /// struct Chat {
    ///     #[audit(track)]
    ///     id: u32,
    ///     #[audit(track)]
    ///     archived: bool,
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let sink = JsonLinesSink::open(dir.path().join("audit.jsonl"))?;
    /// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    /// runtime.block_on(async {
    ///     let mut audit = AuditRequest::new(&sink, Action::WRITE).actor("ada");
    ///     audit.set_old(Chat { id: 7, archived: false });
    ///     audit.set_new(Chat { id: 7, archived: true });
    ///     audit.commit_async(200).await?;
    ///     sink.flush_async().await
    /// })?;
    /// assert_eq!(json_lines::read(dir.path().join("audit.jsonl"))?.entries.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error carries it.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn commit_async(mut self, status_code: u16) -> Result<(), ExportError> {
        let Some(entry) = self.finish(Ending::Committed(status_code)) else {
            return Ok(());
        };
        deliver::report_flags(&entry);
        let exported = self.sink.export_async(entry).await;
        tokio::task::coop::consume_budget().await;
        exported
    }

    /// Exports nothing: the mutation did not happen and needs no entry.
    pub fn cancel(mut self) {
        self.finished = true;
    }

    /// The entry, by the rules every guard shares ([`context::finish`]);
    /// the request is done.
    fn finish(&mut self, ending: Ending) -> Option<AuditEntry> {
        self.finished = true;
        context::finish(
            std::mem::take(&mut self.context),
            self.action.clone(),
            self.old.as_ref(),
            self.new.as_ref(),
            ending,
        )
    }
}

impl<T: Audited<Via>, Via> Drop for AuditRequest<'_, T, Via> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // A drop cannot wait for room, nor tell anyone: the sink takes the
        // entry beyond its bound, or it goes to standard error.
        if let Some(entry) = self.finish(Ending::Dropped) {
            deliver::export_or_report(self.sink, entry);
        }
    }
}

impl<T: Audited<Via>, Via> std::fmt::Debug for AuditRequest<'_, T, Via> {
    // The values may hold secrets: show what is set, never what it is.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditRequest")
            .field("resource_type", &T::AUDIT_SCHEMA.resource_type)
            .field("action", &self.action)
            .field("actor", &self.context.actor)
            .field("request_id", &self.context.request_id)
            .field("has_old", &self.old.is_some())
            .field("has_new", &self.new.is_some())
            .finish_non_exhaustive()
    }
}
