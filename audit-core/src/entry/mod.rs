//! The audit-log entry, and how one is built from a resource and its diff.

pub(crate) mod background;
pub(crate) mod context;
pub(crate) mod json;
pub(crate) mod request;
pub(crate) mod sentence;

use std::borrow::Cow;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::diff::Diff;
use crate::model::action::Action;

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
    /// The sentence an auditor reads, "user-1 archived chat Plans",
    /// rendered when the entry is made from the resource's noun, the
    /// action's past form and the fields' `says(...)` sentences; `None` in
    /// entries written before it was recorded. Read it with
    /// [`description()`](AuditEntry::description), which renders the
    /// default sentence for those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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
    /// Borrowed from the schema's cache when the entry is made, owned when it
    /// is read back (read it with `as_deref()`).
    #[serde(default)]
    pub schema_fingerprint: Option<Cow<'static, str>>,
    /// What looked wrong about this entry; empty for a sound one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

impl AuditEntry {
    /// The sentence an auditor reads for this entry: the one recorded when
    /// it was made, else (for an entry written before sentences were
    /// recorded) the default sentence, "{actor} {past} {noun} {target}",
    /// with the resource type as the noun.
    ///
    /// ```
    /// use audit_core::{Action, AuditRequest, Auditable, MemorySink};
    ///
    /// #[derive(Auditable)]
    /// #[audit(noun = "chat", actions(create, write, archive))]
    /// struct Chat {
    ///     #[audit(track)]
    ///     id: u32,
    ///     #[audit(track)]
    ///     name: String,
    /// }
    ///
    /// let sink = MemorySink::new();
    /// let mut request = AuditRequest::new(&sink, Action::from_static("archive")).actor("user-1");
    /// request.set_old(Chat { id: 1, name: "Plans".into() });
    /// request.commit(200).unwrap();
    /// let mut entry = sink.last().unwrap();
    /// assert_eq!(entry.description(), "user-1 archived chat Plans");
    ///
    /// // An entry written before sentences were recorded.
    /// entry.description = None;
    /// assert_eq!(entry.description(), "user-1 performed archive on chat Plans");
    /// ```
    pub fn description(&self) -> Cow<'_, str> {
        match &self.description {
            Some(description) => Cow::Borrowed(description),
            None => Cow::Owned(sentence::describe_default(self)),
        }
    }
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

/// Serializes `time` as RFC 3339 (as `time::serde::rfc3339` does, byte for
/// byte) through a buffer on the stack, without the `String` it allocates.
fn serialize_rfc3339<S: serde::Serializer>(
    time: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(rfc3339(time, &mut [0; RFC3339_MAX])?)
}

/// The longest RFC 3339 time `time` writes: `-9999-12-31T23:59:59.999999999+23:59`.
pub(crate) const RFC3339_MAX: usize = 40;

/// `time` as RFC 3339 text, written into `buffer`.
pub(crate) fn rfc3339<'b, E: serde::ser::Error>(
    time: &OffsetDateTime,
    buffer: &'b mut [u8; RFC3339_MAX],
) -> Result<&'b str, E> {
    let mut cursor = std::io::Cursor::new(&mut buffer[..]);
    time.format_into(&mut cursor, &time::format_description::well_known::Rfc3339)
        .map_err(E::custom)?;
    let len = usize::try_from(cursor.position()).map_err(E::custom)?;
    std::str::from_utf8(&buffer[..len]).map_err(E::custom)
}
