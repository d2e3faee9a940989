//! The audit-log entry, and how one is built from a resource and its diff.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Action, AuditSink, Auditable, Diff, ExportError};

/// One entry of the audit log: who did what to which resource, when, from
/// where, with what result, and which fields changed.
///
/// Serializes as one JSON object; `time` is RFC 3339 in UTC and `id` a
/// time-ordered UUID v7.
///
/// ```
/// use audit_core::{Action, AuditEntry, MemorySink, AuditRequest};
///
/// #[derive(Clone, serde::Serialize, audit_core::Auditable)]
/// struct Flag {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     enabled: bool,
/// }
///
/// let sink = MemorySink::new();
/// let mut request = AuditRequest::new(&sink, Action::WRITE).actor("ada");
/// request.set_old(Flag { id: 1, enabled: false });
/// request.set_new(Flag { id: 1, enabled: true });
/// request.commit(200).unwrap();
///
/// let entry: AuditEntry = sink.last().unwrap();
/// let json = serde_json::to_value(&entry).unwrap();
/// assert_eq!(json["resource_type"], "flag");
/// assert_eq!(json["action"], "write");
/// assert_eq!(json["diff"]["enabled"]["new"], true);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuditEntry {
    /// A unique, time-ordered id (UUID v7).
    pub id: Uuid,
    /// When the entry was made, serialized as RFC 3339 in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// Who did it: a user id. `None` for anonymous requests and for
    /// background audits, whose additional fields name the subsystem.
    pub actor: Option<String>,
    /// The organization the resource belongs to.
    pub organization_id: Option<String>,
    /// The address the request came from.
    pub ip: Option<IpAddr>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The resource type, as [`Auditable::resource_type`].
    pub resource_type: String,
    /// The resource id, as [`Auditable::resource_id`]; empty when the request
    /// set neither an old nor a new value.
    pub resource_id: String,
    /// The human-readable target, as [`Auditable::resource_target`].
    pub resource_target: String,
    /// The link to the resource, as [`Auditable::resource_link`].
    pub resource_link: Option<String>,
    /// What was done.
    pub action: Action,
    /// The fields that changed.
    pub diff: Diff,
    /// The response status; `None` when the request was dropped before it
    /// was committed.
    pub status_code: Option<u16>,
    /// Anything else worth recording, as a JSON object.
    pub additional_fields: Map<String, Value>,
    /// The id of the request that made the change.
    pub request_id: Option<String>,
    /// What looked wrong about this entry; empty for a sound one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

/// Something that looked wrong when an entry was made. The entry is exported
/// anyway, with the flag, and the flag is reported through `tracing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Flag {
    /// A successful `write` whose diff is empty: most likely the "new" value
    /// was captured before the change was made or re-read, so the entry
    /// cannot say what changed.
    EmptyWriteDiff,
    /// The request guard was dropped without `commit` or `cancel`.
    Uncommitted,
    /// The action is not among those the resource declares in `actions(...)`.
    UndeclaredAction,
    /// The resource is organization-scoped but has no organization.
    MissingOrganization,
}

impl Flag {
    /// What the flag means, for logs.
    pub const fn description(self) -> &'static str {
        match self {
            Flag::EmptyWriteDiff => {
                "a successful write recorded no change: probably a stale \"new\" value, captured before the change was made or re-read"
            }
            Flag::Uncommitted => "the request was dropped before it was committed or cancelled",
            Flag::UndeclaredAction => "the action is not among those the resource declares",
            Flag::MissingOrganization => "the resource requires an organization but has none",
        }
    }
}

/// Who did something, and in which request: what every entry of a request
/// or background job shares.
#[derive(Clone, Debug, Default)]
pub(crate) struct Context {
    pub(crate) actor: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) ip: Option<IpAddr>,
    pub(crate) user_agent: Option<String>,
    pub(crate) additional_fields: Map<String, Value>,
}

/// The builder methods that fill a [`Context`], written once for every type
/// that holds one in a field named `context`.
macro_rules! context_builder_methods {
    () => {
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
        pub fn ip(mut self, ip: impl Into<std::net::IpAddr>) -> Self {
            self.context.ip = Some(ip.into());
            self
        }

        /// The client's user agent.
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.context.user_agent = Some(user_agent.into());
            self
        }

        /// Records `value` under `key` in the additional fields of the entry
        /// (of every entry, for a background audit).
        pub fn additional_field(
            mut self,
            key: impl Into<String>,
            value: impl Into<serde_json::Value>,
        ) -> Self {
            self.context
                .additional_fields
                .insert(key.into(), value.into());
            self
        }
    };
}
pub(crate) use context_builder_methods;

impl Context {
    /// The entry for `action` on the resource `new` describes, else `old`.
    /// The diff is computed when both are there and `with_diff` says so.
    pub(crate) fn entry<T: Auditable>(
        self,
        action: Action,
        old: Option<&T>,
        new: Option<&T>,
        status_code: Option<u16>,
        with_diff: bool,
    ) -> AuditEntry {
        let diff = match (old, new) {
            (Some(old), Some(new)) if with_diff => T::diff(old, new),
            _ => Diff::new(),
        };
        let resource = new.or(old);
        let is_write = action == Action::WRITE;
        let undeclared = !T::SCHEMA.allows(&action);
        let mut entry = AuditEntry {
            id: Uuid::now_v7(),
            time: OffsetDateTime::now_utc(),
            actor: self.actor,
            organization_id: resource.and_then(Auditable::organization_id),
            ip: self.ip,
            user_agent: self.user_agent,
            resource_type: T::SCHEMA.resource_type.to_owned(),
            resource_id: resource.map(Auditable::resource_id).unwrap_or_default(),
            resource_target: resource.map(Auditable::resource_target).unwrap_or_default(),
            resource_link: resource.and_then(Auditable::resource_link),
            action,
            diff,
            status_code,
            additional_fields: self.additional_fields,
            request_id: self.request_id,
            flags: Vec::new(),
        };
        if is_write && with_diff && old.is_some() && new.is_some() && entry.diff.is_empty() {
            entry.flags.push(Flag::EmptyWriteDiff);
        }
        if undeclared {
            entry.flags.push(Flag::UndeclaredAction);
        }
        if T::SCHEMA.requires_org && resource.is_some() && entry.organization_id.is_none() {
            entry.flags.push(Flag::MissingOrganization);
        }
        entry
    }
}

/// Reports every flag of `entry` through `tracing`, then exports it.
pub(crate) fn export(sink: &dyn AuditSink, entry: AuditEntry) -> Result<(), ExportError> {
    report_flags(&entry);
    sink.export(entry)
}

/// Reports an entry that could not be exported where no caller can be told:
/// through `tracing` with the whole entry, else on standard error.
pub(crate) fn report_lost(error: &ExportError) {
    let entry = match error {
        ExportError::QueueFull(entry) | ExportError::Closed(entry) => {
            serde_json::to_string(entry).unwrap_or_default()
        }
        ExportError::Stopped | ExportError::Write { .. } => String::new(),
    };
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", entry = %entry, "audit entry not exported: {error}");
    #[cfg(not(feature = "tracing"))]
    {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "audit entry not exported: {error}: {entry}"
        );
    }
}

/// Reports every flag of `entry` through `tracing`.
fn report_flags(entry: &AuditEntry) {
    #[cfg(feature = "tracing")]
    for flag in &entry.flags {
        tracing::warn!(
            target: "audit",
            flag = ?flag,
            resource_type = %entry.resource_type,
            resource_id = %entry.resource_id,
            action = %entry.action,
            request_id = entry.request_id.as_deref().unwrap_or(""),
            "audit entry flagged: {}",
            flag.description(),
        );
    }
    #[cfg(not(feature = "tracing"))]
    let _ = entry;
}
