//! Integration tests of the audit workspace live in `tests/`; this library
//! only runs the README's examples as doctests, so that they stay true.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
