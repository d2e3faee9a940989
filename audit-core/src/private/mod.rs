//! Support for the code `#[derive(Auditable)]` generates. Not public API.
//!
//! Generated code names only the items here (and `::core`), so that the
//! crate can change its internals without breaking a user's build. Nothing
//! in the crate imports this module: it imports the diff and the model.
//!
//! - `bounds`: the traits whose diagnostics report a field type that
//!   cannot play its part;
//! - `record`: the per-field functions, which compare a field or record it;
//! - `schema`: how a [`Schema`](crate::Schema) is built, and the byte
//!   protocol between the derive and this crate, documented there once;
//! - `display`: the id, target, organization and link as text.
//!
//! One item is for the benchmarks, not generated code: [`describe`], the
//! sentence a guard records, which `benches/sentence.rs` measures alone.

mod bounds;
mod display;
mod record;
mod schema;

pub use std::string::String;

/// The action named `name`, as the derive writes it in a schema: the derive
/// has checked that `name` is snake_case (`audit-derive/src/attr.rs`), so
/// this does not check it again, as [`Action::from_static`] would in every
/// struct's schema.
#[inline]
pub const fn action(name: &'static str) -> Action {
    Action::from_checked(name)
}

/// The sentence a guard records for `entry`, made for a resource whose new
/// value is `new`: what `benches/sentence.rs` measures.
pub fn describe<T: Audited<Via>, Via>(entry: &crate::entry::AuditEntry, new: Option<&T>) -> String {
    crate::entry::sentence::describe_new(entry, new)
}

pub use self::bounds::{
    CanonicalField, DisplayField, FingerprintedField, SecretField, SentenceValue, TrackedField,
    TrackedWithField,
};
pub use self::display::{display, display_option, push_display, push_link_segment};
pub use self::record::{
    Nest, NotNested, assert_nested, keyed, nested, nested_via, secret, secret_entries,
    secret_fingerprinted, secret_outlined, track, track_canonical, track_entries, track_outlined,
    track_sorting_sets, track_with,
};
pub use self::schema::{
    SchemaOf, SchemaParts, fields, key_is_tracked, schema, schema_of, sentences,
};
pub use crate::diff::Record;
pub use crate::diff::entries::{SecretEntries, TrackedEntries};
pub use crate::diff::keyed::KeyedList;
pub use crate::diff::path::Path;
pub use crate::diff::probe::{ContainsAudited, NotAudited, Probe};
pub use crate::diff::value::Canonical;
use crate::model::action::Action;
pub use crate::model::{AuditFields, Audited};

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
    ($schema:ty) => {
        $crate::__private::inventory::submit! {
            $crate::__private::Registration::new($crate::__private::schema_of::<$schema>)
        }
    };
}

/// Without the `registry` feature, registers nothing.
#[cfg(not(feature = "registry"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __audit_register_schema {
    ($schema:ty) => {};
}

pub use crate::__audit_register_schema as register_schema;
