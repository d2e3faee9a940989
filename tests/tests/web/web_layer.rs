//! `AuditLayer` on its own, over real HTTP: what happens to the entries of a
//! handler that panics, of a client that goes away, of a guard that outlives
//! its response, and with tower-http's request ids.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit_core::axum::{Audit, AuditLayer};
use audit_core::{AuditEntry, AuditSink, Auditable, ExportError, ExportFuture, Flag, MemorySink};
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::routing::post;
use tower::ServiceExt as _;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

#[derive(Clone, serde::Serialize, Auditable)]
struct Item {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    count: u32,
}

fn change(audit: &mut Audit<Item>) {
    audit.set_old(Item { id: 1, count: 0 });
    audit.set_new(Item { id: 1, count: 1 });
}

async fn panics(mut audit: Audit<Item>) -> StatusCode {
    change(&mut audit);
    panic!("the handler failed");
}

async fn hangs(mut audit: Audit<Item>) -> StatusCode {
    change(&mut audit);
    std::future::pending().await
}

async fn hands_off(mut audit: Audit<Item>) -> StatusCode {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        change(&mut audit);
    });
    StatusCode::ACCEPTED
}

async fn changes(mut audit: Audit<Item>) -> StatusCode {
    change(&mut audit);
    StatusCode::OK
}

async fn changes_two(mut first: Audit<Item>, mut second: Audit<Item>) -> StatusCode {
    change(&mut first);
    change(&mut second);
    StatusCode::OK
}

fn routes(sink: &Arc<impl AuditSink + 'static>) -> Router {
    Router::new()
        .route("/panics", post(panics))
        .route("/hangs", post(hangs))
        .route("/hands-off", post(hands_off))
        .route("/changes", post(changes))
        .route("/changes-two", post(changes_two))
        .layer(AuditLayer::new(sink.clone()).actor(|_| Some("ada".to_owned())))
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    address
}

/// Waits up to five seconds for the sink to hold `count` entries.
async fn wait_for(sink: &MemorySink, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while sink.len() < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sink.len(), count, "{:#?}", sink.entries());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_is_answered_500_and_audited_with_500() {
    let sink = Arc::new(MemorySink::new());
    let address = serve(routes(&sink)).await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("http://{address}/panics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let entry = sink.last().unwrap();
    assert_eq!(entry.status_code, Some(500));
    assert!(entry.diff.is_empty());
    assert_eq!(entry.resource_id, "1");
    assert_eq!(entry.actor.as_deref(), Some("ada"));
    assert!(entry.flags.is_empty());

    // The server still serves.
    let response = client
        .post(format!("http://{address}/changes"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(sink.len(), 2);
    sink.assert_one_change("item", "1", &["count"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_leaves_an_uncommitted_entry() {
    let sink = Arc::new(MemorySink::new());
    let address = serve(routes(&sink)).await;
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .write_all(b"POST /hangs HTTP/1.1\r\nhost: test\r\ncontent-length: 0\r\n\r\n")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sink.is_empty(), "nothing before the request ends");
    drop(stream);

    wait_for(&sink, 1).await;
    let entry = sink.last().unwrap();
    assert_eq!(entry.status_code, None);
    assert_eq!(entry.flags, [Flag::Uncommitted]);
    assert_eq!(entry.diff.keys().collect::<Vec<_>>(), ["count"]);
    assert_eq!(entry.ip, Some([127, 0, 0, 1].into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guard_that_outlives_its_response_is_exported_when_dropped() {
    let sink = Arc::new(MemorySink::new());
    let address = serve(routes(&sink)).await;
    let response = reqwest::Client::new()
        .post(format!("http://{address}/hands-off"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    wait_for(&sink, 1).await;
    let entry = sink.last().unwrap();
    assert_eq!(entry.status_code, None);
    assert_eq!(entry.flags, [Flag::Uncommitted]);
    assert_eq!(entry.actor.as_deref(), Some("ada"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_id_of_tower_http_is_recorded() {
    let sink = Arc::new(MemorySink::new());
    let app = routes(&sink)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    let address = serve(app).await;
    let client = reqwest::Client::new();

    let response = client
        .post(format!("http://{address}/changes"))
        .send()
        .await
        .unwrap();
    let made = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(sink.last().unwrap().request_id.as_deref(), Some(made));

    let response = client
        .post(format!("http://{address}/changes"))
        .header("x-request-id", "r-7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "r-7");
    assert_eq!(sink.last().unwrap().request_id.as_deref(), Some("r-7"));
}

#[tokio::test]
async fn a_handler_without_the_layer_is_answered_500_saying_so() {
    let app = Router::new().route("/changes", post(changes));
    let request = Request::post("/changes").body(Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&body).contains("did not pass through an `AuditLayer`"),
        "{body:?}",
    );
}

/// Without `ConnectInfo` there is no address; the rest is recorded.
#[tokio::test]
async fn without_connect_info_there_is_no_address() {
    let sink = Arc::new(MemorySink::new());
    let request = Request::post("/changes")
        .header("user-agent", "probe/1")
        .body(Body::empty())
        .unwrap();
    let response = routes(&sink).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let entry = sink.last().unwrap();
    assert_eq!(entry.ip, None);
    assert_eq!(entry.user_agent.as_deref(), Some("probe/1"));
    assert_eq!(entry.status_code, Some(200));
}

/// A sink that is behind: `export_async` waits `delay` (forever when
/// `None`) before taking the entry, and takes it when dropped early, as the
/// contract of `export_async` asks. It records which method took each entry.
struct SlowSink {
    delay: Option<Duration>,
    taken: std::sync::Mutex<Vec<(&'static str, AuditEntry)>>,
}

impl SlowSink {
    fn new(delay: Option<Duration>) -> Arc<Self> {
        Arc::new(SlowSink {
            delay,
            taken: std::sync::Mutex::default(),
        })
    }

    fn take(&self, how: &'static str, entry: AuditEntry) {
        self.taken.lock().unwrap().push((how, entry));
    }

    fn taken(&self) -> Vec<&'static str> {
        self.taken
            .lock()
            .unwrap()
            .iter()
            .map(|(how, _)| *how)
            .collect()
    }
}

/// Takes its entry when dropped before it was taken.
struct Handing<'a>(&'a SlowSink, Option<AuditEntry>);

impl Drop for Handing<'_> {
    fn drop(&mut self) {
        if let Some(entry) = self.1.take() {
            self.0.take("export_async, dropped", entry);
        }
    }
}

impl AuditSink for SlowSink {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.take("export", entry);
        Ok(())
    }

    fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.take("export_without_waiting", entry);
        Ok(())
    }

    fn export_async(&self, entry: AuditEntry) -> ExportFuture<'_> {
        let delay = self.delay;
        Box::pin(async move {
            let mut handing = Handing(self, Some(entry));
            match delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => std::future::pending().await,
            }
            if let Some(entry) = handing.1.take() {
                self.take("export_async", entry);
            }
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_are_exported_on_the_async_path_before_the_response() {
    let sink = SlowSink::new(Some(Duration::from_millis(50)));
    let address = serve(routes(&sink)).await;
    let response = reqwest::Client::new()
        .post(format!("http://{address}/changes-two"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(sink.taken(), ["export_async", "export_async"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_gone_while_the_sink_is_behind_loses_no_entry() {
    let sink = SlowSink::new(None);
    let address = serve(routes(&sink)).await;
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .write_all(b"POST /changes-two HTTP/1.1\r\nhost: test\r\ncontent-length: 0\r\n\r\n")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sink.taken().is_empty(), "the first export waits for room");
    drop(stream);

    let deadline = Instant::now() + Duration::from_secs(5);
    while sink.taken().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        sink.taken(),
        ["export_async, dropped", "export_without_waiting"]
    );
    // Committed with the status: the handler had answered.
    for (_, entry) in sink.taken.lock().unwrap().iter() {
        assert_eq!(entry.status_code, Some(200));
        assert!(entry.flags.is_empty());
    }
}
