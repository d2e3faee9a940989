//! Diffs inside a field: nested structs through `Option`, `Box` and maps,
//! maps and sets entry by entry, lists matched by a key; and the probe that
//! makes tracking an auditable type whole a build error.
//!
//! Every function here compares before it allocates: an unchanged value is
//! walked without a single allocation, and keys, indexes and sorted key
//! lists are built only once something differs.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

use serde::Serialize;
use serde_json::Value;

use crate::__private::to_value;
use crate::AuditFields;
use crate::diff::{Change, KeyField, Path, Record};
use crate::{Diff, Schema};

/// Records the added or removed nested value `value` at `path`: a
/// structural `{"op": ..}` change, when `record` has an op, then its fields.
fn record_present<T: ?Sized + AuditFields>(
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

impl<T: AuditFields> AuditFields for Option<T> {
    const FIELDS: &'static Schema = T::FIELDS;

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
    const FIELDS: &'static Schema = T::FIELDS;

    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        T::diff_into(diff, path, old, new);
    }

    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        T::record_all(diff, path, value, record);
    }
}

impl<K: Ord + Serialize, V: AuditFields> AuditFields for BTreeMap<K, V> {
    const FIELDS: &'static Schema = V::FIELDS;

    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        merge_walk(old, new, |key, old, new| {
            let path = path.entry(key);
            match (old, new) {
                (Some(old), Some(new)) => V::diff_into(diff, &path, old, new),
                (None, Some(new)) => record_present(diff, &path, new, Record::Add),
                (Some(old), None) => record_present(diff, &path, old, Record::Remove),
                (None, None) => {}
            }
        });
    }

    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        for (key, value) in value {
            record_present(diff, &path.entry(key), value, record);
        }
    }
}

impl<K, V, S> AuditFields for HashMap<K, V, S>
where
    K: Eq + Hash + Ord + Serialize,
    V: AuditFields,
    S: BuildHasher,
{
    const FIELDS: &'static Schema = V::FIELDS;

    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        // With the same keys, walk the old map in its own order, which
        // allocates nothing; only when that records a change, drop it and
        // walk again in key order, so that changes come in a stable order.
        let start = diff.len();
        if same_keys(old, new) {
            for (key, old_value) in old {
                if let Some(new_value) = new.get(key) {
                    V::diff_into(diff, &path.entry(key), old_value, new_value);
                }
            }
            if diff.len() == start {
                return;
            }
            diff.truncate(start);
        }
        for key in sorted_keys(
            old.keys()
                .chain(new.keys().filter(|k| !old.contains_key(*k))),
        ) {
            let path = path.entry(key);
            match (old.get(key), new.get(key)) {
                (Some(old), Some(new)) => V::diff_into(diff, &path, old, new),
                (None, Some(new)) => record_present(diff, &path, new, Record::Add),
                (Some(old), None) => record_present(diff, &path, old, Record::Remove),
                (None, None) => {}
            }
        }
    }

    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        for key in sorted_keys(value.keys()) {
            if let Some(value) = value.get(key) {
                record_present(diff, &path.entry(key), value, record);
            }
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

fn sorted_keys<'a, K: Ord + 'a>(keys: impl Iterator<Item = &'a K>) -> Vec<&'a K> {
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

/// What a map records for one key.
trait EntryRecorder<V: ?Sized> {
    fn changed(&self, diff: &mut Diff, path: &Path<'_>, old: &V, new: &V);
    fn one_side(&self, diff: &mut Diff, path: &Path<'_>, value: &V, record: Record);
}

struct TrackedRecorder;
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

fn diff_btree_map<K: Ord + Serialize, V>(
    recorder: &impl EntryRecorder<V>,
    diff: &mut Diff,
    path: &Path<'_>,
    old: &BTreeMap<K, V>,
    new: &BTreeMap<K, V>,
) {
    merge_walk(old, new, |key, old, new| {
        let path = path.entry(key);
        match (old, new) {
            (Some(old), Some(new)) => recorder.changed(diff, &path, old, new),
            (None, Some(new)) => recorder.one_side(diff, &path, new, Record::Add),
            (Some(old), None) => recorder.one_side(diff, &path, old, Record::Remove),
            (None, None) => {}
        }
    });
}

fn diff_hash_map<K, V, S>(
    recorder: &impl EntryRecorder<V>,
    diff: &mut Diff,
    path: &Path<'_>,
    old: &HashMap<K, V, S>,
    new: &HashMap<K, V, S>,
) where
    K: Eq + Hash + Ord + Serialize,
    V: PartialEq,
    S: BuildHasher,
{
    let unchanged = same_keys(old, new)
        && old
            .iter()
            .all(|(key, value)| new.get(key).is_some_and(|new| value == new));
    if unchanged {
        return;
    }
    for key in sorted_keys(
        old.keys()
            .chain(new.keys().filter(|k| !old.contains_key(*k))),
    ) {
        let path = path.entry(key);
        match (old.get(key), new.get(key)) {
            (Some(old), Some(new)) => recorder.changed(diff, &path, old, new),
            (None, Some(new)) => recorder.one_side(diff, &path, new, Record::Add),
            (Some(old), None) => recorder.one_side(diff, &path, old, Record::Remove),
            (None, None) => {}
        }
    }
}

fn record_hash_map<K, V, S>(
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

impl<K: Ord + Serialize, V: PartialEq + Serialize> TrackedEntries for BTreeMap<K, V> {
    fn diff_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        diff_btree_map(&TrackedRecorder, diff, path, old, new);
    }

    fn record_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        for (key, value) in value {
            TrackedRecorder.one_side(diff, &path.entry(key), value, record);
        }
    }
}

impl<K: Ord + Serialize, V: PartialEq> SecretEntries for BTreeMap<K, V> {
    fn diff_secret_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        diff_btree_map(&SecretRecorder, diff, path, old, new);
    }

    fn record_secret_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        for (key, value) in value {
            SecretRecorder.one_side(diff, &path.entry(key), value, record);
        }
    }
}

impl<K, V, S> TrackedEntries for HashMap<K, V, S>
where
    K: Eq + Hash + Ord + Serialize,
    V: PartialEq + Serialize,
    S: BuildHasher,
{
    fn diff_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        diff_hash_map(&TrackedRecorder, diff, path, old, new);
    }

    fn record_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        record_hash_map(&TrackedRecorder, diff, path, value, record);
    }
}

impl<K, V, S> SecretEntries for HashMap<K, V, S>
where
    K: Eq + Hash + Ord + Serialize,
    V: PartialEq,
    S: BuildHasher,
{
    fn diff_secret_entries(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        diff_hash_map(&SecretRecorder, diff, path, old, new);
    }

    fn record_secret_entries(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        record_hash_map(&SecretRecorder, diff, path, value, record);
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

/// A list whose elements are matched by a key: `#[audit(nested, key = id)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of auditable structs",
    label = "`#[audit(nested, key = ..)]` needs a `Vec`, slice or boxed slice of a type that derives `Auditable`",
    note = "derive `Auditable` (with `#[audit(embedded)]`) on the element type, or classify \
            the field `#[audit(track)]` to record the list as one value"
)]
pub trait KeyedList {
    /// The element type.
    type Element: AuditFields;
    /// The elements.
    fn as_slice(&self) -> &[Self::Element];
}

impl<T: AuditFields> KeyedList for [T] {
    type Element = T;
    fn as_slice(&self) -> &[T] {
        self
    }
}

impl<T: AuditFields> KeyedList for Vec<T> {
    type Element = T;
    fn as_slice(&self) -> &[T] {
        self
    }
}

impl<T: AuditFields> KeyedList for Box<[T]> {
    type Element = T;
    fn as_slice(&self) -> &[T] {
        self
    }
}

/// Records a duplicate key of a keyed list at `path`, in place of its
/// changes: the elements cannot be matched.
#[cold]
fn push_duplicate<K: ?Sized + Serialize>(
    diff: &mut Diff,
    path: &Path<'_>,
    key_name: KeyField,
    key: &K,
) {
    let text = Path::ROOT.element(key_name, &key).key().into_owned();
    let text = text.trim_start_matches('[').trim_end_matches(']');
    diff.push(
        path,
        None,
        Change::Unserializable {
            error: format!("duplicate key {text}"),
        },
    );
}

/// The first key that two elements of `elements` share, if any. Only for a
/// list about to be recorded whole: it allocates.
fn duplicate<'a, T, K: ?Sized + Ord>(
    elements: &'a [T],
    key: &impl Fn(&'a T) -> &'a K,
) -> Option<&'a K> {
    let mut seen = BTreeSet::new();
    elements.iter().map(key).find(|key| !seen.insert(*key))
}

/// Whether an element of `elements` other than the one at `index` has the
/// key `wanted`. Allocates nothing.
fn key_elsewhere<T, K: ?Sized + Eq>(
    elements: &[T],
    index: usize,
    wanted: &K,
    key: &impl Fn(&T) -> &K,
) -> bool {
    elements
        .iter()
        .enumerate()
        .any(|(i, element)| i != index && key(element) == wanted)
}

/// Diffs two lists whose elements are matched by `key`.
///
/// One pass: while the elements at the same position have the same key
/// (an unchanged or edited list), each pair is diffed in place. A change
/// recorded under an element's key is checked against a duplicate of that
/// key, with a scan that allocates nothing; a list whose keys repeat cannot
/// name its elements, and records one error instead. Only when the keys
/// stop lining up (an element added, removed or moved) are the elements
/// indexed by key.
#[inline]
pub(crate) fn diff_keyed<T, K>(
    diff: &mut Diff,
    path: &Path<'_>,
    key_name: &'static str,
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> &K,
) where
    T: AuditFields,
    K: ?Sized + Ord + Serialize,
{
    let key_name = KeyField {
        rust_name: key_name,
        fields: T::FIELDS.fields,
    };
    let start = diff.len();
    match diff_aligned(diff, path, key_name, old, new, &key) {
        Aligned::Whole => {}
        Aligned::Until(index) => diff_by_key(diff, path, key_name, old, new, &key, start, index),
        Aligned::Duplicate(duplicate) => {
            diff.truncate(start);
            push_duplicate(diff, path, key_name, duplicate);
        }
    }
}

/// How far two keyed lists line up.
enum Aligned<'a, K: ?Sized> {
    /// Same keys at the same positions: diffed.
    Whole,
    /// The keys line up before this position only; the elements before it
    /// are diffed.
    Until(usize),
    /// A change was recorded under a key that another element has too.
    Duplicate(&'a K),
}

/// Diffs the elements at the same position while their keys are the same:
/// the path of an unchanged or edited list, kept small so that it stays
/// fast.
#[inline]
fn diff_aligned<'a, T, K>(
    diff: &mut Diff,
    path: &Path<'_>,
    key_name: KeyField,
    old: &'a [T],
    new: &'a [T],
    key: &impl Fn(&T) -> &K,
) -> Aligned<'a, K>
where
    T: AuditFields,
    K: ?Sized + Eq + Serialize + 'a,
{
    for (index, (old_element, new_element)) in old.iter().zip(new).enumerate() {
        let element_key = key(old_element);
        if element_key != key(new_element) {
            return Aligned::Until(index);
        }
        let before = diff.len();
        T::diff_into(
            diff,
            &path.element(key_name, &element_key),
            old_element,
            new_element,
        );
        if diff.len() != before
            && (key_elsewhere(old, index, element_key, key)
                || key_elsewhere(new, index, element_key, key))
        {
            return Aligned::Duplicate(element_key);
        }
    }
    if old.len() == new.len() {
        Aligned::Whole
    } else {
        Aligned::Until(old.len().min(new.len()))
    }
}

/// Membership or order changed from `index` on: matches the elements by
/// key, through an index of each list.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn diff_by_key<T, K>(
    diff: &mut Diff,
    path: &Path<'_>,
    key_name: KeyField,
    old: &[T],
    new: &[T],
    key: &impl Fn(&T) -> &K,
    start: usize,
    index: usize,
) where
    T: AuditFields,
    K: ?Sized + Ord + Serialize,
{
    let mut old_index: BTreeMap<&K, &T> = BTreeMap::new();
    for element in old {
        if old_index.insert(key(element), element).is_some() {
            diff.truncate(start);
            push_duplicate(diff, path, key_name, key(element));
            return;
        }
    }
    let mut new_index: BTreeMap<&K, &T> = BTreeMap::new();
    for element in new {
        if new_index.insert(key(element), element).is_some() {
            diff.truncate(start);
            push_duplicate(diff, path, key_name, key(element));
            return;
        }
    }
    for element in &new[index..] {
        let element_key = key(element);
        let path = path.element(key_name, &element_key);
        match old_index.get(element_key) {
            Some(old) => T::diff_into(diff, &path, old, element),
            None => record_present(diff, &path, element, Record::Add),
        }
    }
    for element in &old[index..] {
        let element_key = key(element);
        if !new_index.contains_key(element_key) {
            let path = path.element(key_name, &element_key);
            record_present(diff, &path, element, Record::Remove);
        }
    }
}

pub(crate) fn record_keyed<T, K>(
    diff: &mut Diff,
    path: &Path<'_>,
    key_name: &'static str,
    elements: &[T],
    record: Record,
    key: impl Fn(&T) -> &K,
) where
    T: AuditFields,
    K: ?Sized + Ord + Serialize,
{
    let key_name = KeyField {
        rust_name: key_name,
        fields: T::FIELDS.fields,
    };
    if let Some(dup) = duplicate(elements, &key) {
        push_duplicate(diff, path, key_name, dup);
        return;
    }
    for element in elements {
        let element_key = key(element);
        record_present(diff, &path.element(key_name, &element_key), element, record);
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

/// Implemented by `#[derive(Auditable)]` for the type it derives, and here
/// for every container of such a type: what `#[audit(track)]` must never
/// serialize whole, since that would record its secret and ignored fields.
pub trait ContainsAudited {}

impl<T: ContainsAudited> ContainsAudited for Option<T> {}
impl<T: ?Sized + ContainsAudited> ContainsAudited for Box<T> {}
impl<T: ?Sized + ContainsAudited> ContainsAudited for std::rc::Rc<T> {}
impl<T: ?Sized + ContainsAudited> ContainsAudited for std::sync::Arc<T> {}
impl<T: ContainsAudited> ContainsAudited for Vec<T> {}
impl<T: ContainsAudited> ContainsAudited for [T] {}
impl<T: ContainsAudited, const N: usize> ContainsAudited for [T; N] {}
impl<T: ContainsAudited> ContainsAudited for BTreeSet<T> {}
impl<T: ContainsAudited, S> ContainsAudited for HashSet<T, S> {}
impl<K, V: ContainsAudited> ContainsAudited for BTreeMap<K, V> {}
impl<K, V: ContainsAudited, S> ContainsAudited for HashMap<K, V, S> {}

/// Asks, in a `const`, whether `T` contains an auditable type: the inherent
/// `AUDITED` below applies when `T: ContainsAudited`, and takes precedence
/// over [`NotAudited::AUDITED`], which applies otherwise. A generic type
/// parameter resolves to the latter: the probe cannot see through it.
pub struct Probe<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized + ContainsAudited> Probe<T> {
    /// `T` contains an auditable type.
    pub const AUDITED: bool = true;
}

/// The fallback of [`Probe`].
pub trait NotAudited {
    /// `T` contains no auditable type.
    const AUDITED: bool = false;
}

impl<T: ?Sized> NotAudited for Probe<T> {}
