//! The tower layer: one [`Scope`] per request, settled with the response.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use ::axum::http::header::HeaderName;
use ::axum::http::request::Parts;
use ::axum::http::{Request, Response, StatusCode};
use ipnet::IpNet;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::client;
use super::scope::Scope;
use crate::entry::context::Context;
use crate::sink::AuditSink;

/// How the application names the actor of a request.
type ActorFn = dyn Fn(&Parts) -> Option<String> + Send + Sync;

/// Audits the requests of the services it wraps: handlers take an
/// [`Audit<T>`](super::Audit) guard, and the layer fills in who, from where
/// and with which request id, and commits the entries with the response
/// status. See the [module docs](super) for an example.
///
/// - **Actor**: what [`actor`](AuditLayer::actor) returns for the request,
///   read when the handler extracts its guard, so after any authentication
///   middleware that runs inside this layer (`route_layer`).
/// - **Client address**: the socket peer, from axum's
///   [`ConnectInfo<SocketAddr>`](::axum::extract::ConnectInfo) (serve with
///   `into_make_service_with_connect_info::<SocketAddr>()`; without it there
///   is no address). When the peer is one of the
///   [`trusted_proxies`](AuditLayer::trusted_proxies), the rightmost address
///   of `X-Forwarded-For` that is not a trusted proxy.
/// - **User agent**: the `User-Agent` header.
/// - **Request id**: the `X-Request-Id` header (or
///   [`request_id_header`](AuditLayer::request_id_header)), which tower-http's
///   `SetRequestIdLayer` sets when it runs outside this layer; when missing,
///   empty or longer than 200 bytes, a new UUID v7.
#[derive(Clone)]
pub struct AuditLayer {
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    sink: Arc<dyn AuditSink>,
    actor: Option<Arc<ActorFn>>,
    trusted_proxies: Vec<IpNet>,
    request_id_header: HeaderName,
}

impl AuditLayer {
    /// A layer exporting entries to `sink`, with no actor, no trusted
    /// proxies and the `X-Request-Id` header.
    pub fn new(sink: Arc<dyn AuditSink>) -> Self {
        AuditLayer {
            config: Arc::new(Config {
                sink,
                actor: None,
                trusted_proxies: Vec::new(),
                request_id_header: HeaderName::from_static("x-request-id"),
            }),
        }
    }

    /// How to name the actor of a request: typically from what the
    /// authentication middleware put in the extensions. `None` records no actor.
    #[must_use]
    pub fn actor<F>(mut self, actor: F) -> Self
    where
        F: Fn(&Parts) -> Option<String> + Send + Sync + 'static,
    {
        Arc::make_mut(&mut self.config).actor = Some(Arc::new(actor));
        self
    }

    /// The networks of the proxies whose `X-Forwarded-For` is believed.
    /// None by default: the socket peer is the client.
    #[must_use]
    pub fn trusted_proxies(mut self, networks: impl IntoIterator<Item = IpNet>) -> Self {
        Arc::make_mut(&mut self.config).trusted_proxies = networks.into_iter().collect();
        self
    }

    /// The header that carries the request id; `X-Request-Id` by default.
    #[must_use]
    pub fn request_id_header(mut self, header: HeaderName) -> Self {
        Arc::make_mut(&mut self.config).request_id_header = header;
        self
    }
}

impl fmt::Debug for AuditLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditLayer")
            .field("actor", &self.config.actor.is_some())
            .field("trusted_proxies", &self.config.trusted_proxies)
            .field("request_id_header", &self.config.request_id_header)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for AuditLayer {
    type Service = AuditService<S>;

    fn layer(&self, inner: S) -> AuditService<S> {
        AuditService {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service [`AuditLayer`] wraps around another.
#[derive(Clone)]
pub struct AuditService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S: fmt::Debug> fmt::Debug for AuditService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// What the layer puts in a request's extensions for `Audit<T>` to find.
#[derive(Clone)]
pub(super) struct RequestScope {
    pub(super) scope: Arc<Scope>,
    pub(super) actor: Option<Arc<ActorFn>>,
}

impl<S, B, R> Service<Request<B>> for AuditService<S>
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let config = &self.config;
        let context = Context {
            ip: client::client_ip(&parts, &config.trusted_proxies),
            user_agent: client::user_agent(&parts),
            request_id: Some(client::request_id(&parts, &config.request_id_header)),
            ..Context::default()
        };
        let scope = Arc::new(Scope::new(Arc::clone(&config.sink), context));
        parts.extensions.insert(RequestScope {
            scope: Arc::clone(&scope),
            actor: config.actor.clone(),
        });
        let future = self.inner.call(Request::from_parts(parts, body));
        ResponseFuture {
            stage: Stage::Handler { handler: future },
            scope,
        }
    }
}

pin_project! {
    /// The response of an [`AuditService`]: the inner service's, once the
    /// request's entries are committed with its status.
    ///
    /// The entries go to the sink with
    /// [`export_async`](crate::AuditSink::export_async), which awaits room in a
    /// sink that is behind instead of blocking the thread. A panic of the inner
    /// future is caught and answered `500 Internal Server Error`, the entries
    /// committed with 500. Dropped before the inner future is ready (the client
    /// went away), the entries are exported without a status, flagged
    /// [`Uncommitted`](crate::Flag::Uncommitted); dropped while exporting, the
    /// rest are exported without waiting.
    pub struct ResponseFuture<F: Future> {
        #[pin]
        stage: Stage<F>,
        scope: Arc<Scope>,
    }

    impl<F: Future> PinnedDrop for ResponseFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            if matches!(*this.stage.as_ref(), Stage::Handler { .. }) {
                // The handler first (dropped in place), so that its guards
                // leave their entries; dropping what `settle` returns exports
                // them without waiting.
                this.stage.set(Stage::Done);
                drop(this.scope.settle(None));
            }
        }
    }
}

pin_project! {
    #[project = StageProjection]
    enum Stage<F: Future> {
        // The handler runs, pinned in place: it is dropped before the scope
        // is settled, so that the guards it holds leave their entries first.
        Handler { #[pin] handler: F },
        // The entries are exported; then the response is returned.
        Exporting { exporting: Pin<Box<dyn Future<Output = F::Output> + Send>> },
        Done,
    }
}

impl<F: Future> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match self.stage {
            Stage::Handler { .. } => "handler",
            Stage::Exporting { .. } => "exporting",
            Stage::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("stage", &stage)
            .finish_non_exhaustive()
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
    R: Default + Send + 'static,
    E: Send + 'static,
{
    type Output = Result<Response<R>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.stage.as_mut().project() {
                StageProjection::Handler { handler } => {
                    let output = match catch_unwind(AssertUnwindSafe(|| handler.poll(cx))) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(output)) => output,
                        Err(_panic) => {
                            report_panic();
                            let mut response = Response::new(R::default());
                            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                            Ok(response)
                        }
                    };
                    // Drop the handler first, so that every guard it holds has left its entry.
                    this.stage.set(Stage::Done);
                    let status = output
                        .as_ref()
                        .ok()
                        .map(|response| response.status().as_u16());
                    let entries = this.scope.settle(status);
                    if entries.is_empty() {
                        return Poll::Ready(output);
                    }
                    this.stage.set(Stage::Exporting {
                        exporting: Box::pin(async move {
                            entries.export().await;
                            output
                        }),
                    });
                }
                StageProjection::Exporting { exporting } => {
                    let output = std::task::ready!(exporting.as_mut().poll(cx));
                    this.stage.set(Stage::Done);
                    return Poll::Ready(output);
                }
                // Polled after it was ready: the future contract allows
                // anything but undefined behaviour; never panic.
                StageProjection::Done => return Poll::Pending,
            }
        }
    }
}

/// The panic itself was reported by the panic hook; this says what became of it.
fn report_panic() {
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "audit",
        "a handler panicked; answered 500 Internal Server Error and committed its audit entries with status 500"
    );
}
