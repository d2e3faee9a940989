//! `#[derive(Auditable)]` in a crate that depends on `audit-core` renamed
//! `audit`, and re-exports it: `::audit_core` does not resolve here, so the
//! generated code must reach the crate through `#[audit(crate = "...")]`
//! alone, or this crate does not build. `audit-tests`' `tests/hygiene.rs`
//! checks what the impls do.

use audit::Auditable;

/// `audit-core` re-exported under a facade, as a platform crate would.
pub mod platform {
    pub use audit as audit_api;
}

/// Derived through the renamed dependency.
#[derive(Clone, Auditable)]
#[audit(crate = "audit", org = org, link = "/things/{id}", actions(create, write))]
pub struct Thing {
    /// The id.
    #[audit(track)]
    pub id: u64,
    /// The organization.
    #[audit(ignore = "recorded as the organization")]
    pub org: Option<u64>,
    /// The name.
    #[audit(track)]
    pub name: String,
    /// A credential.
    #[audit(secret)]
    pub token: String,
}

/// Derived through the re-export, by an absolute path.
#[derive(Clone, platform::audit_api::Auditable)]
#[audit(crate = "crate::platform::audit_api", target_with = Setting::label)]
pub struct Setting<'a, T> {
    /// The id.
    #[audit(track)]
    pub id: &'a str,
    /// The value.
    #[audit(track)]
    pub value: T,
}

impl<T> Setting<'_, T> {
    /// The target: the id in capitals.
    pub fn label(&self) -> String {
        self.id.to_uppercase()
    }
}
