//! Support for the code `#[derive(Auditable)]` generates. Not public API.
//!
//! The traits here exist for their `#[diagnostic::on_unimplemented]`
//! messages: a field whose type cannot play its part is reported at that
//! field's type, saying what the type lacks and what to write instead.

use std::fmt::{Display, Write as _};
pub use std::string::String;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::Serializer as ValueSerializer;

use crate::{Action, Diff, FieldClass, FieldSchema, Schema};

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
            with a function that formats it"
)]
pub trait DisplayField: Display {}

#[diagnostic::do_not_recommend]
impl<T: ?Sized + Display> DisplayField for T {}

/// Records the tracked field `key` if `old` and `new` differ. Serializes
/// nothing and allocates nothing when they are equal.
#[inline]
pub fn track<T>(diff: &mut Diff, key: &'static str, old: &T, new: &T)
where
    T: ?Sized + TrackedField,
{
    if old != new {
        diff.push_tracked(key, serde_json::to_value(old), serde_json::to_value(new));
    }
}

/// Records the tracked field `key` if `old` and `new` differ, serializing
/// them with `serialize`: the field's `#[serde(with)]` or
/// `#[serde(serialize_with)]` function, so that the diff records the value
/// as the struct serializes it.
#[inline]
pub fn track_with<T, F>(diff: &mut Diff, key: &'static str, old: &T, new: &T, serialize: F)
where
    T: ?Sized + TrackedWithField,
    F: Fn(&T, ValueSerializer) -> Result<Value, serde_json::Error>,
{
    if old != new {
        diff.push_tracked(
            key,
            serialize(old, ValueSerializer),
            serialize(new, ValueSerializer),
        );
    }
}

/// Records that the secret field `key` changed if `old` and `new` differ.
#[inline]
pub fn secret<T>(diff: &mut Diff, key: &'static str, old: &T, new: &T)
where
    T: ?Sized + SecretField,
{
    if old != new {
        diff.push_secret(key);
    }
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

/// A [`Schema`]; the only way generated code builds one, so that `Schema`
/// can grow fields without breaking user code.
#[allow(clippy::too_many_arguments)]
pub const fn schema(
    rust_name: &'static str,
    resource_type: &'static str,
    doc: Option<&'static str>,
    actions: &'static [Action],
    requires_org: bool,
    link: Option<&'static str>,
    link_with: Option<&'static str>,
    fields: &'static [FieldSchema],
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
    }
}

/// The [`FieldSchema`]s of a struct's `N` fields, given as one array or byte
/// string per attribute: `classes` holds each field's class as the first
/// letter of its keyword, `b't'` (track), `b'i'` (ignore) or `b's'` (secret),
/// and `has_reason` and `has_doc` hold `b'y'` where the field has a reason or
/// a doc comment and `b'n'` where it has none. Any other byte fails the
/// build: a class the derive and this function disagree on is never read as
/// another class.
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
) -> [FieldSchema; N] {
    let mut fields = [FieldSchema {
        name: "",
        rust_name: "",
        rust_type: "",
        class: FieldClass::Ignore,
        reason: None,
        doc: None,
    }; N];
    let mut index = 0;
    while index < N {
        fields[index] = FieldSchema {
            name: names[index],
            rust_name: rust_names[index],
            rust_type: rust_types[index],
            class: match classes[index] {
                b't' => FieldClass::Track,
                b'i' => FieldClass::Ignore,
                b's' => FieldClass::Secret,
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
        };
        index += 1;
    }
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
