//! The wire form of a [`Diff`]: one JSON object, one member per changed
//! path, written and read back.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::Value;

use crate::diff::{Change, Diff, FieldChange, Op};
use crate::secret_fingerprint::SecretFingerprint;

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
