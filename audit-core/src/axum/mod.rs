//! Auditing HTTP requests: a tower [`AuditLayer`] and the axum extractor
//! [`Audit<T>`], behind the `axum` feature.
//!
//! A handler takes an `Audit<T>` guard, sets the old value, mutates, sets
//! the new value and returns. The layer fills in the actor (named once, by
//! the function given to [`AuditLayer::actor`]), the client's address (from
//! the socket, or from `X-Forwarded-For` when the peer is a trusted proxy),
//! the user agent and the request id (the incoming `X-Request-Id`, which
//! tower-http's `SetRequestIdLayer` sets, or a new UUID), and commits the
//! entry with the response status once the handler returned, by the rules of
//! [`AuditRequest`](crate::AuditRequest). A panicking handler is answered
//! 500 and its entry committed with 500; a request dropped before its
//! response (the client went away) exports its entry flagged
//! [`Uncommitted`](crate::Flag::Uncommitted). No entry is lost and the
//! server keeps running.
//!
//! ```
//! use std::sync::Arc;
//!
//! use audit_core::axum::{Audit, AuditLayer};
//! use audit_core::{Auditable, MemorySink};
//! use axum::body::Body;
//! use axum::extract::{Path, Request};
//! use axum::http::StatusCode;
//! use axum::middleware::{self, Next};
//! use axum::response::Response;
//! use axum::{Router, routing::post};
//! use tower::ServiceExt as _;
//!
//! #[derive(Clone, serde::Serialize, Auditable)]
//! struct Chat {
//!     #[audit(track)]
//!     id: u32,
//!     #[audit(track)]
//!     archived: bool,
//! }
//!
//! /// The caller, as the authentication middleware found it.
//! #[derive(Clone)]
//! struct User(String);
//!
//! async fn authenticate(mut request: Request, next: Next) -> Result<Response, StatusCode> {
//!     let header = request.headers().get("authorization").and_then(|value| value.to_str().ok());
//!     let user = header.and_then(|value| value.strip_prefix("Bearer ")).ok_or(StatusCode::UNAUTHORIZED)?;
//!     let user = User(user.to_owned());
//!     request.extensions_mut().insert(user);
//!     Ok(next.run(request).await)
//! }
//!
//! // The guard first: an extractor failing after it still leaves it to be committed.
//! async fn archive(mut audit: Audit<Chat>, Path(id): Path<u32>) -> StatusCode {
//!     audit.set_action(audit_core::Action::new("archive").unwrap());
//!     audit.set_old(Chat { id, archived: false }); // read from storage
//!     audit.set_new(Chat { id, archived: true }); // re-read after the update
//!     StatusCode::OK
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sink = Arc::new(MemorySink::new());
//! let app = Router::new()
//!     .route("/chats/{id}/archive", post(archive))
//!     .route_layer(middleware::from_fn(authenticate))
//!     .layer(
//!         AuditLayer::new(sink.clone())
//!             .actor(|parts| parts.extensions.get::<User>().map(|user| user.0.clone()))
//!             .trusted_proxies(["10.0.0.0/8".parse()?]),
//!     );
//! // Serve it with `axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())`
//! // for the layer to see the client's address; here, one request without a socket:
//! let request = Request::post("/chats/7/archive")
//!     .header("authorization", "Bearer ada")
//!     .header("x-request-id", "r-1")
//!     .body(Body::empty())?;
//! let response = app.oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let entry = sink.assert_one_change("chat", "7", &["archived"]);
//! assert_eq!(entry.actor.as_deref(), Some("ada"));
//! assert_eq!(entry.request_id.as_deref(), Some("r-1"));
//! assert_eq!(entry.status_code, Some(200));
//! # Ok(())
//! # }
//! ```
//!
//! # Where it goes in the stack
//!
//! - Authentication inside the layer (`route_layer`, or `layer` calls made
//!   before this one), so that the actor function sees what it found. A
//!   request it rejects never reaches a handler and is not audited.
//! - tower-http's `SetRequestIdLayer` outside it (`layer` calls made after
//!   this one), so that the entry records the id it set.
//! - The entries are handed to the sink on the async path:
//!   [`AuditSink::export_async`](crate::AuditSink::export_async), which
//!   awaits room in a sink that is behind instead of blocking a worker
//!   thread, before the response is returned. Where nothing can wait (a
//!   request dropped before its response, a guard dropped after it), with
//!   [`AuditSink::export_without_waiting`](crate::AuditSink::export_without_waiting).
//!   An entry the sink cannot take has no caller to go back to: it is
//!   written to standard error, as a dropped
//!   [`AuditRequest`](crate::AuditRequest)'s is.

mod client;
mod extract;
mod layer;
mod scope;

pub use self::extract::{Audit, MissingAuditLayer};
pub use self::layer::{AuditLayer, AuditService, ResponseFuture};
/// An IP network, as given to [`AuditLayer::trusted_proxies`]: parse one
/// with `"10.0.0.0/8".parse()`.
pub use ipnet::IpNet;
