//! The checked description of an auditable struct: everything `expand` and
//! `fallback` write the impl from, with every default decided. `valid`
//! builds it; nothing after `valid` reads an attribute.

use syn::{Expr, ExprPath, Generics, Ident, Path, Type};

use crate::symbol::{IGNORE, NESTED, SECRET, TRACK};

/// The class of a field, as `audit_core::FieldClass` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Track,
    Ignore,
    Secret,
    /// `#[audit(nested)]`: a field of an auditable type, diffed field by field.
    Nested,
}

impl Class {
    /// The keyword that classifies a field: `track`, `ignore` or `secret`.
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Class::Track => TRACK,
            Class::Ignore => IGNORE,
            Class::Secret => SECRET,
            Class::Nested => NESTED,
        }
    }

    /// The byte generated code passes to `__private::fields` for this class:
    /// the keyword's first letter. The protocol (these bytes, `b'g'` of
    /// [`Field::class_code`], and the flags) is documented once, beside the
    /// decoder, in audit-core's `src/private/schema.rs`; any byte it does not
    /// know fails the build.
    pub(crate) fn code(self) -> u8 {
        self.keyword().as_bytes()[0]
    }
}

/// What `valid` made of the derive input.
pub(crate) enum Checked<'a> {
    /// No problem was found: the impl is written from the model.
    Accepted(Model<'a>),
    /// Problems were reported: a stub impl goes beside them.
    Rejected(Stub<'a>),
}

/// A struct the derive accepted.
pub(crate) struct Model<'a> {
    pub(crate) head: Head<'a>,
    pub(crate) schema: Schema<'a>,
    /// Where the resource functions read from; `None` for an
    /// `#[audit(embedded)]` struct, which implements `AuditFields` only.
    pub(crate) resource: Option<Resource<'a>>,
    /// `#[audit(remote = path::Type)]`: the struct is a mirror, and the impl
    /// is `Audited<Mirror>` for that type, read from its values.
    pub(crate) remote: Option<Remote>,
}

/// The type a mirror audits.
pub(crate) struct Remote {
    /// `remote = path::Type`, where errors about the type's fields point.
    pub(crate) path: Path,
    /// Whether `partial = "..."` allows fields the mirror does not name.
    pub(crate) partial: bool,
}

/// A struct the derive rejected: what the stub impl needs.
pub(crate) struct Stub<'a> {
    pub(crate) head: Head<'a>,
    pub(crate) schema: Schema<'a>,
    /// The type a mirror audits, which the stub impl is for.
    pub(crate) remote: Option<Path>,
}

/// What names the impl: the struct and the path to `audit_core`.
pub(crate) struct Head<'a> {
    /// `#[audit(crate = "...")]`, else `::audit_core`.
    pub(crate) krate: Path,
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
}

/// What `AuditFields::SCHEMA` says: one field of the model for each field of
/// `audit_core::Schema`.
pub(crate) struct Schema<'a> {
    /// The struct's name, without a raw identifier's `r#`.
    pub(crate) rust_name: String,
    /// `#[audit(resource = "...")]`, else the snake_case struct name.
    pub(crate) resource_type: String,
    pub(crate) doc: Option<String>,
    /// `#[audit(actions(...))]` in the order written, else the defaults.
    pub(crate) actions: Vec<String>,
    /// The past form of each action, in the same order.
    pub(crate) past_forms: Vec<String>,
    /// `#[audit(noun = "...")]`, else the resource type with `_` as spaces;
    /// empty for an embedded struct.
    pub(crate) noun: String,
    /// The `says(...)` sentences of every field, in declaration order.
    pub(crate) sentences: Vec<Sentence<'a>>,
    pub(crate) requires_org: bool,
    /// The `link = "..."` template; none for `link_with`.
    pub(crate) link: Option<String>,
    /// The `link_with = path` function, as written.
    pub(crate) link_with: Option<String>,
    /// `#[audit(embedded)]`: part of a resource, not one; not registered.
    pub(crate) embedded: bool,
    /// `partial = "why"` of a mirror: its field coverage is not checked.
    pub(crate) partial: Option<String>,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One `when = "sentence"` of a field's `says(...)`, checked.
pub(crate) struct Sentence<'a> {
    /// The field's member, which a value condition reads.
    pub(crate) member: &'a Ident,
    /// The field's diff key.
    pub(crate) key: String,
    pub(crate) when: When,
    pub(crate) text: String,
}

/// The condition of a [`Sentence`].
pub(crate) enum When {
    /// The new value equals `value`, written `text`.
    Equals {
        value: Expr,
        text: String,
    },
    Added,
    Removed,
    Changed,
}

impl When {
    /// The byte `__private::sentence` reads as the condition.
    pub(crate) fn code(&self) -> u8 {
        match self {
            When::Equals { .. } => b'=',
            When::Added => b'a',
            When::Removed => b'r',
            When::Changed => b'c',
        }
    }
}

/// One field, classified.
pub(crate) struct Field<'a> {
    pub(crate) member: &'a Ident,
    pub(crate) ty: &'a Type,
    /// The key in the diff: `#[audit(rename)]`, else the serde name.
    pub(crate) key: String,
    /// The name in Rust, without a raw identifier's `r#`.
    pub(crate) rust_name: String,
    /// The type as a person writes it: `Option<Uuid>`.
    pub(crate) type_text: String,
    pub(crate) class: Class,
    pub(crate) reason: Option<String>,
    pub(crate) doc: Option<String>,
    /// The function serde serializes the field with, for a tracked field that
    /// has one: `#[serde(serialize_with = "path")]`, or `path::serialize` for
    /// `#[serde(with = "path")]`.
    pub(crate) serialize_with: Option<ExprPath>,
    /// How the field's value is walked.
    pub(crate) shape: Shape,
    /// `#[audit(nested, via = Mirror)]`: a field of a remote type, diffed
    /// through its mirror's `Audited<Mirror>` impl.
    pub(crate) via: Option<Path>,
    /// What a secret's change records besides `"secret": true`.
    pub(crate) secret_record: SecretRecord,
    /// A tracked `HashSet` or `HashMap` (or an `Option` of one): recorded in
    /// sorted order, so that equal values serialize alike.
    pub(crate) canonical: bool,
    /// A tracked type with a hashed set below its top: where its sets are,
    /// so that they are recorded sorted (`ty::sets_shape`).
    pub(crate) sets_shape: Option<String>,
    /// For a nested field: whether its type's schema can be named in the
    /// struct's schema. Not for a type that names the struct's generics
    /// (the schema is written outside the impl) or the struct itself (its
    /// schema would contain itself).
    pub(crate) nested_schema: bool,
    /// Whether the type names the struct's generics, so that it cannot be
    /// written outside the impl.
    pub(crate) names_generics: bool,
    /// The type as the checks outside the impl name it (that it holds no
    /// auditable type when tracked, that a keyed list's key is tracked):
    /// the struct's lifetimes made `'static`. `None` when it names a type
    /// or const parameter of the struct, which the checks cannot see
    /// through; for a field that is neither tracked nor a keyed list; and
    /// for a keyed list of the struct itself, whose key the derive checks
    /// against the struct's own fields.
    pub(crate) checked_ty: Option<std::borrow::Cow<'a, Type>>,
}

impl Field<'_> {
    /// For a tracked field: whether the build checks that its type holds no
    /// auditable struct. Not for a type naming the struct's type or const
    /// parameters, which the check cannot see through.
    pub(crate) fn probe(&self) -> bool {
        self.class == Class::Track && self.checked_ty.is_some()
    }

    /// Whether the field is nested, not in a keyed list, and of a type the
    /// build checks once for `AuditFields`: its uses then go through
    /// `__private::Nest`, which reports nothing more.
    pub(crate) fn nested_once(&self) -> bool {
        self.class == Class::Nested
            && !self.names_generics
            && self.via.is_none()
            && !matches!(self.shape, Shape::Keyed { .. })
    }

    /// Whether the field is a secret whose changes record fingerprints.
    pub(crate) fn fingerprinted(&self) -> bool {
        self.secret_record == SecretRecord::Fingerprinted
    }

    /// The class byte of `__private::fields`: [`Class::code`], or `b'g'`
    /// for a nested field whose schema is not named.
    pub(crate) fn class_code(&self) -> u8 {
        if self.class == Class::Nested && !self.nested_schema {
            b'g'
        } else {
            self.class.code()
        }
    }
}

/// What a secret field's change records besides `"secret": true`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecretRecord {
    /// Nothing: a plain secret, or a field of another class.
    Plain,
    /// `#[audit(secret, fingerprint)]` on a secret recorded as one value:
    /// keyed fingerprints of its old and new values.
    Fingerprinted,
}

/// How a field's value is walked and documented.
pub(crate) enum Shape {
    /// One value (a nested struct, or a `Box` of one).
    Value,
    /// `Option` of a nested struct: added, removed or diffed.
    Optional,
    /// A map or set recorded entry by entry: `#[audit(track, entries)]`,
    /// `#[audit(secret, entries)]`, or `#[audit(nested)]` on a map.
    Entries,
    /// `#[audit(nested, key = id)]`: a list whose elements are matched by
    /// the field `key`.
    Keyed {
        key: Ident,
        /// The key's name in paths: `members[id=3]`.
        name: String,
    },
}

impl Shape {
    /// The byte `__private::fields` reads as the shape.
    pub(crate) fn code(&self) -> u8 {
        match self {
            Shape::Value => b'v',
            Shape::Optional => b'o',
            Shape::Entries => b'e',
            Shape::Keyed { .. } => b'k',
        }
    }
}

/// Where the resource's id, target, organization and link come from.
pub(crate) struct Resource<'a> {
    pub(crate) id: Recorded<'a>,
    pub(crate) target: Target<'a>,
    pub(crate) org: Option<Recorded<'a>>,
    pub(crate) link: Option<Link<'a>>,
}

/// A field recorded as text in every entry.
#[derive(Clone, Copy)]
pub(crate) struct Recorded<'a> {
    pub(crate) member: &'a Ident,
    pub(crate) ty: &'a Type,
    /// `T` when the field is an `Option<T>` recorded only when it is
    /// `Some`: the organization and link placeholders. The id and target are
    /// recorded whole.
    pub(crate) optional: Option<&'a Type>,
}

impl<'a> Recorded<'a> {
    /// The type whose `Display` writes the text.
    pub(crate) fn displayed_ty(&self) -> &'a Type {
        self.optional.unwrap_or(self.ty)
    }
}

pub(crate) enum Target<'a> {
    /// `target = field`, a default field, or the id.
    Field(Recorded<'a>),
    /// `target_with = path`
    With(Path),
}

pub(crate) enum Link<'a> {
    /// `link = "..."`, split into text and fields.
    Template(Vec<LinkPiece<'a>>),
    /// `link_with = path`
    With(Path),
}

pub(crate) enum LinkPiece<'a> {
    Text(String),
    Field(Recorded<'a>),
}
