//! The field-level difference between two values of an auditable struct.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::Value;

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
    change: Change,
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
    /// A secret field changed. Its values are never recorded.
    Secret,
    /// A tracked field changed, but its old or new value could not be
    /// serialized to JSON; `error` says why.
    Unserializable {
        /// The serialization error.
        error: String,
    },
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

    /// Records that the tracked field `key` changed, with its old and new
    /// values as serialized; a serialization error (the old value's first)
    /// is recorded in their place. Called only for fields that differ.
    pub(crate) fn push_tracked(
        &mut self,
        key: &'static str,
        old: Result<Value, serde_json::Error>,
        new: Result<Value, serde_json::Error>,
    ) {
        let change = match (old, new) {
            (Ok(old), Ok(new)) => Change::Tracked { old, new },
            (Err(error), _) | (_, Err(error)) => Change::Unserializable {
                error: error.to_string(),
            },
        };
        self.changes.push(FieldChange {
            key: Cow::Borrowed(key),
            change,
        });
    }

    /// Records that the secret field `key` changed.
    pub(crate) fn push_secret(&mut self, key: &'static str) {
        self.changes.push(FieldChange {
            key: Cow::Borrowed(key),
            change: Change::Secret,
        });
    }
}

impl FieldChange {
    /// The field's diff key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What changed.
    pub fn change(&self) -> &Change {
        &self.change
    }

    /// Whether the field is secret, so that no value is recorded.
    pub fn is_secret(&self) -> bool {
        matches!(self.change, Change::Secret)
    }

    /// The old value of a tracked field; `None` for a secret or unserializable one.
    pub fn old_value(&self) -> Option<&Value> {
        match &self.change {
            Change::Tracked { old, .. } => Some(old),
            Change::Secret | Change::Unserializable { .. } => None,
        }
    }

    /// The new value of a tracked field; `None` for a secret or unserializable one.
    pub fn new_value(&self) -> Option<&Value> {
        match &self.change {
            Change::Tracked { new, .. } => Some(new),
            Change::Secret | Change::Unserializable { .. } => None,
        }
    }

    /// The serialization error of a tracked field whose values could not be serialized.
    pub fn error(&self) -> Option<&str> {
        match &self.change {
            Change::Unserializable { error } => Some(error),
            Change::Tracked { .. } | Change::Secret => None,
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
            map.serialize_entry(change.key(), &change.change)?;
        }
        map.end()
    }
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Change::Tracked { old, new } => {
                let mut state = serializer.serialize_struct("Change", 3)?;
                state.serialize_field("old", old)?;
                state.serialize_field("new", new)?;
                state.serialize_field("secret", &false)?;
                state.end()
            }
            Change::Secret => {
                let mut state = serializer.serialize_struct("Change", 1)?;
                state.serialize_field("secret", &true)?;
                state.end()
            }
            Change::Unserializable { error } => {
                let mut state = serializer.serialize_struct("Change", 2)?;
                state.serialize_field("secret", &false)?;
                state.serialize_field("error", error)?;
                state.end()
            }
        }
    }
}

/// The serialized form of a [`Change`], read back.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeRepr {
    #[serde(default)]
    old: Value,
    #[serde(default)]
    new: Value,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    error: Option<String>,
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = ChangeRepr::deserialize(deserializer)?;
        Ok(match repr {
            ChangeRepr { secret: true, .. } => Change::Secret,
            ChangeRepr {
                error: Some(error), ..
            } => Change::Unserializable { error },
            ChangeRepr { old, new, .. } => Change::Tracked { old, new },
        })
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
                while let Some((key, change)) = map.next_entry::<String, Change>()? {
                    diff.changes.push(FieldChange {
                        key: Cow::Owned(key),
                        change,
                    });
                }
                Ok(diff)
            }
        }

        deserializer.deserialize_map(DiffVisitor)
    }
}
