//! `#[derive(Auditable)]` in a crate that depends on `audit-core` renamed
//! `audit`, and re-exports it: `::audit_core` does not resolve here, so the
//! generated code must reach the crate through `#[audit(crate = "...")]`
//! alone, or this crate does not build. `audit-tests`' `tests/derive/hygiene.rs`
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

/// Types that derive nothing, as an ORM or another crate would generate
/// them: `audit-tests`' `tests/derive/remote.rs` audits them through mirrors.
pub mod foreign {
    /// A row with public fields, as sea-orm generates a `Model`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Invoice {
        /// The id.
        pub id: u64,
        /// The customer billed.
        pub customer: String,
        /// The amount in cents.
        pub amount_cents: i64,
        /// The card token, a credential.
        pub card_token: String,
        /// Bookkeeping.
        pub updated_at: u64,
    }

    /// A type whose fields may grow: a mirror cannot name them all.
    #[derive(Clone, Debug)]
    #[non_exhaustive]
    pub struct Session {
        /// The id.
        pub id: u64,
        /// The user signed in.
        pub user: String,
        /// The device, a credential.
        pub device_key: String,
    }

    impl Session {
        /// A session of `user`.
        pub fn new(id: u64, user: &str, device_key: &str) -> Self {
            Session {
                id,
                user: user.to_owned(),
                device_key: device_key.to_owned(),
            }
        }
    }
}
