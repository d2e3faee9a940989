//! What a diff records: exact JSON for every class, nested and keyed values,
//! hard values, and its allocations. Its properties over random values are
//! tested in tests/properties.rs, a binary of its own: it installs a secret
//! fingerprint key, and nested.rs here asserts that none is installed.

mod allocations;
mod diff;
mod nested;
mod values;
