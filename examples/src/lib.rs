//! The resources the examples audit and the service that changes them,
//! shared by the runnable examples, the tests and the generated field
//! reference (`docs/audit-logs.md`).

pub mod chat;
pub mod lifecycle;
pub mod service;
pub mod workspace;
