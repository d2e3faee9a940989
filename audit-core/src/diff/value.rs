//! Values as JSON, in an order that does not depend on a hash: what a
//! tracked value records.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

/// `value` as JSON, its objects in sorted order whatever `serde_json`'s
/// `preserve_order` feature says: see [`sorted`].
pub(crate) fn to_value<T: ?Sized + Serialize>(value: &T) -> Result<Value, serde_json::Error> {
    sorted(serde_json::to_value(value))
}

/// `value` with every object's keys sorted. Without `serde_json`'s
/// `preserve_order` feature they already are, and this does nothing; with
/// it (enabled by any crate in the build), a `HashMap` would otherwise be
/// recorded in its random iteration order.
pub(crate) fn sorted(value: Result<Value, serde_json::Error>) -> Result<Value, serde_json::Error> {
    value.map(|mut value| {
        value.sort_all_objects();
        value
    })
}

/// A value recorded in a canonical order: a `HashSet` sorted, a `HashMap` by
/// key, so that two equal values always serialize alike.
pub trait Canonical {
    /// The value as JSON, in canonical order.
    ///
    /// # Errors
    ///
    /// When the value cannot be serialized.
    fn canonical_value(&self) -> Result<Value, serde_json::Error>;
}

impl<T: Ord + Serialize, S> Canonical for HashSet<T, S> {
    fn canonical_value(&self) -> Result<Value, serde_json::Error> {
        let mut elements: Vec<&T> = self.iter().collect();
        elements.sort_unstable();
        to_value(&elements)
    }
}

impl<K: Ord + Serialize, V: Serialize, S> Canonical for HashMap<K, V, S> {
    fn canonical_value(&self) -> Result<Value, serde_json::Error> {
        to_value(&self.iter().collect::<BTreeMap<&K, &V>>())
    }
}

impl<T: Canonical> Canonical for Option<T> {
    fn canonical_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            Some(value) => value.canonical_value(),
            None => Ok(Value::Null),
        }
    }
}
