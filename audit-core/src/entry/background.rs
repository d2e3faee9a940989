//! Entries written on behalf of a subsystem rather than a request.

use serde_json::Value;

use crate::entry::context::{self, Context, Ending};
use crate::model::Audited;
use crate::model::action::Action;
use crate::sink::error::ExportError;
use crate::sink::{AuditSink, deliver};

/// Audits changes a background job makes, such as a chat auto-archiver.
///
/// Every entry records `automatic_actor` and `automatic_subsystem` in its
/// additional fields, and always carries its diff.
///
/// ```
/// use audit_core::{Action, Auditable, BackgroundAudit, MemorySink};
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
/// let job = BackgroundAudit::new(&sink, "chat_auto_archive");
/// let old = Chat { id: 7, archived: false };
/// job.write(&old, &Chat { archived: true, ..old.clone() }).unwrap();
///
/// let entry = sink.last().unwrap();
/// assert_eq!(entry.actor, None);
/// assert_eq!(
///     serde_json::to_value(&entry.additional_fields).unwrap(),
///     json!({"automatic_actor": "system", "automatic_subsystem": "chat_auto_archive"}),
/// );
/// assert!(entry.diff.contains("archived"));
/// ```
#[must_use = "a background audit exports entries through `write` and `export`"]
pub struct BackgroundAudit<'a> {
    sink: &'a dyn AuditSink,
    context: Context,
    status_code: u16,
}

/// The additional field naming who acted: a background audit's
/// [`automatic_actor`](BackgroundAudit::automatic_actor).
const AUTOMATIC_ACTOR: &str = "automatic_actor";
/// The additional field naming the subsystem a background audit acts for.
pub(crate) const AUTOMATIC_SUBSYSTEM: &str = "automatic_subsystem";

impl<'a> BackgroundAudit<'a> {
    /// The `automatic_actor` of a background audit that names none.
    pub const DEFAULT_AUTOMATIC_ACTOR: &'static str = "system";

    /// Entries on behalf of `subsystem`, exported to `sink`.
    pub fn new(sink: &'a dyn AuditSink, subsystem: impl Into<String>) -> Self {
        let mut audit = BackgroundAudit {
            sink,
            context: Context::default(),
            status_code: 200,
        }
        .automatic_actor(Self::DEFAULT_AUTOMATIC_ACTOR);
        audit.context.additional_fields.insert(
            AUTOMATIC_SUBSYSTEM.to_owned(),
            Value::String(subsystem.into()),
        );
        audit
    }

    /// The name recorded as `automatic_actor`;
    /// [`DEFAULT_AUTOMATIC_ACTOR`](Self::DEFAULT_AUTOMATIC_ACTOR) otherwise.
    pub fn automatic_actor(mut self, name: impl Into<String>) -> Self {
        self.context
            .additional_fields
            .insert(AUTOMATIC_ACTOR.to_owned(), Value::String(name.into()));
        self
    }

    context::context_builder_methods!();

    /// The status recorded in the entries; 200 otherwise.
    pub fn status(mut self, status_code: u16) -> Self {
        self.status_code = status_code;
        self
    }

    /// Exports a `write` of the resource from `old` to `new`.
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error carries it.
    pub fn write<T: Audited<Via>, Via>(&self, old: &T, new: &T) -> Result<(), ExportError> {
        self.export(Action::WRITE, Some(old), Some(new))
    }

    /// Exports `action` on the resource described by `new`, else `old`,
    /// with the diff between them when both are given.
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error carries it.
    pub fn export<T: Audited<Via>, Via>(
        &self,
        action: Action,
        old: Option<&T>,
        new: Option<&T>,
    ) -> Result<(), ExportError> {
        let ending = Ending::Applied(self.status_code);
        match context::finish(self.context.clone(), action, old, new, ending) {
            Some(entry) => deliver::export(self.sink, entry),
            None => Ok(()),
        }
    }

    /// Exports a `write` of the resource from `old` to `new`, awaiting room
    /// when the sink is behind: the `write` of async code (feature `tokio`).
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error carries it.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn write_async<T: Audited<Via>, Via>(
        &self,
        old: &T,
        new: &T,
    ) -> Result<(), ExportError> {
        self.export_async(Action::WRITE, Some(old), Some(new)).await
    }

    /// Exports `action` as [`export`](BackgroundAudit::export) does, awaiting
    /// room when the sink is behind instead of blocking the thread (feature
    /// `tokio`), as `AuditRequest::commit_async` does.
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error carries it.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn export_async<T: Audited<Via>, Via>(
        &self,
        action: Action,
        old: Option<&T>,
        new: Option<&T>,
    ) -> Result<(), ExportError> {
        let ending = Ending::Applied(self.status_code);
        let Some(entry) = context::finish(self.context.clone(), action, old, new, ending) else {
            return Ok(());
        };
        deliver::report_flags(&entry);
        let exported = self.sink.export_async(entry).await;
        tokio::task::coop::consume_budget().await;
        exported
    }
}

impl std::fmt::Debug for BackgroundAudit<'_> {
    // The additional fields are the application's values: named, not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundAudit")
            .field("actor", &self.context.actor)
            .field("request_id", &self.context.request_id)
            .field(
                "additional_fields",
                &self.context.additional_fields.keys().collect::<Vec<_>>(),
            )
            .field("status_code", &self.status_code)
            .finish_non_exhaustive()
    }
}
