//! The one background writer engine under every sink that writes in batches:
//! the JSON-lines sink and the SQL stores.
//!
//! A sink gives the engine a [`Batch`] (how to write, sync and name what it
//! writes) and the [`Pending`] buffer its callers fill (serialized lines, or
//! entries). The engine owns everything else, once: the queue bounded by
//! weight with thread and task waiters, the flush reply, the failure ledger
//! that the next flush returns, the checkpoint cadence, and the report of
//! what is left when the writer stops. It knows no file and no SQL.
//!
//! - `queue.rs`: the bounded queue between callers and the writer;
//! - `worker.rs`: the writer thread's loop;
//! - `reply.rs`: the channel a flush is answered on.

mod queue;
pub(crate) mod reply;
mod worker;

#[cfg(feature = "tokio")]
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use self::queue::Queue;
pub(crate) use self::queue::{Bound, Refusal, Refused};
use self::worker::Worker;
use crate::chain::Head;
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::sink::deliver;
use crate::sink::error::ExportError;

/// An error from where a batch is written, whatever it is.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a flush is answered with.
pub(crate) type Reply = Result<(), ExportError>;

/// How long `export` waits for room in a full queue when the builder sets
/// no wait, for every sink on this engine.
pub(crate) const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(10);

/// Entries that could not be written, and the first reason: what the
/// failure ledger counts until the next flush returns it.
#[derive(Debug)]
pub(crate) struct Lost {
    pub(crate) count: usize,
    pub(crate) source: BoxError,
}

/// The buffer callers fill and the writer takes whole.
pub(crate) trait Pending: Default + Send + 'static {
    /// What a caller appends: a serialized line, an entry.
    type Item<'a>: Send;

    /// What `item` counts against the queue's bound.
    fn weight(item: &Self::Item<'_>) -> usize;

    fn push(&mut self, item: Self::Item<'_>);

    fn is_empty(&self) -> bool;

    /// Empties the buffer, keeping its allocation for the next batch.
    fn clear(&mut self);

    /// Writes every item to standard error, through [`deliver`], after saying
    /// why: nothing else will write them.
    fn report(&self, name: &str, error: &dyn std::error::Error);

    /// [`report`](Pending::report) for one item handed back.
    #[cfg(feature = "tokio")]
    fn report_item(item: Self::Item<'_>, name: &str, error: &dyn std::error::Error) {
        let mut one = Self::default();
        one.push(item);
        one.report(name, error);
    }
}

/// How a sink writes what its callers queued.
pub(crate) trait Batch: Send + 'static {
    type Pending: Pending;

    /// Writes `pending`. What could not be written is reported (on standard
    /// error, through [`deliver`]) before this returns, and counted in the
    /// [`Lost`] it returns.
    fn write(&mut self, pending: &mut Self::Pending) -> Result<(), Lost>;

    /// Makes what was written durable; a sink whose writes are durable
    /// when they return (a committed transaction) has nothing to do.
    fn sync(&mut self) -> Result<(), Lost> {
        Ok(())
    }

    /// Waits until what was written and synced is final: for a store whose
    /// rows are chained after they commit, until they are sealed. A flush
    /// returns once this does; its error becomes [`ExportError::Unsealed`].
    /// Nothing was lost when it fails.
    fn settle(&mut self) -> Result<(), BoxError> {
        Ok(())
    }

    /// The head of the chain as written, for checkpoints.
    #[cfg_attr(not(feature = "checkpoints"), allow(dead_code))]
    fn head(&self) -> Option<Head>;

    /// The origin checkpoints name.
    #[cfg_attr(not(feature = "checkpoints"), allow(dead_code))]
    fn origin(&self) -> &str;
}

/// How the writer is set up: the one set of settings every builder holds.
#[derive(Debug)]
pub(crate) struct WriterConfig {
    /// The thread's name, and the sink's in reports.
    pub(crate) name: &'static str,
    /// How much weight (bytes of lines, or entries) may wait for the writer.
    pub(crate) capacity: usize,
    /// The weight that makes a batch worth writing at once.
    pub(crate) batch: usize,
    /// How long an item waits for a batch to fill before it is written anyway.
    pub(crate) linger: Duration,
    /// How long `export` waits for room in a full queue.
    pub(crate) max_wait: Duration,
    /// The origin a new chain starts with; the sink's default when `None`.
    /// The sink hands it to its [`Batch`].
    pub(crate) origin: Option<String>,
    /// The checkpoints made of the chain's head after what is written is durable.
    #[cfg(feature = "checkpoints")]
    pub(crate) checkpoints: Option<Checkpoints>,
}

impl WriterConfig {
    /// A writer named `name`, with these bounds and no origin or checkpoints.
    pub(crate) fn new(name: &'static str, capacity: usize, batch: usize, linger: Duration) -> Self {
        WriterConfig {
            name,
            capacity,
            batch,
            linger,
            max_wait: DEFAULT_MAX_WAIT,
            origin: None,
            #[cfg(feature = "checkpoints")]
            checkpoints: None,
        }
    }

    /// The key the checkpoints are signed with, which also signs the
    /// records a sink writes of its own accord (a rotation, a purge).
    #[cfg(feature = "checkpoints")]
    pub(crate) fn signer(&self) -> Option<crate::chain::checkpoint::CheckpointSigner> {
        self.checkpoints
            .as_ref()
            .map(|checkpoints| checkpoints.signer().clone())
    }
}

/// The handle callers append through; dropping it writes what is left,
/// syncs and stops the thread.
pub(crate) struct Writer<P: Pending> {
    name: &'static str,
    queue: Arc<Queue<P>>,
    /// Replies to flushes whose callers dropped them unread: the worker
    /// returns their failures at the next flush.
    unread: reply::Unread<Reply>,
    thread: Option<JoinHandle<()>>,
    max_wait: Duration,
}

impl<P: Pending> Writer<P> {
    /// Starts the writer thread, which writes with `batch`.
    // Without the `checkpoints` feature, `config` is only read.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::needless_pass_by_value))]
    pub(crate) fn spawn<B: Batch<Pending = P>>(config: WriterConfig, batch: B) -> io::Result<Self> {
        let queue = Arc::new(Queue::new(config.capacity, config.batch, config.linger));
        let name = config.name;
        let max_wait = config.max_wait;
        let unread = reply::Unread::default();
        let worker = Worker::new(&config, batch, Arc::clone(&queue), Arc::clone(&unread));
        #[cfg(feature = "checkpoints")]
        let worker = worker.with_checkpoints(config.checkpoints);
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || worker.run())?;
        Ok(Writer {
            name,
            queue,
            unread,
            thread: Some(thread),
            max_wait,
        })
    }

    /// Appends `item` if there is room, or whatever the room when `bound`
    /// says so.
    #[cfg(feature = "tokio")]
    pub(crate) fn try_append<'a>(
        &self,
        item: P::Item<'a>,
        bound: Bound,
    ) -> Result<(), Refused<P::Item<'a>>> {
        self.queue.try_append(item, bound)
    }

    /// Appends `item`, waiting for room for up to the configured time when
    /// the queue is full.
    pub(crate) fn append<'a>(&self, item: P::Item<'a>) -> Result<(), Refused<P::Item<'a>>> {
        match self.queue.try_append(item, Bound::Respect) {
            Err(Refused {
                why: Refusal::Full,
                item,
            }) if !self.max_wait.is_zero() => {
                let deadline = Instant::now().checked_add(self.max_wait);
                self.queue.append_waiting(item, deadline)
            }
            appended => appended,
        }
    }

    /// Appends `item` at once, beyond the bound if need be.
    pub(crate) fn append_without_waiting<'a>(
        &self,
        item: P::Item<'a>,
    ) -> Result<(), Refused<P::Item<'a>>> {
        self.queue.try_append(item, Bound::Exceed)
    }

    /// Appends `item`, awaiting room as long as it takes. Dropped while it
    /// waits, the future still appends the item, beyond the bound: a
    /// cancelled export loses nothing.
    #[cfg(feature = "tokio")]
    pub(crate) async fn append_async(
        &self,
        item: P::Item<'static>,
    ) -> Result<(), Refused<P::Item<'static>>> {
        /// Appends its item beyond the bound if dropped before it had room.
        struct Waiting<'q, P: Pending> {
            writer: &'q Writer<P>,
            item: Option<P::Item<'static>>,
        }
        impl<P: Pending> Drop for Waiting<'_, P> {
            fn drop(&mut self) {
                if let Some(item) = self.item.take()
                    && let Err(refused) = self.writer.append_without_waiting(item)
                {
                    let error = io::Error::other("the audit writer stopped");
                    P::report_item(refused.item, self.writer.name, &error);
                }
            }
        }

        let mut waiting = Waiting {
            writer: self,
            item: Some(item),
        };
        loop {
            // Registered before the check, so that room made in between wakes it.
            let room = self.queue.room_async.notified();
            let mut room = std::pin::pin!(room);
            room.as_mut().enable();
            let Some(item) = waiting.item.take() else {
                return Ok(());
            };
            match self.queue.try_append(item, Bound::Respect) {
                Err(Refused {
                    why: Refusal::Full,
                    item,
                }) => waiting.item = Some(item),
                appended => return appended,
            }
            room.await;
        }
    }

    /// Asks the writer to write and sync what was appended, and returns the reply.
    fn request_flush(&self) -> Result<reply::Receiver<Reply>, ExportError> {
        let (reply, result) = reply::channel_keeping_unread(Some(Arc::clone(&self.unread)));
        self.queue.flush(reply).map_err(|_| ExportError::Stopped)?;
        Ok(result)
    }

    /// Blocks until every item appended before is written and durable, or failed.
    pub(crate) fn flush(&self) -> Result<(), ExportError> {
        self.request_flush()?
            .wait()
            .unwrap_or(Err(ExportError::Stopped))
    }

    /// Resolves once every item appended before is written and durable, or
    /// failed. The flush is asked for at once, not when first polled: a
    /// future dropped before it resolves leaves its outcome to the next flush.
    #[cfg(feature = "tokio")]
    pub(crate) fn flush_async(&self) -> impl Future<Output = Reply> + Send + 'static {
        let requested = self.request_flush();
        async move { requested?.await.unwrap_or(Err(ExportError::Stopped)) }
    }
}

impl<P: Pending> Drop for Writer<P> {
    fn drop(&mut self) {
        // The writer writes, syncs and reports what is left, then stops.
        self.queue.close();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            deliver::report_error(&ExportError::Stopped);
        }
    }
}

impl<P: Pending> std::fmt::Debug for Writer<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("name", &self.name)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}
