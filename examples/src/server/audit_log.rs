//! `GET /audit`: the audit log, filtered and paged by the store's query API,
//! as Coder's `GET /api/v2/audit`.

use std::sync::Arc;

use audit_core::Action;
use audit_core::AuditSink as _;
use audit_core::store::{AuditQuery, Cursor, MAX_LIMIT, Page};
use axum::Json;
use axum::extract::{Query, State};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ChatServer;
use super::auth::Caller;
use super::error::ApiError;

/// The query parameters `GET /audit` takes.
pub(super) const PARAMETERS: &[&str] = &[
    "resource_type",
    "resource_id",
    "action",
    "actor",
    "request_id",
    "since",
    "until",
    "limit",
    "cursor",
];

/// `GET /audit?resource_type=chat&limit=50&cursor=...`: one page of
/// entries, newest first, as `{"entries": [...], "next_cursor": ...}`.
/// `action` may be given more than once; any other parameter at most once.
/// An auditor reads every entry; any other caller the entries of their own
/// actions only, and a 403 when asking for another actor's.
pub(super) async fn list(
    State(server): State<Arc<ChatServer>>,
    caller: Caller,
    parameters: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Page>, ApiError> {
    let Query(parameters) =
        parameters.map_err(|_| ApiError::bad_request("the query string is not URL-encoded"))?;
    let mut query = parse(&parameters)?;
    if !server.auditors.contains(&caller.0) {
        let asked = parameters.iter().find(|(name, _)| name == "actor");
        if asked.is_some_and(|(_, actor)| *actor != caller.0) {
            return Err(ApiError::Forbidden(
                "only auditors read other users' audit entries".to_owned(),
            ));
        }
        query = query.actor(&caller.0);
    }
    // Entries exported before this request are committed before it reads.
    server.store.flush_async().await.map_err(|error| {
        tracing::error!("the audit store could not commit: {error}");
        ApiError::Internal
    })?;
    let page = server.store.query(&query).await.map_err(|error| {
        tracing::error!("the audit store could not be read: {error}");
        ApiError::Internal
    })?;
    Ok(Json(page))
}

/// The store query the parameters describe.
///
/// # Errors
///
/// A 400 naming the parameter that is unknown, repeated or malformed.
pub(super) fn parse(parameters: &[(String, String)]) -> Result<AuditQuery, ApiError> {
    let mut query = AuditQuery::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in parameters {
        let name = name.as_str();
        if !PARAMETERS.contains(&name) {
            return Err(ApiError::bad_request(format!(
                "unknown parameter `{}`; the parameters are {}",
                name.chars().take(40).collect::<String>(),
                PARAMETERS.join(", "),
            )));
        }
        if name != "action" && seen.contains(&name) {
            return Err(ApiError::bad_request(format!(
                "`{name}` is given more than once"
            )));
        }
        seen.push(name);
        query = match name {
            "resource_type" => query.resource_type(value),
            "resource_id" => query.resource_id(value),
            "actor" => query.actor(value),
            "request_id" => query.request_id(value),
            "action" => query.action(Action::new(value.clone()).map_err(|_| {
                ApiError::bad_request(
                    "`action` is an action name: snake_case, such as `create` or `write`",
                )
            })?),
            "since" => query.since(time(name, value)?),
            "until" => query.until(time(name, value)?),
            "limit" => query.limit(limit(value)?),
            _ => query.after(value.parse::<Cursor>().map_err(|_| {
                ApiError::bad_request(
                    "`cursor` is the `next_cursor` of a previous page, given back unchanged",
                )
            })?),
        };
    }
    Ok(query)
}

fn time(name: &str, value: &str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
        ApiError::bad_request(format!(
            "`{name}` is an RFC 3339 time, such as 2026-11-28T09:30:00Z"
        ))
    })
}

fn limit(value: &str) -> Result<usize, ApiError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| {
            ApiError::bad_request(format!("`limit` is a whole number from 1 to {MAX_LIMIT}"))
        })
}
