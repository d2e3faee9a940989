//! What a sink that writes entries as lines of JSON gives its callers: each
//! entry serialized by the caller, into a reusable per-thread buffer, and
//! appended to the writer engine's queue. The JSON-lines sink and the Kafka
//! sink both export through a [`LineWriter`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::io;

use super::lines::{BATCH, Lines};
use crate::entry::AuditEntry;
#[cfg(feature = "tokio")]
use crate::sink::ExportFuture;
use crate::sink::error::ExportError;
#[cfg(feature = "tokio")]
use crate::writer::{Bound, Refused};
use crate::writer::{Refusal, Writer};

/// The writer engine's handle, fed serialized lines.
pub(crate) struct LineWriter {
    writer: Writer<Lines>,
}

thread_local! {
    /// The buffer each thread serializes its entries into, reused.
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Serializes `entry` as one line and calls `with` on it, through the
/// thread's reusable buffer.
fn with_line<R>(entry: &AuditEntry, with: impl FnOnce(&[u8]) -> R) -> Result<R, serde_json::Error> {
    fn serialize(line: &mut Vec<u8>, entry: &AuditEntry) -> Result<(), serde_json::Error> {
        line.clear();
        crate::entry::json::write(line, entry)?;
        line.push(b'\n');
        Ok(())
    }
    // Re-entered (a serializer that exports), or during thread teardown,
    // the thread's buffer is unavailable: a fresh one is used.
    let mut with = Some(with);
    let mut call = |line: &[u8]| with.take().map(|with| with(line));
    let reused = LINE.try_with(|line| {
        let mut line = line.try_borrow_mut().ok()?;
        let result = serialize(&mut line, entry).map(|()| call(&line));
        // A rare huge entry does not keep its buffer forever.
        if line.capacity() > BATCH {
            *line = Vec::new();
        }
        Some(result)
    });
    if let Ok(Some(result)) = reused
        && let Some(result) = result?
    {
        return Ok(result);
    }
    let mut line = Vec::new();
    serialize(&mut line, entry)?;
    call(&line).ok_or_else(|| serde_json::Error::io(io::Error::other("serialized twice")))
}

/// An entry that cannot be serialized can be written nowhere; the caller is
/// told (`Write`, one entry).
fn unserializable(error: serde_json::Error) -> ExportError {
    ExportError::Write {
        failed: 1,
        source: Box::new(error),
    }
}

/// The result of an export, from what became of its line.
fn exported(appended: Result<(), Refusal>, entry: AuditEntry) -> Result<(), ExportError> {
    appended.map_err(|why| why.into_error(entry))
}

impl LineWriter {
    pub(crate) fn new(writer: Writer<Lines>) -> Self {
        LineWriter { writer }
    }

    pub(crate) fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        let appended = with_line(&entry, |line| {
            self.writer
                .append(Cow::Borrowed(line))
                .map_err(|refused| refused.why)
        })
        .map_err(unserializable)?;
        exported(appended, entry)
    }

    pub(crate) fn export_without_waiting(&self, entry: AuditEntry) -> Result<(), ExportError> {
        let appended = with_line(&entry, |line| {
            self.writer
                .append_without_waiting(Cow::Borrowed(line))
                .map_err(|refused| refused.why)
        })
        .map_err(unserializable)?;
        exported(appended, entry)
    }

    pub(crate) fn flush(&self) -> Result<(), ExportError> {
        self.writer.flush()
    }

    #[cfg(feature = "tokio")]
    pub(crate) fn export_async(&self, entry: AuditEntry) -> ExportFuture<'_> {
        // The fast path, with room: no copy of the line, nothing to await.
        let appended = with_line(&entry, |line| {
            match self.writer.try_append(Cow::Borrowed(line), Bound::Respect) {
                Err(Refused {
                    why: Refusal::Full, ..
                }) => Err(line.to_vec()),
                appended => Ok(appended.map_err(|refused| refused.why)),
            }
        });
        let line = match appended {
            Err(error) => return Box::pin(std::future::ready(Err(unserializable(error)))),
            Ok(Ok(appended)) => return Box::pin(std::future::ready(exported(appended, entry))),
            Ok(Err(line)) => line,
        };
        Box::pin(async move {
            let appended = self.writer.append_async(Cow::Owned(line)).await;
            exported(appended.map_err(|refused| refused.why), entry)
        })
    }

    #[cfg(feature = "tokio")]
    pub(crate) fn flush_async(&self) -> ExportFuture<'_> {
        Box::pin(self.writer.flush_async())
    }
}

impl std::fmt::Debug for LineWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.writer.fmt(f)
    }
}
