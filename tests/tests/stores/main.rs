//! The SQLite and PostgreSQL stores, each against a real database: the shared
//! suite (`audit_tests::store_suite!`), then what is each store's own.

mod postgres;
mod sealing;
mod sqlite;
