//! The background writer both stores share: it takes entries from a queue
//! and writes them in batches, one transaction a batch, so that `export`
//! never waits for the database.

use std::io::{self, Write as _};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::chain::Head;
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::store::oneshot;
use crate::store::row::EntryRow;
use crate::{AuditEntry, ExportError};

/// An error from a database, whatever the database.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How a store writes a batch.
pub(crate) trait WriteBatch: Send + 'static {
    /// Writes every row in one transaction: all of them, or none. Returns
    /// the chain's head once the transaction committed.
    ///
    /// # Errors
    ///
    /// When the transaction did not commit.
    fn write(&mut self, rows: &[EntryRow<'_>]) -> Result<Option<Head>, BoxError>;

    /// The origin a new chain starts with, which checkpoints name.
    #[cfg_attr(not(feature = "checkpoints"), allow(dead_code))]
    fn origin(&self) -> &str;

    /// Called after a failed write, before it is retried once: forget a
    /// broken connection, so that the retry makes a new one.
    fn reset(&mut self) {}
}

/// How the writer is set up.
#[derive(Debug)]
pub(crate) struct WriterConfig {
    /// The thread's name, and the store's in reports.
    pub(crate) name: &'static str,
    /// How many entries may wait for the writer.
    pub(crate) capacity: usize,
    /// The most entries one transaction writes.
    pub(crate) batch_size: usize,
    /// How long `export` waits for room in a full queue.
    pub(crate) max_wait: Duration,
    /// The origin a new chain starts with; the store's default when `None`.
    /// The store hands it to its batch writer, not to [`Writer::spawn`].
    pub(crate) origin: Option<String>,
    /// The checkpoints made of the chain's head after committed batches.
    #[cfg(feature = "checkpoints")]
    pub(crate) checkpoints: Option<Checkpoints>,
}

impl WriterConfig {
    /// A writer named `name`, with these defaults and no origin or checkpoints.
    pub(crate) fn new(
        name: &'static str,
        capacity: usize,
        batch_size: usize,
        max_wait: Duration,
    ) -> Self {
        WriterConfig {
            name,
            capacity,
            batch_size,
            max_wait,
            origin: None,
            #[cfg(feature = "checkpoints")]
            checkpoints: None,
        }
    }
}

/// The builder methods that set a store's [`WriterConfig`], written once for
/// the builders that hold one in a field named `writer`. `$default_origin`
/// says, in the docs, what the origin is when none is set.
macro_rules! writer_builder_methods {
    ($default_origin:literal) => {
        /// How many entries may wait for the writer; at least 1. When the queue
        /// is full, `export` waits for room for up to [`max_wait`](Self::max_wait),
        /// then returns the entry in [`ExportError::QueueFull`];
        /// `export_without_waiting` (a guard dropped uncommitted) queues it
        /// beyond the capacity; `export_async` awaits room.
        pub fn capacity(mut self, capacity: usize) -> Self {
            self.writer.capacity = capacity.max(1);
            self
        }

        /// How long `export` waits for room in a full queue before it returns the
        /// entry: [`DEFAULT_MAX_WAIT`] when not set. `Duration::ZERO` never
        /// waits, `Duration::MAX` waits as long as it takes.
        pub fn max_wait(mut self, wait: Duration) -> Self {
            self.writer.max_wait = wait;
            self
        }

        /// The most entries the writer commits in one transaction; at least 1.
        pub fn batch_size(mut self, batch_size: usize) -> Self {
            self.writer.batch_size = batch_size.max(1);
            self
        }

        /// The name a new hash chain is started with, which its first entry
        /// repeats: a stable name for the log, such as `prod-eu/api`. By
        #[doc = concat!("default, ", $default_origin, ". A store that already has a")]
        /// chain keeps it.
        pub fn origin(mut self, origin: impl Into<String>) -> Self {
            self.writer.origin = Some(origin.into());
            self
        }

        /// Signs checkpoints of the chain's head once the writer's batches are
        /// committed, as `checkpoints` says when, and on every flush and when
        /// the store is dropped. A checkpoint that fails is returned by the next
        /// flush as [`ExportError::Checkpoint`].
        /// The head is the one the writer last committed: rows that
        /// `insert_entries` adds are covered by the writer's next checkpoint.
        #[cfg(feature = "checkpoints")]
        pub fn checkpoints(mut self, checkpoints: Checkpoints) -> Self {
            self.writer.checkpoints = Some(checkpoints);
            self
        }
    };
}
pub(crate) use writer_builder_methods;

/// The queue into the writer thread, and the entries it could not write.
pub(crate) struct Writer {
    name: &'static str,
    sender: Option<Sender<Message>>,
    thread: Option<JoinHandle<()>>,
    room: Arc<Room>,
    max_wait: Duration,
    unwritten: Arc<Unwritten>,
}

/// How many entries wait for the writer, against the queue's capacity.
struct Room {
    queued: Mutex<usize>,
    capacity: usize,
    /// Threads waiting for room wait here.
    freed: Condvar,
    /// Tasks waiting for room wait here.
    #[cfg(feature = "tokio")]
    freed_async: tokio::sync::Notify,
}

impl Room {
    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        self.queued.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a place if there is one.
    fn try_take(&self) -> bool {
        let mut queued = self.lock();
        let room = *queued < self.capacity;
        if room {
            *queued += 1;
        }
        room
    }

    /// Takes a place, waiting for one until `deadline` (forever if `None`).
    fn take_waiting(&self, deadline: Option<Instant>) -> bool {
        let mut queued = self.lock();
        while *queued >= self.capacity {
            let timeout = match deadline {
                None => Duration::from_hours(1),
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return false,
                },
            };
            queued = self
                .freed
                .wait_timeout(queued, timeout)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *queued += 1;
        true
    }

    /// Takes a place even beyond the capacity: for callers that cannot wait.
    fn take_anyway(&self) {
        *self.lock() += 1;
    }

    /// Gives back `count` places.
    fn give_back(&self, count: usize) {
        let mut queued = self.lock();
        *queued = queued.saturating_sub(count);
        drop(queued);
        self.freed.notify_all();
        #[cfg(feature = "tokio")]
        self.freed_async.notify_waiters();
    }
}

enum Message {
    Entry(Box<AuditEntry>),
    Flush(oneshot::Sender<Result<(), ExportError>>),
}

/// Entries whose batch failed, kept for `take_unwritten`, up to a limit.
struct Unwritten {
    entries: Mutex<Vec<AuditEntry>>,
    limit: usize,
}

impl Writer {
    /// Starts the writer thread, which writes with `batch`.
    // Without the `checkpoints` feature, `config` is only read.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::needless_pass_by_value))]
    pub(crate) fn spawn<B: WriteBatch>(config: WriterConfig, batch: B) -> io::Result<Self> {
        let (sender, receiver) = mpsc::channel();
        let capacity = config.capacity.max(1);
        let room = Arc::new(Room {
            queued: Mutex::new(0),
            capacity,
            freed: Condvar::new(),
            #[cfg(feature = "tokio")]
            freed_async: tokio::sync::Notify::new(),
        });
        let unwritten = Arc::new(Unwritten {
            entries: Mutex::new(Vec::new()),
            limit: capacity,
        });
        let thread = BatchLoop {
            name: config.name,
            batch,
            batch_size: config.batch_size.max(1),
            room: Arc::clone(&room),
            unwritten: Arc::clone(&unwritten),
            failure: None,
            #[cfg(feature = "checkpoints")]
            checkpoints: config.checkpoints,
            #[cfg(feature = "checkpoints")]
            checkpoint_failure: None,
            #[cfg(feature = "checkpoints")]
            head: None,
        };
        let thread = std::thread::Builder::new()
            .name(config.name.to_owned())
            .spawn(move || thread.run(&receiver))?;
        Ok(Writer {
            name: config.name,
            sender: Some(sender),
            thread: Some(thread),
            room,
            max_wait: config.max_wait,
            unwritten,
        })
    }

    /// Queues `entry` for the writer, waiting for room for up to the
    /// configured time when the queue is full.
    pub(crate) fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        if self.sender.is_none() {
            return Err(ExportError::Closed(Box::new(entry)));
        }
        let room = self.room.try_take()
            || (!self.max_wait.is_zero()
                && self
                    .room
                    .take_waiting(Instant::now().checked_add(self.max_wait)));
        if !room {
            return Err(ExportError::QueueFull(Box::new(entry)));
        }
        self.send(entry)
    }

    /// Queues `entry` for the writer at once, beyond the capacity if need be.
    pub(crate) fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        if self.sender.is_none() {
            return Err(ExportError::Closed(Box::new(entry)));
        }
        self.room.take_anyway();
        self.send(entry)
    }

    /// Queues `entry`, awaiting room as long as it takes. Dropped while it
    /// waits, the future still queues the entry, beyond the capacity.
    #[cfg(feature = "tokio")]
    pub(crate) async fn export_async(&self, entry: AuditEntry) -> Result<(), ExportError> {
        /// Queues its entry beyond the capacity if dropped before it has room.
        struct Waiting<'a> {
            writer: &'a Writer,
            entry: Option<AuditEntry>,
        }
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                if let Some(entry) = self.entry.take()
                    && let Err(error) = self.writer.export_without_waiting(entry)
                {
                    crate::sink::deliver::report_error(&error);
                }
            }
        }

        if self.sender.is_none() {
            return Err(ExportError::Closed(Box::new(entry)));
        }
        let mut waiting = Waiting {
            writer: self,
            entry: Some(entry),
        };
        loop {
            // Registered before the check, so that room made in between wakes it.
            let freed = self.room.freed_async.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            if self.room.try_take() {
                break;
            }
            freed.await;
        }
        match waiting.entry.take() {
            Some(entry) => self.send(entry),
            None => Ok(()),
        }
    }

    /// Sends `entry`, whose place is taken, to the writer.
    fn send(&self, entry: AuditEntry) -> Result<(), ExportError> {
        let Some(sender) = &self.sender else {
            self.room.give_back(1);
            return Err(ExportError::Closed(Box::new(entry)));
        };
        sender
            .send(Message::Entry(Box::new(entry)))
            .map_err(|returned| {
                self.room.give_back(1);
                match returned.0 {
                    Message::Entry(entry) => ExportError::Closed(entry),
                    Message::Flush(_) => ExportError::Stopped,
                }
            })
    }

    /// Asks the writer to commit what it was given, and returns the reply.
    fn request_flush(&self) -> Result<oneshot::Receiver<Result<(), ExportError>>, ExportError> {
        let (reply, result) = oneshot::channel();
        self.sender
            .as_ref()
            .ok_or(())
            .and_then(|sender| sender.send(Message::Flush(reply)).map_err(drop))
            .map_err(|()| ExportError::Stopped)?;
        Ok(result)
    }

    /// Blocks until every entry exported before is committed, or failed.
    pub(crate) fn flush(&self) -> Result<(), ExportError> {
        self.request_flush()?
            .wait()
            .unwrap_or(Err(ExportError::Stopped))
    }

    /// Resolves once every entry exported before is committed, or failed.
    #[cfg(feature = "tokio")]
    pub(crate) async fn flush_async(&self) -> Result<(), ExportError> {
        self.request_flush()?
            .await
            .unwrap_or(Err(ExportError::Stopped))
    }

    /// The entries the writer could not write since the last call.
    pub(crate) fn take_unwritten(&self) -> Vec<AuditEntry> {
        std::mem::take(&mut *self.unwritten.lock())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue makes the writer write what is left, then stop.
        drop(self.sender.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            report(
                self.name,
                "the writer thread panicked; entries still queued were lost",
            );
        }
        // Nobody can take these any more: write them where they can be recovered.
        for entry in self.take_unwritten() {
            report_entry(self.name, "never written to the store", &entry);
        }
    }
}

impl Unwritten {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<AuditEntry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer thread's state.
struct BatchLoop<B> {
    name: &'static str,
    batch: B,
    batch_size: usize,
    room: Arc<Room>,
    unwritten: Arc<Unwritten>,
    /// Entries that failed since the last flush, and the first error.
    failure: Option<(usize, String)>,
    /// When and how checkpoints of the chain are made.
    #[cfg(feature = "checkpoints")]
    checkpoints: Option<Checkpoints>,
    /// A checkpoint that failed outside a flush, for the next flush.
    #[cfg(feature = "checkpoints")]
    checkpoint_failure: Option<io::Error>,
    /// The chain's head after the last committed batch.
    #[cfg(feature = "checkpoints")]
    head: Option<Head>,
}

impl<B: WriteBatch> BatchLoop<B> {
    fn run(mut self, receiver: &Receiver<Message>) {
        let mut entries = Vec::with_capacity(self.batch_size);
        let mut flushes = Vec::new();
        loop {
            let message = match self.next_checkpoint_in() {
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(wait) => receiver.recv_timeout(wait),
            };
            let message = match message {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => {
                    self.checkpoint_if_due();
                    continue;
                }
                // The queue is closed and empty.
                Err(RecvTimeoutError::Disconnected) => break,
            };
            self.take(message, &mut entries, &mut flushes);
            // A flush ends the batch: it answers for what came before it.
            while entries.len() < self.batch_size && flushes.is_empty() {
                match receiver.try_recv() {
                    Ok(message) => self.take(message, &mut entries, &mut flushes),
                    Err(_) => break,
                }
            }
            if !entries.is_empty() {
                self.write(&entries);
                entries.clear();
            }
            if flushes.is_empty() {
                self.checkpoint_if_due();
            }
            for reply in flushes.drain(..) {
                let result = self.take_failure().and_then(|()| self.checkpoint());
                reply.send(result);
            }
        }
        if let Err(error) = self.take_failure() {
            report(self.name, &error.to_string());
        }
        if let Err(error) = self.checkpoint() {
            report(self.name, &error.to_string());
        }
    }

    /// How long the writer may wait for entries before a checkpoint is due.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::unused_self))]
    fn next_checkpoint_in(&self) -> Option<Duration> {
        #[cfg(feature = "checkpoints")]
        if let Some(checkpoints) = &self.checkpoints {
            return Some(checkpoints.due_in().max(Duration::from_millis(1)));
        }
        None
    }

    /// Makes a checkpoint if one is due; a failure waits for the next flush.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::unused_self))]
    fn checkpoint_if_due(&mut self) {
        #[cfg(feature = "checkpoints")]
        {
            let head = self.head;
            let due = self
                .checkpoints
                .as_mut()
                .is_some_and(|checkpoints| checkpoints.due(head));
            if due && let Err(ExportError::Checkpoint { source }) = self.checkpoint() {
                self.checkpoint_failure = Some(source);
            }
        }
    }

    /// Makes a checkpoint of the head last committed, and returns a failure
    /// kept since the last flush.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(
        not(feature = "checkpoints"),
        allow(clippy::unused_self, clippy::unnecessary_wraps)
    )]
    fn checkpoint(&mut self) -> Result<(), ExportError> {
        #[cfg(feature = "checkpoints")]
        if let (Some(checkpoints), Some(head)) = (&mut self.checkpoints, self.head) {
            let made = checkpoints.make(self.batch.origin(), head);
            let failed = self.checkpoint_failure.take();
            return match (made, failed) {
                (Err(source), _) | (Ok(()), Some(source)) => {
                    log_failure(self.name, &format!("checkpoint failed: {source}"));
                    Err(ExportError::Checkpoint { source })
                }
                (Ok(()), None) => Ok(()),
            };
        }
        Ok(())
    }

    fn take(
        &mut self,
        message: Message,
        entries: &mut Vec<AuditEntry>,
        flushes: &mut Vec<oneshot::Sender<Result<(), ExportError>>>,
    ) {
        match message {
            Message::Entry(entry) => {
                self.room.give_back(1);
                entries.push(*entry);
            }
            Message::Flush(reply) => flushes.push(reply),
        }
    }

    /// Writes `entries` in one transaction, retried once on a fresh
    /// connection; when that fails too, they are unwritten.
    fn write(&mut self, entries: &[AuditEntry]) {
        let mut rows = Vec::with_capacity(entries.len());
        for entry in entries {
            match EntryRow::new(entry) {
                Ok(row) => rows.push(row),
                Err(error) => self.fail(std::slice::from_ref(entry), &error.to_string()),
            }
        }
        if rows.is_empty() {
            return;
        }
        let first = match self.batch.write(&rows) {
            Ok(head) => return self.committed(head),
            Err(first) => first,
        };
        self.batch.reset();
        let error = match self.batch.write(&rows) {
            Ok(head) => return self.committed(head),
            Err(error) => error,
        };
        self.batch.reset();
        let failed: Vec<AuditEntry> = rows.iter().map(|row| row.entry.clone()).collect();
        let message = if error.to_string() == first.to_string() {
            error.to_string()
        } else {
            format!("{error} (first attempt: {first})")
        };
        self.fail(&failed, &message);
    }

    /// Records the chain's head after a committed batch.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::unused_self))]
    fn committed(&mut self, head: Option<Head>) {
        #[cfg(feature = "checkpoints")]
        {
            self.head = head;
        }
        #[cfg(not(feature = "checkpoints"))]
        let _ = head;
    }

    /// Records that `entries` were not written: counted for the next flush,
    /// kept for `take_unwritten`, or reported when too many are kept.
    fn fail(&mut self, entries: &[AuditEntry], error: &str) {
        log_failure(
            self.name,
            &format!(
                "{} {} not written: {error}",
                entries.len(),
                if entries.len() == 1 {
                    "entry"
                } else {
                    "entries"
                }
            ),
        );
        match &mut self.failure {
            Some((failed, _)) => *failed += entries.len(),
            None => self.failure = Some((entries.len(), error.to_owned())),
        }
        let mut unwritten = self.unwritten.lock();
        for entry in entries {
            if unwritten.len() < self.unwritten.limit {
                unwritten.push(entry.clone());
            } else {
                report_entry(self.name, error, entry);
            }
        }
    }

    fn take_failure(&mut self) -> Result<(), ExportError> {
        match self.failure.take() {
            None => Ok(()),
            Some((failed, error)) => Err(ExportError::Write {
                failed,
                source: io::Error::other(error),
            }),
        }
    }
}

/// Logs a failure that the next flush returns.
fn log_failure(name: &str, message: &str) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", store = name, "{message}");
    #[cfg(not(feature = "tracing"))]
    let _ = (name, message);
}

/// Reports a failure where no caller can be told: through `tracing`, and on
/// standard error.
fn report(name: &str, message: &str) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", store = name, "{message}");
    let _ = writeln!(io::stderr(), "{name}: {message}");
}

/// Writes an entry that was not stored to standard error, whole, so that it
/// can be recovered from the process's logs.
fn report_entry(name: &str, why: &str, entry: &AuditEntry) {
    let json = serde_json::to_string(entry).unwrap_or_else(|error| format!("({error})"));
    #[cfg(feature = "tracing")]
    tracing::error!(target: "audit", store = name, entry = %json, "audit entry not stored: {why}");
    let _ = writeln!(
        io::stderr(),
        "{name}: audit entry not stored ({why}): {json}"
    );
}
