//! A service behind `AuditLayer`: requests per second and latency at 16
//! concurrent connections over loopback, against the same axum handler
//! without auditing. Each request archives a chat: the audited handler sets
//! the old and new values on its `Audit<Chat>`, which the layer commits with
//! the response's status; the plain one builds the same values and drops them.
//!
//! Run with
//! `cargo bench -p audit-core --features axum,sqlite --bench web_layer -- [--seconds 3] [--rounds 3] [plain null memory floor sqlite ...]`;
//! the variants named (all by default) run in turn, round after round, so
//! that a busy machine disturbs them alike. See docs/performance.md.
//!
//! The variant `floor` is no store of this library: a writer thread
//! inserting each entry's JSON, and its id, into a table without any other
//! column or index, 1,000 rows a transaction, synced as `SqliteStore`
//! syncs. It is what the cheapest durable SQLite row costs behind the layer,
//! the ceiling of any SQLite store here (see docs/performance.md).
//!
//! Two more modes, for other tools: `--serve ADDR VARIANT` serves one
//! variant until killed, for a load generator of its own (`wrk -c16`), and
//! `--in-process N VARIANT...` sends N requests through the router without
//! sockets, for `valgrind --tool=callgrind` to count what a request costs in
//! user space.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit_core::axum::{Audit, AuditLayer};
use audit_core::sqlite::SqliteStore;
use audit_core::{AuditSink, Auditable, MemorySink};
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::post;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use uuid::Uuid;

/// Concurrent connections, each sending its next request when the last
/// response arrived.
const CONNECTIONS: usize = 16;

#[derive(Clone, serde::Serialize, Auditable)]
#[audit(org = organization_id, link = "/chats/{id}")]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    owner_id: Uuid,
    #[audit(ignore)]
    organization_id: Uuid,
    #[audit(secret)]
    title: String,
    #[audit(track)]
    archived: bool,
    #[audit(track)]
    labels: Vec<String>,
}

/// The chat a request archives, as a handler would read it.
fn chat(id: u64) -> Chat {
    Chat {
        id,
        owner_id: Uuid::from_u128(0xaa),
        organization_id: Uuid::from_u128(0x01),
        title: format!("Chat {id}"),
        archived: false,
        labels: vec!["team:core".to_owned()],
    }
}

async fn archive_plain(Path(id): Path<u64>) -> StatusCode {
    let old = chat(id);
    let new = Chat {
        archived: true,
        ..old.clone()
    };
    std::hint::black_box((old, new));
    StatusCode::OK
}

async fn archive_audited(Path(id): Path<u64>, mut audit: Audit<Chat>) -> StatusCode {
    let old = chat(id);
    let new = Chat {
        archived: true,
        ..old.clone()
    };
    audit.set_old(old);
    audit.set_new(new);
    StatusCode::OK
}

/// One variant: its name and the router it serves (and what must outlive it).
fn router(variant: &str, dir: &std::path::Path) -> (Router, Option<Arc<dyn AuditSink>>) {
    let audited = |sink: Arc<dyn AuditSink>| {
        let router = Router::new()
            .route("/chats/{id}/archive", post(archive_audited))
            .layer(AuditLayer::new(sink.clone()).actor(|_| Some("user-1".to_owned())));
        (router, Some(sink))
    };
    match variant {
        "plain" => (
            Router::new().route("/chats/{id}/archive", post(archive_plain)),
            None,
        ),
        "memory" => audited(Arc::new(MemorySink::new())),
        "null" => audited(Arc::new(Null)),
        "sqlite" => audited(Arc::new(
            SqliteStore::open(dir.join(format!("audit-{}.db", Uuid::now_v7())))
                .unwrap_or_else(|error| panic!("{error}")),
        )),
        "floor" => audited(Arc::new(Floor::open(
            &dir.join(format!("floor-{}.db", Uuid::now_v7())),
        ))),
        other => panic!("unknown variant {other}: plain, null, memory, sqlite or floor"),
    }
}

/// Sends requests on one connection until `end`; the latency of each.
async fn client(address: SocketAddr, first: u64, end: Instant) -> Vec<Duration> {
    let mut stream = TcpStream::connect(address)
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    stream
        .set_nodelay(true)
        .unwrap_or_else(|error| panic!("{error}"));
    let mut latencies = Vec::new();
    let mut buffer = Vec::with_capacity(1024);
    let mut n = first;
    while Instant::now() < end {
        let request =
            format!("POST /chats/{n}/archive HTTP/1.1\r\nhost: bench\r\ncontent-length: 0\r\n\r\n");
        n += 1;
        let start = Instant::now();
        stream
            .write_all(request.as_bytes())
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        read_response(&mut stream, &mut buffer).await;
        latencies.push(start.elapsed());
    }
    latencies
}

/// Reads one response (its head and `content-length` bytes of body).
async fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) {
    loop {
        if let Some(head) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&buffer[..head]).to_ascii_lowercase();
            assert!(text.starts_with("http/1.1 200"), "{text}");
            let length: usize = text
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |value| value.trim().parse().unwrap_or(0));
            let total = head + 4 + length;
            if buffer.len() >= total {
                buffer.drain(..total);
                return;
            }
        }
        let mut chunk = [0u8; 1024];
        let read = stream
            .read(&mut chunk)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(read > 0, "the server closed the connection");
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// Requests per second, median and 99th percentile latency of one run.
fn run(variant: &str, seconds: f64, dir: &std::path::Path) -> (f64, Duration, Duration) {
    let server = server_runtime();
    let (app, sink) = router(variant, dir);
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap_or_else(|error| panic!("{error}"));
    let address = listener
        .local_addr()
        .unwrap_or_else(|error| panic!("{error}"));
    server.spawn(serve(listener, app));
    // The load generator: its own thread and runtime, as a separate client would be.
    let clients = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    let warm_up = Instant::now() + Duration::from_millis(500);
    clients.block_on(async {
        let tasks: Vec<_> = (0..CONNECTIONS)
            .map(|c| tokio::spawn(client(address, c as u64 * 1_000_000_000, warm_up)))
            .collect();
        for task in tasks {
            let _ = task.await;
        }
    });
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut latencies: Vec<Duration> = clients.block_on(async {
        let tasks: Vec<_> = (0..CONNECTIONS)
            .map(|c| tokio::spawn(client(address, (c as u64 + 100) * 1_000_000_000, end)))
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap_or_else(|error| panic!("{error}")));
        }
        all
    });
    let elapsed = start.elapsed().as_secs_f64();
    if let Some(sink) = sink {
        sink.flush().unwrap_or_else(|error| panic!("{error}"));
    }
    server.shutdown_timeout(Duration::from_secs(1));
    latencies.sort();
    let at = |percent: usize| latencies[(latencies.len() * percent / 100).min(latencies.len() - 1)];
    let requests = f64::from(u32::try_from(latencies.len()).unwrap_or(u32::MAX));
    (requests / elapsed, at(50), at(99))
}

/// The server's runtime: two workers, one per core.
fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("{error}"))
}

/// Serves `app` on `listener`, with the peer's address for the layer.
async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Serves `calls` requests in process, without sockets: what the layer adds
/// to a request in user space, for `valgrind --tool=callgrind` to count.
fn in_process(variant: &str, calls: u64, dir: &std::path::Path) {
    use tower::ServiceExt as _;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    let (app, sink) = router(variant, dir);
    runtime.block_on(async {
        for n in 0..calls {
            let mut request = axum::http::Request::post(format!("/chats/{n}/archive"))
                .header("host", "bench")
                .body(axum::body::Body::empty())
                .unwrap_or_else(|error| panic!("{error}"));
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(SocketAddr::from((
                    [127, 0, 0, 1],
                    40_000,
                ))));
            let response = app
                .clone()
                .oneshot(request)
                .await
                .unwrap_or_else(|error| match error {});
            assert_eq!(response.status(), StatusCode::OK);
        }
    });
    if let Some(sink) = sink {
        sink.flush().unwrap_or_else(|error| panic!("{error}"));
    }
}

fn main() {
    let mut seconds = 3.0;
    let mut rounds = 3;
    let mut calls = None;
    let mut address = None;
    let mut variants = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(seconds),
            "--rounds" => rounds = args.next().and_then(|s| s.parse().ok()).unwrap_or(rounds),
            "--in-process" => calls = args.next().and_then(|s| s.parse().ok()),
            "--serve" => address = args.next(),
            // cargo bench passes `--bench`.
            flag if flag.starts_with("--") => {}
            variant => variants.push(variant.to_owned()),
        }
    }
    if variants.is_empty() {
        variants = vec![
            "plain".into(),
            "null".into(),
            "memory".into(),
            "floor".into(),
            "sqlite".into(),
        ];
    }
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    if let Some(address) = address {
        let (app, _sink) = router(&variants[0], dir.path());
        server_runtime()
            .block_on(async {
                let listener = tokio::net::TcpListener::bind(&address).await?;
                serve(listener, app).await
            })
            .unwrap_or_else(|error| panic!("{error}"));
        return;
    }
    if let Some(calls) = calls {
        for variant in &variants {
            in_process(variant, calls, dir.path());
        }
        return;
    }
    println!("{CONNECTIONS} connections, {seconds} s a run");
    println!("round\tvariant\trequests/s\tp50\tp99");
    for round in 1..=rounds {
        for variant in &variants {
            let (rps, p50, p99) = run(variant, seconds, dir.path());
            println!("{round}\t{variant}\t{rps:.0}\t{p50:.2?}\t{p99:.2?}");
        }
    }
}

/// A sink that drops every entry: what the layer, the guard and the entry
/// cost without a sink's own work.
struct Null;

impl AuditSink for Null {
    fn export(&self, entry: audit_core::AuditEntry) -> Result<(), audit_core::ExportError> {
        drop(std::hint::black_box(entry));
        Ok(())
    }
}

/// The cheapest durable SQLite row: the entry's JSON and its id in a table
/// with no other column and no index, inserted on a thread of its own,
/// 1,000 rows a transaction, in WAL mode synced on commit (as `SqliteStore`
/// is). No chain, no query columns, no changed paths: a ceiling, not a store.
struct Floor {
    queue: tokio::sync::mpsc::Sender<Message>,
}

/// What the floor's writer receives: an entry, or a flush to answer once
/// what came before it is committed.
#[expect(
    clippy::large_enum_variant,
    reason = "entries are the traffic; a flush is rare"
)]
enum Message {
    Entry(audit_core::AuditEntry),
    Flush(std::sync::mpsc::SyncSender<()>),
}

impl Floor {
    fn open(path: &std::path::Path) -> Self {
        let conn = rusqlite::Connection::open(path).unwrap_or_else(|error| panic!("{error}"));
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE entries (id BLOB PRIMARY KEY, entry_json TEXT NOT NULL) STRICT;",
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let (queue, mut received) = tokio::sync::mpsc::channel(4096);
        std::thread::spawn(move || {
            let mut batch = Vec::with_capacity(1000);
            while let Some(first) = received.blocking_recv() {
                batch.push(first);
                while batch.len() < 1000 {
                    match received.try_recv() {
                        Ok(message) => batch.push(message),
                        Err(_) => break,
                    }
                }
                let transaction = conn
                    .unchecked_transaction()
                    .unwrap_or_else(|error| panic!("{error}"));
                {
                    let mut insert = transaction
                        .prepare_cached("INSERT INTO entries (id, entry_json) VALUES (?1, ?2)")
                        .unwrap_or_else(|error| panic!("{error}"));
                    for message in &batch {
                        if let Message::Entry(entry) = message {
                            let json = serde_json::to_string(entry)
                                .unwrap_or_else(|error| panic!("{error}"));
                            insert
                                .execute(rusqlite::params![entry.id.as_bytes(), json])
                                .unwrap_or_else(|error| panic!("{error}"));
                        }
                    }
                }
                transaction
                    .commit()
                    .unwrap_or_else(|error| panic!("{error}"));
                for message in batch.drain(..) {
                    if let Message::Flush(reply) = message {
                        let _ = reply.send(());
                    }
                }
            }
        });
        Floor { queue }
    }
}

impl AuditSink for Floor {
    fn export(&self, entry: audit_core::AuditEntry) -> Result<(), audit_core::ExportError> {
        self.queue
            .blocking_send(Message::Entry(entry))
            .unwrap_or_else(|_| panic!("the floor's writer stopped"));
        Ok(())
    }

    fn export_async(&self, entry: audit_core::AuditEntry) -> audit_core::ExportFuture<'_> {
        Box::pin(async move {
            self.queue
                .send(Message::Entry(entry))
                .await
                .unwrap_or_else(|_| panic!("the floor's writer stopped"));
            Ok(())
        })
    }

    fn flush(&self) -> Result<(), audit_core::ExportError> {
        let (reply, done) = std::sync::mpsc::sync_channel(1);
        self.queue
            .blocking_send(Message::Flush(reply))
            .unwrap_or_else(|_| panic!("the floor's writer stopped"));
        done.recv().unwrap_or_else(|error| panic!("{error}"));
        Ok(())
    }
}
