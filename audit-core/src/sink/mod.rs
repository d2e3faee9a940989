//! Where entries go: the [`AuditSink`] trait and the sinks.
//!
//! - [`JsonLinesSink`]: a hash-chained file of JSON lines, written by a
//!   background thread ([`json_lines`]);
//! - `KafkaSink` (feature `kafka`): each entry produced to a Kafka topic,
//!   chained per origin, through a spool on disk (`audit_core::kafka`);
//! - [`MemorySink`]: entries kept in memory, with typed assertions, for tests;
//! - `TracingSink` (feature `tracing`): entries as `tracing` events;
//! - [`NopSink`]: entries dropped, for tools and benchmarks;
//! - the SQL stores, in [`store`](crate::store): `audit_core::sqlite` and
//!   `audit_core::postgres`, and [`Outbox`](crate::store::Outbox) for the
//!   caller's own transaction.
//!
//! Every sink keeps one contract: an entry is written, handed back in the
//! [`ExportError`], or written to standard error; never dropped silently.

pub(crate) mod deliver;
pub(crate) mod error;
pub mod json_lines;
#[cfg(feature = "kafka")]
#[cfg_attr(docsrs, doc(cfg(feature = "kafka")))]
pub mod kafka;
pub(crate) mod memory;
pub(crate) mod outbox;
#[cfg(feature = "tracing")]
pub(crate) mod tracing;

pub use self::error::ExportError;
pub use self::json_lines::JsonLinesSink;
pub use self::memory::MemorySink;
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use self::tracing::TracingSink;

#[cfg(feature = "tokio")]
use std::future::Future;
#[cfg(feature = "tokio")]
use std::pin::Pin;
use std::sync::Arc;

use crate::entry::AuditEntry;

/// What `AuditSink::export_async` and `AuditSink::flush_async` return.
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub type ExportFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ExportError>> + Send + 'a>>;

/// A sink for audit-log entries.
///
/// The contract every sink keeps: an entry is written, or handed back inside
/// the [`ExportError`], or (where nobody can be handed it) written to
/// standard error; never dropped silently. `export` does no I/O on the
/// caller's thread beyond what the sink documents; a sink whose storage is
/// behind makes the caller wait for room, for a bounded time, and then
/// returns the entry ([`ExportError::QueueFull`]). Async code uses
/// `export_async` and
/// `flush_async` (feature `tokio`), which await
/// room instead of blocking a worker thread.
///
/// A sink that never waits (it keeps entries in memory or hands them to
/// `tracing`) implements `export` only.
///
/// ```
/// use std::sync::Mutex;
///
/// use audit_core::{AuditEntry, AuditSink, ExportError};
///
/// /// Counts entries per resource type.
/// #[derive(Default)]
/// struct Counter(Mutex<std::collections::BTreeMap<String, usize>>);
///
/// impl AuditSink for Counter {
///     fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
///         let mut counts = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
///         *counts.entry(entry.resource_type.into_owned()).or_default() += 1;
///         Ok(())
///     }
/// }
/// ```
pub trait AuditSink: Send + Sync {
    /// Hands `entry` to the sink, waiting (for a bounded time the sink
    /// documents) while the sink is full.
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error gives it back.
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError>;

    /// Hands `entry` to the sink without waiting, for callers that cannot
    /// wait or be told later, such as a guard dropped uncommitted (a `Drop`
    /// cannot await). A bounded sink takes the entry beyond its bound rather
    /// than return it. The default calls [`export`](AuditSink::export).
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry at all (it is closed); the error
    /// gives it back.
    fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.export(entry)
    }

    /// Returns once every entry exported before the call is durable.
    ///
    /// # Errors
    ///
    /// When an entry exported since the last flush could not be written.
    fn flush(&self) -> Result<(), ExportError> {
        Ok(())
    }

    /// Hands `entry` to the sink, awaiting room while the sink is full: the
    /// async [`export`](AuditSink::export), which never blocks the thread.
    /// Dropping the future before it completes still hands the entry over,
    /// as [`export_without_waiting`](AuditSink::export_without_waiting) does.
    ///
    /// The default calls `export`, for sinks that never wait.
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error gives it back.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    fn export_async(&self, entry: AuditEntry) -> ExportFuture<'_> {
        Box::pin(std::future::ready(self.export(entry)))
    }

    /// Completes once every entry exported before the call is durable, without
    /// blocking the thread: the async [`flush`](AuditSink::flush).
    ///
    /// The default calls `flush`, for sinks whose flush does no I/O.
    ///
    /// # Errors
    ///
    /// When an entry exported since the last flush could not be written.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    fn flush_async(&self) -> ExportFuture<'_> {
        Box::pin(std::future::ready(self.flush()))
    }
}

/// Forwards every method, so that a sink behind a reference or a pointer is a sink.
macro_rules! forward_sink {
    ($($pointer:ty),*) => {$(
        impl<S: AuditSink + ?Sized> AuditSink for $pointer {
            fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
                (**self).export(entry)
            }

            fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
                (**self).export_without_waiting(entry)
            }

            fn flush(&self) -> Result<(), ExportError> {
                (**self).flush()
            }

            #[cfg(feature = "tokio")]
            fn export_async(&self, entry: AuditEntry) -> ExportFuture<'_> {
                (**self).export_async(entry)
            }

            #[cfg(feature = "tokio")]
            fn flush_async(&self) -> ExportFuture<'_> {
                (**self).flush_async()
            }
        }
    )*};
}

forward_sink!(&S, Arc<S>, Box<S>);

/// A sink that drops every entry: for code paths that must audit but where
/// nobody listens, such as tools and benchmarks.
#[derive(Clone, Copy, Debug, Default)]
pub struct NopSink;

impl AuditSink for NopSink {
    fn export(&self, _entry: AuditEntry) -> Result<(), ExportError> {
        Ok(())
    }
}
