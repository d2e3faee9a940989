//! What one request's audit entries share, and where its `Audit<T>` guards
//! leave their entries until the layer knows the response status.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::entry::AuditEntry;
use crate::entry::context::Context;
use crate::sink::{AuditSink, deliver};

/// An entry waiting for the response status: `None` when the request ended
/// without a response.
pub(super) type Pending = Box<dyn FnOnce(Option<u16>) -> Option<AuditEntry> + Send>;

/// One request: its context and its pending entries. The layer puts it in
/// the request's extensions; every `Audit<T>` extracted holds it.
pub(super) struct Scope {
    pub(super) sink: Arc<dyn AuditSink>,
    /// The client's address, user agent and the request id; the actor is
    /// resolved by each `Audit<T>`, after authentication ran.
    pub(super) context: Context,
    state: Mutex<State>,
}

enum State {
    /// The response is not known yet.
    Open(Vec<Pending>),
    /// The layer settled the request; a guard dropped later exports itself.
    Settled,
}

impl Scope {
    pub(super) fn new(sink: Arc<dyn AuditSink>, context: Context) -> Self {
        Scope {
            sink,
            context,
            state: Mutex::new(State::Open(Vec::new())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A guard's `Drop` never panics while holding the lock, but a poisoned
        // lock must not lose the entries either.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands over a guard's entry. Once the request is settled (the guard
    /// outlived the response, in a spawned task), it is exported at once,
    /// as a guard dropped uncommitted.
    pub(super) fn leave(&self, pending: Pending) {
        let late = {
            let mut state = self.lock();
            match &mut *state {
                State::Open(entries) => {
                    entries.push(pending);
                    None
                }
                State::Settled => Some(pending),
            }
        };
        if let Some(entry) = late.and_then(|pending| pending(None)) {
            deliver::export_or_report(&*self.sink, entry);
        }
    }

    /// The entries left so far, given `status`: `None` when the request
    /// ended without a response. Guards dropped later export themselves.
    pub(super) fn settle(&self, status: Option<u16>) -> Unexported {
        let pending = match std::mem::replace(&mut *self.lock(), State::Settled) {
            State::Open(entries) => entries,
            State::Settled => Vec::new(),
        };
        Unexported {
            sink: Arc::clone(&self.sink),
            entries: pending
                .into_iter()
                .filter_map(|entry| entry(status))
                .collect(),
        }
    }
}

/// Entries on their way to the sink. Those still here when it is dropped
/// (the response future was dropped while it awaited room) are exported
/// without waiting, so that none is lost.
pub(super) struct Unexported {
    sink: Arc<dyn AuditSink>,
    entries: VecDeque<AuditEntry>,
}

impl Unexported {
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Exports every entry, awaiting room in a sink that is behind rather
    /// than blocking the thread. An entry the sink cannot take has nobody to
    /// go back to: it is written to standard error.
    pub(super) async fn export(mut self) {
        while let Some(entry) = self.entries.pop_front() {
            deliver::report_flags(&entry);
            if let Err(error) = self.sink.export_async(entry).await {
                deliver::report_error(&error);
            }
        }
    }
}

impl Drop for Unexported {
    fn drop(&mut self) {
        for entry in self.entries.drain(..) {
            deliver::export_or_report(&*self.sink, entry);
        }
    }
}
