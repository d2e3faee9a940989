//! What a diff records: exact JSON for every class, nested and keyed values,
//! hard values, and its allocations. Its properties over random values are
//! tested in tests/properties.rs, whose fingerprinted secrets use a key in
//! scope (`with_key`), never an installed one.

mod allocations;
mod diff;
mod nested;
mod values;
