//! The traits `#[derive(Auditable)]` implements.

pub(crate) mod action;
pub(crate) mod schema;

use crate::diff::path::Path;
use crate::diff::{Diff, Record};
use crate::model::schema::Schema;

/// A struct whose classified fields can be diffed at any depth: what every
/// `#[derive(Auditable)]` implements, for a resource and for an
/// `#[audit(embedded)]` struct alike.
///
/// A field of another auditable struct classified `#[audit(nested)]` is
/// diffed through this trait, field by field, keeping each inner field's
/// class: its changes are recorded under dotted keys (`settings.theme`), an
/// inner secret never with a value, an inner ignored field never read. A
/// generic struct that nests a type parameter bounds it `T: AuditFields`.
///
/// Implemented by the derive, and by `audit_core` for `Option`, `Box` and
/// maps of such types. The methods are called by generated code only.
///
/// ```
/// use audit_core::{AuditFields, Auditable};
/// use serde_json::json;
///
/// #[derive(Clone, Auditable)]
/// #[audit(embedded)]
/// struct Settings {
///     #[audit(track)]
///     theme: String,
///     #[audit(secret = "grants API access")]
///     api_token: String,
/// }
///
/// #[derive(Clone, Auditable)]
/// struct Workspace {
///     #[audit(track)]
///     id: u32,
///     #[audit(nested)]
///     settings: Settings,
/// }
///
/// let old = Workspace { id: 1, settings: Settings { theme: "light".into(), api_token: "t1".into() } };
/// let new = Workspace { settings: Settings { theme: "dark".into(), api_token: "t2".into() }, ..old.clone() };
/// assert_eq!(
///     serde_json::to_value(audit_core::diff(&old, &new)).unwrap(),
///     json!({
///         "settings.theme": {"old": "light", "new": "dark", "secret": false},
///         "settings.api_token": {"secret": true},
///     }),
/// );
/// assert_eq!(Settings::SCHEMA.fields.len(), 2);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an auditable struct",
    label = "`#[audit(nested)]` needs a type that derives `Auditable`",
    note = "derive `Auditable` on `{Self}` (with `#[audit(embedded)]` when it is not a resource \
            of its own), or classify the field `#[audit(track)]` to record it as one value",
    note = "a remote type audited through a mirror is nested with `#[audit(nested, via = Mirror)]`"
)]
pub trait AuditFields {
    /// The static description of the struct and of every field: the one
    /// name of a type's schema, for a resource and an embedded struct alike.
    /// `Chat::SCHEMA` needs this trait in scope (`use audit_core::AuditFields`);
    /// in code generic over `T: Auditable` it is `T::SCHEMA`.
    const SCHEMA: &'static Schema;

    /// The former name of [`SCHEMA`](Self::SCHEMA), kept so that code
    /// written against it still builds.
    #[deprecated(note = "renamed `SCHEMA`, the one name of a type's schema")]
    const FIELDS: &'static Schema = Self::SCHEMA;

    /// Records the fields that differ between `old` and `new`, under `path`.
    #[doc(hidden)]
    fn diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self);

    /// Records every tracked and secret field of `value`, under `path`, as
    /// existing on one side of a change only, as `record` says: by default,
    /// [`diff_into`](Self::diff_into) of `value` against itself in recording
    /// mode, which the derive's field functions honour.
    #[doc(hidden)]
    #[inline]
    fn record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        diff.record_by_diff(path, value, record, Self::diff_into);
    }
}

/// A struct whose changes are recorded in the audit log; generic code bounds
/// on [`Audited<Via>`](Audited) instead, which a type audited through a
/// mirror implements too.
///
/// Implement it with `#[derive(Auditable)]`: the derive classifies every
/// field, generates the diff and the resource functions at compile time, and
/// fails the build when a field is not classified. See the crate docs for the
/// attributes.
///
/// Only the derive implements this trait. A hand-written impl cannot build a
/// [`Schema`] (it is `#[non_exhaustive]`; only generated code constructs
/// one), and could not keep the promise the derive keeps:
/// that every field is classified and that a secret field's value never
/// reaches an entry. To audit a type you cannot annotate, derive `Auditable`
/// on a mirror of it with `#[audit(remote = path::Type)]`; see [`Audited`].
///
/// ```
/// use audit_core::{AuditFields, Auditable};
///
/// #[derive(Auditable)]
/// #[audit(resource = "chat", org = organization_id, link = "/chats/{id}")]
/// struct Chat {
///     #[audit(track)]
///     id: u64,
///     #[audit(ignore = "scopes the entry")]
///     organization_id: u64,
///     #[audit(track)]
///     name: String,
/// }
///
/// let chat = Chat { id: 7, organization_id: 3, name: "Plans".into() };
/// assert_eq!(chat.resource_type(), "chat");
/// assert_eq!(chat.resource_id(), "7");
/// assert_eq!(chat.resource_target(), "Plans");
/// assert_eq!(chat.resource_link().as_deref(), Some("/chats/7"));
/// assert_eq!(chat.organization_id().as_deref(), Some("3"));
/// assert_eq!(Chat::SCHEMA.resource_type, "chat");
/// ```
pub trait Auditable: AuditFields {
    /// The resource type recorded in entries: `Self::SCHEMA.resource_type`.
    fn resource_type(&self) -> &'static str {
        Self::SCHEMA.resource_type
    }

    /// The id of this resource.
    fn resource_id(&self) -> String;

    /// A human-readable name of this resource.
    fn resource_target(&self) -> String;

    /// A link to this resource, if the resource declares one.
    fn resource_link(&self) -> Option<String>;

    /// The organization this resource belongs to, if it is organization-scoped.
    fn organization_id(&self) -> Option<String>;

    /// Whether the new value `self` meets the value condition of the
    /// sentence `index` of [`Schema::sentences`] (`says(true = "...")`).
    /// Generated for a resource with value conditions; called by the guards.
    #[doc(hidden)]
    #[inline]
    fn sentence_matches(&self, index: usize) -> bool {
        let _ = index;
        false
    }

    /// The fields that differ between `old` and `new`: tracked fields with
    /// their old and new values, secret fields without them. Ignored fields
    /// are never read. Allocates nothing when nothing changed.
    fn diff(old: &Self, new: &Self) -> Diff
    where
        Self: Sized,
    {
        let mut diff = Diff::new();
        Self::diff_into(&mut diff, &Path::ROOT, old, new);
        diff
    }

    /// Every tracked field of a created resource, as `{"new": ..}`, and every
    /// secret one as `{"secret": true}`: what a `create` entry records.
    fn created(value: &Self) -> Diff
    where
        Self: Sized,
    {
        let mut diff = Diff::new();
        Self::record_all(&mut diff, &Path::ROOT, value, Record::Create);
        diff
    }

    /// Every tracked field of a deleted resource, as `{"old": ..}`, and every
    /// secret one as `{"secret": true}`: what a `delete` entry records.
    fn deleted(value: &Self) -> Diff
    where
        Self: Sized,
    {
        let mut diff = Diff::new();
        Self::record_all(&mut diff, &Path::ROOT, value, Record::Delete);
        diff
    }
}

/// A value whose changes are audited as a resource: what [`diff`],
/// [`AuditRequest`](crate::AuditRequest) and
/// [`BackgroundAudit`](crate::BackgroundAudit) take.
///
/// Every type that derives [`Auditable`] as a resource is `Audited` (with
/// `Via = Self`), by a blanket impl that calls its [`Auditable`] functions.
/// A type you cannot annotate, such as one generated by an ORM or defined in
/// another crate, is `Audited<Mirror>` when a struct of yours, the mirror,
/// derives `Auditable` with `#[audit(remote = path::Type)]`: the orphan rule
/// forbids implementing `Auditable` for another crate's type, but not this
/// trait with your own mirror as `Via`. See the crate docs, "Types you
/// cannot annotate".
///
/// `Via` is inferred: `audit_core::diff(&old, &new)` on a derived type or a
/// foreign one reads the same. Only a foreign type with two mirrors needs it
/// named: `audit_core::diff::<_, ChatAudit>(&old, &new)`.
///
/// Each item is named as its counterpart in [`Auditable`] or
/// [`AuditFields`] with an `audit_` prefix (`audit_resource_id` for
/// `resource_id`), so that a derived type with both traits in scope has no
/// ambiguous method.
pub trait Audited<Via = Self> {
    /// The static description of the resource, as [`AuditFields::SCHEMA`].
    const AUDIT_SCHEMA: &'static Schema;

    /// The id of this resource, as [`Auditable::resource_id`].
    fn audit_resource_id(&self) -> String;

    /// A human-readable name of this resource, as
    /// [`Auditable::resource_target`].
    fn audit_resource_target(&self) -> String;

    /// A link to this resource, as [`Auditable::resource_link`].
    fn audit_resource_link(&self) -> Option<String>;

    /// The organization of this resource, as [`Auditable::organization_id`].
    fn audit_organization_id(&self) -> Option<String>;

    /// The former name of [`audit_resource_id`](Self::audit_resource_id).
    #[deprecated(note = "renamed `audit_resource_id`, after `Auditable::resource_id`")]
    fn audit_id(&self) -> String {
        self.audit_resource_id()
    }

    /// The former name of [`audit_resource_target`](Self::audit_resource_target).
    #[deprecated(note = "renamed `audit_resource_target`, after `Auditable::resource_target`")]
    fn audit_target(&self) -> String {
        self.audit_resource_target()
    }

    /// The former name of [`audit_resource_link`](Self::audit_resource_link).
    #[deprecated(note = "renamed `audit_resource_link`, after `Auditable::resource_link`")]
    fn audit_link(&self) -> Option<String> {
        self.audit_resource_link()
    }

    /// The former name of [`audit_organization_id`](Self::audit_organization_id).
    #[deprecated(note = "renamed `audit_organization_id`, after `Auditable::organization_id`")]
    fn audit_org(&self) -> Option<String> {
        self.audit_organization_id()
    }

    /// Whether the new value `self` meets the value condition of the
    /// sentence `index`, as `Auditable::sentence_matches`.
    #[doc(hidden)]
    #[inline]
    fn audit_sentence_matches(&self, index: usize) -> bool {
        let _ = index;
        false
    }

    /// Records the fields that differ between `old` and `new` in `diff`,
    /// under `path`.
    #[doc(hidden)]
    fn audit_diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self);

    /// Records every tracked and secret field of `value` in `diff`, under
    /// `path`, as existing on one side of a change only, as `record` says;
    /// by default, as [`AuditFields::record_all`] does.
    #[doc(hidden)]
    #[inline]
    fn audit_record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        diff.record_by_diff(path, value, record, Self::audit_diff_into);
    }

    /// The fields that differ between `old` and `new`, as [`Auditable::diff`].
    fn audit_diff(old: &Self, new: &Self) -> Diff
    where
        Self: Sized,
    {
        let mut diff = Diff::new();
        Self::audit_diff_into(&mut diff, &Path::ROOT, old, new);
        diff
    }

    /// What a `create` entry records, as [`Auditable::created`].
    fn audit_created(value: &Self) -> Diff
    where
        Self: Sized,
    {
        let mut diff = Diff::new();
        Self::audit_record_all(&mut diff, &Path::ROOT, value, Record::Create);
        diff
    }

    /// What a `delete` entry records, as [`Auditable::deleted`].
    fn audit_deleted(value: &Self) -> Diff
    where
        Self: Sized,
    {
        let mut diff = Diff::new();
        Self::audit_record_all(&mut diff, &Path::ROOT, value, Record::Delete);
        diff
    }
}

impl<T: Auditable> Audited<T> for T {
    const AUDIT_SCHEMA: &'static Schema = T::SCHEMA;

    #[inline]
    fn audit_resource_id(&self) -> String {
        self.resource_id()
    }

    #[inline]
    fn audit_resource_target(&self) -> String {
        self.resource_target()
    }

    #[inline]
    fn audit_resource_link(&self) -> Option<String> {
        self.resource_link()
    }

    #[inline]
    fn audit_organization_id(&self) -> Option<String> {
        self.organization_id()
    }

    #[inline]
    fn audit_sentence_matches(&self, index: usize) -> bool {
        self.sentence_matches(index)
    }

    #[inline]
    fn audit_diff_into(diff: &mut Diff, path: &Path<'_>, old: &Self, new: &Self) {
        T::diff_into(diff, path, old, new);
    }

    #[inline]
    fn audit_record_all(diff: &mut Diff, path: &Path<'_>, value: &Self, record: Record) {
        T::record_all(diff, path, value, record);
    }
}

/// The fields that differ between `old` and `new`; see [`Auditable::diff`].
/// It takes a foreign type audited through a mirror as well; see [`Audited`].
///
/// ```
/// #[derive(audit_core::Auditable)]
/// struct Flag {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     enabled: bool,
/// }
///
/// let diff = audit_core::diff(&Flag { id: 1, enabled: false }, &Flag { id: 1, enabled: true });
/// assert_eq!(diff.keys().collect::<Vec<_>>(), ["enabled"]);
/// ```
#[inline]
pub fn diff<T: Audited<Via>, Via>(old: &T, new: &T) -> Diff {
    T::audit_diff(old, new)
}
