//! `audit ingest`: a Kafka topic's entries into a store, each origin's chain
//! kept.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use audit_core::postgres::PostgresStore;
use audit_core::sqlite::SqliteStore;
use audit_core::store::ingest::Appended;
use rusqlite::{Connection, TransactionBehavior};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::kafka::{Message, Reader, Topic};
use crate::store::{Location, redact};

/// Write the entries of a Kafka topic into a store, each origin's chain
/// kept: exit 0 when every message was stored or dropped as a duplicate, 1
/// when some were rejected, 2 when the topic or the store cannot be used.
///
/// Every message is one chained line, keyed by its origin, as
/// `audit_core::kafka::KafkaSink` produces it. A line is stored, sealed,
/// when it is the next link of its origin's chain in the store; a line the
/// store holds already is dropped; any other (not a chained entry, a gap, a
/// broken link, another line at a taken sequence number) is reported on
/// standard error and never stored. The consumer group's offsets are
/// committed after the store committed: after a crash in between, the
/// messages come again and are dropped as duplicates.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The topic: `kafka://HOST:PORT/TOPIC`.
    topic: String,
    /// The store: `sqlite:PATH` or `postgres://USER@HOST/DATABASE`; its
    /// table is created or migrated if need be. The topic's origins must be
    /// none of the store's own writers'.
    store: String,
    /// The consumer group whose committed offsets say where to resume.
    #[arg(long, default_value = "audit-ingest")]
    group: String,
    /// Stop once every partition is read to its end, instead of running
    /// until stopped.
    #[arg(long)]
    until_caught_up: bool,
    /// The most messages written in one store transaction.
    #[arg(long, default_value_t = 5000)]
    batch: usize,
    /// A librdkafka property, `KEY=VALUE`, such as
    /// `security.protocol=sasl_ssl`, `sasl.mechanisms=SCRAM-SHA-512` or
    /// `ssl.ca.location=ca.pem`; repeatable.
    #[arg(long = "kafka-option", value_name = "KEY=VALUE")]
    kafka_options: Vec<String>,
    /// Fault injection for tests: exit with status 3 right after the N-th
    /// store commit, before the offsets are committed.
    #[arg(long, hide = true)]
    exit_after_store_commit: Option<u64>,
}

/// The store, open to write.
enum Target {
    Sqlite(Connection),
    Postgres {
        pool: PgPool,
        runtime: tokio::runtime::Runtime,
    },
}

impl Target {
    fn open(location: &Location) -> Result<Target, String> {
        match location {
            Location::File(path) => Err(format!(
                "{}: entries are ingested into a store: sqlite:PATH or postgres://…",
                path.display()
            )),
            Location::Sqlite(path) => {
                let conn = Connection::open(path)
                    .map_err(|error| format!("sqlite:{}: {error}", path.display()))?;
                SqliteStore::migrate(&conn)
                    .map_err(|error| format!("sqlite:{}: {error}", path.display()))?;
                Ok(Target::Sqlite(conn))
            }
            Location::Postgres(url) => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|error| format!("cannot start a runtime: {error}"))?;
                let pool = runtime
                    .block_on(async {
                        let pool = PgPoolOptions::new()
                            .max_connections(1)
                            .connect(url)
                            .await
                            .map_err(|error| error.to_string())?;
                        PostgresStore::migrate(&pool)
                            .await
                            .map_err(|error| error.to_string())?;
                        Ok::<_, String>(pool)
                    })
                    .map_err(|error| format!("{}: {error}", redact(url)))?;
                Ok(Target::Postgres { pool, runtime })
            }
        }
    }

    /// Appends each origin's lines in one transaction: what became of each.
    fn append(
        &mut self,
        origins: &BTreeMap<String, Vec<(String, String)>>,
    ) -> Result<Vec<(String, String, Appended)>, String> {
        let mut outcomes = Vec::new();
        let mut record = |origin: &String, lines: &[(String, String)], appended: Vec<Appended>| {
            for ((place, _), appended) in lines.iter().zip(appended) {
                outcomes.push((origin.clone(), place.clone(), appended));
            }
        };
        match self {
            Target::Sqlite(conn) => {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(|error| error.to_string())?;
                for (origin, lines) in origins {
                    let texts: Vec<&str> = lines.iter().map(|(_, line)| line.as_str()).collect();
                    let appended = audit_core::sqlite::append_chained(&tx, origin, &texts)
                        .map_err(|error| error.to_string())?;
                    record(origin, lines, appended);
                }
                tx.commit().map_err(|error| error.to_string())?;
            }
            Target::Postgres { pool, runtime } => runtime.block_on(async {
                let mut tx = pool.begin().await.map_err(|error| error.to_string())?;
                for (origin, lines) in origins {
                    let texts: Vec<&str> = lines.iter().map(|(_, line)| line.as_str()).collect();
                    let appended = audit_core::postgres::append_chained(&mut tx, origin, &texts)
                        .await
                        .map_err(|error| error.to_string())?;
                    record(origin, lines, appended);
                }
                tx.commit().await.map_err(|error| error.to_string())
            })?,
        }
        Ok(outcomes)
    }
}

/// What was ingested.
#[derive(Default)]
struct Counts {
    stored: u64,
    duplicates: u64,
    rejected: u64,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, String> {
    let topic = match Topic::parse(&args.topic) {
        Some(topic) => topic?.with_options(&args.kafka_options)?,
        None => {
            return Err(format!(
                "{}: a topic is given as kafka://HOST:PORT/TOPIC",
                args.topic
            ));
        }
    };
    let mut target = Target::open(&Location::parse(&args.store))?;
    let mut reader = Reader::open(&topic, Some(&args.group))?;
    let mut counts = Counts::default();
    let mut commits = 0;
    loop {
        if args.until_caught_up && reader.caught_up() {
            break;
        }
        let batch = read_batch(&mut reader, args.batch.max(1))?;
        if batch.is_empty() {
            continue;
        }
        let mut origins: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for message in batch {
            let place = message.place();
            let key = message.key.and_then(|key| String::from_utf8(key).ok());
            match (key, String::from_utf8(message.payload)) {
                (Some(origin), Ok(line)) => origins.entry(origin).or_default().push((place, line)),
                (None, _) => {
                    counts.rejected += 1;
                    eprintln!(
                        "audit ingest: {place}: rejected: no key naming the origin of its chain"
                    );
                }
                (Some(origin), Err(_)) => {
                    counts.rejected += 1;
                    eprintln!(
                        "audit ingest: {place} (origin {origin:?}): rejected: not a chained audit entry: not UTF-8"
                    );
                }
            }
        }
        for (origin, place, appended) in target.append(&origins)? {
            match appended {
                Appended::Stored { .. } => counts.stored += 1,
                Appended::Duplicate { .. } => counts.duplicates += 1,
                Appended::Rejected(rejection) => {
                    counts.rejected += 1;
                    eprintln!("audit ingest: {place} (origin {origin:?}): rejected: {rejection}");
                }
                _ => {}
            }
        }
        commits += 1;
        if args.exit_after_store_commit == Some(commits) {
            std::process::exit(3);
        }
        reader.commit()?;
    }
    println!(
        "Ingested {} entries from {topic} into {} ({} duplicates dropped, {} rejected)",
        counts.stored,
        redact(&args.store),
        counts.duplicates,
        counts.rejected
    );
    Ok(if counts.rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Up to `max` messages: those that come before the topic is quiet for a
/// moment.
fn read_batch(reader: &mut Reader, max: usize) -> Result<Vec<Message>, String> {
    let mut batch = Vec::new();
    let started = Instant::now();
    while batch.len() < max && started.elapsed() < Duration::from_secs(1) {
        match reader.poll(Duration::from_millis(100))? {
            Some(message) => batch.push(message),
            None => break,
        }
    }
    Ok(batch)
}
