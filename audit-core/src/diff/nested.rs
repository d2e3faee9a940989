//! Nested structs: a field of an auditable type diffed field by field,
//! through `Option`, `Box` and maps of such types.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use serde::Serialize;

use crate::diff::maps::{self, EntryRecorder};
use crate::diff::path::Path;
use crate::diff::{Change, Diff, Record};
use crate::model::AuditFields;
use crate::model::schema::Schema;

/// Records the added or removed nested value `value` at `path`: a
/// structural `{"op": ..}` change, when `record` has an op, then its fields.
pub(crate) fn record_present<T: ?Sized + AuditFields>(
    diff: &mut Diff,
    path: &Path<'_>,
    value: &T,
    record: Record,
) {
    if let Some(op) = record.op() {
        diff.push(path, Some(op), Change::Structural);
    }
    T::record_all(diff, path, value, record);
}

/// What a map of nested structs records for one key: the fields that
/// differ, or every field of an added or removed value.
struct NestedRecorder;

impl<V: ?Sized + AuditFields> EntryRecorder<V> for NestedRecorder {
    #[inline]
    fn changed(&self, diff: &mut Diff, path: &Path<'_>, old: &V, new: &V) {
        V::diff_into(diff, path, old, new);
    }

    fn one_side(&self, diff: &mut Diff, path: &Path<'_>, value: &V, record: Record) {
        record_present(diff, path, value, record);
    }
}

impl<T: AuditFields> AuditFields for Option<T> {
    const SCHEMA: &'static Schema = T::SCHEMA;

    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        match (old, new) {
            (Some(old), Some(new)) => T::diff_into(diff, path, old, new),
            (None, Some(new)) => record_present(diff, path, new, Record::Add),
            (Some(old), None) => record_present(diff, path, old, Record::Remove),
            (None, None) => {}
        }
    }

    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        if let Some(value) = value {
            record_present(diff, path, value, record);
        }
    }
}

impl<T: ?Sized + AuditFields> AuditFields for Box<T> {
    const SCHEMA: &'static Schema = T::SCHEMA;

    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        T::diff_into(diff, path, old, new);
    }

    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        T::record_all(diff, path, value, record);
    }
}

impl<K: Ord + Serialize, V: AuditFields> AuditFields for BTreeMap<K, V> {
    const SCHEMA: &'static Schema = V::SCHEMA;

    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        maps::diff_btree_map(&NestedRecorder, diff, path, old, new);
    }

    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        maps::record_btree_map(&NestedRecorder, diff, path, value, record);
    }
}

impl<K, V, S> AuditFields for HashMap<K, V, S>
where
    K: Eq + Hash + Ord + Serialize,
    V: AuditFields,
    S: BuildHasher,
{
    const SCHEMA: &'static Schema = V::SCHEMA;

    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        maps::diff_hash_map(&NestedRecorder, diff, path, old, new);
    }

    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        maps::record_hash_map(&NestedRecorder, diff, path, value, record);
    }
}
