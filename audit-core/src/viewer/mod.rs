//! The auditors' page: an axum [`Router`] that lists, searches and exports
//! the entries of a store, for an application to mount behind its own
//! authentication.
//!
//! **The router adds no authentication of its own.** An audit log shows
//! everyone's addresses, user agents and changes: nest it under a route
//! only auditors reach, as the chat example does at `/audit/ui`.
//!
//! ```no_run
//! # #[cfg(feature = "sqlite")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use audit_core::sqlite::SqliteStore;
//!
//! let store = Arc::new(SqliteStore::open("audit.db")?);
//! let app = axum::Router::new()
//!     // ... the application's routes, auditing into `store` ...
//!     .nest("/audit/ui", audit_core::viewer::router(Arc::clone(&store)));
//!     // ... behind the application's own check that the caller is an auditor.
//! # let _ = app;
//! # Ok(())
//! # }
//! ```
//!
//! It serves, relative to where it is mounted:
//!
//! | route | what |
//! | --- | --- |
//! | `GET /?q=&cursor=&limit=` | the page: the search box (the query in the URL, to bookmark and share), menus of the store's resource types and actions, presets, the matching entries newest first, the count (capped: "2,000+"), a link to older entries |
//! | `GET /entries?q=&cursor=&limit=` | the same as JSON: `{"entries": [...], "next_cursor": ..., "count": ..., "count_capped": bool}` |
//! | `GET /export.csv?q=` | every matching entry as CSV, streamed |
//! | `GET /export.jsonl?q=` | every matching entry as JSON lines exactly as stored, streamed, in chain order: `audit verify` checks a full export |
//! | `GET /style.css` | the page's style sheet |
//!
//! The search language is in [`search`]; a query it cannot parse is
//! answered `400` with the message above the list (as JSON from
//! `/entries`, as text from the exports).
//!
//! # One entry
//!
//! Each entry is one sentence, its [`description`](crate::AuditEntry::description)
//! ("user-1 archived chat Plans"), whose **last** occurrence of the
//! entry's target is linked to the
//! entry's `resource_link` (only a path on the site, such as `/chats/7`, or
//! an `http(s)` URL is linked), or followed by "(deleted)" when the log
//! holds a successful `delete` entry for the resource; then the time, the
//! actor, address and user agent, a status pill ("failed 403" at 400 and
//! above, "not confirmed" for an entry dropped before commit), a link that
//! filters by its request id, its flags, and its diff in a `<details>`
//! element: old against new per changed path, secrets as `••••••••` on both
//! sides, with "changed (rotated)" or "set back to an earlier value" when
//! fingerprints tell (a new fingerprint equal to one seen earlier on the
//! same resource and path is a value set back).
//!
//! # Statements per page
//!
//! A page over a SQL store runs at most three statements, whatever its
//! length: the page itself (a keyset page: `cursor` is the last entry's
//! time and id), the count capped at [`COUNT_CAP`] with, once a minute,
//! the menus' distinct values (a walk of the indexes, one probe per value),
//! and one query for the deleted marks and fingerprints of all the page's
//! resources. Nothing is looked up per row.
//!
//! # Safe by construction
//!
//! Every value from an entry is escaped; the page has no script and no
//! inline style, and its Content-Security-Policy forbids both and any load
//! from elsewhere ([`CONTENT_SECURITY_POLICY`]); every route is `GET` (and
//! `HEAD`), and the page works without JavaScript. A secret's value is
//! never stored, so it cannot be shown.

mod export;
mod html;
pub mod search;
mod source;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use self::export::{ExportStream, Format};
use self::html::{PageView, SecretHistory};
pub use self::source::ViewerSource;
use crate::store::{AuditQuery, COUNT_CAP, Cursor, StoreError};

/// The Content-Security-Policy of every response: nothing but this
/// router's own style sheet is loaded, no script runs, forms submit here
/// only, and no other site frames the page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// How many entries a page shows when `limit` is not given.
pub const PAGE_SIZE: usize = 50;

/// How long the menus' values are kept before they are read again.
const MENUS_FOR: Duration = Duration::from_mins(1);

const STYLE: &str = include_str!("style.css");

/// The auditors' page over `source`: a [`SqliteStore`](crate::sqlite::SqliteStore)
/// (or an `Arc` of one), a [`PostgresStore`](crate::postgres::PostgresStore)'s
/// pool, a SQLite file read-only, or a JSON-lines file; see
/// [`ViewerSource`]. Nest it under any path, behind the application's own
/// authentication: it has none.
pub fn router(source: impl Into<ViewerSource>) -> Router {
    let state = Arc::new(Viewer {
        source: source.into(),
        menus: Mutex::new(None),
    });
    Router::new()
        .route("/", get(page))
        .route("/entries", get(entries))
        .route("/export.csv", get(export_csv))
        .route("/export.jsonl", get(export_jsonl))
        .route("/style.css", get(style))
        .with_state(state)
}

struct Viewer {
    source: ViewerSource,
    menus: Mutex<Option<Menus>>,
}

struct Menus {
    read_at: Instant,
    resource_types: Vec<String>,
    actions: Vec<String>,
}

impl Viewer {
    /// Whether the menus are missing or older than [`MENUS_FOR`].
    fn menus_stale(&self) -> bool {
        self.lock_menus()
            .as_ref()
            .is_none_or(|menus| menus.read_at.elapsed() > MENUS_FOR)
    }

    fn lock_menus(&self) -> std::sync::MutexGuard<'_, Option<Menus>> {
        self.menus.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn menus(&self) -> (Vec<String>, Vec<String>) {
        self.lock_menus()
            .as_ref()
            .map_or_else(Default::default, |menus| {
                (menus.resource_types.clone(), menus.actions.clone())
            })
    }
}

/// The query string of every route.
#[derive(Debug, Default, serde::Deserialize)]
struct Params {
    #[serde(default)]
    q: String,
    cursor: Option<String>,
    limit: Option<String>,
    /// The menus' choices, added to `q` by a redirect.
    resource_type: Option<String>,
    action: Option<String>,
}

/// A request the page cannot answer: a status and a message for the user.
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn bad(message: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn store(error: &StoreError) -> Self {
        #[cfg(feature = "tracing")]
        tracing::error!(%error, "the auditors' page could not read the audit log");
        Refusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("the audit log could not be read: {error}"),
        }
    }
}

/// The search, the cursor and the page size of `params`.
fn parse_params(params: &Params) -> Result<(AuditQuery, Option<usize>), Refusal> {
    let mut query = search::parse(&params.q).map_err(|error| Refusal::bad(error.to_string()))?;
    if let Some(cursor) = params.cursor.as_deref().filter(|cursor| !cursor.is_empty()) {
        let cursor: Cursor = cursor
            .parse()
            .map_err(|error: crate::store::CursorError| Refusal::bad(error.to_string()))?;
        query = query.after(cursor);
    }
    let limit = match params.limit.as_deref().filter(|limit| !limit.is_empty()) {
        None => None,
        Some(limit) => Some(
            limit
                .parse::<usize>()
                .ok()
                .filter(|limit| (1..=crate::store::MAX_LIMIT).contains(limit))
                .ok_or_else(|| {
                    Refusal::bad(format!(
                        "limit={limit}: the page size is a number from 1 to {}",
                        crate::store::MAX_LIMIT
                    ))
                })?,
        ),
    };
    Ok((query.limit(limit.unwrap_or(PAGE_SIZE)), limit))
}

/// The path the router is mounted at, without a trailing `/`: the original
/// path without the part the router routed on.
fn prefix(original: &Uri, routed: &Uri) -> String {
    let original = original.path();
    let prefix = original
        .strip_suffix(routed.path())
        .unwrap_or(original)
        .trim_end_matches('/');
    prefix.to_owned()
}

/// Adds the headers every response carries.
fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Request ids and searches are in the URLs.
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn html_response(status: StatusCode, html: String) -> Response {
    secured(
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
    )
}

async fn page(
    State(viewer): State<Arc<Viewer>>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    Query(params): Query<Params>,
) -> Response {
    let prefix = prefix(&original, &uri);
    // A menu's choice becomes a term of the query, in the URL.
    let mut chosen = params.q.trim().to_owned();
    for (key, value) in [
        ("resource_type", &params.resource_type),
        ("action", &params.action),
    ] {
        if let Some(value) = value.as_deref().filter(|value| !value.is_empty()) {
            if !chosen.is_empty() {
                chosen.push(' ');
            }
            chosen.push_str(&html::term(key, value));
        }
    }
    if chosen != params.q.trim() {
        let page = if prefix.is_empty() { "/" } else { &prefix };
        let location = format!("{page}?q={}", html::url_encode(&chosen));
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(location) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return secured(response);
    }
    let empty = std::collections::HashSet::default();
    let (secrets, _) = SecretHistory::from_facts(&[]);
    let mut view = PageView {
        prefix: &prefix,
        query_text: &params.q,
        error: None,
        entries: &[],
        deleted: &empty,
        secrets: &secrets,
        count: None,
        next_cursor: None,
        limit: None,
        resource_types: &[],
        actions: &[],
    };
    let (query, limit) = match parse_params(&params) {
        Ok(parsed) => parsed,
        Err(refusal) => {
            let (resource_types, actions) = viewer.menus();
            view.error = Some(refusal.message);
            view.resource_types = &resource_types;
            view.actions = &actions;
            return html_response(refusal.status, html::render(&view));
        }
    };
    match read_page(&viewer, &query).await {
        Ok(read) => {
            let (resource_types, actions) = viewer.menus();
            let (secrets, deleted) = SecretHistory::from_facts(&read.facts);
            let view = PageView {
                entries: &read.page.entries,
                deleted: &deleted,
                secrets: &secrets,
                count: Some(read.count),
                next_cursor: read.page.next_cursor,
                limit,
                resource_types: &resource_types,
                actions: &actions,
                ..view
            };
            html_response(StatusCode::OK, html::render(&view))
        }
        Err(error) => {
            let refusal = Refusal::store(&error);
            view.error = Some(refusal.message);
            html_response(refusal.status, html::render(&view))
        }
    }
}

/// What one page reads: its entries, the count and the facts about its
/// resources. Three statements at most.
struct PageRead {
    page: crate::store::Page,
    count: crate::store::CappedCount,
    facts: Vec<crate::store::facts::ResourceFact>,
}

async fn read_page(viewer: &Viewer, query: &AuditQuery) -> Result<PageRead, StoreError> {
    let page = viewer.source.page(query).await?;
    let count = count(viewer, query).await?;
    let mut resources: Vec<(String, String)> = page
        .entries
        .iter()
        .map(|entry| (entry.resource_type.to_string(), entry.resource_id.clone()))
        .collect();
    resources.sort();
    resources.dedup();
    let facts = viewer.source.facts(resources).await?;
    Ok(PageRead { page, count, facts })
}

/// The capped count, reading the menus with it when they are stale.
async fn count(
    viewer: &Viewer,
    query: &AuditQuery,
) -> Result<crate::store::CappedCount, StoreError> {
    let stale = viewer.menus_stale();
    let read = viewer
        .source
        .count_and_menus(query, COUNT_CAP, stale)
        .await?;
    if stale {
        *viewer.lock_menus() = Some(Menus {
            read_at: Instant::now(),
            resource_types: read.resource_types,
            actions: read.actions,
        });
    }
    Ok(read.count)
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    secured(
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response(),
    )
}

async fn entries(State(viewer): State<Arc<Viewer>>, Query(params): Query<Params>) -> Response {
    let refused = |refusal: Refusal| {
        json_response(
            refusal.status,
            &serde_json::json!({ "error": refusal.message }),
        )
    };
    let (query, _) = match parse_params(&params) {
        Ok(parsed) => parsed,
        Err(refusal) => return refused(refusal),
    };
    let read = async {
        let page = viewer.source.page(&query).await?;
        let count = viewer
            .source
            .count_and_menus(&query, COUNT_CAP, false)
            .await?
            .count;
        Ok::<_, StoreError>((page, count))
    };
    match read.await {
        Ok((page, count)) => {
            /// The entries as they serialize, members in their order.
            #[derive(serde::Serialize)]
            struct Body<'a> {
                entries: &'a [crate::entry::AuditEntry],
                next_cursor: Option<Cursor>,
                count: u64,
                count_capped: bool,
            }
            let body = Body {
                entries: &page.entries,
                next_cursor: page.next_cursor,
                count: count.count,
                count_capped: count.capped,
            };
            match serde_json::to_string(&body) {
                Ok(json) => secured(
                    (
                        StatusCode::OK,
                        [(header::CONTENT_TYPE, "application/json")],
                        json,
                    )
                        .into_response(),
                ),
                Err(error) => refused(Refusal {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: format!("the entries could not be serialized: {error}"),
                }),
            }
        }
        Err(error) => refused(Refusal::store(&error)),
    }
}

async fn export_csv(State(viewer): State<Arc<Viewer>>, Query(params): Query<Params>) -> Response {
    export(&viewer, &params, Format::Csv)
}

async fn export_jsonl(State(viewer): State<Arc<Viewer>>, Query(params): Query<Params>) -> Response {
    export(&viewer, &params, Format::JsonLines)
}

fn export(viewer: &Viewer, params: &Params, format: Format) -> Response {
    let query = match search::parse(&params.q) {
        Ok(query) => query,
        Err(error) => {
            return secured(
                (
                    StatusCode::BAD_REQUEST,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    format!("{error}\n"),
                )
                    .into_response(),
            );
        }
    };
    let (content_type, file) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "audit-log.csv"),
        Format::JsonLines => ("application/jsonl; charset=utf-8", "audit-log.jsonl"),
    };
    let lines = viewer.source.export(query);
    let body = Body::from_stream(ExportStream::new(lines, format));
    secured(
        (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
            ],
            body,
        )
            .into_response(),
    )
}

async fn style() -> Response {
    secured(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response())
}
