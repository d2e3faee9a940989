//! The bounded queue between a sink's callers and its writer thread.
//!
//! Callers append items (a serialized line, an entry) to one shared
//! [`Pending`] buffer; the writer takes the whole buffer at once (group
//! commit). The queue is bounded by weight (bytes of lines, or entries): a
//! caller finding no room waits (a thread on a condition variable, a task on
//! a `Notify`), except a caller that cannot wait, whose item goes in beyond
//! the bound. The writer is woken only when the buffer goes from empty to not
//! empty, fills a batch, or is flushed or closed, so a burst costs a wake-up
//! per batch, not per entry.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::reply;
use super::{Pending, Reply};
use crate::entry::AuditEntry;
use crate::sink::error::ExportError;

/// Whether an item may go beyond the bound.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Bound {
    /// Wait for room (or give up).
    Respect,
    /// The caller cannot wait: take the item anyway.
    Exceed,
}

/// Why an item was not taken.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Refusal {
    /// There was no room (for as long as the caller would wait).
    Full,
    /// The writer is gone, or the sink is closing: nothing will write it.
    Stopped,
}

impl Refusal {
    /// What an export of `entry` returns when its item was refused: the
    /// entry, handed back.
    pub(crate) fn into_error(self, entry: AuditEntry) -> ExportError {
        match self {
            Refusal::Full => ExportError::QueueFull(Box::new(entry)),
            Refusal::Stopped => ExportError::Closed(Box::new(entry)),
        }
    }
}

/// An item the queue did not take, handed back.
pub(crate) struct Refused<I> {
    pub(crate) why: Refusal,
    pub(crate) item: I,
}

/// What the writer took from the queue.
pub(crate) struct Taken<P> {
    /// The items, in the order they were appended.
    pub(crate) pending: P,
    /// Their weight, to give back with [`Queue::done`].
    pub(crate) weight: usize,
    /// The flushes requested before the items were taken.
    pub(crate) flushes: Vec<reply::Sender<Reply>>,
    /// No more items will come: write, sync and stop.
    pub(crate) closing: bool,
}

pub(crate) struct Queue<P> {
    state: Mutex<State<P>>,
    /// The writer waits here for work.
    work: Condvar,
    /// Threads wait here for room.
    room: Condvar,
    /// Tasks wait here for room.
    #[cfg(feature = "tokio")]
    pub(super) room_async: tokio::sync::Notify,
    max_weight: usize,
    /// The weight that makes a batch worth writing at once.
    batch: usize,
    /// How long an item waits for a batch to fill before it is written anyway.
    linger: Duration,
}

struct State<P> {
    /// Items the writer has not taken yet.
    pending: P,
    /// The weight of `pending`.
    weight: usize,
    /// The weight of `pending` and of the batch the writer is writing.
    in_flight: usize,
    flushes: Vec<reply::Sender<Reply>>,
    /// The handle is gone: no more items will come.
    closed: bool,
    /// The writer is gone: nothing will write items any more.
    stopped: bool,
    /// The writer is waiting for work and must be woken.
    writer_waiting: bool,
    /// Threads waiting for room.
    waiting_threads: usize,
}

impl<P: Pending> Queue<P> {
    pub(crate) fn new(max_weight: usize, batch: usize, linger: Duration) -> Self {
        let max_weight = max_weight.max(1);
        Queue {
            state: Mutex::new(State {
                pending: P::default(),
                weight: 0,
                in_flight: 0,
                flushes: Vec::new(),
                closed: false,
                stopped: false,
                writer_waiting: false,
                waiting_threads: 0,
            }),
            work: Condvar::new(),
            room: Condvar::new(),
            #[cfg(feature = "tokio")]
            room_async: tokio::sync::Notify::new(),
            max_weight,
            batch: batch.clamp(1, max_weight),
            linger,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<P>> {
        // The state stays consistent between statements: a panic elsewhere
        // while holding the lock cannot leave it half-changed.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `item` if there is room, or whatever the room when `bound`
    /// says so. An item heavier than the bound goes in alone.
    pub(crate) fn try_append<'a>(
        &self,
        item: P::Item<'a>,
        bound: Bound,
    ) -> Result<(), Refused<P::Item<'a>>> {
        let mut state = self.lock();
        self.append_locked(&mut state, item, bound)
    }

    fn append_locked<'a>(
        &self,
        state: &mut State<P>,
        item: P::Item<'a>,
        bound: Bound,
    ) -> Result<(), Refused<P::Item<'a>>> {
        if state.stopped || state.closed {
            return Err(Refused {
                why: Refusal::Stopped,
                item,
            });
        }
        let weight = P::weight(&item);
        let fits = state.in_flight == 0 || state.in_flight + weight <= self.max_weight;
        if !fits && bound == Bound::Respect {
            self.wake_writer(state);
            return Err(Refused {
                why: Refusal::Full,
                item,
            });
        }
        let was_empty = state.weight == 0;
        state.pending.push(item);
        state.weight += weight;
        state.in_flight += weight;
        if state.writer_waiting && (was_empty || state.weight >= self.batch) {
            state.writer_waiting = false;
            self.work.notify_one();
        }
        Ok(())
    }

    /// Appends `item`, waiting for room until `deadline` (forever if `None`).
    pub(crate) fn append_waiting<'a>(
        &self,
        mut item: P::Item<'a>,
        deadline: Option<Instant>,
    ) -> Result<(), Refused<P::Item<'a>>> {
        let mut state = self.lock();
        loop {
            match self.append_locked(&mut state, item, Bound::Respect) {
                Err(Refused {
                    why: Refusal::Full,
                    item: back,
                }) => item = back,
                done => return done,
            }
            let timeout = match deadline {
                None => Duration::from_hours(1),
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => {
                        return Err(Refused {
                            why: Refusal::Full,
                            item,
                        });
                    }
                },
            };
            state.waiting_threads += 1;
            state = self
                .room
                .wait_timeout(state, timeout)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            state.waiting_threads -= 1;
        }
    }

    /// Asks the writer to write and sync everything appended so far, then
    /// answer `reply`; gives `reply` back when the writer is gone.
    pub(crate) fn flush(&self, reply: reply::Sender<Reply>) -> Result<(), reply::Sender<Reply>> {
        let mut state = self.lock();
        if state.stopped {
            return Err(reply);
        }
        state.flushes.push(reply);
        self.wake_writer(&mut state);
        Ok(())
    }

    /// No more items will come: the writer writes what is left and stops.
    pub(crate) fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        self.wake_writer(&mut state);
    }

    fn wake_writer(&self, state: &mut State<P>) {
        if state.writer_waiting {
            state.writer_waiting = false;
            self.work.notify_one();
        }
    }

    /// For the writer: waits for a batch, a flush or the close, then takes
    /// every item, swapping `into` (empty) with the buffer. With nothing to
    /// write, returns an empty batch after `idle`, if given, so that the
    /// writer can do timed work (a checkpoint).
    pub(crate) fn take(&self, into: P, idle: Option<Duration>) -> Taken<P> {
        let mut state = self.lock();
        loop {
            if state.closed || !state.flushes.is_empty() || state.weight >= self.batch {
                break;
            }
            let wait = if state.weight == 0 {
                idle
            } else if self.linger.is_zero() {
                break;
            } else {
                Some(self.linger)
            };
            state.writer_waiting = true;
            if let Some(wait) = wait {
                let (next, timeout) = self
                    .work
                    .wait_timeout(state, wait)
                    .unwrap_or_else(PoisonError::into_inner);
                state = next;
                if timeout.timed_out() {
                    break;
                }
            } else {
                state = self
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        state.writer_waiting = false;
        Taken {
            pending: std::mem::replace(&mut state.pending, into),
            weight: std::mem::take(&mut state.weight),
            flushes: std::mem::take(&mut state.flushes),
            closing: state.closed,
        }
    }

    /// For the writer: `weight` of items are written (or reported lost), so
    /// that much room is free again.
    pub(crate) fn done(&self, weight: usize) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(weight);
        if state.waiting_threads > 0 {
            self.room.notify_all();
        }
        drop(state);
        #[cfg(feature = "tokio")]
        self.room_async.notify_waiters();
    }

    /// For the writer, as it exits (even by a panic): nothing will write
    /// items any more. Returns the items left and the flushes still waiting.
    pub(crate) fn stop(&self) -> Taken<P> {
        let mut state = self.lock();
        state.stopped = true;
        let taken = Taken {
            pending: std::mem::take(&mut state.pending),
            weight: std::mem::take(&mut state.weight),
            flushes: std::mem::take(&mut state.flushes),
            closing: true,
        };
        state.in_flight = 0;
        self.room.notify_all();
        drop(state);
        #[cfg(feature = "tokio")]
        self.room_async.notify_waiters();
        taken
    }
}
