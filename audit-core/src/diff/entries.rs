//! Maps and sets of plain values recorded entry by entry:
//! `#[audit(track, entries)]` and `#[audit(secret, entries)]`, one change
//! per key (`labels.team`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use serde::Serialize;

use crate::diff::maps::{self, EntryRecorder, sorted_keys};
use crate::diff::path::Path;
use crate::diff::value::to_value;
use crate::diff::{Change, Diff, Record};

/// A map or set of scalars recorded entry by entry by
/// `#[audit(track, entries)]`: one change per key (`labels.team`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded entry by entry",
    label = "`#[audit(track, entries)]` needs a map or set of comparable, serializable values",
    note = "`entries` works on `BTreeMap`, `HashMap`, `BTreeSet` and `HashSet` whose keys are \
            `Ord` and `Serialize` and whose values are `PartialEq` and `Serialize`; \
            remove `entries` to record the field as one value"
)]
pub trait TrackedEntries {
    /// Records the entries that differ between `old` and `new` under `path`.
    fn diff_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self);
    /// Records every entry of `value`, as `record` says.
    fn record_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record);
}

/// A map or set recorded by `#[audit(secret, entries)]`: a map names each key
/// that changed, never a value; a set, whose elements are its values,
/// records that the field changed, as a plain secret field does.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded entry by entry",
    label = "`#[audit(secret, entries)]` needs a map or set of comparable values",
    note = "`entries` works on `BTreeMap`, `HashMap`, `BTreeSet` and `HashSet` whose keys are \
            `Ord` and `Serialize` and whose values are `PartialEq`; \
            remove `entries` to record the field as one secret value"
)]
pub trait SecretEntries {
    /// Records the keys whose values differ between `old` and `new` under `path`.
    fn diff_secret_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self);
    /// Records every key of `value`, as `record` says.
    fn record_secret_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record);
}

/// What a tracked map records for one key: its old and new values.
struct TrackedRecorder;

/// What a secret map records for one key: that it changed, never a value.
struct SecretRecorder;

impl<V: ?Sized + PartialEq + Serialize> EntryRecorder<V> for TrackedRecorder {
    #[inline]
    fn changed(&self, diff: &mut Diff, path: &Path<'_>, old: &V, new: &V) {
        if old != new {
            diff.push_tracked(path, to_value(old), to_value(new));
        }
    }

    fn one_side(&self, diff: &mut Diff, path: &Path<'_>, value: &V, record: Record) {
        diff.push_one_side(path, record, to_value(value));
    }
}

impl<V: ?Sized + PartialEq> EntryRecorder<V> for SecretRecorder {
    #[inline]
    fn changed(&self, diff: &mut Diff, path: &Path<'_>, old: &V, new: &V) {
        if old != new {
            diff.push(path, None, Change::Secret);
        }
    }

    fn one_side(&self, diff: &mut Diff, path: &Path<'_>, _: &V, record: Record) {
        diff.push(path, record.op(), Change::Secret);
    }
}

impl<K: Ord + Serialize, V: PartialEq + Serialize> TrackedEntries for BTreeMap<K, V> {
    fn diff_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        maps::diff_btree_map(&TrackedRecorder, diff, path, old, new);
    }

    fn record_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        maps::record_btree_map(&TrackedRecorder, diff, path, value, record);
    }
}

impl<K: Ord + Serialize, V: PartialEq> SecretEntries for BTreeMap<K, V> {
    fn diff_secret_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        maps::diff_btree_map(&SecretRecorder, diff, path, old, new);
    }

    fn record_secret_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        maps::record_btree_map(&SecretRecorder, diff, path, value, record);
    }
}

impl<K, V, S> TrackedEntries for HashMap<K, V, S>
where
    K: Eq + Hash + Ord + Serialize,
    V: PartialEq + Serialize,
    S: BuildHasher,
{
    fn diff_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        maps::diff_hash_map(&TrackedRecorder, diff, path, old, new);
    }

    fn record_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        maps::record_hash_map(&TrackedRecorder, diff, path, value, record);
    }
}

impl<K, V, S> SecretEntries for HashMap<K, V, S>
where
    K: Eq + Hash + Ord + Serialize,
    V: PartialEq,
    S: BuildHasher,
{
    fn diff_secret_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        maps::diff_hash_map(&SecretRecorder, diff, path, old, new);
    }

    fn record_secret_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        maps::record_hash_map(&SecretRecorder, diff, path, value, record);
    }
}

/// Records the added and removed elements of two sets, each under its own
/// key, given in order.
fn record_set_changes<'a, T: Serialize + 'a>(
    diff: &mut Diff,
    path: &Path<'_>,
    changes: impl Iterator<Item = (&'a T, Record)>,
) {
    for (element, record) in changes {
        diff.push_one_side(&path.entry(element), record, to_value(element));
    }
}

impl<T: Ord + Serialize> TrackedEntries for BTreeSet<T> {
    fn diff_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        if old == new {
            return;
        }
        let removed = old.difference(new).map(|e| (e, Record::Remove));
        let added = new.difference(old).map(|e| (e, Record::Add));
        let mut changes: Vec<(&T, Record)> = removed.chain(added).collect();
        changes.sort_by(|a, b| a.0.cmp(b.0));
        record_set_changes(diff, path, changes.into_iter());
    }

    fn record_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        record_set_changes(diff, path, value.iter().map(|e| (e, record)));
    }
}

impl<T: Eq + Hash + Ord + Serialize, S: BuildHasher> TrackedEntries for HashSet<T, S> {
    fn diff_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        if old == new {
            return;
        }
        let removed = old.difference(new).map(|e| (e, Record::Remove));
        let added = new.difference(old).map(|e| (e, Record::Add));
        let mut changes: Vec<(&T, Record)> = removed.chain(added).collect();
        changes.sort_by(|a, b| a.0.cmp(b.0));
        record_set_changes(diff, path, changes.into_iter());
    }

    fn record_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        let elements = sorted_keys(value.iter());
        record_set_changes(diff, path, elements.into_iter().map(|e| (e, record)));
    }
}

impl<T: Ord> SecretEntries for BTreeSet<T> {
    fn diff_secret_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        if old != new {
            diff.push(path, None, Change::Secret);
        }
    }

    fn record_secret_entries(diff: &mut Diff, path: &Path<'_>, _: &Self, record: Record) {
        diff.push(path, record.op(), Change::Secret);
    }
}

impl<T: Eq + Hash, S: BuildHasher> SecretEntries for HashSet<T, S> {
    fn diff_secret_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        if old != new {
            diff.push(path, None, Change::Secret);
        }
    }

    fn record_secret_entries(diff: &mut Diff, path: &Path<'_>, _: &Self, record: Record) {
        diff.push(path, record.op(), Change::Secret);
    }
}
