//! The field-level difference between two values of an auditable struct:
//! [`Diff`], its [`FieldChange`]s and their paths ([`PathSegments`]).
//! [`diff`](fn@crate::diff) computes one.

pub(crate) mod entries;
pub(crate) mod keyed;
mod maps;
pub(crate) mod nested;
pub(crate) mod path;
pub(crate) mod probe;
pub(crate) mod value;
mod wire;

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::diff::path::Path;
pub use crate::diff::path::{PathSegment, PathSegments};
use crate::secret_fingerprint::{FingerprintScope, SecretFingerprint};

/// The fields that changed between an old and a new value, in declaration order.
///
/// Built by [`Auditable::diff`](crate::Auditable::diff). Serializes as a JSON
/// object with one key per changed field; an unchanged value gives `{}`:
///
/// ```
/// use audit_core::Auditable;
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Chat {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     archived: bool,
///     #[audit(secret = "may contain sensitive content")]
///     title: String,
/// }
///
/// let old = Chat { id: 7, archived: false, title: "plans".into() };
/// let new = Chat { archived: true, title: "secret plans".into(), ..old.clone() };
///
/// let diff = audit_core::diff(&old, &new);
/// assert_eq!(
///     serde_json::to_string(&diff).unwrap(),
///     r#"{"archived":{"old":false,"new":true,"secret":false},"title":{"secret":true}}"#,
/// );
/// assert!(audit_core::diff(&old, &old).is_empty());
/// ```
#[derive(Clone, Default)]
pub struct Diff {
    changes: Vec<FieldChange>,
    /// The entry this diff is built for, set before the first field is
    /// compared: what a fingerprinted secret's change is bound to. `None`
    /// for a bare diff, and once the entry has taken it back.
    fingerprint_scope: Option<Box<FingerprintScope>>,
    /// While a value that exists on one side only is recorded (`Some`), as
    /// [`record_by_diff`](Self::record_by_diff) sets it: the generated
    /// `diff_into` then compares the value with itself, and every field
    /// function records the field instead of comparing it.
    recording: Option<Record>,
}

/// Two diffs are equal when they record the same changes.
impl PartialEq for Diff {
    fn eq(&self, other: &Self) -> bool {
        self.changes == other.changes
    }
}

/// The changes; not the entry the diff is being built for.
impl fmt::Debug for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diff")
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

/// One changed field of a [`Diff`].
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    key: Cow<'static, str>,
    op: Option<Op>,
    change: Change,
    /// The keyed fingerprints of a fingerprinted secret's values; boxed, so
    /// that every other change stays as small as it was.
    fingerprint: Option<Box<SecretFingerprint>>,
}

/// Whether a value inside the resource was added or removed, as the
/// `"op"` of a [`FieldChange`]: an `Option` that became `Some` or `None`, a
/// map or set entry, an element of a keyed list. A value changed in place
/// has no op.
///
/// ```
/// use audit_core::Op;
///
/// assert_eq!(serde_json::to_string(&Op::Add).unwrap(), r#""add""#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// The value is new: RFC 6902's `add`.
    Add,
    /// The value is gone: RFC 6902's `remove`.
    Remove,
}

/// What a [`FieldChange`] records.
///
/// A value on one side only is [`Added`](Self::Added) or
/// [`Removed`](Self::Removed) in two cases, which the change's
/// [`op`](FieldChange::op) tells apart: with no op, the resource itself was
/// created or deleted, and the change is one of its fields (`{"new": ..}`);
/// with `op: Add` or `op: Remove`, the resource was written and a value
/// inside it came or went: an `Option` that became `Some`, a map or set
/// entry, an element of a keyed list (`{"op": "add", "new": ..}`).
///
/// More kinds of change may be added: match with a wildcard arm.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// A tracked field changed from `old` to `new`.
    Tracked {
        /// The value before the change, as JSON.
        old: Value,
        /// The value after the change, as JSON.
        new: Value,
    },
    /// A secret field changed, or was added or removed. Its values are never
    /// recorded.
    Secret,
    /// A tracked field changed, but its old or new value could not be
    /// serialized to JSON; `error` says why.
    Unserializable {
        /// The serialization error.
        error: String,
    },
    /// A tracked value that exists only after the change: a field of a
    /// created resource (no op), or an added entry or element (`op: Add`).
    Added {
        /// The value, as JSON.
        new: Value,
    },
    /// A tracked value that exists only before the change: a field of a
    /// deleted resource (no op), or a removed entry or element
    /// (`op: Remove`).
    Removed {
        /// The value, as JSON.
        old: Value,
    },
    /// A nested value (an `Option` of an embedded struct, an element of a
    /// keyed list) was added or removed; its fields are recorded under it.
    Structural,
}

impl Diff {
    /// An empty diff. Does not allocate.
    pub const fn new() -> Self {
        Diff {
            changes: Vec::new(),
            fingerprint_scope: None,
            recording: None,
        }
    }

    /// An empty diff for the entry `scope` describes, whose fingerprinted
    /// secrets are fingerprinted with its key.
    pub(crate) fn for_entry(scope: FingerprintScope) -> Self {
        Diff {
            changes: Vec::new(),
            fingerprint_scope: Some(Box::new(scope)),
            recording: None,
        }
    }

    /// Takes back the scope [`for_entry`](Self::for_entry) set, once the
    /// diff is built.
    pub(crate) fn take_fingerprint_scope(&mut self) -> Option<FingerprintScope> {
        self.fingerprint_scope.take().map(|scope| *scope)
    }

    /// How the value being walked is recorded: `None` while two values are
    /// compared, `Some` while one that exists on one side only is recorded.
    #[inline]
    pub(crate) fn recording(&self) -> Option<Record> {
        self.recording
    }

    /// Whether a value that exists on one side only is being recorded.
    #[inline]
    pub(crate) fn is_recording(&self) -> bool {
        self.recording.is_some()
    }

    /// Records every field of `value`, under `path`, as existing on one side
    /// of a change only, as `record` says: `diff_into` of `value` against
    /// itself, with every field function in recording mode. One function per
    /// struct rather than a second generated body (`record_all`), which cost
    /// a crate's build as much as the diff did. Out of line, so that a diff
    /// inlined where it is called is not inlined twice.
    #[inline(never)]
    pub(crate) fn record_by_diff<T: ?Sized>(
        &mut self,
        path: &Path<'_>,
        value: &T,
        record: Record,
        diff_into: impl FnOnce(&mut Diff, &Path<'_>, &T, &T),
    ) {
        let outer = self.recording.replace(record);
        diff_into(self, path, value, value);
        self.recording = outer;
    }

    /// Whether no field changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many fields changed.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// The change of the field whose diff key is `key`, if it changed.
    pub fn get(&self, key: &str) -> Option<&FieldChange> {
        self.changes.iter().find(|change| change.key == key)
    }

    /// Whether the field whose diff key is `key` changed.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The changed fields, in declaration order.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldChange> {
        self.changes.iter()
    }

    /// The diff keys of the changed fields, in declaration order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.changes.iter().map(FieldChange::key)
    }

    /// Drops the changes recorded after the first `len`.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.changes.truncate(len);
    }

    /// Records `change` at `path`. The key is built here, only for a change
    /// that is recorded: a top-level field's key is its `&'static` name.
    pub(crate) fn push(&mut self, path: &Path<'_>, op: Option<Op>, change: Change) {
        self.changes.push(FieldChange {
            key: path.key(),
            op,
            change,
            fingerprint: None,
        });
    }

    /// Records that the fingerprinted secret at `path` changed, or exists
    /// on one side only (`op`), with the fingerprints of its `old` and `new`
    /// values (`None` on a side where it does not exist) when the diff is
    /// built for an entry; see [`crate::secret_fingerprint`].
    pub(crate) fn push_fingerprinted<T: ?Sized + Serialize>(
        &mut self,
        path: &Path<'_>,
        op: Option<Op>,
        old: Option<&T>,
        new: Option<&T>,
    ) {
        let key = path.key();
        let fingerprint = self
            .fingerprint_scope
            .as_mut()
            .and_then(|scope| scope.of_change(&key, old, new));
        self.changes.push(FieldChange {
            key,
            op,
            change: Change::Secret,
            fingerprint,
        });
    }

    /// Records the tracked value at `path`, which changed, with its old and
    /// new values as serialized; a serialization error (the old value's
    /// first) is recorded in their place.
    pub(crate) fn push_tracked(
        &mut self,
        path: &Path<'_>,
        old: Result<Value, serde_json::Error>,
        new: Result<Value, serde_json::Error>,
    ) {
        let change = match (old, new) {
            (Ok(old), Ok(new)) => Change::Tracked { old, new },
            (Err(error), _) | (_, Err(error)) => Change::Unserializable {
                error: error.to_string(),
            },
        };
        self.push(path, None, change);
    }

    /// Records the tracked value at `path` that exists on one side only, as
    /// `record` says which.
    pub(crate) fn push_one_side(
        &mut self,
        path: &Path<'_>,
        record: Record,
        value: Result<Value, serde_json::Error>,
    ) {
        let change = match value {
            Ok(value) if record.is_old() => Change::Removed { old: value },
            Ok(value) => Change::Added { new: value },
            Err(error) => Change::Unserializable {
                error: error.to_string(),
            },
        };
        self.push(path, record.op(), change);
    }
}

/// How [`AuditFields::record_all`](crate::AuditFields::record_all) records
/// a value that exists on one side of a change only.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// A field of a created resource: `{"new": ..}`.
    Create,
    /// A field of a deleted resource: `{"old": ..}`.
    Delete,
    /// A value added inside the resource: `{"op": "add", "new": ..}`.
    Add,
    /// A value removed inside the resource: `{"op": "remove", "old": ..}`.
    Remove,
}

impl Record {
    /// The op recorded with the value.
    pub(crate) const fn op(self) -> Option<Op> {
        match self {
            Record::Create | Record::Delete => None,
            Record::Add => Some(Op::Add),
            Record::Remove => Some(Op::Remove),
        }
    }

    /// Whether the value is the old one.
    pub(crate) const fn is_old(self) -> bool {
        matches!(self, Record::Delete | Record::Remove)
    }
}
impl FieldChange {
    /// The field's diff key: its path inside the resource, such as
    /// `archived`, `settings.theme`, `labels['app.kubernetes.io/name']` or
    /// `members[id=3].role`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The diff key read back as segments, for machine consumers: the
    /// dotted names, the quoted map keys (unescaped) and the keyed-list
    /// elements of [`key`](Self::key).
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use audit_core::{Auditable, PathSegment};
    ///
    /// #[derive(Clone, serde::Serialize, Auditable)]
    /// #[audit(embedded)]
    /// struct Member {
    ///     #[audit(track)]
    ///     id: String,
    ///     #[audit(track)]
    ///     role: String,
    /// }
    ///
    /// #[derive(Clone, serde::Serialize, Auditable)]
    /// struct Project {
    ///     #[audit(track)]
    ///     id: u32,
    ///     #[audit(nested, key = id)]
    ///     members: Vec<Member>,
    /// }
    ///
    /// let old = Project {
    ///     id: 7,
    ///     members: vec![Member { id: "u-1".into(), role: "viewer".into() }],
    /// };
    /// let mut new = old.clone();
    /// new.members[0].role = "owner".into();
    ///
    /// let diff = audit_core::diff(&old, &new);
    /// let change = diff.get("members[id='u-1'].role").unwrap();
    /// assert_eq!(
    ///     change.path().collect::<Vec<_>>(),
    ///     [
    ///         PathSegment::Name("members"),
    ///         PathSegment::Element { key: "id", value: Cow::Borrowed("u-1"), quoted: true },
    ///         PathSegment::Name("role"),
    ///     ],
    /// );
    /// ```
    pub fn path(&self) -> PathSegments<'_> {
        PathSegments::new(&self.key)
    }

    /// Whether the value was added or removed; `None` for a value that
    /// changed in place, and for the fields of a created or deleted resource.
    pub fn op(&self) -> Option<Op> {
        self.op
    }

    /// What changed.
    pub fn change(&self) -> &Change {
        &self.change
    }

    /// Whether the field is secret, so that no value is recorded.
    pub fn is_secret(&self) -> bool {
        matches!(self.change, Change::Secret)
    }

    /// The keyed fingerprints of a secret declared
    /// `#[audit(secret, fingerprint)]`, when the entry was made with a key
    /// installed; see [`crate::secret_fingerprint`]. `None` for every other
    /// change, and for a diff made outside an entry.
    pub fn secret_fingerprint(&self) -> Option<&SecretFingerprint> {
        self.fingerprint.as_deref()
    }

    /// The old value of a tracked field; `None` for a secret or unserializable
    /// one, and for an added one.
    pub fn old_value(&self) -> Option<&Value> {
        match &self.change {
            Change::Tracked { old, .. } | Change::Removed { old } => Some(old),
            Change::Secret
            | Change::Unserializable { .. }
            | Change::Added { .. }
            | Change::Structural => None,
        }
    }

    /// The new value of a tracked field; `None` for a secret or unserializable
    /// one, and for a removed one.
    pub fn new_value(&self) -> Option<&Value> {
        match &self.change {
            Change::Tracked { new, .. } | Change::Added { new } => Some(new),
            Change::Secret
            | Change::Unserializable { .. }
            | Change::Removed { .. }
            | Change::Structural => None,
        }
    }

    /// The serialization error of a tracked field whose values could not be serialized.
    pub fn error(&self) -> Option<&str> {
        match &self.change {
            Change::Unserializable { error } => Some(error),
            _ => None,
        }
    }
}

impl<'a> IntoIterator for &'a Diff {
    type Item = &'a FieldChange;
    type IntoIter = std::slice::Iter<'a, FieldChange>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
