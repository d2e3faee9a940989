//! The Kafka path, against a real broker: entries per second through two
//! `KafkaSink`s (two writers, each its own origin and spool, exporting
//! prebuilt entries on a thread each, until the broker acknowledged them
//! all) against the same client, librdkafka with the same settings,
//! producing the same entries as prebuilt chained lines from two producers;
//! and the rate at which `postgres::append_chained`, what `audit ingest`
//! runs for every batch it consumes, stores chained lines in PostgreSQL.
//!
//! The broker is `AUDIT_BENCH_KAFKA` when set, else a throwaway Tansu broker
//! started with `.ci/kafka.sh`; PostgreSQL is `AUDIT_BENCH_DATABASE_URL`
//! when set, else a throwaway server started with `.ci/pg.sh` (fsync off, as
//! in the tests). Both are stopped at the end. Run with
//! `cargo bench -p audit-core --features kafka,postgres --bench kafka -- [--entries 20000] [--rounds 3]`;
//! the sink and the client alternate, round after round, so that a busy
//! machine disturbs them alike. See docs/performance.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use audit_core::chain::Chainer;
use audit_core::kafka::KafkaSink;
use audit_core::{Action, AuditEntry, AuditRequest, AuditSink, Auditable, MemorySink};
use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer as _};
use sqlx::PgPool;

#[derive(Clone, serde::Serialize, Auditable)]
#[audit(org = organization_id)]
struct Doc {
    #[audit(track)]
    id: String,
    #[audit(ignore)]
    organization_id: String,
    #[audit(track)]
    archived: bool,
    #[audit(track)]
    labels: Vec<String>,
}

/// `count` entries, each a document archived, as a request records them.
fn entries(count: usize) -> Vec<AuditEntry> {
    let sink = MemorySink::new();
    for n in 0..count {
        let old = Doc {
            id: format!("doc-{n}"),
            organization_id: format!("org-{}", n % 10),
            archived: false,
            labels: vec!["team:core".into(), "kind:report".into()],
        };
        let mut audit = AuditRequest::new(&sink, Action::WRITE)
            .actor(format!("user-{}", n % 100))
            .request_id(format!("req-{n}"));
        audit.set_old(old.clone());
        audit.set_new(Doc {
            archived: true,
            ..old
        });
        audit.commit(200).unwrap();
    }
    sink.entries()
}

/// `entries` as the chained lines of `origin`, as a sink would produce them.
fn chained(origin: &str, entries: &[AuditEntry]) -> Vec<String> {
    let mut chainer = Chainer::new(origin);
    entries
        .iter()
        .map(|entry| {
            let mut line = Vec::new();
            chainer
                .append(serde_json::to_string(entry).unwrap().as_bytes(), &mut line)
                .unwrap();
            String::from_utf8(line).unwrap()
        })
        .collect()
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.ci")
        .join(name)
}

/// What `.ci/SCRIPT start STATE` prints, and the state to stop, unless
/// `variable` names a server.
fn server(variable: &str, name: &str) -> (String, Option<PathBuf>) {
    if let Ok(address) = std::env::var(variable) {
        return (address, None);
    }
    let state = std::env::temp_dir().join(format!("audit-bench-{name}-{}", std::process::id()));
    let output = Command::new(script(name))
        .arg("start")
        .arg(&state)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).unwrap().trim().to_owned(),
        Some(state),
    )
}

/// Two `KafkaSink`s, each exporting `entries` on a thread, until the broker
/// acknowledged every one: entries per second.
fn through_sinks(broker: &str, topic: &str, entries: &[AuditEntry]) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let sinks: Vec<KafkaSink> = ["sink-1", "sink-2"]
        .into_iter()
        .map(|origin| {
            KafkaSink::builder(broker, topic, dir.path().join(origin))
                .origin(origin)
                .open()
                .unwrap()
        })
        .collect();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for (index, sink) in sinks.iter().enumerate() {
            scope.spawn(move || {
                for entry in entries {
                    let mut entry = entry.clone();
                    // Each writer's entries have ids of their own.
                    if index == 1 {
                        entry.id = uuid::Uuid::now_v7();
                    }
                    sink.export(entry).unwrap();
                }
                sink.wait_delivered(Duration::from_mins(5)).unwrap();
            });
        }
    });
    rate(2 * entries.len(), started.elapsed())
}

/// Two producers with the sink's settings, each producing `lines` keyed by
/// its origin, until the broker acknowledged every one: entries per second.
fn through_client(broker: &str, topic: &str, lines: &[(String, Vec<String>)]) -> f64 {
    let producers: Vec<BaseProducer> = lines
        .iter()
        .map(|_| {
            ClientConfig::new()
                .set("bootstrap.servers", broker)
                .set("enable.idempotence", "true")
                .set("acks", "all")
                .set("message.timeout.ms", "0")
                .set("linger.ms", "5")
                .create()
                .unwrap()
        })
        .collect();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for (producer, (origin, lines)) in producers.iter().zip(lines) {
            scope.spawn(move || {
                for line in lines {
                    let mut record = BaseRecord::<str, str>::to(topic).key(origin).payload(line);
                    loop {
                        match producer.send(record) {
                            Ok(()) => break,
                            Err((_, unsent)) => {
                                record = unsent;
                                producer.poll(Duration::from_millis(5));
                            }
                        }
                    }
                    producer.poll(Duration::ZERO);
                }
                producer.flush(Duration::from_mins(5)).unwrap();
            });
        }
    });
    rate(
        lines.iter().map(|(_, lines)| lines.len()).sum(),
        started.elapsed(),
    )
}

#[allow(clippy::cast_precision_loss)]
fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// `lines` appended to a fresh store in transactions of 5000, as `audit
/// ingest` does: rows per second.
async fn ingest(url: &str, lines: &[(String, Vec<String>)]) -> f64 {
    let admin = PgPool::connect(url).await.unwrap();
    sqlx::raw_sql("DROP SCHEMA IF EXISTS bench_ingest CASCADE; CREATE SCHEMA bench_ingest")
        .execute(&admin)
        .await
        .unwrap();
    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options.options([("search_path", "bench_ingest")]))
        .await
        .unwrap();
    audit_core::postgres::PostgresStore::migrate(&pool)
        .await
        .unwrap();
    let started = Instant::now();
    let mut stored = 0;
    for (origin, lines) in lines {
        for batch in lines.chunks(5000) {
            let mut tx = pool.begin().await.unwrap();
            let texts: Vec<&str> = batch.iter().map(String::as_str).collect();
            let appended = audit_core::postgres::append_chained(&mut tx, origin, &texts)
                .await
                .unwrap();
            stored += appended.len();
            tx.commit().await.unwrap();
        }
    }
    let elapsed = started.elapsed();
    sqlx::raw_sql("DROP SCHEMA bench_ingest CASCADE")
        .execute(&admin)
        .await
        .unwrap();
    rate(stored, elapsed)
}

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn main() {
    let mut count = 20_000;
    let mut rounds = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--entries" => count = args.next().unwrap().parse().unwrap(),
            "--rounds" => rounds = args.next().unwrap().parse().unwrap(),
            // What cargo bench passes to every bench binary.
            "--bench" => {}
            other => panic!("unknown argument {other:?}"),
        }
    }
    let (broker, kafka_state) = server("AUDIT_BENCH_KAFKA", "kafka.sh");
    let (url, pg_state) = server("AUDIT_BENCH_DATABASE_URL", "pg.sh");
    let entries = entries(count);
    // Entries of their own, so that a topic can be ingested into a store
    // afterwards (`AUDIT_BENCH_KAFKA`): a store holds an id once.
    let lines: Vec<(String, Vec<String>)> = ["client-1", "client-2"]
        .into_iter()
        .map(|origin| (origin.to_owned(), chained(origin, &self::entries(count))))
        .collect();
    let (mut sinks, mut clients) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let topic = format!("bench-{round}-{}", std::process::id());
        let sink = through_sinks(&broker, &topic, &entries);
        let client = through_client(&broker, &topic, &lines);
        println!(
            "round {round}: KafkaSink {sink:>7.0} entries/s, client with prebuilt lines {client:>7.0} entries/s: {:.2}x",
            client / sink
        );
        sinks.push(sink);
        clients.push(client);
    }
    let (sink, client) = (median(&mut sinks), median(&mut clients));
    println!(
        "median of {rounds} rounds, 2 writers x {count} entries: KafkaSink {sink:.0} entries/s, client {client:.0} entries/s: the client is {:.2}x the sink",
        client / sink
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stored = runtime.block_on(ingest(&url, &lines));
    println!(
        "append_chained into PostgreSQL, transactions of 5000: {stored:.0} entries/s ({} entries, 2 origins)",
        2 * count
    );
    for (state, name) in [(kafka_state, "kafka.sh"), (pg_state, "pg.sh")] {
        if let Some(state) = state {
            let _ = Command::new(script(name)).arg("stop").arg(state).status();
        }
    }
}
