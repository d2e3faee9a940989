//! Support for the code `#[derive(Auditable)]` generates. Not public API.
//!
//! The traits here exist for their `#[diagnostic::on_unimplemented]`
//! messages: a field whose type cannot play its part is reported at that
//! field's type, saying what the type lacks and what to write instead.

use std::fmt::{Display, Write as _};
use std::marker::PhantomData;
pub use std::string::String;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::Serializer as ValueSerializer;

pub use crate::AuditFields;
use crate::diff::Change;
pub use crate::diff::nested::{
    Canonical, ContainsAudited, KeyedList, NotAudited, Probe, SecretEntries, TrackedEntries,
};
pub use crate::diff::{Path, Record};
use crate::secret_fingerprint;
use crate::{Action, Diff, FieldClass, FieldSchema, FieldShape, Schema, SchemaKind};

/// The bound on a `#[audit(track)]` field's type.
#[diagnostic::on_unimplemented(
    message = "the tracked field type `{Self}` cannot be compared or serialized",
    label = "`#[audit(track)]` needs `PartialEq` and `serde::Serialize`",
    note = "derive or implement both `PartialEq` and `serde::Serialize` for `{Self}` \
            (a type from another crate can be serialized with the field's \
            `#[serde(with = \"module\")]`), or classify the field `#[audit(secret)]` \
            (needs `PartialEq` only) or `#[audit(ignore = \"why\")]`"
)]
pub trait TrackedField: PartialEq + Serialize {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized + PartialEq + Serialize> TrackedField for T {}

/// The bound on the type of a `#[audit(track)]` field that serde serializes
/// with `#[serde(with = "module")]` or `#[serde(serialize_with = "path")]`.
#[diagnostic::on_unimplemented(
    message = "the tracked field type `{Self}` cannot be compared",
    label = "`#[audit(track)]` needs `PartialEq`",
    note = "derive or implement `PartialEq` for `{Self}`, or classify the field \
            `#[audit(ignore = \"why\")]`"
)]
pub trait TrackedWithField: PartialEq {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized + PartialEq> TrackedWithField for T {}

/// The bound on a `#[audit(secret)]` field's type.
#[diagnostic::on_unimplemented(
    message = "the secret field type `{Self}` cannot be compared",
    label = "`#[audit(secret)]` needs `PartialEq`",
    note = "derive or implement `PartialEq` for `{Self}`, or classify the field \
            `#[audit(ignore = \"why\")]`"
)]
pub trait SecretField: PartialEq {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized + PartialEq> SecretField for T {}

/// The bound on a field recorded as a resource's id, target, organization or
/// link placeholder.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded as text in an audit-log entry",
    label = "the resource id, target, organization and link placeholders need `std::fmt::Display`",
    note = "implement `std::fmt::Display` for `{Self}`, or use `target_with` / `link_with` \
            with a function that formats it",
    note = "an `Option` has no `Display`: the id and the target must always have a value (audit \
            the resource once it has one, or name another field); an optional organization or \
            link placeholder is recorded when it is `Some`, if its type is written `Option<T>` \
            in the struct, not through an alias"
)]
pub trait DisplayField: Display {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized + Display> DisplayField for T {}

/// The bound on a tracked `HashSet` or `HashMap` field's type (or an
/// `Option` of one), recorded in sorted order.
#[diagnostic::on_unimplemented(
    message = "the tracked field type `{Self}` cannot be recorded in sorted order",
    label = "a tracked `HashSet` or `HashMap` needs `PartialEq`, `serde::Serialize` and `Ord` elements or keys",
    note = "a hashed collection is recorded sorted, so that equal values always serialize \
            alike: implement `Ord` for its elements or keys, use a `BTreeSet` or `BTreeMap`, \
            or classify the field `#[audit(secret)]` or `#[audit(ignore = \"why\")]`"
)]
pub trait CanonicalField: TrackedField + Canonical {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized + TrackedField + Canonical> CanonicalField for T {}

/// Records the tracked field `name` under `parent` if `old` and `new`
/// differ. Serializes nothing and allocates nothing when they are equal.
#[inline]
pub fn track<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + TrackedField,
{
    if old != new {
        track_changed(diff, parent, name, old, new);
    }
}

/// [`track`], out of line: the derive calls it for a field whose type is
/// not a primitive, a `String` or an `Option` of one, so that comparing a
/// collection, a date or a type it cannot see into is one function per field
/// type rather than code inlined into every field of every struct (which
/// multiplied the optimizer's work in a crate calling `diff` on many
/// structs). The call costs a few instructions per field at run time.
#[inline(never)]
pub fn track_outlined<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + TrackedField,
{
    track(diff, parent, name, old, new);
}

/// The changed branch of [`track`], out of line: instantiated once per
/// field type, not inlined into every field of every struct, where it
/// would multiply the optimizer's work for a path that allocates anyway.
#[cold]
#[inline(never)]
fn track_changed<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + Serialize,
{
    diff.push_tracked(&parent.field(name), to_value(old), to_value(new));
}

/// As [`track`], for a `HashSet` or `HashMap` (or an `Option` of one),
/// recorded in sorted order: equal values always serialize alike.
#[inline]
pub fn track_canonical<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + CanonicalField,
{
    if old != new {
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
    diff.push_tracked(
        &parent.field(name),
        old.canonical_value(),
        new.canonical_value(),
    );
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
    if old != new {
        diff.push_tracked(
            &parent.field(name),
            sorted(serialize(old, ValueSerializer)),
            sorted(serialize(new, ValueSerializer)),
        );
    }
}

/// Records that the secret field `name` under `parent` changed if `old`
/// and `new` differ.
#[inline]
pub fn secret<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + SecretField,
{
    if old != new {
        diff.push(&parent.field(name), None, Change::Secret);
    }
}

/// The bound on a `#[audit(secret, fingerprint)]` field's type.
#[diagnostic::on_unimplemented(
    message = "the fingerprinted secret field type `{Self}` cannot be compared or serialized",
    label = "`#[audit(secret, fingerprint)]` needs `PartialEq` and `serde::Serialize`",
    note = "a secret's fingerprint is a keyed hash of its value as `serde_json` writes it: \
            derive or implement both `PartialEq` and `serde::Serialize` for `{Self}`, or remove \
            `fingerprint` to record only that the secret changed (needs `PartialEq` only)"
)]
pub trait FingerprintedField: PartialEq + Serialize {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized + PartialEq + Serialize> FingerprintedField for T {}

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
    if old != new {
        diff.push_fingerprinted(&parent.field(name), None, |key| {
            secret_fingerprint::of_change(key, Some(old), Some(new))
        });
    }
}

/// Records that the fingerprinted secret field `name` of a value that
/// exists on one side only was there, with the fingerprint of its value
/// when an entry is being made.
#[inline]
pub fn record_secret_fingerprinted<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    value: &T,
    record: Record,
) where
    T: ?Sized + FingerprintedField,
{
    diff.push_fingerprinted(&parent.field(name), record.op(), |key| {
        if record.is_old() {
            secret_fingerprint::of_change(key, Some(value), None)
        } else {
            secret_fingerprint::of_change(key, None, Some(value))
        }
    });
}

/// Diffs the nested field `name` under `parent` field by field.
#[inline]
pub fn nested<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + AuditFields,
{
    T::diff_into(diff, &parent.field(name), old, new);
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
    pub const FIELDS: &'static Schema = T::FIELDS;

    /// [`nested`].
    #[inline]
    pub fn nested(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T) {
        nested(diff, parent, name, old, new);
    }

    /// [`record_nested`].
    #[inline]
    pub fn record_nested(
        diff: &mut Diff,
        parent: &Path<'_>,
        name: &'static str,
        value: &T,
        record: Record,
    ) {
        record_nested(diff, parent, name, value, record);
    }
}

/// The fallback of [`Nest`], for a type that is not auditable: reached only
/// in a build that [`assert_nested`] fails.
pub trait NotNested<T: ?Sized> {
    /// A schema without fields.
    const FIELDS: &'static Schema =
        &schema("", "", None, &[], false, None, None, &[], b'e', "", false);

    /// Records nothing.
    #[inline]
    fn nested(_: &mut Diff, _: &Path<'_>, _: &'static str, _: &T, _: &T) {}

    /// Records nothing.
    #[inline]
    fn record_nested(_: &mut Diff, _: &Path<'_>, _: &'static str, _: &T, _: Record) {}
}

impl<T: ?Sized> NotNested<T> for Nest<T> {}

/// Diffs the tracked map or set `name` under `parent` entry by entry.
#[inline]
pub fn track_entries<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + TrackedEntries,
{
    T::diff_entries(diff, &parent.field(name), old, new);
}

/// Diffs the secret map or set `name` under `parent` entry by entry,
/// recording which keys changed, never a value.
#[inline]
pub fn secret_entries<T>(diff: &mut Diff, parent: &Path<'_>, name: &'static str, old: &T, new: &T)
where
    T: ?Sized + SecretEntries,
{
    T::diff_secret_entries(diff, &parent.field(name), old, new);
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
    crate::diff::nested::diff_keyed(
        diff,
        &parent.field(name),
        key_name,
        old.as_slice(),
        new.as_slice(),
        key,
    );
}

/// Records the tracked field `name` of a value that exists on one side only.
#[inline]
pub fn record_track<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    value: &T,
    record: Record,
) where
    T: ?Sized + TrackedField,
{
    diff.push_one_side(&parent.field(name), record, to_value(value));
}

/// As [`record_track`], in sorted order; see [`track_canonical`].
#[inline]
pub fn record_track_canonical<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    value: &T,
    record: Record,
) where
    T: ?Sized + CanonicalField,
{
    diff.push_one_side(&parent.field(name), record, value.canonical_value());
}

/// As [`record_track`], serializing with `serialize`; see [`track_with`].
#[inline]
pub fn record_track_with<T, F>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    value: &T,
    record: Record,
    serialize: F,
) where
    T: ?Sized + TrackedWithField,
    F: Fn(&T, ValueSerializer) -> Result<Value, serde_json::Error>,
{
    diff.push_one_side(
        &parent.field(name),
        record,
        sorted(serialize(value, ValueSerializer)),
    );
}

/// Records that the secret field `name` of a value that exists on one side
/// only was there, never its value.
#[inline]
pub fn record_secret(diff: &mut Diff, parent: &Path<'_>, name: &'static str, record: Record) {
    diff.push(&parent.field(name), record.op(), Change::Secret);
}

/// Records every field of the nested field `name` of a value that exists on
/// one side only.
#[inline]
pub fn record_nested<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    value: &T,
    record: Record,
) where
    T: ?Sized + AuditFields,
{
    T::record_all(diff, &parent.field(name), value, record);
}

/// Records every entry of the tracked map or set `name` of a value that
/// exists on one side only.
#[inline]
pub fn record_track_entries<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    value: &T,
    record: Record,
) where
    T: ?Sized + TrackedEntries,
{
    T::record_entries(diff, &parent.field(name), value, record);
}

/// Records every key of the secret map or set `name` of a value that exists
/// on one side only, never a value.
#[inline]
pub fn record_secret_entries<T>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    value: &T,
    record: Record,
) where
    T: ?Sized + SecretEntries,
{
    T::record_secret_entries(diff, &parent.field(name), value, record);
}

/// Records every element of the keyed list `name` of a value that exists on
/// one side only.
#[inline]
pub fn record_keyed<L, K, F>(
    diff: &mut Diff,
    parent: &Path<'_>,
    name: &'static str,
    key_name: &'static str,
    value: &L,
    record: Record,
    key: F,
) where
    L: ?Sized + KeyedList,
    K: ?Sized + Ord + Serialize,
    F: Fn(&L::Element) -> &K,
{
    crate::diff::nested::record_keyed(
        diff,
        &parent.field(name),
        key_name,
        value.as_slice(),
        record,
        key,
    );
}

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

/// `value` as text.
pub fn display<T: ?Sized + DisplayField>(value: &T) -> String {
    let mut text = String::new();
    push_display(&mut text, value);
    text
}

/// The value of an optional field as text.
pub fn display_option<T: DisplayField>(value: Option<&T>) -> Option<String> {
    value.map(display)
}

/// Appends `value` to `text`.
pub fn push_display<T: ?Sized + DisplayField>(text: &mut String, value: &T) {
    // Writing to a `String` cannot fail.
    let _ = write!(text, "{value}");
}

/// Appends `value` to the link `link` as one path segment, percent-encoded
/// (RFC 3986): a placeholder's value such as `../../admin?x#` cannot leave
/// its segment and retarget the link. Unreserved characters stay as they are.
pub fn push_link_segment<T: ?Sized + DisplayField>(link: &mut String, value: &T) {
    let mut text = String::new();
    push_display(&mut text, value);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            link.push(char::from(byte));
        } else {
            let _ = write!(link, "%{byte:02X}");
        }
    }
}

/// A [`Schema`]; the only way generated code builds one, so that `Schema`
/// can grow fields without breaking user code. `kind` is `b'r'` for a
/// resource, `b'e'` for an embedded struct; `partial` is the reason of a
/// mirror whose field coverage is not checked, where `has_partial`.
#[allow(clippy::too_many_arguments)]
// Panics only in const evaluation of generated code: a compile error.
#[allow(clippy::panic)]
pub const fn schema(
    rust_name: &'static str,
    resource_type: &'static str,
    doc: Option<&'static str>,
    actions: &'static [Action],
    requires_org: bool,
    link: Option<&'static str>,
    link_with: Option<&'static str>,
    fields: &'static [FieldSchema],
    kind: u8,
    partial: &'static str,
    has_partial: bool,
) -> Schema {
    Schema {
        rust_name,
        resource_type,
        doc,
        actions,
        requires_org,
        link,
        link_with,
        fields,
        kind: match kind {
            b'r' => SchemaKind::Resource,
            b'e' => SchemaKind::Embedded,
            _ => panic!(
                "audit-derive wrote an unknown schema kind; audit-core and audit-derive must be the same version"
            ),
        },
        partial: if has_partial { Some(partial) } else { None },
    }
}

/// The diff key of the field named `rust_name` in Rust among `fields` (a
/// keyed list's key, named by the outer derive, renamed in the element);
/// `rust_name` itself if there is none. A byte loop, as `const` needs.
const fn diff_key_of(fields: &'static [FieldSchema], rust_name: &'static str) -> &'static str {
    let mut index = 0;
    while index < fields.len() {
        if str_eq(fields[index].rust_name, rust_name) {
            return fields[index].name;
        }
        index += 1;
    }
    rust_name
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}

/// The [`FieldSchema`]s of a struct's `N` fields, given as one array or byte
/// string per attribute: `classes` holds each field's class as the first
/// letter of its keyword, `b't'` (track), `b'i'` (ignore), `b's'` (secret) or
/// `b'n'` (nested, whose schema is the next of `nested`), or `b'g'` (nested,
/// of a generic or recursive type whose schema is not known here), or `b'f'`
/// (secret, fingerprinted); `shapes`
/// holds `b'v'` (one value), `b'o'` (optional), `b'e'` (per entry) or `b'k'`
/// (keyed by the field's `keys`); and `has_reason` and `has_doc` hold `b'y'`
/// where the field has a reason or a doc comment and `b'n'` where it has
/// none. Any other byte fails the build: a class or shape the derive and this
/// function disagree on is never read as another.
///
/// Generated code passes literals rather than one `FieldSchema` per field,
/// because rustc const-checks every value of a type such as `FieldSchema`,
/// `FieldClass` or `Option` in a const body on its own, with a trait query
/// each; strings and byte strings skip that. And the flags are bytes, not
/// `text.is_empty()` checks, because each function call costs the const
/// evaluator more than the rest of a field. Both made the schema the largest
/// part of the derive's compile time; see docs/performance.md.
#[allow(clippy::too_many_arguments)]
// Panics only in const evaluation of generated code: a compile error.
#[allow(clippy::panic)]
pub const fn fields<const N: usize>(
    names: [&'static str; N],
    rust_names: [&'static str; N],
    rust_types: [&'static str; N],
    classes: &[u8; N],
    reasons: [&'static str; N],
    has_reason: &[u8; N],
    docs: [&'static str; N],
    has_doc: &[u8; N],
    shapes: &[u8; N],
    keys: [&'static str; N],
    nested: &'static [&'static Schema],
) -> [FieldSchema; N] {
    let mut fields = [FieldSchema {
        name: "",
        rust_name: "",
        rust_type: "",
        class: FieldClass::Ignore,
        reason: None,
        doc: None,
        shape: FieldShape::Value,
        nested: None,
        secret_fingerprint: false,
    }; N];
    let mut index = 0;
    let mut next_nested = 0;
    while index < N {
        let inner = if classes[index] == b'n' {
            assert!(
                next_nested < nested.len(),
                "audit-derive wrote fewer nested schemas than nested fields; audit-core and audit-derive must be the same version"
            );
            next_nested += 1;
            Some(nested[next_nested - 1])
        } else {
            None
        };
        fields[index] = FieldSchema {
            name: names[index],
            rust_name: rust_names[index],
            rust_type: rust_types[index],
            class: match classes[index] {
                b't' => FieldClass::Track,
                b'i' => FieldClass::Ignore,
                b's' | b'f' => FieldClass::Secret,
                b'n' | b'g' => FieldClass::Nested,
                _ => panic!(
                    "audit-derive wrote an unknown field class; audit-core and audit-derive must be the same version"
                ),
            },
            reason: match has_reason[index] {
                b'y' => Some(reasons[index]),
                b'n' => None,
                _ => panic!(
                    "audit-derive wrote an unknown reason flag; audit-core and audit-derive must be the same version"
                ),
            },
            doc: match has_doc[index] {
                b'y' => Some(docs[index]),
                b'n' => None,
                _ => panic!(
                    "audit-derive wrote an unknown doc flag; audit-core and audit-derive must be the same version"
                ),
            },
            shape: match shapes[index] {
                b'o' => FieldShape::Optional,
                b'e' => FieldShape::Entries,
                b'k' => FieldShape::Keyed {
                    key: match inner {
                        Some(element) => diff_key_of(element.fields, keys[index]),
                        None => keys[index],
                    },
                },
                b'v' => FieldShape::Value,
                _ => panic!(
                    "audit-derive wrote an unknown field shape; audit-core and audit-derive must be the same version"
                ),
            },
            nested: inner,
            secret_fingerprint: classes[index] == b'f',
        };
        index += 1;
    }
    assert!(
        next_nested == nested.len(),
        "audit-derive wrote more nested schemas than nested fields; audit-core and audit-derive must be the same version"
    );
    fields
}

#[cfg(feature = "registry")]
pub use crate::docs::registry::Registration;
#[cfg(feature = "registry")]
pub use inventory;

/// Enters a schema into the registry behind `docs::registered()`. Generated
/// code calls it unconditionally: whether the `registry` feature is on is
/// decided here, where the feature is known, never in the user's crate.
#[cfg(feature = "registry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __audit_register_schema {
    ($schema:expr) => {
        $crate::__private::inventory::submit! {
            $crate::__private::Registration::new($schema)
        }
    };
}

/// Without the `registry` feature, registers nothing.
#[cfg(not(feature = "registry"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __audit_register_schema {
    ($schema:expr) => {};
}

pub use crate::__audit_register_schema as register_schema;
