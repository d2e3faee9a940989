//! The static description of an auditable resource and of every one of its fields.

pub(crate) mod fingerprint;

use serde::Serialize;

use crate::model::action::Action;

/// How a field of an auditable struct takes part in the audit log.
///
/// Every field of a `#[derive(Auditable)]` struct has exactly one class; a
/// field without one is a compile error.
///
/// ```
/// use audit_core::FieldClass;
///
/// assert_eq!(serde_json::to_string(&FieldClass::Secret).unwrap(), r#""secret""#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldClass {
    /// Compared, and when it changed its old and new values are recorded.
    Track,
    /// Never read: its changes are not audited.
    Ignore,
    /// Compared, and when it changed the entry records that it did, never its values.
    Secret,
    /// An auditable struct (or an `Option`, `Box`, map or keyed list of
    /// them), diffed field by field with each inner field's own class; see
    /// [`FieldSchema::nested`].
    Nested,
}

impl FieldClass {
    /// `"track"`, `"ignore"`, `"secret"` or `"nested"`, as serialized and as
    /// written in `#[audit(...)]`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldClass::Track => "track",
            FieldClass::Ignore => "ignore",
            FieldClass::Secret => "secret",
            FieldClass::Nested => "nested",
        }
    }
}

/// How a field's value is laid out in the diff.
///
/// ```
/// use audit_core::FieldShape;
///
/// assert_eq!(
///     serde_json::to_string(&FieldShape::Keyed { key: "id" }).unwrap(),
///     r#"{"kind":"keyed","key":"id"}"#,
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldShape {
    /// One value: a tracked or secret field recorded whole, or a nested
    /// struct (directly or in a `Box`).
    Value,
    /// An `Option` of a nested struct: `None` to `Some` records an `add`.
    Optional,
    /// A map or set recorded per entry (`labels.team`), of scalars
    /// (`#[audit(track, entries)]`) or of nested structs.
    Entries,
    /// A list of nested structs matched by the key field `key`
    /// (`members[id=3].role`).
    Keyed {
        /// The key field of the elements, by its diff key (its serde name or
        /// `#[audit(rename)]`, as in `members[memberId=3]`); by its Rust
        /// name when the element's schema is not known (a recursive or
        /// generic element type, whose paths still use the diff key).
        key: &'static str,
    },
}

impl FieldShape {
    /// Whether this is [`FieldShape::Value`], the shape of a flat field.
    pub const fn is_value(&self) -> bool {
        matches!(self, FieldShape::Value)
    }
}

/// A sentence of a change to one field alone, from `#[audit(track,
/// says(true = "archived {noun} {target}"))]`: an entry of a successful
/// `write` whose diff changes that field only says it, after its actor
/// ("user-1 archived chat Plans"), instead of the default "user-1 updated
/// chat Plans".
///
/// ```
/// use audit_core::{AuditFields, Auditable, SentenceCondition};
///
/// #[derive(Auditable)]
/// #[audit(noun = "chat")]
/// struct Chat {
///     #[audit(track)]
///     id: u64,
///     #[audit(track, says(true = "archived {noun} {target}", false = "unarchived {noun} {target}"))]
///     archived: bool,
/// }
///
/// let sentence = &Chat::SCHEMA.sentences[0];
/// assert_eq!(sentence.field, "archived");
/// assert_eq!(sentence.when, SentenceCondition::Equals("true"));
/// assert_eq!(sentence.says, "archived {noun} {target}");
/// assert_eq!(
///     serde_json::to_string(sentence).unwrap(),
///     r#"{"field":"archived","when":{"equals":"true"},"says":"archived {noun} {target}"}"#,
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct FieldSentence {
    /// The diff key of the field.
    pub field: &'static str,
    /// When the sentence is said.
    pub when: SentenceCondition,
    /// The sentence, with its placeholders: `{actor}`, `{noun}`, `{target}`,
    /// `{past}`, `{action}`, `{old}` and `{new}` (a tracked value),
    /// `{added}` and `{removed}` (counts, with the plural form
    /// `{added|user|users}`).
    pub says: &'static str,
}

/// When a [`FieldSentence`] is said, of a change to its field alone.
/// Value conditions are tried first, in declaration order, then `added` or
/// `removed`, then `changed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SentenceCondition {
    /// The new value equals this one (compared with `PartialEq`), written
    /// as in the attribute: `true`, `Status::Active`.
    Equals(&'static str),
    /// A keyed list or a per-entry map or set gained elements, and lost or
    /// changed none.
    Added,
    /// A keyed list or a per-entry map or set lost elements, and gained or
    /// changed none.
    Removed,
    /// Any change of the field.
    Changed,
}

/// Whether a [`Schema`] describes a resource or a struct embedded in one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SchemaKind {
    /// A resource: entries are written for it.
    Resource,
    /// An `#[audit(embedded)]` struct: diffed as a nested field of a
    /// resource, never audited on its own.
    Embedded,
}

impl SchemaKind {
    /// Whether this is [`SchemaKind::Resource`].
    pub const fn is_resource(&self) -> bool {
        matches!(self, SchemaKind::Resource)
    }
}

/// The description of one field, generated by `#[derive(Auditable)]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FieldSchema {
    /// The key of the field in a [`Diff`](crate::Diff): its serde name unless
    /// `#[audit(rename = "...")]` overrides it.
    pub name: &'static str,
    /// The field's name in Rust, without a raw identifier's `r#`.
    pub rust_name: &'static str,
    /// The field's type as written in the struct.
    pub rust_type: &'static str,
    /// Whether the field is tracked, ignored or secret.
    pub class: FieldClass,
    /// Why the field has its class, from `#[audit(ignore = "why")]`.
    pub reason: Option<&'static str>,
    /// The field's doc comment.
    pub doc: Option<&'static str>,
    /// How the value is laid out in the diff; omitted from JSON for
    /// [`FieldShape::Value`].
    #[serde(skip_serializing_if = "FieldShape::is_value")]
    pub shape: FieldShape,
    /// The schema of the nested struct, for a [`FieldClass::Nested`] field;
    /// omitted from JSON when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nested: Option<&'static Schema>,
    /// Whether a secret field's changes record keyed fingerprints of its
    /// values, from `#[audit(secret, fingerprint)]`; see
    /// [`secret_fingerprint`](crate::secret_fingerprint). Omitted from JSON
    /// when `false`.
    #[serde(skip_serializing_if = "is_false")]
    pub secret_fingerprint: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

/// The description of an auditable resource, generated by `#[derive(Auditable)]`
/// as [`AuditFields::SCHEMA`](crate::AuditFields::SCHEMA).
///
/// ```
/// use audit_core::{Action, AuditFields, Auditable, FieldClass};
///
/// /// A user's API key.
/// #[derive(Auditable)]
/// #[audit(actions(create, delete))]
/// struct ApiKey {
///     #[audit(track)]
///     id: u64,
///     #[audit(secret = "grants access")]
///     hashed_secret: String,
/// }
///
/// let schema = ApiKey::SCHEMA;
/// assert_eq!(schema.resource_type, "api_key");
/// assert_eq!(schema.doc, Some("A user's API key."));
/// assert_eq!(schema.actions, &[Action::CREATE, Action::DELETE]);
/// assert_eq!(schema.fields[1].class, FieldClass::Secret);
/// assert_eq!(schema.fields[1].reason, Some("grants access"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Schema {
    /// The struct's name in Rust.
    pub rust_name: &'static str,
    /// The resource type recorded in entries, from `#[audit(resource = "...")]`
    /// or the snake_case struct name.
    pub resource_type: &'static str,
    /// The struct's doc comment.
    pub doc: Option<&'static str>,
    /// The actions the resource is audited for.
    pub actions: &'static [Action],
    /// The past form of each of [`actions`](Schema::actions), in the same
    /// order, as sentences say it: `created` for `create`, `logged in` for
    /// `login`, `shared` for `share = "shared"`; see [`Schema::past`].
    pub past_forms: &'static [&'static str],
    /// The word sentences name the resource with, from `#[audit(noun =
    /// "...")]`, else the resource type with `_` as spaces (`api key`);
    /// empty for an embedded struct.
    pub noun: &'static str,
    /// The sentences of a change to one field alone, from the fields'
    /// `says(...)`, in declaration order; omitted from JSON when there are
    /// none.
    #[serde(skip_serializing_if = "<[FieldSentence]>::is_empty")]
    pub sentences: &'static [FieldSentence],
    /// Whether every entry for the resource must name an organization.
    pub requires_org: bool,
    /// The link template, such as `/chats/{id}`.
    pub link: Option<&'static str>,
    /// The function that makes the link, from `#[audit(link_with = path)]`,
    /// as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_with: Option<&'static str>,
    /// Every field, classified, in declaration order.
    pub fields: &'static [FieldSchema],
    /// A resource, or a struct embedded in one; omitted from JSON for a
    /// resource.
    #[serde(skip_serializing_if = "SchemaKind::is_resource")]
    pub kind: SchemaKind,
    /// For a mirror of a foreign type declared `#[audit(remote = ..,
    /// partial = "why")]`: why its field coverage is not checked at compile
    /// time. Omitted from JSON when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<&'static str>,
}

impl Schema {
    /// The field whose diff key is `name`.
    pub fn field(&self, name: &str) -> Option<&'static FieldSchema> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// Whether entries for this resource may record `action`.
    pub fn allows(&self, action: &Action) -> bool {
        self.actions.contains(action)
    }

    /// The past form of `action` as this resource declares it, for its
    /// sentences: `"archived"` for `actions(archive)`, `"shared"` for
    /// `actions(share = "shared")`; `None` for an action it does not
    /// declare.
    ///
    /// ```
    /// use audit_core::{Action, AuditFields, Auditable};
    ///
    /// #[derive(Auditable)]
    /// #[audit(actions(create, login, share = "shared"))]
    /// struct Chat {
    ///     #[audit(track)]
    ///     id: u64,
    /// }
    ///
    /// assert_eq!(Chat::SCHEMA.past(&Action::CREATE), Some("created"));
    /// assert_eq!(Chat::SCHEMA.past(&Action::LOGIN), Some("logged in"));
    /// assert_eq!(Chat::SCHEMA.past(&Action::from_static("share")), Some("shared"));
    /// assert_eq!(Chat::SCHEMA.past(&Action::DELETE), None);
    /// ```
    pub fn past(&self, action: &Action) -> Option<&'static str> {
        let index = self
            .actions
            .iter()
            .position(|declared| declared == action)?;
        self.past_forms.get(index).copied()
    }

    /// The sentences of a change to the field whose diff key is `field`
    /// alone, in declaration order.
    pub fn sentences_of<'a>(
        &'a self,
        field: &'a str,
    ) -> impl Iterator<Item = &'static FieldSentence> + 'a {
        self.sentences
            .iter()
            .filter(move |sentence| sentence.field == field)
    }

    /// A stable hash of the classification: the resource type and each
    /// field's key, class and type as written, in declaration order, with the
    /// shape and the nested schema's fingerprint of a nested field; not the
    /// docs, reasons, Rust names, link or actions. Written
    /// `sha256:<32 hex digits>` (the first 16 bytes of the SHA-256 of
    /// [`canonical_text`](Schema::canonical_text)), it is recorded on every
    /// entry and printed in the generated docs, so that an auditor knows
    /// which classification wrote an entry, and a reviewer sees every
    /// classification change.
    ///
    /// Computed at first use and cached for the life of the process, so that
    /// the derive does not spend compile time on it.
    ///
    /// ```
    /// use audit_core::{AuditFields, Auditable};
    ///
    /// #[derive(Auditable)]
    /// struct ApiKey {
    ///     #[audit(track)]
    ///     id: u64,
    ///     /// Documented, with a reason: neither changes the fingerprint.
    ///     #[audit(secret = "grants access")]
    ///     hashed_secret: String,
    /// }
    ///
    /// assert_eq!(
    ///     ApiKey::SCHEMA.canonical_text(),
    ///     "audit-schema/1\nresource api_key\nid\ttrack\tu64\nhashed_secret\tsecret\tString\n",
    /// );
    /// assert!(ApiKey::SCHEMA.fingerprint().starts_with("sha256:"));
    /// assert_eq!(ApiKey::SCHEMA.fingerprint().len(), 7 + 32);
    /// ```
    pub fn fingerprint(&'static self) -> &'static str {
        fingerprint::cached(self)
    }

    /// The text [`fingerprint`](Schema::fingerprint) hashes:
    /// `audit-schema/1`, `resource <type>` (`embedded <type>` for an embedded
    /// struct), then a line per field, `<key>\t<class>\t<type>`, followed for
    /// a field of another shape than a plain value by `\t<shape>`
    /// (`optional`, `entries` or `keyed=<key>`), for a nested field by
    /// `\t<the nested schema's fingerprint>` (`unknown` when the derive could
    /// not name it: a recursive or generic field), and for a secret whose
    /// changes are fingerprinted by `\tfingerprint`.
    pub fn canonical_text(&self) -> String {
        let kind = if self.kind.is_resource() {
            "resource"
        } else {
            "embedded"
        };
        let mut text = format!("audit-schema/1\n{kind} {}\n", self.resource_type);
        for field in self.fields {
            text.push_str(field.name);
            text.push('\t');
            text.push_str(field.class.as_str());
            text.push('\t');
            text.push_str(field.rust_type);
            match field.shape {
                FieldShape::Value => {}
                FieldShape::Optional => text.push_str("\toptional"),
                FieldShape::Entries => text.push_str("\tentries"),
                FieldShape::Keyed { key } => {
                    text.push_str("\tkeyed=");
                    text.push_str(key);
                }
            }
            if field.class == FieldClass::Nested {
                text.push('\t');
                match field.nested {
                    Some(nested) => text.push_str(&fingerprint::compute(nested)),
                    None => text.push_str("unknown"),
                }
            }
            if field.secret_fingerprint {
                text.push_str("\tfingerprint");
            }
            text.push('\n');
        }
        text
    }
}
