//! Integration tests of the audit workspace live in `tests/`; this library
//! holds what they share, and runs the README's and the guides' examples as
//! doctests, so that they stay true.
//!
//! The tests are one binary per area (`tests/derive/main.rs`, `tests/diff`,
//! `tests/runtime`, `tests/evidence`, `tests/stores`, `tests/web`), each file a
//! module, so that a build compiles and links a few binaries rather than one
//! per file (docs/performance.md has the measurement): `cargo test -p
//! audit-tests --test derive keys::` runs one file's tests. A file whose tests
//! need process-wide state of their own (the fingerprint key, the registry of
//! derived types) keeps a binary of its own: `audit_logs.rs`, `registry.rs`,
//! `properties.rs`.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

// The guides' Rust blocks; their shell blocks run in `audit-cli/tests/guides.rs`.
#[cfg(doctest)]
#[doc = include_str!("../../docs/guide-developers.md")]
struct GuideDevelopersDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/guide-operators.md")]
struct GuideOperatorsDoctests;

#[cfg(doctest)]
#[doc = include_str!("../../docs/guide-auditors.md")]
struct GuideAuditorsDoctests;

pub mod kafka_broker;
pub mod postgres_server;
pub mod stores;

use audit_core::Auditable;

/// The diff from `old` to `new`, as the JSON an entry records: what most
/// tests assert on.
///
/// # Panics
///
/// When the diff does not serialize, which a test should report.
pub fn diff_json<T: Auditable>(old: &T, new: &T) -> serde_json::Value {
    serde_json::to_value(audit_core::diff(old, new)).expect("a diff serializes")
}
