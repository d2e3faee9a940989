//! What one request's audit entries share, and where its `Audit<T>` guards
//! leave their entries until the layer knows the response status.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::entry::{self, Context, Flag};
use crate::sink::deliver;
use crate::{Action, AuditEntry, AuditSink, Auditable};

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
            export_without_waiting(&*self.sink, entry);
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
            entry::report_flags(&entry);
            if let Err(error) = self.sink.export_async(entry).await {
                deliver::report_error(&error);
            }
        }
    }
}

impl Drop for Unexported {
    fn drop(&mut self) {
        for entry in self.entries.drain(..) {
            export_without_waiting(&*self.sink, entry);
        }
    }
}

/// Exports `entry` from where nobody can wait (a `Drop`): the sink takes it
/// beyond its bound, or it is written to standard error.
fn export_without_waiting(sink: &dyn AuditSink, entry: AuditEntry) {
    entry::report_flags(&entry);
    if let Err(error) = sink.export_without_waiting(entry) {
        deliver::report_error(&error);
    }
}

/// The entry of a guard, by the rules of [`AuditRequest`](crate::AuditRequest):
/// committed with a status, with a diff below 400 only; without a status,
/// flagged [`Flag::Uncommitted`], and nothing when no value was set.
pub(super) fn entry_of<T: Auditable>(
    context: Context,
    action: Action,
    old: Option<&T>,
    new: Option<&T>,
    status: Option<u16>,
) -> Option<AuditEntry> {
    match status {
        Some(code) => Some(context.entry(action, old, new, Some(code), code < 400)),
        None if old.is_none() && new.is_none() => None,
        None => {
            let mut entry = context.entry(action, old, new, None, true);
            entry.flags.push(Flag::Uncommitted);
            Some(entry)
        }
    }
}
