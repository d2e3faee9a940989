//! Integration tests of the audit workspace live in `tests/`.
