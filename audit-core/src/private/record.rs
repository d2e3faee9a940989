//! What generated code calls for each field, by the field's class and
//! shape: compare the old and the new value, or, while the diff is
//! recording a value that exists on one side only (`Diff::recording`, set
//! by `AuditFields::record_all`), record the one value there is. The derive
//! writes one body per struct, `diff_into`; recording walks it too.

use std::marker::PhantomData;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::Serializer as ValueSerializer;

use super::bounds::{
    CanonicalField, FingerprintedField, SecretField, TrackedField, TrackedWithField,
};
use super::schema::{SchemaParts, schema};
use crate::diff::entries::{SecretEntries, TrackedEntries};
use crate::diff::keyed::{self, KeyedList};
use crate::diff::path::Path;
use crate::diff::value::{sorted, to_value, to_value_sorting_sets};
use crate::diff::{Change, Diff, Record};
use crate::model::schema::{Schema, SchemaKind};
use crate::model::{AuditFields, Audited};

/// Records the tracked field `name` under `parent` if `old` and `new`
/// differ. Serializes nothing and allocates nothing when they are equal.
#[inline]
pub fn track<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + TrackedField,
{
    if diff.is_recording() || old != new {
        track_changed(diff, parent, name, old, new);
    }
}

/// [`track`], out of line: the derive calls it for a field whose type is
/// not a primitive (or an `Option` of one), so that comparing a string, a
/// collection, a date or a type it cannot see into is one function per field
/// type rather than code inlined into every field of every struct (which
/// multiplied the optimizer's work in a crate calling `diff` on many
/// structs, and in one that declares them: rustc keeps the optimized body of
/// every `diff_into` for other crates to inline). The call costs a few
/// instructions per field at run time.
#[inline(never)]
pub fn track_outlined<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + TrackedField,
{
    track(diff, parent, name, old, new);
}

/// The changed (or recording) branch of [`track`], out of line:
/// instantiated once per field type, not inlined into every field of every
/// struct, where it would multiply the optimizer's work for a path that
/// allocates anyway. Every field function keeps to this shape: one test
/// inline (recording, or the values differ), one call.
#[cold]
#[inline(never)]
fn track_changed<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + Serialize,
{
    match diff.recording() {
        Some(record) => diff.push_one_side(&parent.field(name), record, to_value(new)),
        None => diff.push_tracked(&parent.field(name), to_value(old), to_value(new)),
    }
}

/// As [`track`], for a `HashSet` or `HashMap` (or an `Option` of one),
/// recorded in sorted order: equal values always serialize alike.
#[inline]
pub fn track_canonical<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + CanonicalField,
{
    if diff.is_recording() || old != new {
        track_canonical_changed(diff, parent, name, old, new);
    }
}

/// The changed branch of [`track_canonical`], out of line as
/// [`track_changed`] is.
#[cold]
#[inline(never)]
fn track_canonical_changed<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    old: &T,
    new: &T,
) where
    T: ?Sized + CanonicalField,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) => diff.push_one_side(&path, record, new.canonical_value()),
        None => diff.push_tracked(&path, old.canonical_value(), new.canonical_value()),
    }
}

/// As [`track`], for a type with a hashed set below its top
/// (`BTreeMap<String, HashSet<String>>`): `shape`, written by the derive
/// from the type, says where its arrays are sets, which are recorded sorted.
#[inline]
pub fn track_sorting_sets<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    old: &T,
    new: &T,
    shape: &'static str,
) where
    T: ?Sized + TrackedField,
{
    if diff.is_recording() || old != new {
        track_sorting_sets_changed(diff, parent, name, old, new, shape);
    }
}

/// The changed branch of [`track_sorting_sets`], out of line as
/// [`track_changed`] is.
#[cold]
#[inline(never)]
fn track_sorting_sets_changed<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    old: &T,
    new: &T,
    shape: &'static str,
) where
    T: ?Sized + Serialize,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) => diff.push_one_side(&path, record, to_value_sorting_sets(new, shape)),
        None => diff.push_tracked(
            &path,
            to_value_sorting_sets(old, shape),
            to_value_sorting_sets(new, shape),
        ),
    }
}

/// Records the tracked field `name` under `parent` if `old` and `new`
/// differ, serializing them with `serialize`: the field's `#[serde(with)]`
/// or `#[serde(serialize_with)]` function, so that the diff records the value
/// as the struct serializes it.
#[inline]
pub fn track_with<T, F>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    old: &T,
    new: &T,
    serialize: F,
) where
    T: ?Sized + TrackedWithField,
    F: Fn(&T, ValueSerializer) -> Result<Value, serde_json::Error>,
{
    if diff.is_recording() || old != new {
        let path = parent.field(name);
        let new = sorted(serialize(new, ValueSerializer));
        match diff.recording() {
            Some(record) => diff.push_one_side(&path, record, new),
            None => diff.push_tracked(&path, sorted(serialize(old, ValueSerializer)), new),
        }
    }
}

/// Records that the secret field `name` under `parent` changed if `old`
/// and `new` differ.
#[inline]
pub fn secret<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + SecretField,
{
    if diff.is_recording() || old != new {
        secret_changed(diff, parent, name);
    }
}

/// [`secret`], out of line, for the types [`track_outlined`] is for.
#[inline(never)]
pub fn secret_outlined<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + SecretField,
{
    secret(diff, parent, name, old, new);
}

/// The changed (or recording) branch of [`secret`], out of line as
/// [`track_changed`] is; one function for every secret field.
#[cold]
#[inline(never)]
fn secret_changed(diff: &mut Diff, parent: &Path<'_>, name: &'static str) {
    let op = diff.recording().and_then(Record::op);
    diff.push(&parent.field(name), op, Change::Secret);
}

/// Records that the fingerprinted secret field `name` under `parent`
/// changed if `old` and `new` differ, with the fingerprints of both values
/// when an entry is being made; see [`crate::secret_fingerprint`]. Neither
/// value is kept.
#[inline]
pub fn secret_fingerprinted<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    old: &T,
    new: &T,
) where
    T: ?Sized + FingerprintedField,
{
    if diff.is_recording() || old != new {
        secret_fingerprinted_changed(diff, parent, name, old, new);
    }
}

/// The changed (or recording) branch of [`secret_fingerprinted`], out of
/// line as [`track_changed`] is: while recording, the one value there is
/// is fingerprinted on its side.
#[cold]
#[inline(never)]
fn secret_fingerprinted_changed<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    old: &T,
    new: &T,
) where
    T: ?Sized + FingerprintedField,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) if record.is_old() => {
            diff.push_fingerprinted(&path, record.op(), Some(new), None);
        }
        Some(record) => diff.push_fingerprinted(&path, record.op(), None, Some(new)),
        None => diff.push_fingerprinted(&path, None, Some(old), Some(new)),
    }
}

/// Diffs the nested field `name` under `parent` field by field.
#[inline]
pub fn nested<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + AuditFields,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) => T::record_all(diff, &path, new, record),
        None => T::diff_into(diff, &path, old, new),
    }
}

/// Diffs the nested field `name` under `parent`, of a remote type, field by
/// field through its mirror `Via`: `#[audit(nested, via = Mirror)]`.
#[inline]
pub fn nested_via<T, Via>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: Audited<Via>,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) => T::audit_record_all(diff, &path, new, record),
        None => T::audit_diff_into(diff, &path, old, new),
    }
}

/// The one check that a nested field's type is auditable, spanned at the
/// field's type: the only place a type that is not is reported.
#[inline]
pub const fn assert_nested<T: ?Sized + AuditFields>() {}

/// How generated code reaches a nested field's type: through
/// [`AuditFields`] when the type implements it (these inherent items take
/// precedence), else through the no-op [`NotNested`], so that a type that
/// does not is reported once, by [`assert_nested`], not once per use.
pub struct Nest<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized + AuditFields> Nest<T> {
    /// The nested type's schema.
    pub const SCHEMA: &'static Schema = T::SCHEMA;

    /// [`nested`].
    #[inline]
    pub fn nested(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T) {
        nested(diff, parent, name, old, new);
    }
}

/// The fallback of [`Nest`], for a type that is not auditable: reached only
/// in a build that [`assert_nested`] fails.
pub trait NotNested<T: ?Sized> {
    /// A schema without fields.
    const SCHEMA: &'static Schema = &schema(SchemaParts {
        rust_name: "",
        resource_type: "",
        doc: None,
        actions: &[],
        past_forms: &[],
        noun: "",
        sentences: &[],
        requires_org: false,
        link: None,
        link_with: None,
        fields: &[],
        kind: SchemaKind::Embedded,
        partial: None,
    });

    /// Records nothing.
    #[inline]
    fn nested(_: &mut Diff, _: &Path<'_>, _: &'static str, _: &T, _: &T) {}
}

impl<T: ?Sized> NotNested<T> for Nest<T> {}

/// Diffs the tracked map or set `name` under `parent` entry by entry.
#[inline]
pub fn track_entries<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + TrackedEntries,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) => T::record_entries(diff, &path, new, record),
        None => T::diff_entries(diff, &path, old, new),
    }
}

/// Diffs the secret map or set `name` under `parent` entry by entry,
/// recording which keys changed, never a value.
#[inline]
pub fn secret_entries<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + SecretEntries,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) => T::record_secret_entries(diff, &path, new, record),
        None => T::diff_secret_entries(diff, &path, old, new),
    }
}

/// Diffs the list `name` under `parent` element by element, matching the
/// elements by the key `key_name` that `key` reads.
#[inline]
pub fn keyed<L, K, F>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    key_name: &'static str,
    old: &L,
    new: &L,
    key: F,
) where
    L: ?Sized + KeyedList,
    K: ?Sized + Ord + Serialize,
    F: Fn(&L::Element) -> &K,
{
    let path = parent.field(name);
    match diff.recording() {
        Some(record) => keyed::record_keyed(diff, &path, key_name, new.as_slice(), record, key),
        None => keyed::diff_keyed(diff, &path, key_name, old.as_slice(), new.as_slice(), key),
    }
}
