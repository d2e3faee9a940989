//! The bounds generated code puts on each field's type. They exist for their
//! `#[diagnostic::on_unimplemented]` messages: a field whose type cannot play
//! its part is reported at that field's type, saying what the type lacks and
//! what to write instead.

use std::fmt::Display;

use serde::Serialize;

use crate::diff::value::Canonical;

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

/// The comparison of a `says(value = "...")` condition with the field's new
/// value, by `PartialEq`: the condition must be a value of the field's type.
/// Implemented for the condition, so that a mismatch is reported there.
#[diagnostic::on_unimplemented(
    message = "the `says` condition is a `{Self}`, which the field, a `{Field}`, cannot be compared with",
    label = "not a value of the field's type",
    note = "a condition is compared with the field's new value by `PartialEq`: write a value \
            of its type, as `true` for a `bool` or `Status::Active` for an enum"
)]
pub trait SentenceValue<Field: ?Sized> {
    /// Whether `field` is this value.
    fn is(&self, field: &Field) -> bool;
}

#[diagnostic::do_not_recommend]
impl<Value: ?Sized, Field: ?Sized + PartialEq<Value>> SentenceValue<Field> for Value {
    #[inline]
    fn is(&self, field: &Field) -> bool {
        field == self
    }
}
