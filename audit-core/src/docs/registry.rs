//! Every schema `#[derive(Auditable)]` generated in the crates linked into the
//! running binary, collected by the `inventory` crate.

use crate::model::schema::Schema;

/// A schema entered into the registry by the code `#[derive(Auditable)]`
/// generates, through `__private::register_schema!`. Not public API.
#[doc(hidden)]
pub struct Registration {
    /// Returns the schema. A function rather than the reference: rustc
    /// checks the value of every static it builds, following references, so
    /// a registration holding the schema itself made every struct's schema
    /// be checked once more (see docs/performance.md); a function pointer
    /// stops that walk.
    schema: fn() -> &'static Schema,
}

impl Registration {
    /// Registers the schema `schema` returns.
    #[doc(hidden)]
    pub const fn new(schema: fn() -> &'static Schema) -> Self {
        Registration { schema }
    }
}

inventory::collect!(Registration);

/// The schema of every `#[derive(Auditable)]` type linked into the running
/// binary, generic ones included, sorted as [`markdown`](super::markdown)
/// sorts them. Needs the `registry` feature, on by default.
///
/// A crate is linked only when the binary uses something from it; an
/// integration test that documents its crate names it (`use my_crate as _;`).
/// Schemas are collected before `main` runs, on every platform the
/// `inventory` crate supports; where it does not, turn the feature off and
/// list the schemas.
///
/// ```
/// use audit_core::{AuditFields, Auditable, docs};
///
/// #[derive(Auditable)]
/// struct Session {
///     #[audit(track)]
///     id: u64,
/// }
///
/// #[derive(Auditable)]
/// struct Invite<Id> {
///     #[audit(track)]
///     id: Id,
/// }
///
/// let schemas = docs::registered();
/// assert!(schemas.contains(&Session::SCHEMA));
/// assert!(schemas.contains(&Invite::<u64>::SCHEMA));
/// ```
pub fn registered() -> Vec<&'static Schema> {
    let schemas: Vec<&'static Schema> = inventory::iter::<Registration>
        .into_iter()
        .map(|registration| (registration.schema)())
        .collect();
    super::sorted(&schemas)
}
