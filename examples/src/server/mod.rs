//! The chat service over HTTP, auditing itself with
//! [`AuditLayer`] into an embedded SQLite
//! store, and serving that audit log back: what
//! `cargo run -p audit-examples --example chat_server -- --listen ADDR` runs
//! and the tests drive.
//!
//! | route | answer |
//! | --- | --- |
//! | `POST /chats` `{"title": ...}` | 201, the chat (never its title, a secret) |
//! | `GET /chats/{id}` | 200, the chat |
//! | `PATCH /chats/{id}` `{"title"?, "archived"?, "pin_order"?}` | 200, the chat |
//! | `DELETE /chats/{id}` | 204 |
//! | `GET /audit?resource_type=&resource_id=&action=&actor=&request_id=&since=&until=&limit=&cursor=` | 200, `{"entries": [...], "next_cursor": ...}` |
//! | `GET /audit/ui?q=...` (and its `/entries`, `/export.csv`, `/export.jsonl`) | the auditors' page ([`audit_core::viewer`]), for auditors only: 403 for anyone else |
//!
//! Every route needs `Authorization: Bearer <user-id>` (401 without); a user
//! sees only their own chats. The auditors' page shows everyone's addresses
//! and changes, so only the auditors reach it; the library adds no check of
//! its own, this service does. Errors are `{"error": "..."}` with a 4xx
//! status, never an echo of the request.

mod audit_log;
mod auth;
mod chats;
mod error;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use audit_core::axum::{AuditLayer, IpNet};
use audit_core::sqlite::SqliteStore;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use uuid::Uuid;

use self::auth::Caller;
use crate::chat::Chat;

/// The largest request body accepted; a larger one is answered 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The service's state: the chats (in memory), the users it has seen, and
/// the audit store.
struct ChatServer {
    store: Arc<SqliteStore>,
    organization_id: Uuid,
    chats: Mutex<HashMap<Uuid, Chat>>,
    users: Mutex<HashMap<String, Uuid>>,
    /// The callers who may read every entry of `GET /audit`; the others
    /// read their own only.
    auditors: HashSet<String>,
}

impl ChatServer {
    /// The chats. A handler's panic while holding them leaves them as they
    /// were changed so far, which is all a demo needs.
    fn chats(&self) -> MutexGuard<'_, HashMap<Uuid, Chat>> {
        self.chats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The id of the user a bearer token names, made the first time.
    fn user_id(&self, caller: &Caller) -> Uuid {
        *self
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(caller.0.clone())
            .or_insert_with(Uuid::now_v7)
    }
}

/// The service's routes, auditing every change to `store`, and believing
/// `X-Forwarded-For` from the `trusted_proxies` only. The `auditors` (user
/// ids) read the whole audit log at `GET /audit`; every other caller reads
/// the entries of their own actions only: the audit log holds other users'
/// addresses, user agents and changes, and the library leaves who may read
/// it to the application. Serve it with [`serve`], which gives the layer the
/// client's address.
pub fn app(
    store: Arc<SqliteStore>,
    trusted_proxies: impl IntoIterator<Item = IpNet>,
    auditors: impl IntoIterator<Item = String>,
) -> Router {
    let audit = AuditLayer::new(store.clone())
        .actor(|parts| {
            parts
                .extensions
                .get::<Caller>()
                .map(|caller| caller.0.clone())
        })
        .trusted_proxies(trusted_proxies);
    let server = Arc::new(ChatServer {
        store,
        organization_id: Uuid::now_v7(),
        chats: Mutex::new(HashMap::new()),
        users: Mutex::new(HashMap::new()),
        auditors: auditors.into_iter().collect(),
    });
    Router::new()
        .route("/chats", post(chats::create))
        .route(
            "/chats/{id}",
            get(chats::get).patch(chats::update).delete(chats::delete),
        )
        .route("/audit", get(audit_log::list))
        .nest_service(
            "/audit/ui",
            audit_core::viewer::router(Arc::clone(&server.store)).layer(
                middleware::from_fn_with_state(Arc::clone(&server), auth::require_auditor),
            ),
        )
        // Inside the audit layer: the actor function sees the caller.
        .route_layer(middleware::from_fn(auth::authenticate))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(audit)
        .with_state(server)
}

/// Serves `app` on `listener` until `shutdown` resolves, recording each
/// connection's peer address for the audit layer.
///
/// # Errors
///
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
