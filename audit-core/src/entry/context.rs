//! What a guard knows before it makes an entry ([`Context`]), and the one
//! place that decides what an entry records: [`finish`] applies the commit
//! rules and [`Context::entry`] the flags. `AuditRequest`,
//! `BackgroundAudit` and the axum `Audit<T>` guard all call them.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::{ContextV7, Timestamp, Uuid};

use crate::diff::path::Path;
use crate::diff::{Diff, Record, value};
use crate::entry::{AuditEntry, Flag, sentence};
use crate::model::Audited;
use crate::model::action::Action;
use crate::secret_fingerprint::FingerprintScope;

/// How a guard ended.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ending {
    /// Committed with a response status: the diff only below 400 (a failed
    /// request changed nothing worth diffing).
    Committed(u16),
    /// Dropped before it was committed or cancelled: flagged
    /// [`Flag::Uncommitted`], without a status.
    Dropped,
    /// A change a background job made, with the status it reports: the
    /// values are what it wrote, so the diff is always recorded.
    Applied(u16),
}

/// The entry of a guard that ended, by the commit rules every guard shares:
/// see [`Ending`]. A guard dropped with neither value set has no entry:
/// there is nothing to describe. (A committed one with neither is still
/// audited, with an empty resource id: a 404 or a 403.)
pub(crate) fn finish<T: Audited<Via>, Via>(
    context: Context,
    action: Action,
    old: Option<&T>,
    new: Option<&T>,
    ending: Ending,
) -> Option<AuditEntry> {
    let mut entry = match ending {
        Ending::Committed(code) => context.entry(action, old, new, Some(code), code < 400),
        Ending::Applied(code) => context.entry(action, old, new, Some(code), true),
        Ending::Dropped if old.is_none() && new.is_none() => return None,
        Ending::Dropped => {
            let mut entry = context.entry(action, old, new, None, true);
            entry.flags.push(Flag::Uncommitted);
            entry
        }
    };
    entry.description = Some(sentence::describe_new(&entry, new));
    Some(entry)
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
            description: None,
            diff,
            status_code,
            additional_fields: within_depth(self.additional_fields),
            request_id: self.request_id,
            schema_fingerprint: Some(Cow::Borrowed(T::AUDIT_SCHEMA.fingerprint())),
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

/// The additional fields, each one that nests deeper than a recorded value
/// may replaced by an error saying so: every reader must read the entry.
fn within_depth(mut fields: Map<String, Value>) -> Map<String, Value> {
    for value in fields.values_mut() {
        if value::depth_exceeds(value, value::MAX_VALUE_DEPTH) {
            *value = serde_json::json!({
                "error": format!(
                    "not recorded: the value nests deeper than {} levels of arrays and objects",
                    value::MAX_VALUE_DEPTH
                )
            });
        }
    }
    fields
}

thread_local! {
    /// Each thread's UUID v7 counter: ids made on one thread strictly
    /// increase, and threads share no lock to make them.
    static CONTEXT_V7: ContextV7 = const { ContextV7::new() };
}

/// A UUID v7 for now, from the thread's counter: a request id, say.
#[cfg(feature = "axum")]
pub(crate) fn now_v7() -> Uuid {
    new_id(OffsetDateTime::now_utc())
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
