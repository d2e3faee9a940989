//! Where entries go: the `AuditSink` sink trait, and the sink that drops them.

use std::sync::Arc;

use crate::{AuditEntry, ExportError};

/// A sink for audit-log entries.
///
/// `export` is called on the request path: it must not block on I/O and must
/// not panic. A sink that cannot take an entry returns it inside the
/// [`ExportError`], so that nothing is lost silently.
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
///         *counts.entry(entry.resource_type).or_default() += 1;
///         Ok(())
///     }
/// }
/// ```
pub trait AuditSink: Send + Sync {
    /// Hands `entry` to the sink.
    ///
    /// # Errors
    ///
    /// When the sink cannot take the entry; the error gives it back.
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError>;

    /// Returns once every entry exported before the call is durable.
    ///
    /// # Errors
    ///
    /// When an entry exported since the last flush could not be written.
    fn flush(&self) -> Result<(), ExportError> {
        Ok(())
    }
}

impl<S: AuditSink + ?Sized> AuditSink for &S {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        (**self).export(entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        (**self).flush()
    }
}

impl<S: AuditSink + ?Sized> AuditSink for Arc<S> {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        (**self).export(entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        (**self).flush()
    }
}

impl<S: AuditSink + ?Sized> AuditSink for Box<S> {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        (**self).export(entry)
    }

    fn flush(&self) -> Result<(), ExportError> {
        (**self).flush()
    }
}

/// A sink that drops every entry: for code paths that must audit but where
/// nobody listens, such as tools and benchmarks.
#[derive(Clone, Copy, Debug, Default)]
pub struct NopSink;

impl AuditSink for NopSink {
    fn export(&self, _entry: AuditEntry) -> Result<(), ExportError> {
        Ok(())
    }
}
