//! The auditors' page: an axum [`Router`](::axum::Router) that lists, searches and
//! exports the entries of a store, which an application mounts behind its own
//! authentication.
//!
//! **The router adds no authentication of its own.** An audit log shows
//! everyone's addresses, user agents and changes: nest it under a route
//! that only auditors reach.

pub mod search;
