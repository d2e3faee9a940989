//! A sink for fleets: [`KafkaSink`] produces each entry to a Kafka topic,
//! as the line a [`JsonLinesSink`](crate::JsonLinesSink) would write,
//! chained per origin, and spools it on disk until the broker has it.
//!
//! # The path of an entry
//!
//! 1. The caller serializes the entry and appends its line to the writer
//!    engine's queue, exactly as for the JSON-lines sink (bounded, with the
//!    same waits and errors).
//! 2. The writer thread chains the lines (the [`chain`](crate::chain)
//!    format, whose origin is the sink's) and appends them to the spool, a
//!    local file; [`flush`](crate::AuditSink::flush) returns once they are
//!    synced to it. From then on nothing loses them: a process killed with
//!    `kill -9` and restarted on the same spool delivers them, and its chain
//!    continues from the spool's last line.
//! 3. A deliverer thread produces each spooled line as one message whose
//!    key is the origin, so that one writer's chain stays in one partition,
//!    in order, with an idempotent producer and `acks=all`, and drops the
//!    lines the broker acknowledged from the spool.
//!    [`KafkaSink::wait_delivered`] waits for that.
//!
//! While the broker is unreachable, the lines wait in the spool, which is
//! bounded ([`DEFAULT_MAX_SPOOL_BYTES`]): when it is full, the writer waits,
//! its queue fills, and exporters wait and then get
//! [`ExportError::QueueFull`] with their entry, as with a stalled disk; a
//! flush waits until the spool has room for what it flushes. When the
//! broker is back, the spool drains in order. A sink dropped meanwhile
//! spools what is left beyond the bound, tries to deliver for
//! [`DEFAULT_DRAIN_ON_CLOSE`], and leaves the rest to the next sink opened
//! on the spool.
//!
//! A line can reach the topic twice: after a restart, the lines after the
//! last acknowledged one are sent again, and a producer that had to start
//! over after a fatal error sends again what was not acknowledged. Both
//! copies are the same bytes, with the same entry id and the same
//! sequence number: `audit verify kafka://…` and `audit ingest` drop the
//! second, and report two different lines with one sequence number.
//!
//! # Reading the topic
//!
//! `audit verify kafka://HOST:PORT/TOPIC` verifies every origin's chain in
//! a topic; `audit ingest kafka://HOST:PORT/TOPIC postgres://…` (or
//! `sqlite:PATH`) writes the entries into a store, each origin's chain
//! kept, and commits the consumer group's offsets only after the store
//! committed: instances → Kafka → one ingester → PostgreSQL → the
//! auditors' page.
//!
//! # Why librdkafka
//!
//! The sink produces through [`rdkafka`], the binding to librdkafka, the
//! client most Kafka deployments run: its idempotent producer keeps each
//! partition's order through retries and reconnections and drops its own
//! duplicates on the broker, it speaks every broker version, TLS and SASL
//! (set through [`KafkaSinkBuilder::set`]), and its consumer commits
//! offsets as the ingester needs. The pure-Rust clients were weighed:
//! `rskafka` builds in half the time (`docs/performance.md` has the
//! figures) but has no idempotent producer, no consumer groups and no
//! offset commits, and is no longer used by the project it was written for;
//! the newer ones are young or Kafka 4 only. librdkafka is compiled from its
//! C sources with the crate (a C compiler, `make` and `perl` are needed),
//! so nothing needs installing.
//!
//! # Example
//!
//! ```no_run
//! use audit_core::kafka::KafkaSink;
//! use audit_core::{AuditSink, BackgroundAudit, Auditable};
//!
//! #[derive(Clone, serde::Serialize, Auditable)]
//! struct Chat {
//!     #[audit(track)]
//!     id: u32,
//!     #[audit(track)]
//!     archived: bool,
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sink = KafkaSink::builder("kafka-1:9092", "audit", "/var/lib/chat/audit-spool")
//!     .origin("chat-eu-1")
//!     .open()?;
//! let old = Chat { id: 1, archived: false };
//! BackgroundAudit::new(&sink, "chat_auto_archive").write(&old, &Chat { archived: true, ..old.clone() })?;
//! sink.flush()?; // in the spool, on disk: delivered even after a crash
//! sink.wait_delivered(std::time::Duration::from_secs(5))?; // acknowledged by the broker
//! # Ok(())
//! # }
//! ```

mod deliver;
mod spool;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;

use self::deliver::{Deliverer, Target};
use self::spool::Spool;
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::chain::{Chainer, Head};
use crate::entry::AuditEntry;
use crate::sink::AuditSink;
#[cfg(feature = "tokio")]
use crate::sink::ExportFuture;
use crate::sink::deliver as report;
use crate::sink::error::ExportError;
use crate::sink::json_lines::line_writer::LineWriter;
use crate::sink::json_lines::lines::{BATCH, Lines};
use crate::writer::{Batch, Lost, Writer, WriterConfig};

/// How many bytes of lines not yet acknowledged the spool holds before the
/// writer waits for the broker: 256 MiB, some 500,000 typical entries.
pub const DEFAULT_MAX_SPOOL_BYTES: u64 = 256 * 1024 * 1024;

/// How many bytes of serialized entries wait for the writer when none is
/// set, as for the JSON-lines sink.
pub const DEFAULT_MAX_PENDING_BYTES: usize = crate::sink::json_lines::DEFAULT_MAX_PENDING_BYTES;

/// How long a closing sink still tries to deliver its spool when none is
/// set; what is left is delivered by the next sink on the spool.
pub const DEFAULT_DRAIN_ON_CLOSE: Duration = Duration::from_secs(5);

/// How long a line may wait for a batch to fill before it is spooled anyway.
const LINGER: Duration = Duration::from_millis(10);

/// Produces each entry to a Kafka topic, chained per origin, through a
/// spool on disk. See the [module](self) for the path of an entry.
pub struct KafkaSink {
    writer: LineWriter,
    spool: Arc<Spool>,
    drain_on_close: Duration,
}

impl Drop for KafkaSink {
    /// Before the writer writes what is left and stops: from now on it
    /// appends to the spool even when it is full (a writer waiting for room
    /// while the broker is away would never stop), and the deliverer has
    /// the sink's time to deliver.
    fn drop(&mut self) {
        self.spool.close(
            Instant::now()
                .checked_add(self.drain_on_close)
                .unwrap_or_else(Instant::now),
        );
    }
}

/// Configures a [`KafkaSink`].
#[derive(Debug)]
#[must_use = "the sink starts when the builder is opened"]
pub struct KafkaSinkBuilder {
    config: ClientConfig,
    topic: String,
    spool: PathBuf,
    max_spool_bytes: u64,
    drain_on_close: Duration,
    writer: WriterConfig,
}

impl KafkaSink {
    /// Configures a sink that produces to `topic` on the brokers
    /// `bootstrap_servers` (`host:port`, comma-separated), spooling in the
    /// directory `spool`, which it creates. Each sink needs a spool of its
    /// own, kept across restarts: the chain continues from it.
    pub fn builder(
        bootstrap_servers: &str,
        topic: impl Into<String>,
        spool: impl AsRef<Path>,
    ) -> KafkaSinkBuilder {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", bootstrap_servers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            // Never give up on a message: it waits for the broker in the
            // producer's queue and in the spool.
            .set("message.timeout.ms", "0")
            .set("linger.ms", "5");
        KafkaSinkBuilder {
            config,
            topic: topic.into(),
            spool: spool.as_ref().to_owned(),
            max_spool_bytes: DEFAULT_MAX_SPOOL_BYTES,
            drain_on_close: DEFAULT_DRAIN_ON_CLOSE,
            writer: WriterConfig::new("audit-kafka", DEFAULT_MAX_PENDING_BYTES, BATCH, LINGER),
        }
    }

    /// How many entries wait in the spool for the broker's acknowledgement.
    pub fn undelivered(&self) -> u64 {
        self.spool.undelivered().0
    }

    /// Flushes, then waits until the broker acknowledged every entry
    /// exported before, for up to `timeout`.
    ///
    /// # Errors
    ///
    /// The flush's error, or [`ExportError::Undelivered`] when the broker
    /// did not acknowledge them in time: they are in the spool, on disk,
    /// and are delivered when it is reachable.
    pub fn wait_delivered(&self, timeout: Duration) -> Result<(), ExportError> {
        self.writer.flush()?;
        if self.spool.wait_delivered(self.spool.end(), timeout) {
            return Ok(());
        }
        let (entries, error) = self.spool.undelivered();
        Err(ExportError::Undelivered {
            entries,
            source: error
                .unwrap_or_else(|| {
                    format!("the broker did not acknowledge them within {timeout:?}")
                })
                .into(),
        })
    }
}

impl KafkaSinkBuilder {
    /// The origin the chain starts with, which is every message's key and
    /// which its first line and checkpoints name: a stable name for the
    /// writer, such as `chat-eu-1`, distinct for each instance of a
    /// service. By default, the spool directory's name. A spool keeps the
    /// origin it was first opened with; opening it with another fails.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.writer.origin = Some(origin.into());
        self
    }

    /// Sets a librdkafka property (see its `CONFIGURATION.md`), such as
    /// `security.protocol`, `ssl.ca.location` or `sasl.mechanisms`. The
    /// sink sets `enable.idempotence=true`, `acks=all`,
    /// `message.timeout.ms=0` (no message is given up) and `linger.ms=5`;
    /// changing the first three voids the guarantees of the [module](self).
    pub fn set(mut self, key: &str, value: &str) -> Self {
        self.config.set(key, value);
        self
    }

    /// How many bytes of lines not yet acknowledged the spool holds before
    /// the writer waits; at least 1. A batch larger than this is taken once
    /// the spool is empty.
    pub fn max_spool_bytes(mut self, bytes: u64) -> Self {
        self.max_spool_bytes = bytes.max(1);
        self
    }

    /// How many bytes of serialized entries may wait for the writer before
    /// exporters wait for room; at least 1.
    pub fn max_pending_bytes(mut self, bytes: usize) -> Self {
        self.writer.capacity = bytes.max(1);
        self
    }

    /// How long [`export`](AuditSink::export) waits for room before it
    /// returns [`ExportError::QueueFull`] with the entry, as for the
    /// JSON-lines sink.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.writer.max_wait = wait;
        self
    }

    /// How long a sink being dropped still tries to deliver its spool
    /// ([`DEFAULT_DRAIN_ON_CLOSE`]); the rest stays in the spool for the
    /// next sink opened on it.
    pub fn drain_on_close(mut self, wait: Duration) -> Self {
        self.drain_on_close = wait;
        self
    }

    /// Signs checkpoints of the chain's head, as `checkpoints` says when, and
    /// on every flush and when the sink is dropped.
    #[cfg(feature = "checkpoints")]
    #[cfg_attr(docsrs, doc(cfg(feature = "checkpoints")))]
    pub fn checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.writer.checkpoints = Some(checkpoints);
        self
    }

    /// Opens the spool, and starts the writer and the deliverer.
    ///
    /// # Errors
    ///
    /// When the spool cannot be opened (another sink has it open, or it
    /// holds another origin's chain), the producer's configuration is
    /// invalid, or a thread cannot be started. The brokers need not be
    /// reachable: the entries wait in the spool.
    pub fn open(mut self) -> io::Result<KafkaSink> {
        let origin = self.writer.origin.take().unwrap_or_else(|| {
            self.spool.file_name().map_or_else(
                || self.spool.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            )
        });
        let spool = Arc::new(Spool::open(&self.spool, &origin, self.max_spool_bytes)?);
        // A configuration librdkafka refuses fails here, not in the thread.
        self.config
            .create::<rdkafka::producer::BaseProducer>()
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        let deliverer = Deliverer::new(
            Arc::clone(&spool),
            Target {
                config: self.config,
                topic: self.topic,
                key: origin.clone(),
                name: self.writer.name,
            },
        );
        let deliverer = std::thread::Builder::new()
            .name("audit-kafka-deliver".to_owned())
            .spawn(move || deliverer.run())?;
        let batch = SpoolBatch {
            spool: Arc::clone(&spool),
            origin,
            chainer: None,
            chained: Vec::new(),
            unsynced: 0,
            deliverer: Some(deliverer),
        };
        Ok(KafkaSink {
            writer: LineWriter::new(Writer::spawn(self.writer, batch)?),
            spool,
            drain_on_close: self.drain_on_close,
        })
    }
}

/// What the sink gives the writer engine: how a batch of lines is chained
/// and appended to the spool.
struct SpoolBatch {
    spool: Arc<Spool>,
    origin: String,
    /// `None` until resumed from the spool, and again after a failed append.
    chainer: Option<Chainer>,
    chained: Vec<u8>,
    /// Entries appended since the last sync.
    unsynced: usize,
    deliverer: Option<JoinHandle<()>>,
}

impl SpoolBatch {
    fn lose(&mut self, bytes: &[u8], entries: usize, error: io::Error) -> Lost {
        self.chainer = None;
        report::report_lines(&self.spool.path().display(), entries, &error, bytes);
        Lost {
            count: entries,
            source: Box::new(error),
        }
    }
}

impl Batch for SpoolBatch {
    type Pending = Lines;

    fn write(&mut self, lines: &mut Lines) -> Result<(), Lost> {
        let entries = lines.len();
        let mut chainer = match self.chainer.take() {
            Some(chainer) => chainer,
            None => match self.spool.resume_chain(&self.origin) {
                Ok(chainer) => chainer,
                Err(error) => {
                    let mut unchained = Vec::new();
                    lines.chain(&mut Chainer::new(&self.origin), &mut unchained);
                    return Err(self.lose(&unchained, entries, error));
                }
            },
        };
        let mut out = std::mem::take(&mut self.chained);
        out.clear();
        let last = lines.chain(&mut chainer, &mut out);
        let appended = self.spool.append(&out, entries as u64, last);
        let result = match appended {
            Ok(()) => {
                self.chainer = Some(chainer);
                self.unsynced += entries;
                Ok(())
            }
            Err(error) => Err(self.lose(&out, entries, error)),
        };
        if out.capacity() > 4 * BATCH {
            out = Vec::new();
        }
        self.chained = out;
        result
    }

    fn sync(&mut self) -> Result<(), Lost> {
        let unsynced = std::mem::take(&mut self.unsynced);
        self.spool.sync().map_err(|error| {
            report::report_count(&self.spool.path().display(), unsynced, &error);
            Lost {
                count: unsynced,
                source: Box::new(error),
            }
        })
    }

    fn head(&self) -> Option<Head> {
        self.chainer.as_ref().and_then(Chainer::head)
    }

    fn origin(&self) -> &str {
        &self.origin
    }
}

impl Drop for SpoolBatch {
    /// The writer stopped: the deliverer delivers what it can in the sink's
    /// time, then stops; the rest waits in the spool.
    fn drop(&mut self) {
        self.spool.writer_done();
        if let Some(deliverer) = self.deliverer.take()
            && deliverer.join().is_err()
        {
            report::report_error(&ExportError::Stopped);
        }
    }
}

impl AuditSink for KafkaSink {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.writer.export(entry)
    }

    fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.writer.export_without_waiting(entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        self.writer.flush()
    }

    #[cfg(feature = "tokio")]
    fn export_async(&self, entry: AuditEntry) -> ExportFuture<'_> {
        self.writer.export_async(entry)
    }

    #[cfg(feature = "tokio")]
    fn flush_async(&self) -> ExportFuture<'_> {
        self.writer.flush_async()
    }
}

impl std::fmt::Debug for KafkaSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaSink")
            .field("writer", &self.writer)
            .field("spool", &self.spool.path())
            .finish_non_exhaustive()
    }
}
