//! Entries written on behalf of a subsystem rather than a request.

use serde_json::Value;

use crate::entry::{self, Context};
use crate::{Action, Auditable, Auditor, ExportError};

/// Audits changes a background job makes, such as a chat auto-archiver.
///
/// Every entry records `automatic_actor` and `automatic_subsystem` in its
/// additional fields, and always carries its diff.
///
/// ```
/// use audit_core::{Action, Auditable, BackgroundAudit, MemoryAuditor};
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
/// let job = BackgroundAudit::new(&auditor, "chat_auto_archive");
/// let old = Chat { id: 7, archived: false };
/// job.write(&old, &Chat { archived: true, ..old.clone() }).unwrap();
///
/// let entry = auditor.last().unwrap();
/// assert_eq!(entry.actor, None);
/// assert_eq!(
///     serde_json::to_value(&entry.additional_fields).unwrap(),
///     json!({"automatic_actor": "system", "automatic_subsystem": "chat_auto_archive"}),
/// );
/// assert!(entry.diff.contains("archived"));
/// ```
#[must_use = "a background audit exports entries through `write` and `export`"]
pub struct BackgroundAudit<'a> {
    auditor: &'a dyn Auditor,
    context: Context,
    status_code: u16,
}

/// The `automatic_actor` of a background audit that names none.
pub const DEFAULT_AUTOMATIC_ACTOR: &str = "system";

impl<'a> BackgroundAudit<'a> {
    /// Entries on behalf of `subsystem`, exported to `auditor`.
    pub fn new(auditor: &'a dyn Auditor, subsystem: impl Into<String>) -> Self {
        let mut context = Context::default();
        context
            .additional_fields
            .insert("automatic_actor".to_owned(), DEFAULT_AUTOMATIC_ACTOR.into());
        context.additional_fields.insert(
            "automatic_subsystem".to_owned(),
            Value::String(subsystem.into()),
        );
        BackgroundAudit {
            auditor,
            context,
            status_code: 200,
        }
    }

    /// The name recorded as `automatic_actor`; [`DEFAULT_AUTOMATIC_ACTOR`] otherwise.
    pub fn automatic_actor(mut self, name: impl Into<String>) -> Self {
        self.context
            .additional_fields
            .insert("automatic_actor".to_owned(), Value::String(name.into()));
        self
    }

    /// The user on whose behalf the subsystem acts, if any.
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.context.actor = Some(actor.into());
        self
    }

    /// Records `value` under `key` in every entry's additional fields.
    pub fn additional_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.context
            .additional_fields
            .insert(key.into(), value.into());
        self
    }

    /// The status recorded in the entries; 200 otherwise.
    pub fn status(mut self, status_code: u16) -> Self {
        self.status_code = status_code;
        self
    }

    /// Exports a `write` of the resource from `old` to `new`.
    ///
    /// # Errors
    ///
    /// When the auditor cannot take the entry; the error carries it.
    pub fn write<T: Auditable>(&self, old: &T, new: &T) -> Result<(), ExportError> {
        self.export(Action::WRITE, Some(old), Some(new))
    }

    /// Exports `action` on the resource described by `new`, else `old`,
    /// with the diff between them when both are given.
    ///
    /// # Errors
    ///
    /// When the auditor cannot take the entry; the error carries it.
    pub fn export<T: Auditable>(
        &self,
        action: Action,
        old: Option<&T>,
        new: Option<&T>,
    ) -> Result<(), ExportError> {
        let entry = self
            .context
            .clone()
            .entry(action, old, new, Some(self.status_code), true);
        entry::export(self.auditor, entry)
    }
}
