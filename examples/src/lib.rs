//! The resources the examples audit, shared by the runnable examples, the
//! tests and the generated field reference (`docs/audit-logs.md`).

pub mod chat;
