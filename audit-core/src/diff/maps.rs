//! The one walk over two maps, key by key, that every map diff shares: a
//! map of nested structs ([`nested`](super::nested)) and a map recorded
//! entry by entry, tracked or secret ([`entries`](super::entries)). What is
//! recorded for a key is the [`EntryRecorder`]'s; the order of the keys and
//! the allocation-free path for an unchanged map are this module's.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use serde::Serialize;

use crate::diff::path::Path;
use crate::diff::{Diff, Record};

/// What a map records for one key.
pub(crate) trait EntryRecorder<V: ?Sized> {
    /// The key is on both sides: records what differs between `old` and
    /// `new`, and nothing (allocating nothing) when they are equal.
    fn changed(&self, diff: &mut Diff, path: &Path<'_>, old: &V, new: &V);
    /// The key is on one side only, as `record` says.
    fn one_side(&self, diff: &mut Diff, path: &Path<'_>, value: &V, record: Record);
}

/// Records, through `recorder`, what `visit` is called with for one key.
#[inline]
fn visit<V: ?Sized>(
    recorder: &impl EntryRecorder<V>,
    diff: &mut Diff,
    path: &Path<'_>,
    old: Option<&V>,
    new: Option<&V>,
) {
    match (old, new) {
        (Some(old), Some(new)) => recorder.changed(diff, path, old, new),
        (None, Some(new)) => recorder.one_side(diff, path, new, Record::Add),
        (Some(old), None) => recorder.one_side(diff, path, old, Record::Remove),
        (None, None) => {}
    }
}

/// Diffs two sorted maps key by key, in key order.
pub(crate) fn diff_btree_map<K: Ord + Serialize, V>(
    recorder: &impl EntryRecorder<V>,
    diff: &mut Diff,
    path: &Path<'_>,
    old: &BTreeMap<K, V>,
    new: &BTreeMap<K, V>,
) {
    merge_walk(old, new, |key, old, new| {
        visit(recorder, diff, &path.entry(key), old, new);
    });
}

/// Records every entry of a sorted map, in key order.
pub(crate) fn record_btree_map<K: Serialize, V>(
    recorder: &impl EntryRecorder<V>,
    diff: &mut Diff,
    path: &Path<'_>,
    value: &BTreeMap<K, V>,
    record: Record,
) {
    for (key, value) in value {
        recorder.one_side(diff, &path.entry(key), value, record);
    }
}

/// Diffs two hashed maps key by key, in key order.
///
/// With the same keys on both sides, the old map is walked in its own
/// order, which allocates nothing, up to the first key that records a
/// change; only then is that change dropped and the maps walked again in
/// sorted key order, so that changes come in a stable order.
pub(crate) fn diff_hash_map<K, V, S>(
    recorder: &impl EntryRecorder<V>,
    diff: &mut Diff,
    path: &Path<'_>,
    old: &HashMap<K, V, S>,
    new: &HashMap<K, V, S>,
) where
    K: Eq + Hash + Ord + Serialize,
    S: BuildHasher,
{
    let start = diff.len();
    if same_keys(old, new) {
        let unchanged = old.iter().all(|(key, old_value)| {
            if let Some(new_value) = new.get(key) {
                recorder.changed(diff, &path.entry(key), old_value, new_value);
            }
            diff.len() == start
        });
        if unchanged {
            return;
        }
        diff.truncate(start);
    }
    for key in sorted_keys(
        old.keys()
            .chain(new.keys().filter(|key| !old.contains_key(*key))),
    ) {
        visit(recorder, diff, &path.entry(key), old.get(key), new.get(key));
    }
}

/// Records every entry of a hashed map, in key order.
pub(crate) fn record_hash_map<K, V, S>(
    recorder: &impl EntryRecorder<V>,
    diff: &mut Diff,
    path: &Path<'_>,
    value: &HashMap<K, V, S>,
    record: Record,
) where
    K: Eq + Hash + Ord + Serialize,
    S: BuildHasher,
{
    for key in sorted_keys(value.keys()) {
        if let Some(value) = value.get(key) {
            recorder.one_side(diff, &path.entry(key), value, record);
        }
    }
}

/// Whether `old` and `new` hold the same keys. Allocates nothing.
fn same_keys<K: Eq + Hash, A, B, S: BuildHasher>(
    old: &HashMap<K, A, S>,
    new: &HashMap<K, B, S>,
) -> bool {
    old.len() == new.len() && old.keys().all(|key| new.contains_key(key))
}

/// `keys`, sorted.
pub(crate) fn sorted_keys<'a, K: Ord + 'a>(keys: impl Iterator<Item = &'a K>) -> Vec<&'a K> {
    let mut keys: Vec<&K> = keys.collect();
    keys.sort_unstable();
    keys
}

/// Walks two sorted maps together, calling `visit` with each key and its
/// value in either, in key order.
///
/// The common case, the same keys on both sides, is walked in lockstep with
/// one `==` per key, as `BTreeMap`'s own `PartialEq` does; the first key
/// that differs switches to a merge of the rest.
#[inline]
fn merge_walk<'a, K: Ord, V>(
    old: &'a BTreeMap<K, V>,
    new: &'a BTreeMap<K, V>,
    mut visit: impl FnMut(&'a K, Option<&'a V>, Option<&'a V>),
) {
    let mut old_entries = old.iter();
    let mut new_entries = new.iter();
    let (mut old_next, mut new_next) = loop {
        match (old_entries.next(), new_entries.next()) {
            (Some((old_key, old_value)), Some((new_key, new_value))) if old_key == new_key => {
                visit(old_key, Some(old_value), Some(new_value));
            }
            (None, None) => return,
            pending => break pending,
        }
    };
    loop {
        match (old_next, new_next) {
            (None, None) => return,
            (Some((key, value)), None) => {
                visit(key, Some(value), None);
                old_next = old_entries.next();
            }
            (None, Some((key, value))) => {
                visit(key, None, Some(value));
                new_next = new_entries.next();
            }
            (Some((old_key, old_value)), Some((new_key, new_value))) => {
                match old_key.cmp(new_key) {
                    Ordering::Less => {
                        visit(old_key, Some(old_value), None);
                        old_next = old_entries.next();
                    }
                    Ordering::Greater => {
                        visit(new_key, None, Some(new_value));
                        new_next = new_entries.next();
                    }
                    Ordering::Equal => {
                        visit(old_key, Some(old_value), Some(new_value));
                        old_next = old_entries.next();
                        new_next = new_entries.next();
                    }
                }
            }
        }
    }
}
