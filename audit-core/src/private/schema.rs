//! How generated code builds a [`Schema`], and the protocol between the
//! derive and this crate, written here once.
//!
//! # The schema of a struct
//!
//! Built once per struct, by [`schema`] from a [`SchemaParts`] literal: one
//! named member per member of [`Schema`], which is `#[non_exhaustive]` so
//! that only this crate constructs it.
//!
//! # The fields: one literal per attribute
//!
//! [`fields`] takes the `N` fields of a struct as one array or byte string per
//! attribute, never one `FieldSchema` per field: rustc const-checks every
//! value of a type such as `FieldSchema`, `FieldClass` or `Option` in a const
//! body on its own, with a trait query each, and strings and byte strings skip
//! that. The flags are bytes, not `text.is_empty()` checks, because each
//! function call costs the const evaluator more than the rest of a field. Both
//! made the schema the largest part of the derive's compile time; see
//! docs/performance.md.
//!
//! | argument | one per field | bytes |
//! | --- | --- | --- |
//! | `names`, `rust_names`, `rust_types` | `&str` | the diff key, the Rust name, the type as written |
//! | `classes` | byte | `t` track, `i` ignore, `s` secret, `n` nested (its schema is the next of `nested`), `g` nested of a generic or recursive type whose schema is not known here |
//! | `fingerprinted` | byte | `y` a secret declared `fingerprint`, else `n` |
//! | `reasons`, `has_reason` | `&str`, byte | the reason; `y` where there is one, else `n` |
//! | `docs`, `has_doc` | `&str`, byte | the doc comment; `y` where there is one, else `n` |
//! | `shapes` | byte | `v` one value, `o` optional, `e` per entry, `k` keyed by the field's `keys` |
//! | `keys` | `&str` | a keyed list's key field, by its Rust name; `""` for other shapes |
//! | `nested` | — | the schemas of the `n` fields, in order |
//!
//! Any other byte fails the build (a panic in const evaluation is a compile
//! error), as do `fingerprinted` on a field that is not secret and a count of
//! `nested` schemas that is not the count of `n` fields: a class, shape or flag
//! that the derive and this crate disagree on is never read as another.
//! Adding a class means a byte here, in `audit-derive/src/model.rs`
//! (`Class::code`, `Field::class_code`), and in `FieldClass`.

use crate::model::action::Action;
use crate::model::schema::{
    FieldClass, FieldSchema, FieldSentence, FieldShape, Schema, SchemaKind, SentenceCondition,
};

/// The members of a [`Schema`], as generated code writes them: see
/// [`schema`].
#[derive(Clone, Copy)]
pub struct SchemaParts {
    /// [`Schema::rust_name`].
    pub rust_name: &'static str,
    /// [`Schema::resource_type`].
    pub resource_type: &'static str,
    /// [`Schema::doc`].
    pub doc: Option<&'static str>,
    /// [`Schema::actions`].
    pub actions: &'static [Action],
    /// [`Schema::past_forms`].
    pub past_forms: &'static [&'static str],
    /// [`Schema::noun`].
    pub noun: &'static str,
    /// [`Schema::sentences`], built by [`sentences`].
    pub sentences: &'static [FieldSentence],
    /// [`Schema::requires_org`].
    pub requires_org: bool,
    /// [`Schema::link`].
    pub link: Option<&'static str>,
    /// [`Schema::link_with`].
    pub link_with: Option<&'static str>,
    /// [`Schema::fields`], built by [`fields`].
    pub fields: &'static [FieldSchema],
    /// [`Schema::kind`].
    pub kind: SchemaKind,
    /// [`Schema::partial`].
    pub partial: Option<&'static str>,
}

/// Where generated code writes a struct's schema: the associated consts of
/// `__AuditSchema<()>`, a type of the derive's own, generic so that `cargo
/// check` never evaluates them. rustc evaluates every free `const` of a
/// crate, and lints the body of every associated const of a non-generic
/// impl by evaluating the constants it names; a generic impl's are
/// evaluated only where a build uses them, and the schema is named through
/// [`schema_of`], a call, which the lint does not evaluate. A build that
/// uses the schema (the registry, the docs, an entry) pays for it then.
pub trait SchemaOf {
    /// The actions of the schema, apart: an `Action` has a destructor, so an
    /// array of them is not promoted to `'static` inside the schema.
    const ACTIONS: &'static [Action];

    /// The schema.
    const SCHEMA: &'static Schema;
}

/// `T`'s schema: what the `SCHEMA` of the derived impls and the registry
/// name, so that no constant in the user's crate names the schema directly.
pub const fn schema_of<T: ?Sized + SchemaOf>() -> &'static Schema {
    T::SCHEMA
}

/// A [`Schema`]; the only way generated code builds one, so that `Schema`
/// can grow members without breaking user code.
pub const fn schema(parts: SchemaParts) -> Schema {
    let SchemaParts {
        rust_name,
        resource_type,
        doc,
        actions,
        past_forms,
        noun,
        sentences,
        requires_org,
        link,
        link_with,
        fields,
        kind,
        partial,
    } = parts;
    assert!(
        past_forms.len() == actions.len(),
        "audit-derive wrote a past form per action; audit-core and audit-derive must be the same version"
    );
    Schema {
        rust_name,
        resource_type,
        doc,
        actions,
        past_forms,
        noun,
        sentences,
        requires_org,
        link,
        link_with,
        fields,
        kind,
        partial,
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

/// Whether the field named `rust_name` in Rust among `element`'s may key a
/// keyed list: it is tracked. A secret or ignored key would write its value
/// into the path of every change (`sessions[token='...']`). `true` when
/// there is no such field, which the key's accessor reports.
pub const fn key_is_tracked(element: &'static Schema, rust_name: &'static str) -> bool {
    let fields = element.fields;
    let mut index = 0;
    while index < fields.len() {
        if str_eq(fields[index].rust_name, rust_name) {
            return matches!(fields[index].class, FieldClass::Track);
        }
        index += 1;
    }
    true
}

/// The `N` [`FieldSentence`]s of a resource's `says(...)`: the field's diff
/// key, the condition (`=` a value, written in `values`; `a` added, `r`
/// removed, `c` changed) and the sentence.
// Panics only in const evaluation of generated code: a compile error.
#[allow(clippy::panic)]
pub const fn sentences<const N: usize>(
    fields: [&'static str; N],
    conditions: &[u8; N],
    values: [&'static str; N],
    says: [&'static str; N],
) -> [FieldSentence; N] {
    let mut sentences = [FieldSentence {
        field: "",
        when: SentenceCondition::Changed,
        says: "",
    }; N];
    let mut index = 0;
    while index < N {
        sentences[index] = FieldSentence {
            field: fields[index],
            when: match conditions[index] {
                b'=' => SentenceCondition::Equals(values[index]),
                b'a' => SentenceCondition::Added,
                b'r' => SentenceCondition::Removed,
                b'c' => SentenceCondition::Changed,
                _ => panic!(
                    "audit-derive wrote a sentence condition audit-core does not know; audit-core and audit-derive must be the same version"
                ),
            },
            says: says[index],
        };
        index += 1;
    }
    sentences
}

/// The [`FieldSchema`]s of a struct's `N` fields, one argument per
/// attribute; the table is in the docs of `src/private/schema.rs`.
#[allow(clippy::too_many_arguments)]
// Panics only in const evaluation of generated code: a compile error.
#[allow(clippy::panic)]
pub const fn fields<const N: usize>(
    names: [&'static str; N],
    rust_names: [&'static str; N],
    rust_types: [&'static str; N],
    classes: &[u8; N],
    fingerprinted: &[u8; N],
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
                b's' => FieldClass::Secret,
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
            secret_fingerprint: match (fingerprinted[index], classes[index]) {
                (b'y', b's') => true,
                (b'n', _) => false,
                _ => panic!(
                    "audit-derive wrote an unknown fingerprint flag, or one on a field that is not secret; audit-core and audit-derive must be the same version"
                ),
            },
        };
        index += 1;
    }
    assert!(
        next_nested == nested.len(),
        "audit-derive wrote more nested schemas than nested fields; audit-core and audit-derive must be the same version"
    );
    fields
}
