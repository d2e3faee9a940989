//! The deliverer: a thread that produces the spooled lines to the topic, in
//! order, and tells the spool which the broker acknowledged.
//!
//! Each line is one message, keyed by the origin, so that one origin's
//! chain stays in one partition, in order. The producer is idempotent with
//! `acks=all` and retries without end: librdkafka keeps the order and drops
//! the broker-side duplicates of its own retries. A failure it reports
//! (a fatal error of the idempotent producer) makes the deliverer wait for
//! every message in flight, start a new producer and send again from the
//! first line not acknowledged; so does a restart after a crash. Those
//! lines reach the topic twice, with the same bytes: readers drop the
//! second by its origin and sequence number.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rdkafka::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer as _, ProducerContext};

use super::spool::{Next, Spool, seq_of};
use crate::sink::deliver;

/// How many bytes of lines are read from the spool at a time.
const CHUNK: usize = 1024 * 1024;

/// How many messages may wait for the broker's acknowledgement.
const MAX_IN_FLIGHT: usize = 50_000;

/// How long the deliverer waits before it starts a new producer after a failure.
const BACKOFF: Duration = Duration::from_secs(1);

/// What the deliverer needs to make a producer.
pub(crate) struct Target {
    pub(crate) config: ClientConfig,
    pub(crate) topic: String,
    pub(crate) key: String,
    pub(crate) name: &'static str,
}

/// The acknowledgements librdkafka hands the producer's context, for the
/// deliverer to take: each message's end offset in the spool, and whether
/// it was delivered.
#[derive(Default)]
struct Acks {
    results: Mutex<Vec<(u64, Result<(), String>)>>,
}

impl ClientContext for Acks {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        #[cfg(feature = "tracing")]
        if (level as i32) <= (rdkafka::config::RDKafkaLogLevel::Warning as i32) {
            tracing::warn!(target: "audit", facility = fac, "librdkafka: {log_message}");
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        // Transport errors (a broker away) are retried; they are counted in
        // the spool's report, not printed for every connection attempt.
        #[cfg(feature = "tracing")]
        tracing::warn!(target: "audit", "librdkafka: {error}: {reason}");
        #[cfg(not(feature = "tracing"))]
        let _ = (error, reason);
    }
}

impl ProducerContext for Acks {
    /// The end offset of the message's line in the spool.
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, end: usize) {
        let outcome = match result {
            Ok(_) => Ok(()),
            Err((error, _)) => Err(error.to_string()),
        };
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((end as u64, outcome));
    }
}

/// A message sent and not yet acknowledged.
struct InFlight {
    end: u64,
    seq: u64,
    state: Ack,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ack {
    Waiting,
    Delivered,
    Failed,
}

pub(crate) struct Deliverer {
    spool: Arc<Spool>,
    target: Target,
    producer: Option<BaseProducer<Acks>>,
    in_flight: VecDeque<InFlight>,
    /// Where the next line to send starts.
    sent: u64,
    /// Whether a message failed: every one in flight is waited for, then
    /// the lines not acknowledged are sent again by a new producer.
    failed: bool,
    retry_at: Option<Instant>,
}

impl Deliverer {
    pub(crate) fn new(spool: Arc<Spool>, target: Target) -> Self {
        Deliverer {
            spool,
            target,
            producer: None,
            in_flight: VecDeque::new(),
            sent: 0,
            failed: false,
            retry_at: None,
        }
    }

    /// Delivers until the sink closes and its lines are delivered, or its
    /// time to deliver them is up.
    pub(crate) fn run(mut self) {
        loop {
            if self.spool.deliverer_done() {
                break;
            }
            if let Err(error) = self.step() {
                self.fail(&error);
            }
        }
        self.stop();
    }

    fn waiting(&self) -> bool {
        self.in_flight.iter().any(|sent| sent.state == Ack::Waiting)
    }

    /// Sends what is new, and takes the acknowledgements that came.
    fn step(&mut self) -> Result<(), String> {
        self.take_acks()?;
        if self.failed {
            if self.waiting() {
                self.poll(Duration::from_millis(10));
                return Ok(());
            }
            let retry_at = *self
                .retry_at
                .get_or_insert_with(|| Instant::now() + BACKOFF);
            let now = Instant::now();
            if now < retry_at {
                std::thread::sleep((retry_at - now).min(Duration::from_millis(100)));
                return Ok(());
            }
            // A new producer sends again from the first line not acknowledged.
            self.producer = None;
            self.in_flight.clear();
            self.failed = false;
            self.retry_at = None;
            self.sent = 0;
        }
        if self.in_flight.len() >= MAX_IN_FLIGHT {
            self.poll(Duration::from_millis(10));
            return Ok(());
        }
        let wait = if self.in_flight.is_empty() {
            Duration::from_millis(100)
        } else {
            Duration::ZERO
        };
        match self
            .spool
            .next(self.sent, CHUNK, wait)
            .map_err(|e| e.to_string())?
        {
            Next::Idle => self.poll(if self.in_flight.is_empty() {
                Duration::ZERO
            } else {
                Duration::from_millis(5)
            }),
            Next::Lines { start, bytes } => self.send(start, &bytes)?,
        }
        Ok(())
    }

    /// Sends each line of `bytes`, which start at `start` in the spool.
    fn send(&mut self, start: u64, bytes: &[u8]) -> Result<(), String> {
        if self.producer.is_none() {
            let producer = self
                .target
                .config
                .create_with_context(Acks::default())
                .map_err(|error| error.to_string())?;
            self.producer = Some(producer);
        }
        let Deliverer {
            producer: Some(producer),
            target,
            in_flight,
            sent,
            ..
        } = self
        else {
            return Ok(());
        };
        let mut offset = start;
        for line in bytes.split_inclusive(|&byte| byte == b'\n') {
            let end = offset + line.len() as u64;
            let payload = line.strip_suffix(b"\n").unwrap_or(line);
            let Ok(opaque) = usize::try_from(end) else {
                return Err("the spool's offsets outgrew this platform".to_owned());
            };
            loop {
                let record = BaseRecord::with_opaque_to(&target.topic, opaque)
                    .key(&target.key)
                    .payload(payload);
                match producer.send(record) {
                    Ok(()) => break,
                    // librdkafka's queue is full: its acknowledgements make room.
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                        producer.poll(Duration::from_millis(10));
                    }
                    Err((error, _)) => return Err(error.to_string()),
                }
            }
            in_flight.push_back(InFlight {
                end,
                seq: seq_of(payload).unwrap_or(0),
                state: Ack::Waiting,
            });
            offset = end;
            *sent = end;
        }
        Ok(())
    }

    fn poll(&self, timeout: Duration) {
        if let Some(producer) = &self.producer {
            producer.poll(timeout);
        } else if !timeout.is_zero() {
            std::thread::sleep(timeout);
        }
    }

    /// Takes the acknowledgements, and tells the spool how far the lines
    /// are acknowledged without a gap.
    fn take_acks(&mut self) -> Result<(), String> {
        let Some(producer) = &self.producer else {
            return Ok(());
        };
        let results = std::mem::take(
            &mut *producer
                .context()
                .results
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let mut first_error = None;
        for (end, outcome) in results {
            // In flight in the order sent, so by increasing end offset.
            let Ok(index) = self.in_flight.binary_search_by_key(&end, |sent| sent.end) else {
                continue;
            };
            let sent = &mut self.in_flight[index];
            match outcome {
                Ok(()) => sent.state = Ack::Delivered,
                Err(error) => {
                    sent.state = Ack::Failed;
                    first_error.get_or_insert(error);
                }
            }
        }
        let mut through = None;
        let mut lines = 0;
        while self
            .in_flight
            .front()
            .is_some_and(|sent| sent.state == Ack::Delivered)
        {
            through = self.in_flight.pop_front();
            lines += 1;
        }
        if let Some(last) = through {
            self.spool
                .delivered(last.end, last.seq, lines)
                .map_err(|error| format!("the spool's delivery record: {error}"))?;
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// A message or the spool failed: sends nothing more until every
    /// message in flight is answered, then starts again from the first line
    /// not acknowledged.
    fn fail(&mut self, error: &str) {
        if !self.failed {
            deliver::log_failure(
                self.target.name,
                &format!(
                    "delivery to the topic {} failed, retrying: {error}",
                    self.target.topic
                ),
            );
        }
        self.spool.failed(error.to_owned());
        self.failed = true;
    }

    /// Reports what stays in the spool for the next start: the sink closed,
    /// and its time to deliver is up.
    fn stop(self) {
        let (left, error) = self.spool.undelivered();
        if left > 0 {
            deliver::report_fault(
                self.target.name,
                &format!(
                    "{left} audit entries were not delivered to the topic {} before the sink \
                     closed{}; they stay in the spool {} and are delivered when a sink opens it again",
                    self.target.topic,
                    error.map(|error| format!(" ({error})")).unwrap_or_default(),
                    self.spool.path().display(),
                ),
            );
        }
    }
}
