//! The writer thread: it takes what callers queued, has the [`Batch`] write
//! it, keeps the failure ledger the next flush returns, syncs and answers
//! flushes, and makes checkpoints when they are due.

use std::sync::Arc;
use std::time::Duration;

use super::queue::{Queue, Taken};
use super::{Batch, Lost, Pending, Reply, WriterConfig, reply};
#[cfg(feature = "checkpoints")]
use crate::chain::checkpoint::Checkpoints;
use crate::sink::deliver;
use crate::sink::error::ExportError;

pub(super) struct Worker<B: Batch> {
    name: &'static str,
    batch: B,
    queue: Arc<Queue<B::Pending>>,
    /// Replies that reached a flusher who dropped them unread.
    unread: reply::Unread<Reply>,
    /// Entries lost since the last flush, and the first error.
    ledger: Option<Lost>,
    #[cfg(feature = "checkpoints")]
    checkpoints: Option<Checkpoints>,
    /// A checkpoint that failed outside a flush, for the next flush.
    #[cfg(feature = "checkpoints")]
    checkpoint_failure: Option<super::BoxError>,
}

/// Tells the queue the writer is gone when the thread exits, even by a
/// panic, so that no caller waits for it forever; what is left is reported.
struct StopOnExit<'a, P: Pending> {
    name: &'static str,
    queue: &'a Queue<P>,
}

impl<P: Pending> Drop for StopOnExit<'_, P> {
    fn drop(&mut self) {
        let left = self.queue.stop();
        if !left.pending.is_empty() {
            let error = std::io::Error::other("the audit writer stopped");
            left.pending.report(self.name, &error);
        }
        for flush in left.flushes {
            // A flusher already gone has nothing to be told.
            let _ = flush.send(Err(ExportError::Stopped));
        }
    }
}

impl<B: Batch> Worker<B> {
    pub(super) fn new(
        config: &WriterConfig,
        batch: B,
        queue: Arc<Queue<B::Pending>>,
        unread: reply::Unread<Reply>,
    ) -> Self {
        Worker {
            name: config.name,
            batch,
            queue,
            unread,
            ledger: None,
            #[cfg(feature = "checkpoints")]
            checkpoints: None,
            #[cfg(feature = "checkpoints")]
            checkpoint_failure: None,
        }
    }

    /// Makes checkpoints of the chain.
    #[cfg(feature = "checkpoints")]
    pub(super) fn with_checkpoints(mut self, checkpoints: Option<Checkpoints>) -> Self {
        self.checkpoints = checkpoints;
        self
    }

    pub(super) fn run(mut self) {
        let queue = Arc::clone(&self.queue);
        let _stop = StopOnExit {
            name: self.name,
            queue: &queue,
        };
        let mut spare = B::Pending::default();
        loop {
            let Taken {
                mut pending,
                weight,
                flushes,
                closing,
            } = queue.take(spare, self.next_checkpoint_in());
            if !pending.is_empty()
                && let Err(lost) = self.batch.write(&mut pending)
            {
                self.add(lost);
            }
            queue.done(weight);
            pending.clear();
            spare = pending;
            if !flushes.is_empty() || closing {
                self.sync_and_reply(flushes, closing);
            } else {
                self.checkpoint_if_due();
            }
            if closing {
                return;
            }
        }
    }

    fn add(&mut self, lost: Lost) {
        match &mut self.ledger {
            Some(ledger) => ledger.count += lost.count,
            None => self.ledger = Some(lost),
        }
    }

    /// Syncs; the failures since the last flush, if any, with those of
    /// replies nobody read.
    fn sync(&mut self) -> Reply {
        if let Err(lost) = self.batch.sync() {
            self.add(lost);
        }
        let unread = std::mem::take(
            &mut *self
                .unread
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for reply in unread {
            match reply {
                Err(ExportError::Write { failed, source }) => self.add(Lost {
                    count: failed,
                    source,
                }),
                #[cfg(feature = "checkpoints")]
                Err(ExportError::Checkpoint { source }) => self.checkpoint_failure = Some(source),
                Err(error) => deliver::report_error(&error),
                Ok(()) => {}
            }
        }
        match self.ledger.take() {
            None => self
                .batch
                .settle()
                .map_err(|source| ExportError::Unsealed { source }),
            Some(Lost { count, source }) => Err(ExportError::Write {
                failed: count,
                source,
            }),
        }
    }

    /// Syncs, makes a checkpoint, and sends the outcome to the first flusher
    /// still waiting (the others flushed nothing it did not). A failure
    /// nobody received waits for the next flush, or goes to standard error
    /// when the sink closes.
    fn sync_and_reply(&mut self, flushes: Vec<reply::Sender<Reply>>, closing: bool) {
        let mut result = Some(self.sync().and_then(|()| self.checkpoint()));
        for flush in flushes {
            let outcome = result.take().unwrap_or(Ok(()));
            if let Err(undelivered @ Err(_)) = flush.send(outcome) {
                result = Some(undelivered);
            }
        }
        match result {
            Some(Err(ExportError::Write { failed, source })) if !closing => self.add(Lost {
                count: failed,
                source,
            }),
            #[cfg(feature = "checkpoints")]
            Some(Err(ExportError::Checkpoint { source })) if !closing => {
                self.checkpoint_failure = Some(source);
            }
            Some(Err(error)) => deliver::report_error(&error),
            Some(Ok(())) | None => {}
        }
    }

    /// How long the writer may wait for items before a checkpoint is due.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::unused_self))]
    fn next_checkpoint_in(&self) -> Option<Duration> {
        #[cfg(feature = "checkpoints")]
        if let Some(checkpoints) = &self.checkpoints {
            return Some(checkpoints.due_in().max(Duration::from_millis(1)));
        }
        None
    }

    /// Syncs and makes a checkpoint if one is due; failures wait for the
    /// next flush.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(not(feature = "checkpoints"), allow(clippy::unused_self))]
    fn checkpoint_if_due(&mut self) {
        #[cfg(feature = "checkpoints")]
        {
            let head = self.batch.head();
            let due = self
                .checkpoints
                .as_mut()
                .is_some_and(|checkpoints| checkpoints.due(head));
            if due {
                match self.batch.sync() {
                    Ok(()) => match self.batch.settle() {
                        Ok(()) => {
                            if let Err(ExportError::Checkpoint { source }) = self.checkpoint() {
                                self.checkpoint_failure = Some(source);
                            }
                        }
                        // Nothing is lost: the next flush waits again.
                        Err(source) => deliver::report_error(&ExportError::Unsealed { source }),
                    },
                    Err(lost) => self.add(lost),
                }
            }
        }
    }

    /// Makes a checkpoint of what is durable (call it right after a
    /// successful sync), and returns a failure kept since the last flush.
    // Without the `checkpoints` feature this does nothing, and says so.
    #[cfg_attr(
        not(feature = "checkpoints"),
        allow(clippy::unused_self, clippy::unnecessary_wraps)
    )]
    fn checkpoint(&mut self) -> Reply {
        #[cfg(feature = "checkpoints")]
        if let (Some(checkpoints), Some(head)) = (&mut self.checkpoints, self.batch.head()) {
            let made = checkpoints.make(self.batch.origin(), head);
            let failed = self.checkpoint_failure.take();
            return match (made, failed) {
                (Err(source), _) => {
                    deliver::log_failure(self.name, &format!("checkpoint failed: {source}"));
                    Err(ExportError::Checkpoint {
                        source: Box::new(source),
                    })
                }
                (Ok(()), Some(source)) => Err(ExportError::Checkpoint { source }),
                (Ok(()), None) => Ok(()),
            };
        }
        Ok(())
    }
}
