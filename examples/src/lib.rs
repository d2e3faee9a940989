//! The resources the examples audit.
