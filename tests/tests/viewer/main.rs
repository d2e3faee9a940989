//! The auditors' page (`audit_core::viewer`) over real HTTP on loopback: the
//! page, its JSON and exports on each source (SQLite store and file,
//! PostgreSQL, JSON lines), the search conditions against both stores, what
//! a page may never show, and the browser tests.

mod browser;
mod fixtures;
mod page;
mod search;
mod secrets;
