//! The audit-log entry, and how one is built from a resource and its diff.

pub(crate) mod background;
pub(crate) mod request;

use std::borrow::Cow;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::{ContextV7, Timestamp, Uuid};

use crate::diff::Record;
use crate::diff::path::Path;
use crate::secret_fingerprint::FingerprintScope;
use crate::{Action, AuditSink, Audited, Diff, ExportError};

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
    #[serde(
        serialize_with = "serialize_rfc3339",
        deserialize_with = "time::serde::rfc3339::deserialize"
    )]
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
    /// The resource type, as [`crate::Auditable::resource_type`]: borrowed from the
    /// resource's schema when the entry is made, owned when it is read back.
    pub resource_type: Cow<'static, str>,
    /// The resource id, as [`crate::Auditable::resource_id`]; empty when the request
    /// set neither an old nor a new value.
    pub resource_id: String,
    /// The human-readable target, as [`crate::Auditable::resource_target`].
    pub resource_target: String,
    /// The link to the resource, as [`crate::Auditable::resource_link`].
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
    /// The [fingerprint](crate::Schema::fingerprint) of the classification
    /// the entry was made with; `None` in entries written before it was recorded.
    #[serde(default)]
    pub schema_fingerprint: Option<String>,
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
    /// A successful `write` with a new value but no old one: the diff is
    /// empty because there was nothing to compare, so the entry cannot say
    /// what changed. Most likely the old value was never captured.
    MissingOldValue,
    /// A successful `write` with an old value but no new one: most likely
    /// the new value was never captured (or not re-read after the change).
    MissingNewValue,
    /// A secret declared `#[audit(secret, fingerprint)]` changed, but the
    /// entry records no fingerprint of it: no key was
    /// [installed](crate::secret_fingerprint::install), or its value could
    /// not be serialized.
    MissingSecretFingerprint,
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
            Flag::MissingOldValue => {
                "a successful write had no old value, so it recorded no change: was the old value captured before the change?"
            }
            Flag::MissingNewValue => {
                "a successful write had no new value, so it recorded no change: was the new value captured after the change?"
            }
            Flag::MissingSecretFingerprint => {
                "a fingerprinted secret changed without a fingerprint: install a key with audit_core::secret_fingerprint::install at start-up"
            }
        }
    }

    /// Whether the flag means that a successful `write` cannot say what
    /// changed: [`EmptyWriteDiff`](Flag::EmptyWriteDiff),
    /// [`MissingOldValue`](Flag::MissingOldValue) or
    /// [`MissingNewValue`](Flag::MissingNewValue), the signs of a value
    /// captured at the wrong time.
    pub const fn is_unexplained_write(self) -> bool {
        matches!(
            self,
            Flag::EmptyWriteDiff | Flag::MissingOldValue | Flag::MissingNewValue
        )
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
    /// When `with_diff` says so, the diff is computed when both are there;
    /// a `create` with only `new` records every field of it, and a `delete`
    /// with only `old` every field of that.
    pub(crate) fn entry<T: Audited<Via>, Via>(
        self,
        action: Action,
        old: Option<&T>,
        new: Option<&T>,
        status_code: Option<u16>,
        with_diff: bool,
    ) -> AuditEntry {
        let resource = new.or(old);
        // The diff is built for the resource, with the current key, so that
        // the fingerprinted secrets it records are bound to it.
        let mut diff = Diff::for_entry(FingerprintScope::new(
            T::AUDIT_SCHEMA.resource_type,
            resource.map(T::audit_resource_id).unwrap_or_default(),
        ));
        match (old, new) {
            (Some(old), Some(new)) if with_diff => {
                T::audit_diff_into(&mut diff, &Path::ROOT, old, new);
            }
            (None, Some(new)) if with_diff && action == Action::CREATE => {
                T::audit_record_all(&mut diff, &Path::ROOT, new, Record::Create);
            }
            (Some(old), None) if with_diff && action == Action::DELETE => {
                T::audit_record_all(&mut diff, &Path::ROOT, old, Record::Delete);
            }
            _ => {}
        }
        let (resource_id, missing_fingerprint) = diff
            .take_fingerprint_scope()
            .map(FingerprintScope::finish)
            .unwrap_or_default();
        let is_write = action == Action::WRITE;
        let undeclared = !T::AUDIT_SCHEMA.allows(&action);
        let time = OffsetDateTime::now_utc();
        let mut entry = AuditEntry {
            id: new_id(time),
            time,
            actor: self.actor,
            organization_id: resource.and_then(T::audit_organization_id),
            ip: self.ip,
            user_agent: self.user_agent,
            resource_type: Cow::Borrowed(T::AUDIT_SCHEMA.resource_type),
            resource_id,
            resource_target: resource.map(T::audit_resource_target).unwrap_or_default(),
            resource_link: resource.and_then(T::audit_resource_link),
            action,
            diff,
            status_code,
            additional_fields: self.additional_fields,
            request_id: self.request_id,
            schema_fingerprint: Some(T::AUDIT_SCHEMA.fingerprint().to_owned()),
            flags: Vec::new(),
        };
        if is_write && with_diff && old.is_some() && new.is_some() && entry.diff.is_empty() {
            entry.flags.push(Flag::EmptyWriteDiff);
        }
        // A committed success claims the write happened: with one value
        // missing, its entry cannot say what changed. (A guard dropped with
        // only the old value is the usual shape of a failed request, and is
        // flagged `Uncommitted` instead.)
        if is_write && status_code.is_some_and(|status| status < 400) {
            match (old, new) {
                (None, Some(_)) => entry.flags.push(Flag::MissingOldValue),
                (Some(_), None) => entry.flags.push(Flag::MissingNewValue),
                _ => {}
            }
        }
        if undeclared {
            entry.flags.push(Flag::UndeclaredAction);
        }
        if missing_fingerprint {
            entry.flags.push(Flag::MissingSecretFingerprint);
        }
        if T::AUDIT_SCHEMA.requires_org && resource.is_some() && entry.organization_id.is_none() {
            entry.flags.push(Flag::MissingOrganization);
        }
        entry
    }
}

thread_local! {
    /// Each thread's UUID v7 counter: ids made on one thread strictly
    /// increase, and threads share no lock to make them.
    static CONTEXT_V7: ContextV7 = const { ContextV7::new() };
}

/// A UUID v7 for an entry made at `time`, so that the id and the time agree.
/// Its random bits come from a thread-local generator (`uuid`'s `fast-rng`),
/// not from a system call per id.
fn new_id(time: OffsetDateTime) -> Uuid {
    let seconds = u64::try_from(time.unix_timestamp()).unwrap_or_default();
    CONTEXT_V7
        .try_with(|context| Uuid::new_v7(Timestamp::from_unix(context, seconds, time.nanosecond())))
        .unwrap_or_else(|_| Uuid::now_v7())
}

/// Serializes `time` as RFC 3339 (as `time::serde::rfc3339` does, byte for
/// byte) through a buffer on the stack, without the `String` it allocates.
fn serialize_rfc3339<S: serde::Serializer>(
    time: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error as _;

    // The longest RFC 3339 time `time` writes: `-9999-12-31T23:59:59.999999999+23:59`.
    let mut buffer = [0u8; 40];
    let mut cursor = std::io::Cursor::new(&mut buffer[..]);
    time.format_into(&mut cursor, &time::format_description::well_known::Rfc3339)
        .map_err(S::Error::custom)?;
    let len = usize::try_from(cursor.position()).map_err(S::Error::custom)?;
    let text = std::str::from_utf8(&buffer[..len]).map_err(S::Error::custom)?;
    serializer.serialize_str(text)
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
