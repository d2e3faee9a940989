//! Values as JSON, in an order that does not depend on a hash: what a
//! tracked value records.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

/// `value` as JSON, its objects in sorted order whatever `serde_json`'s
/// `preserve_order` feature says: see [`sorted`].
pub(crate) fn to_value<T: ?Sized + Serialize>(value: &T) -> Result<Value, serde_json::Error> {
    sorted(serde_json::to_value(value))
}

/// How deep a recorded value may nest arrays and objects. Every reader must
/// read what the writer wrote, and `serde_json` reads at most 128 levels: an
/// entry adds 4 above a value (the entry, its diff, the change, `old`), and
/// the rest is margin for readers with lower limits. A deeper value is
/// recorded as an error in its place, as one that cannot be serialized is:
/// the change is recorded, the entry is never lost, and every reader reads it.
pub(crate) const MAX_VALUE_DEPTH: usize = 100;

/// `value` with every object's keys sorted, or an error in its place when it
/// nests deeper than [`MAX_VALUE_DEPTH`]. Without `serde_json`'s
/// `preserve_order` feature the keys already are sorted; with it (enabled by
/// any crate in the build), a `HashMap` would otherwise be recorded in its
/// random iteration order.
pub(crate) fn sorted(value: Result<Value, serde_json::Error>) -> Result<Value, serde_json::Error> {
    let mut value = value?;
    if !matches!(value, Value::Array(_) | Value::Object(_)) {
        // A scalar: nothing nests, nothing to sort.
        return Ok(value);
    }
    if depth_exceeds(&value, MAX_VALUE_DEPTH) {
        return Err(<serde_json::Error as serde::ser::Error>::custom(
            format_args!(
                "the value nests deeper than {MAX_VALUE_DEPTH} levels of arrays and objects"
            ),
        ));
    }
    value.sort_all_objects();
    Ok(value)
}

/// Whether `value` nests arrays and objects more than `limit` deep. The
/// walk stops at `limit`, so it recurses at most `limit` frames, and it
/// allocates nothing.
pub(crate) fn depth_exceeds(value: &Value, limit: usize) -> bool {
    // Most children are scalars: told apart here, without a call each.
    let below = |left: usize| {
        move |child: &Value| {
            matches!(child, Value::Array(_) | Value::Object(_)) && depth_exceeds(child, left)
        }
    };
    match value {
        Value::Array(items) => limit
            .checked_sub(1)
            .is_none_or(|left| items.iter().any(below(left))),
        Value::Object(members) => limit
            .checked_sub(1)
            .is_none_or(|left| members.values().any(below(left))),
        _ => false,
    }
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

/// `value`, serialized, with every array that a hashed set below its top
/// wrote sorted, so that equal values always serialize alike. `shape`, which
/// the derive writes from the field's type as written, says where those
/// arrays are: `s(..)` a hashed set (sorted), `l(..)` a list (kept in
/// order), `m(..)` a map's values, `o(..)` an `Option` or a pointer, `t(..,..)`
/// a tuple's members, `v` anything else. A set's elements are sorted by their
/// JSON: `null`, booleans, numbers, strings, arrays, objects, each in its own
/// order.
pub(crate) fn to_value_sorting_sets<T: ?Sized + Serialize>(
    value: &T,
    shape: &str,
) -> Result<Value, serde_json::Error> {
    to_value(value).map(|mut value| {
        sort_sets(&mut value, shape.as_bytes());
        value
    })
}

/// Sorts the set arrays of `value` as `shape` says; returns the rest of
/// `shape` after the shape of `value`.
fn sort_sets<'s>(value: &mut Value, shape: &'s [u8]) -> &'s [u8] {
    let Some((&kind, rest)) = shape.split_first() else {
        return shape;
    };
    if kind == b'v' {
        return rest;
    }
    // `x(` ... `)`: the inner shapes, one per member for a tuple.
    let mut inner = rest.strip_prefix(b"(").unwrap_or(rest);
    match (kind, &mut *value) {
        (b's' | b'l', Value::Array(elements)) => {
            let after = elements
                .iter_mut()
                .fold(None, |_, element| Some(sort_sets(element, inner)));
            let after = after.unwrap_or_else(|| skip_shape(inner));
            if kind == b's' {
                elements.sort_by(json_order);
            }
            inner = after;
        }
        (b'm', Value::Object(entries)) => {
            let after = entries
                .values_mut()
                .fold(None, |_, entry| Some(sort_sets(entry, inner)));
            inner = after.unwrap_or_else(|| skip_shape(inner));
        }
        (b'o', Value::Null) => inner = skip_shape(inner),
        (b'o', value) => inner = sort_sets(value, inner),
        (b't', Value::Array(members)) => {
            for member in members {
                inner = sort_sets(member, inner);
                inner = inner.strip_prefix(b",").unwrap_or(inner);
            }
        }
        // A value that does not have the shape its type was read as (a
        // type of the same name from elsewhere): left as it is.
        _ => {
            inner = skip_shape(inner);
            while let Some(rest) = inner.strip_prefix(b",") {
                inner = skip_shape(rest);
            }
        }
    }
    inner.strip_prefix(b")").unwrap_or(inner)
}

/// The rest of `shape` after one shape.
fn skip_shape(shape: &[u8]) -> &[u8] {
    let mut depth = 0_usize;
    for (index, &byte) in shape.iter().enumerate() {
        match byte {
            b'(' => depth += 1,
            b')' | b',' if depth == 0 => return &shape[index..],
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return &shape[index + 1..];
                }
            }
            b'v' if depth == 0 => return &shape[index + 1..],
            _ => {}
        }
    }
    &shape[shape.len()..]
}

/// A total order on JSON values, for sorting a set's elements.
fn json_order(a: &Value, b: &Value) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Number(a), Value::Number(b)) => {
            match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(a), Some(b), _, _) => a.cmp(&b),
                (_, _, Some(a), Some(b)) => a.cmp(&b),
                _ => a
                    .as_f64()
                    .unwrap_or_default()
                    .total_cmp(&b.as_f64().unwrap_or_default()),
            }
        }
        (Value::String(a), Value::String(b)) => a.cmp(b),
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .map(|(a, b)| json_order(a, b))
            .find(|order| order.is_ne())
            .unwrap_or_else(|| a.len().cmp(&b.len())),
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .zip(b)
            .map(|((a_key, a), (b_key, b))| a_key.cmp(b_key).then_with(|| json_order(a, b)))
            .find(|order| order.is_ne())
            .unwrap_or_else(|| a.len().cmp(&b.len())),
        _ => rank(a).cmp(&rank(b)),
    }
}
