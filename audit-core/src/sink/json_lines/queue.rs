//! The bounded buffer between a [`JsonLinesSink`](super::JsonLinesSink)'s
//! callers and its writer thread.
//!
//! Callers serialize their entry on their own thread and append the line to
//! one shared buffer; the writer takes the whole buffer at once and writes it
//! with one call (group commit). The buffer is bounded in bytes: a caller
//! finding no room waits (a thread on a condition variable, a task on a
//! `Notify`), except a caller that cannot wait, whose line goes in beyond the
//! bound. The writer is woken only when the buffer goes from empty to not
//! empty, fills a batch, or is flushed or closed, so a burst of entries
//! costs a wake-up per batch, not per entry.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::ExportError;

/// How many bytes of lines the writer gathers before it writes them.
pub(super) const BATCH: usize = 64 * 1024;

/// How long a line may wait for a batch to fill before it is written anyway.
pub(super) const LINGER: Duration = Duration::from_millis(10);

/// Where the writer sends the outcome of a flush.
pub(super) enum FlushReply {
    /// A thread blocked in `flush`.
    Blocking(std::sync::mpsc::SyncSender<Result<(), ExportError>>),
    /// A task awaiting `flush_async`.
    #[cfg(feature = "tokio")]
    Async(tokio::sync::oneshot::Sender<Result<(), ExportError>>),
}

impl FlushReply {
    /// Sends `result`; gives it back when the flusher is gone (a cancelled
    /// `flush_async`), so that a failure can go to the next flush instead.
    pub(super) fn send(
        self,
        result: Result<(), ExportError>,
    ) -> Result<(), Result<(), ExportError>> {
        match self {
            FlushReply::Blocking(sender) => sender.send(result).map_err(|error| error.0),
            #[cfg(feature = "tokio")]
            FlushReply::Async(sender) => sender.send(result),
        }
    }
}

/// Whether a line may go beyond the bound.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    /// Wait for room (or give up).
    Respect,
    /// The caller cannot wait: take the line anyway.
    Exceed,
}

/// What became of a line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Appended {
    /// It is in the buffer: the writer will write it.
    Yes,
    /// There was no room (for as long as the caller would wait).
    Full,
    /// The writer is gone: nothing will write it.
    Stopped,
}

/// What the writer took from the buffer.
pub(super) struct Batch {
    /// Complete lines, in the order they were appended.
    pub(super) lines: Vec<u8>,
    /// How many lines.
    pub(super) entries: usize,
    /// The flushes requested before the lines were taken.
    pub(super) flushes: Vec<FlushReply>,
    /// No more lines will come: write, sync and stop.
    pub(super) closing: bool,
}

pub(super) struct Queue {
    state: Mutex<State>,
    /// The writer waits here for work.
    work: Condvar,
    /// Threads wait here for room.
    room: Condvar,
    /// Tasks wait here for room.
    #[cfg(feature = "tokio")]
    room_async: tokio::sync::Notify,
    max_bytes: usize,
    /// The bytes that make a batch worth writing at once: [`BATCH`], or
    /// the bound when it is smaller.
    batch: usize,
}

struct State {
    /// Complete lines the writer has not taken yet.
    lines: Vec<u8>,
    entries: usize,
    /// The bytes of `lines` and of the batch the writer is writing.
    pending: usize,
    flushes: Vec<FlushReply>,
    /// The handle is gone: no more lines will come.
    closed: bool,
    /// The writer is gone: nothing will write lines any more.
    stopped: bool,
    /// The writer is waiting for work and must be woken.
    writer_waiting: bool,
    /// Threads waiting for room.
    waiting_threads: usize,
}

impl Queue {
    pub(super) fn new(max_bytes: usize) -> Self {
        Queue {
            state: Mutex::new(State {
                lines: Vec::with_capacity(BATCH),
                entries: 0,
                pending: 0,
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
            max_bytes: max_bytes.max(1),
            batch: BATCH.min(max_bytes.max(1)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent between statements: a panic elsewhere
        // while holding the lock cannot leave it half-changed.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `line` if there is room, or whatever the room when `bound`
    /// says so. A line larger than the bound goes in alone.
    pub(super) fn try_append(&self, line: &[u8], bound: Bound) -> Appended {
        let mut state = self.lock();
        self.append_locked(&mut state, line, bound)
    }

    fn append_locked(&self, state: &mut State, line: &[u8], bound: Bound) -> Appended {
        if state.stopped || state.closed {
            return Appended::Stopped;
        }
        let fits = state.pending == 0 || state.pending + line.len() <= self.max_bytes;
        if !fits && bound == Bound::Respect {
            self.wake_writer(state);
            return Appended::Full;
        }
        let was_empty = state.lines.is_empty();
        state.lines.extend_from_slice(line);
        state.entries += 1;
        state.pending += line.len();
        if state.writer_waiting && (was_empty || state.lines.len() >= self.batch) {
            state.writer_waiting = false;
            self.work.notify_one();
        }
        Appended::Yes
    }

    /// Appends `line`, waiting for room until `deadline` (forever if `None`).
    pub(super) fn append_waiting(&self, line: &[u8], deadline: Option<Instant>) -> Appended {
        let mut state = self.lock();
        loop {
            match self.append_locked(&mut state, line, Bound::Respect) {
                Appended::Full => {}
                done => return done,
            }
            let timeout = match deadline {
                None => Duration::from_hours(1),
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return Appended::Full,
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

    /// Appends `line`, awaiting room for as long as it takes.
    #[cfg(feature = "tokio")]
    pub(super) async fn append_async(&self, line: &[u8]) -> Appended {
        loop {
            // Registered before the check, so that room made in between wakes it.
            let notified = self.room_async.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            match self.try_append(line, Bound::Respect) {
                Appended::Full => notified.await,
                done => return done,
            }
        }
    }

    /// Asks the writer to write and sync everything appended so far, then
    /// answer `reply`; gives `reply` back when the writer is gone.
    pub(super) fn flush(&self, reply: FlushReply) -> Result<(), FlushReply> {
        let mut state = self.lock();
        if state.stopped {
            return Err(reply);
        }
        state.flushes.push(reply);
        self.wake_writer(&mut state);
        Ok(())
    }

    /// No more lines will come: the writer writes what is left and stops.
    pub(super) fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        self.wake_writer(&mut state);
    }

    fn wake_writer(&self, state: &mut State) {
        if state.writer_waiting {
            state.writer_waiting = false;
            self.work.notify_one();
        }
    }

    /// For the writer: waits for a batch, a flush or the close, then takes
    /// every line, swapping `into` (empty) with the buffer. With nothing to
    /// write, returns an empty batch after `idle`, if given, so that the
    /// writer can do timed work (a checkpoint).
    pub(super) fn take(&self, into: Vec<u8>, idle: Option<Duration>) -> Batch {
        let mut state = self.lock();
        loop {
            if state.closed || !state.flushes.is_empty() || state.lines.len() >= self.batch {
                break;
            }
            state.writer_waiting = true;
            if state.lines.is_empty() {
                if let Some(idle) = idle {
                    let (next, timeout) = self
                        .work
                        .wait_timeout(state, idle)
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
            } else {
                let (next, timeout) = self
                    .work
                    .wait_timeout(state, LINGER)
                    .unwrap_or_else(PoisonError::into_inner);
                state = next;
                if timeout.timed_out() {
                    break;
                }
            }
        }
        state.writer_waiting = false;
        Batch {
            lines: std::mem::replace(&mut state.lines, into),
            entries: std::mem::take(&mut state.entries),
            flushes: std::mem::take(&mut state.flushes),
            closing: state.closed,
        }
    }

    /// For the writer: `bytes` of lines are written (or reported lost), so
    /// that much room is free again.
    pub(super) fn done(&self, bytes: usize) {
        let mut state = self.lock();
        state.pending = state.pending.saturating_sub(bytes);
        if state.waiting_threads > 0 {
            self.room.notify_all();
        }
        drop(state);
        #[cfg(feature = "tokio")]
        self.room_async.notify_waiters();
    }

    /// For the writer, as it exits (even by a panic): nothing will write
    /// lines any more. Returns the lines left and the flushes still waiting.
    pub(super) fn stop(&self) -> Batch {
        let mut state = self.lock();
        state.stopped = true;
        let batch = Batch {
            lines: std::mem::take(&mut state.lines),
            entries: std::mem::take(&mut state.entries),
            flushes: std::mem::take(&mut state.flushes),
            closing: true,
        };
        state.pending = 0;
        self.room.notify_all();
        drop(state);
        #[cfg(feature = "tokio")]
        self.room_async.notify_waiters();
        batch
    }
}
