//! The field-level difference between two values of an auditable struct.

pub(crate) mod nested;

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::Value;

use crate::secret_fingerprint::SecretFingerprint;

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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diff {
    changes: Vec<FieldChange>,
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
#[derive(Clone, Debug, PartialEq)]
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
    /// created resource, or an added entry or element.
    Added {
        /// The value, as JSON.
        new: Value,
    },
    /// A tracked value that exists only before the change: a field of a
    /// deleted resource, or a removed entry or element.
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
        }
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

    /// Records that the fingerprinted secret at `path` changed, with the
    /// fingerprints `fingerprint` makes from its diff key: none outside an
    /// entry, or without a key (see [`crate::secret_fingerprint`]).
    pub(crate) fn push_fingerprinted(
        &mut self,
        path: &Path<'_>,
        op: Option<Op>,
        fingerprint: impl FnOnce(&str) -> Option<Box<SecretFingerprint>>,
    ) {
        let key = path.key();
        let fingerprint = fingerprint(&key);
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

/// Where a value sits inside the resource: a stack-linked list of segments,
/// built as the diff descends, so that a key is written out only for a
/// change that is recorded and the unchanged path allocates nothing.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    /// The resource itself.
    Root,
    /// A field, by its diff key.
    Field(&'static str),
    /// A map or set entry, by its key.
    Key(&'a dyn PathKey),
    /// An element of a keyed list: the key field and its value.
    Element(KeyField, &'a dyn PathKey),
}

/// The key field of a keyed list's elements: its Rust name, as the outer
/// derive names it (`key = id`), and the element's fields, where its diff
/// key (its serde name or `#[audit(rename)]`) is looked up when a path is
/// written out, so that the unchanged path does no lookup.
#[derive(Clone, Copy)]
pub(crate) struct KeyField {
    pub(crate) rust_name: &'static str,
    pub(crate) fields: &'static [crate::FieldSchema],
}

impl KeyField {
    /// The key field's diff key; its Rust name if the element has no such
    /// field (which the derive does not let through).
    fn diff_key(self) -> &'static str {
        self.fields
            .iter()
            .find(|field| field.rust_name == self.rust_name)
            .map_or(self.rust_name, |field| field.name)
    }
}

impl<'a> Path<'a> {
    /// The resource itself; its fields are the top-level keys.
    pub const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    /// The field `name` under `self`.
    #[must_use]
    pub const fn field(&'a self, name: &'static str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    /// The diff key of this path: a top-level field's `&'static` name, or
    /// the dotted path written out.
    pub(crate) fn key(&self) -> Cow<'static, str> {
        if let (Some(Path { parent: None, .. }) | None, Segment::Field(name)) =
            (self.parent, self.segment)
        {
            return Cow::Borrowed(name);
        }
        // Room for most paths, so that writing one allocates once.
        let mut key = String::with_capacity(48);
        self.write(&mut key);
        Cow::Owned(key)
    }

    /// The entry `key` of the map or set at `self`.
    pub(crate) fn entry(&'a self, key: &'a dyn PathKey) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The element of the keyed list at `self` whose `field` is `key`.
    pub(crate) fn element(&'a self, field: KeyField, key: &'a dyn PathKey) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Element(field, key),
        }
    }

    fn write(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.write(out);
        }
        match self.segment {
            Segment::Root => {}
            Segment::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Key(key) => {
                let text = key.key_text();
                if is_plain(&text.text) {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&text.text);
                } else {
                    out.push('[');
                    push_quoted(out, &text.text);
                    out.push(']');
                }
            }
            Segment::Element(field, key) => {
                let text = key.key_text();
                out.push('[');
                out.push_str(field.diff_key());
                out.push('=');
                if text.is_string {
                    push_quoted(out, &text.text);
                } else {
                    out.push_str(&text.text);
                }
                out.push(']');
            }
        }
    }
}

/// Whether a map key can be written as a plain path segment:
/// `[A-Za-z_][A-Za-z0-9_-]*`. Any other key is quoted, `['a.b']`.
fn is_plain(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `text` in single quotes, with `'` and `\` escaped by a backslash (RFC
/// 9535's normalized paths).
fn push_quoted(out: &mut String, text: &str) {
    out.push('\'');
    for c in text.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// A map key or list-element key, as written into a path.
pub(crate) struct KeyText {
    text: String,
    /// Whether the key serializes as a JSON string (quoted in an element
    /// predicate) rather than a number or a boolean.
    is_string: bool,
}

/// A key that can name a path segment: anything `Serialize`, written as its
/// JSON string or number. Only called for a change that is recorded.
pub(crate) trait PathKey {
    fn key_text(&self) -> KeyText;
}

impl<K: Serialize + ?Sized> PathKey for K {
    fn key_text(&self) -> KeyText {
        match serde_json::to_value(self) {
            Ok(Value::String(text)) => KeyText {
                text,
                is_string: true,
            },
            Ok(value @ (Value::Number(_) | Value::Bool(_))) => KeyText {
                text: value.to_string(),
                is_string: false,
            },
            // A key that is neither text nor a number: its JSON, quoted.
            Ok(value) => KeyText {
                text: value.to_string(),
                is_string: true,
            },
            Err(error) => KeyText {
                text: format!("<{error}>"),
                is_string: true,
            },
        }
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

impl Serialize for Diff {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.changes.len()))?;
        for change in &self.changes {
            map.serialize_entry(change.key(), &ChangeWithOp(change))?;
        }
        map.end()
    }
}

/// A change as serialized: its op first, when it has one, then the change.
struct ChangeWithOp<'a>(&'a FieldChange);

impl Serialize for ChangeWithOp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_change(
            self.0.op,
            &self.0.change,
            self.0.fingerprint.as_deref(),
            serializer,
        )
    }
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_change(None, self, None, serializer)
    }
}

fn serialize_change<S: Serializer>(
    op: Option<Op>,
    change: &Change,
    fingerprint: Option<&SecretFingerprint>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let len = usize::from(op.is_some())
        + fingerprint.map_or(0, SecretFingerprint::member_count)
        + match change {
            Change::Tracked { .. } => 3,
            Change::Secret | Change::Structural => 1,
            Change::Unserializable { .. } | Change::Added { .. } | Change::Removed { .. } => 2,
        };
    let mut state = serializer.serialize_struct("Change", len)?;
    if let Some(op) = op {
        state.serialize_field("op", &op)?;
    }
    match change {
        Change::Tracked { old, new } => {
            state.serialize_field("old", old)?;
            state.serialize_field("new", new)?;
            state.serialize_field("secret", &false)?;
        }
        Change::Secret => {
            state.serialize_field("secret", &true)?;
            if let Some(fingerprint) = fingerprint {
                if let Some(old) = fingerprint.old_hmac() {
                    state.serialize_field("old_hmac", old)?;
                }
                if let Some(new) = fingerprint.new_hmac() {
                    state.serialize_field("new_hmac", new)?;
                }
                state.serialize_field("hmac_key", fingerprint.key_id())?;
            }
        }
        Change::Structural => state.serialize_field("secret", &false)?,
        Change::Unserializable { error } => {
            state.serialize_field("secret", &false)?;
            state.serialize_field("error", error)?;
        }
        Change::Added { new } => {
            state.serialize_field("new", new)?;
            state.serialize_field("secret", &false)?;
        }
        Change::Removed { old } => {
            state.serialize_field("old", old)?;
            state.serialize_field("secret", &false)?;
        }
    }
    state.end()
}

/// The serialized form of a [`FieldChange`], read back. `old` and `new` are
/// `Some` when present, `null` included.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeRepr {
    #[serde(default)]
    op: Option<Op>,
    #[serde(default, deserialize_with = "present")]
    old: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    new: Option<Value>,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    old_hmac: Option<String>,
    #[serde(default)]
    new_hmac: Option<String>,
    #[serde(default)]
    hmac_key: Option<String>,
}

/// A member that is present, `null` included.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl ChangeRepr {
    fn into_parts(mut self) -> (Option<Op>, Change, Option<Box<SecretFingerprint>>) {
        let op = self.op;
        let fingerprint = match (self.secret, self.hmac_key.take()) {
            (true, Some(key_id)) => Some(Box::new(SecretFingerprint::new(
                self.old_hmac.take(),
                self.new_hmac.take(),
                key_id,
            ))),
            _ => None,
        };
        let change = match self {
            ChangeRepr { secret: true, .. } => Change::Secret,
            ChangeRepr {
                error: Some(error), ..
            } => Change::Unserializable { error },
            ChangeRepr {
                old: Some(old),
                new: Some(new),
                ..
            } => Change::Tracked { old, new },
            ChangeRepr { new: Some(new), .. } => Change::Added { new },
            ChangeRepr { old: Some(old), .. } => Change::Removed { old },
            ChangeRepr { op: Some(_), .. } => Change::Structural,
            // `{"secret": false}` alone is written by no version; read it as
            // the change of a value to itself.
            ChangeRepr { .. } => Change::Tracked {
                old: Value::Null,
                new: Value::Null,
            },
        };
        (op, change, fingerprint)
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(ChangeRepr::deserialize(deserializer)?.into_parts().1)
    }
}

impl<'de> Deserialize<'de> for Diff {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DiffVisitor;

        impl<'de> Visitor<'de> for DiffVisitor {
            type Value = Diff;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from field keys to changes")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Diff, A::Error> {
                let mut diff = Diff::new();
                while let Some((key, change)) = map.next_entry::<String, ChangeRepr>()? {
                    let (op, change, fingerprint) = change.into_parts();
                    diff.changes.push(FieldChange {
                        key: Cow::Owned(key),
                        op,
                        change,
                        fingerprint,
                    });
                }
                Ok(diff)
            }
        }

        deserializer.deserialize_map(DiffVisitor)
    }
}

/// One segment of a diff key, as [`FieldChange::path`] reads it back.
///
/// A dotted segment is a [`Name`](Self::Name) whether it names a field
/// (`settings.theme`) or a map or set key that is a plain identifier
/// (`labels.team`): the path's syntax does not tell them apart, the
/// resource's [`Schema`](crate::Schema) does (the segment after a field of
/// shape [`Entries`](crate::FieldShape::Entries) is a key). A key that is not
/// a plain identifier is always written quoted, as a [`Key`](Self::Key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment<'a> {
    /// A dotted segment: a field's diff key, or a plain map or set key
    /// (`[A-Za-z_][A-Za-z0-9_-]*`).
    Name(&'a str),
    /// A map or set key written quoted, `['app.kubernetes.io/name']`,
    /// with its `\'` and `\\` escapes undone.
    Key(Cow<'a, str>),
    /// An element of a keyed list, `[id=3]` or `[id='u-1']`.
    Element {
        /// The key field's diff key (`id`).
        key: &'a str,
        /// The key's value as written: a number or `true`/`false`, or a
        /// string with its escapes undone.
        value: Cow<'a, str>,
        /// Whether the value was quoted: the key serializes as a JSON string.
        quoted: bool,
    },
}

/// The segments of a diff key: see [`FieldChange::path`].
///
/// A key not written by this crate (a hand-edited entry) is read
/// leniently: from the first place it does not parse, its rest is one
/// [`PathSegment::Name`].
#[derive(Clone, Debug)]
pub struct PathSegments<'a> {
    rest: &'a str,
    first: bool,
}

impl<'a> PathSegments<'a> {
    fn new(key: &'a str) -> Self {
        PathSegments {
            rest: key,
            first: true,
        }
    }

    /// The rest as one name, ending the iteration.
    fn malformed(&mut self) -> PathSegment<'a> {
        let rest = self.rest;
        self.rest = "";
        PathSegment::Name(rest)
    }

    /// A bracketed segment at the start of `self.rest`.
    fn bracket(&self) -> Option<(PathSegment<'a>, &'a str)> {
        let inner = self.rest.strip_prefix('[')?;
        if let Some(quoted) = inner.strip_prefix('\'') {
            let (key, rest) = unquote(quoted)?;
            return Some((PathSegment::Key(key), rest.strip_prefix(']')?));
        }
        let (key, value) = inner.split_once('=')?;
        if key.is_empty() || key.contains([']', '[', '.', '\'']) {
            return None;
        }
        if let Some(quoted) = value.strip_prefix('\'') {
            let (value, rest) = unquote(quoted)?;
            let segment = PathSegment::Element {
                key,
                value,
                quoted: true,
            };
            return Some((segment, rest.strip_prefix(']')?));
        }
        let end = value.find(']')?;
        if end == 0 {
            return None;
        }
        let segment = PathSegment::Element {
            key,
            value: Cow::Borrowed(&value[..end]),
            quoted: false,
        };
        Some((segment, &value[end + 1..]))
    }
}

/// The text of a quoted key up to its closing `'`, escapes undone, and what
/// follows the quote; borrowed when nothing was escaped.
fn unquote(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let end = text.find(['\'', '\\'])?;
    if text.as_bytes()[end] == b'\'' {
        return Some((Cow::Borrowed(&text[..end]), &text[end + 1..]));
    }
    let mut owned = String::from(&text[..end]);
    let mut chars = text[end..].char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' => owned.push(chars.next()?.1),
            '\'' => return Some((Cow::Owned(owned), &text[end + index + 1..])),
            c => owned.push(c),
        }
    }
    None
}

impl<'a> Iterator for PathSegments<'a> {
    type Item = PathSegment<'a>;

    fn next(&mut self) -> Option<PathSegment<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let first = std::mem::replace(&mut self.first, false);
        if self.rest.starts_with('[') {
            return Some(match self.bracket() {
                Some((segment, rest)) => {
                    self.rest = rest;
                    segment
                }
                None => self.malformed(),
            });
        }
        let name = match self.rest.strip_prefix('.') {
            Some(name) if !first => name,
            _ if first => self.rest,
            _ => return Some(self.malformed()),
        };
        let end = name.find(['.', '[']).unwrap_or(name.len());
        if end == 0 {
            return Some(self.malformed());
        }
        self.rest = &name[end..];
        Some(PathSegment::Name(&name[..end]))
    }
}
