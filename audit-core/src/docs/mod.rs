//! Documentation for auditors, rendered from the `#[audit(...)]` attributes.
//!
//! Every [`Schema`] renders to Markdown, a section per resource with a table
//! of its fields, and to JSON, for tools. [`check`] keeps a checked-in copy of
//! either current: in a test of your crate, it fails with a line diff and the
//! command that regenerates the file when a field, class or reason changed and
//! the file was not regenerated, so the document can never drift from the code.
//!
//! ```
//! use audit_core::{AuditFields, Auditable, docs};
//!
//! /// A user's API key.
//! #[derive(Auditable)]
//! #[audit(actions(create, delete))]
//! struct ApiKey {
//!     /// The key's id.
//!     #[audit(track)]
//!     id: u64,
//!     /// The hash of the key's secret.
//!     #[audit(secret = "grants access")]
//!     hashed_secret: String,
//! }
//!
//! let markdown = docs::markdown(&[ApiKey::SCHEMA]);
//! assert!(markdown.contains(
//!     "\
//! ## `api_key`
//!
//! A user's API key.
//!
//! - Rust type: `ApiKey`
//! - Schema fingerprint: `sha256:f5bb5d54b034421180a37ea5ceec5405`
//! - Actions: `create`, `delete`
//! - Organization: not required
//! - Link template: none
//! - Noun: api key
//!
//! | Entry | Sentence |
//! | --- | --- |
//! | `create` | {actor} created api key {target} |
//! | `delete` | {actor} deleted api key {target} |
//!
//! | Field | Class | Reason | Description |
//! | --- | --- | --- | --- |
//! | `id` | track |  | The key's id. |
//! | `hashed_secret` | secret | grants access | The hash of the key's secret. |
//! "
//! ));
//! ```
//!
//! With the `registry` feature (on by default), [`registered`] lists every
//! derived type linked into the binary, without a list to keep, and a test in
//! your crate (`tests/audit_docs.rs`, for example) keeps the files current:
//!
#![cfg_attr(feature = "registry", doc = "```")]
#![cfg_attr(not(feature = "registry"), doc = "```ignore")]
//! use audit_core::{AuditFields, Auditable, docs};
//!
//! #[derive(Auditable)]
//! struct ApiKey {
//!     #[audit(track)]
//!     id: u64,
//! }
//!
//! assert!(docs::registered().contains(&ApiKey::SCHEMA));
//!
//! fn audit_docs_are_current() -> Result<(), Box<dyn std::error::Error>> {
//!     let schemas = docs::registered();
//!     docs::check("docs/audit-logs.md", &docs::markdown(&schemas))?;
//!     docs::check("docs/audit-logs.json", &docs::json(&schemas)?)?;
//!     Ok(())
//! }
//! # let _ = audit_docs_are_current;
//! ```
//!
//! When the check fails, regenerate the files with
//! `AUDIT_DOCS_UPDATE=overwrite cargo test` (see [`UPDATE_ENV`]) and commit them.
//!
//! # Which schemas
//!
//! An explicit list, `&[Chat::SCHEMA, User::SCHEMA]`, always works.
//! [`registered`] collects every `#[derive(Auditable)]` type linked into the
//! running binary instead, generic ones included, through the `registry`
//! feature. A crate is linked only when the binary uses it: an integration
//! test of your crate that renders its docs should name the crate, for
//! example `use my_crate as _;`, or list its types.
//!
//! Either way the output is sorted by resource type, then Rust name, and each
//! resource's fields keep their declaration order, so the same code always
//! renders the same text.

mod check;
mod line_diff;
mod markdown;
#[cfg(feature = "registry")]
pub(crate) mod registry;

use std::cmp::Ordering;

use crate::model::schema::Schema;

pub use self::check::{CheckError, UPDATE_ENV, check};
#[cfg(feature = "registry")]
#[cfg_attr(docsrs, doc(cfg(feature = "registry")))]
pub use self::registry::registered;

/// The Markdown documentation of `schemas`: a section per resource, with its
/// actions, whether it needs an organization, its link template and a table
/// of every field with its diff key, class, reason and doc comment.
///
/// Resources are sorted by resource type, then Rust name; fields keep their
/// declaration order. A secret field is always shown as `secret`. Pipes and
/// line breaks in a cell are escaped, so the table stays a table.
///
/// ```
/// use audit_core::{AuditFields, Auditable, docs};
///
/// #[derive(Auditable)]
/// #[audit(resource = "chat", org = organization_id, link = "/chats/{id}", actions(create, write))]
/// struct Chat {
///     #[audit(track)]
///     id: u64,
///     #[audit(ignore = "recorded as the entry's organization")]
///     organization_id: u64,
///     /// The title the user gave the chat.
///     #[audit(secret = "may contain sensitive content")]
///     title: String,
/// }
///
/// let markdown = docs::markdown(&[Chat::SCHEMA]);
/// assert!(markdown.starts_with("# Audit log reference\n"));
/// assert!(markdown.ends_with(
///     "\
/// ## `chat`
///
/// - Rust type: `Chat`
/// - Schema fingerprint: `sha256:595f5e234de770ae19af1e4d418d32f3`
/// - Actions: `create`, `write`
/// - Organization: required
/// - Link template: `/chats/{id}`
/// - Noun: chat
///
/// | Entry | Sentence |
/// | --- | --- |
/// | `create` | {actor} created chat {target} |
/// | `write` | {actor} updated chat {target} |
///
/// | Field | Class | Reason | Description |
/// | --- | --- | --- | --- |
/// | `id` | track |  |  |
/// | `organization_id` | ignore | recorded as the entry's organization |  |
/// | `title` | secret | may contain sensitive content | The title the user gave the chat. |
/// "
/// ));
/// ```
pub fn markdown(schemas: &[&Schema]) -> String {
    markdown::render(&sorted(schemas))
}

/// The JSON documentation of `schemas`: an array of the serialized
/// [`Schema`]s, each with its `schema_fingerprint`, sorted as [`markdown`]
/// sorts them, pretty-printed, with a trailing newline.
///
/// # Errors
///
/// When serialization fails; a [`Schema`] always serializes, so in practice
/// this never happens.
///
/// ```
/// use audit_core::{AuditFields, Auditable, docs};
///
/// #[derive(Auditable)]
/// #[audit(actions(delete))]
/// struct Token {
///     #[audit(track)]
///     id: u64,
///     #[audit(secret = "grants access")]
///     value: String,
/// }
///
/// let json = docs::json(&[Token::SCHEMA])?;
/// assert_eq!(
///     json,
///     r#"[
///   {
///     "rust_name": "Token",
///     "resource_type": "token",
///     "doc": null,
///     "actions": [
///       "delete"
///     ],
///     "past_forms": [
///       "deleted"
///     ],
///     "noun": "token",
///     "requires_org": false,
///     "link": null,
///     "fields": [
///       {
///         "name": "id",
///         "rust_name": "id",
///         "rust_type": "u64",
///         "class": "track",
///         "reason": null,
///         "doc": null
///       },
///       {
///         "name": "value",
///         "rust_name": "value",
///         "rust_type": "String",
///         "class": "secret",
///         "reason": "grants access",
///         "doc": null
///       }
///     ],
///     "schema_fingerprint": "sha256:beccddf8daf5b026e21c942a6e92cbc3"
///   }
/// ]
/// "#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn json(schemas: &[&Schema]) -> Result<String, serde_json::Error> {
    /// A schema with its fingerprint.
    #[derive(serde::Serialize)]
    struct Documented<'a> {
        #[serde(flatten)]
        schema: &'a Schema,
        schema_fingerprint: String,
    }
    let documented: Vec<Documented<'_>> = sorted(schemas)
        .into_iter()
        .map(|schema| Documented {
            schema,
            schema_fingerprint: crate::model::schema::fingerprint::compute(schema),
        })
        .collect();
    let mut json = serde_json::to_string_pretty(&documented)?;
    json.push('\n');
    Ok(json)
}

/// `schemas` in the order the documentation lists them, each one once.
fn sorted<'a>(schemas: &[&'a Schema]) -> Vec<&'a Schema> {
    let mut schemas = schemas.to_vec();
    schemas.sort_by(|a, b| order(a, b));
    schemas.dedup();
    schemas
}

/// By resource type, then Rust name; two different structs that share both
/// (in two modules) are ordered by the rest of their schema, so that the
/// output never depends on the order in which they were listed or linked.
fn order(a: &Schema, b: &Schema) -> Ordering {
    let fields = |schema: &Schema| {
        schema.fields.iter().map(|field| {
            (
                field.name,
                field.rust_name,
                field.rust_type,
                field.class.as_str(),
                field.reason,
                field.doc,
            )
        })
    };
    (a.resource_type, a.rust_name)
        .cmp(&(b.resource_type, b.rust_name))
        .then_with(|| {
            (a.doc, a.actions, a.requires_org, a.link).cmp(&(
                b.doc,
                b.actions,
                b.requires_org,
                b.link,
            ))
        })
        .then_with(|| fields(a).cmp(fields(b)))
}
