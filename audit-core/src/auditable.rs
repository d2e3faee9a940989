//! The trait `#[derive(Auditable)]` implements.

use crate::{Diff, Schema};

/// A struct whose changes are recorded in the audit log.
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
/// on a struct of your own that holds the values to record.
///
/// ```
/// use audit_core::Auditable;
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
/// ```
pub trait Auditable {
    /// The static description of the resource and of every field.
    const SCHEMA: &'static Schema;

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

    /// The fields that differ between `old` and `new`: tracked fields with
    /// their old and new values, secret fields without them. Ignored fields
    /// are never read. Allocates nothing when nothing changed.
    fn diff(old: &Self, new: &Self) -> Diff
    where
        Self: Sized;
}

/// The fields that differ between `old` and `new`; see [`Auditable::diff`].
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
pub fn diff<T: Auditable>(old: &T, new: &T) -> Diff {
    T::diff(old, new)
}
