//! A channel for one reply, awaited by async code or waited for by a thread,
//! whatever the async runtime (or none): how the writer answers a flush.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// Where a value lands that reached its receiver but was never read (the
/// receiver was dropped right after it came): so that what it says (a
/// failure) can go to someone else.
pub(crate) type Unread<T> = Arc<Mutex<Vec<T>>>;

/// A channel for one value.
#[cfg(any(feature = "sqlite", test))]
pub(crate) fn channel<T>() -> (Sender<T>, Receiver<T>) {
    channel_keeping_unread(None)
}

/// A channel for one value that, dropped unread, goes to `unread`.
pub(crate) fn channel_keeping_unread<T>(unread: Option<Unread<T>>) -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Slot {
        state: Mutex::new(State {
            value: None,
            closed: false,
            abandoned: false,
            waker: None,
        }),
        changed: Condvar::new(),
    });
    (Sender(Arc::clone(&slot)), Receiver { slot, unread })
}

/// Sends the value; dropped without sending, the receiver gets `None`.
pub(crate) struct Sender<T>(Arc<Slot<T>>);

/// Receives the value: `.await` it, or [`wait`](Receiver::wait) for it.
pub(crate) struct Receiver<T> {
    slot: Arc<Slot<T>>,
    unread: Option<Unread<T>>,
}

struct Slot<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
}

struct State<T> {
    value: Option<T>,
    /// The sender is gone: no value will come after `value`.
    closed: bool,
    /// The receiver is gone (a cancelled `flush_async`): nobody reads `value`.
    abandoned: bool,
    waker: Option<Waker>,
}

impl<T> Slot<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Sender<T> {
    /// Sends `value`; gives it back when the receiver is gone, so that what
    /// it says (a failure) can go to someone else.
    pub(crate) fn send(self, value: T) -> Result<(), T> {
        let mut state = self.0.lock();
        if state.abandoned {
            return Err(value);
        }
        state.value = Some(value);
        Ok(())
        // Dropping `self` wakes the receiver.
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.0.lock();
            state.closed = true;
            state.waker.take()
        };
        self.0.changed.notify_all();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// Blocks the thread until the value comes; `None` if it never will.
    pub(crate) fn wait(self) -> Option<T> {
        let mut state = self.slot.lock();
        while state.value.is_none() && !state.closed {
            state = self
                .slot
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.value.take()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let unread = {
            let mut state = self.slot.lock();
            state.abandoned = true;
            state.value.take()
        };
        if let (Some(value), Some(keep)) = (unread, &self.unread) {
            keep.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(value);
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut state = self.slot.lock();
        if let Some(value) = state.value.take() {
            return Poll::Ready(Some(value));
        }
        if state.closed {
            return Poll::Ready(None);
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Runs `job` on a thread of its own and resolves to its result, so that
/// async code can wait for blocking work without blocking its runtime.
#[cfg(feature = "sqlite")]
pub(crate) async fn on_thread<T: Send + 'static>(
    name: &str,
    job: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<T> {
    let (sender, receiver) = channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        // Nobody waits for a job whose caller gave up.
        .spawn(move || drop(sender.send(job())))?;
    receiver
        .await
        .ok_or_else(|| std::io::Error::other(format!("the {name} thread stopped")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_gets_the_value_or_none() {
        let (sender, receiver) = channel();
        std::thread::spawn(move || sender.send(5).is_ok());
        assert_eq!(receiver.wait(), Some(5));
        let (sender, receiver) = channel::<u8>();
        drop(sender);
        assert_eq!(receiver.wait(), None);
    }

    #[test]
    fn a_value_nobody_receives_is_given_back() {
        let (sender, receiver) = channel();
        drop(receiver);
        assert_eq!(sender.send(5), Err(5));
    }
}
