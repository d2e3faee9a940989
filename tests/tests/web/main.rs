//! The web layer over real HTTP: the chat server, and `AuditLayer` on its own.

mod web;
mod web_layer;
