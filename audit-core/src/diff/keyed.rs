//! Lists whose elements are matched by a key: `#[audit(nested, key = id)]`,
//! recorded per element (`members[id=3].role`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diff::nested::record_present;
use crate::diff::path::{KeyField, Path};
use crate::diff::{Change, Diff, Record};
use crate::model::AuditFields;

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

/// The first key, among those of the elements at `changed` (the positions
/// where the aligned lists recorded a change), that another element of
/// either list has too: their changes cannot name their element. Sorts the
/// keys of each list once and looks each changed one up, so that a list
/// edited everywhere costs O(n log n); only for a list that changed, as it
/// allocates.
#[cold]
#[inline(never)]
fn changed_key_repeated<'a, T, K: ?Sized + Ord>(
    old: &'a [T],
    new: &'a [T],
    changed: &[usize],
    key: &impl Fn(&T) -> &K,
) -> Option<&'a K> {
    let sorted = |elements: &'a [T]| {
        let mut keys: Vec<&'a K> = elements.iter().map(key).collect();
        keys.sort_unstable();
        keys
    };
    let (old_keys, new_keys) = (sorted(old), sorted(new));
    let repeated = |keys: &[&K], wanted: &K| {
        let first = keys.partition_point(|key| *key < wanted);
        keys.get(first + 1).is_some_and(|key| *key == wanted)
    };
    changed
        .iter()
        .filter_map(|&index| old.get(index))
        .map(key)
        .find(|wanted| repeated(&old_keys, wanted) || repeated(&new_keys, wanted))
}

/// Diffs two lists whose elements are matched by `key`.
///
/// One pass: while the elements at the same position have the same key
/// (an unchanged or edited list), each pair is diffed in place, allocating
/// nothing while nothing changed. When changes were recorded, their keys are
/// checked against the sorted keys of both lists: a list whose keys repeat
/// cannot name its elements, and records one error instead. Only when the
/// keys stop lining up (an element added, removed or moved) are the elements
/// indexed by key, which finds any repeated key too. Either way O(n log n).
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
        fields: T::SCHEMA.fields,
    };
    let start = diff.len();
    // The positions whose elements recorded a change; allocated only then.
    let mut changed = Vec::new();
    match diff_aligned(diff, path, key_name, old, new, &key, &mut changed) {
        Aligned::Whole if changed.is_empty() => {}
        Aligned::Whole => {
            if let Some(duplicate) = changed_key_repeated(old, new, &changed, &key) {
                diff.truncate(start);
                push_duplicate(diff, path, key_name, duplicate);
            }
        }
        Aligned::Until(index) => diff_by_key(diff, path, key_name, old, new, &key, start, index),
    }
}

/// How far two keyed lists line up.
enum Aligned {
    /// Same keys at the same positions: diffed.
    Whole,
    /// The keys line up before this position only; the elements before it
    /// are diffed.
    Until(usize),
}

/// Diffs the elements at the same position while their keys are the same:
/// the path of an unchanged or edited list, kept small so that it stays
/// fast. Notes in `changed` the positions whose elements recorded a change.
#[inline]
fn diff_aligned<T, K>(
    diff: &mut Diff,
    path: &Path<'_>,
    key_name: KeyField,
    old: &[T],
    new: &[T],
    key: &impl Fn(&T) -> &K,
    changed: &mut Vec<usize>,
) -> Aligned
where
    T: AuditFields,
    K: ?Sized + Eq + Serialize,
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
        if diff.len() != before {
            changed.push(index);
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
        fields: T::SCHEMA.fields,
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
