//! An entry as the columns of its row, computed once per entry.

use crate::entry::{AuditEntry, json};
use crate::store::cursor::micros;
use crate::store::sql::flag_name;

/// The values of an entry's row that are not fields of the entry as they are.
pub(crate) struct EntryRow<'a> {
    pub(crate) entry: &'a AuditEntry,
    /// Microseconds since the Unix epoch.
    pub(crate) time_us: i64,
    pub(crate) ip: Option<String>,
    /// The diff, as JSON text.
    pub(crate) diff: String,
    /// The additional fields, as JSON text.
    pub(crate) additional_fields: String,
    /// The flags' names.
    pub(crate) flags: Vec<String>,
    /// The whole entry, as JSON text: what is read back, so that an entry
    /// comes back exactly as it was exported.
    pub(crate) entry_json: String,
}

impl<'a> EntryRow<'a> {
    pub(crate) fn new(entry: &'a AuditEntry) -> Result<Self, serde_json::Error> {
        Ok(EntryRow {
            entry,
            time_us: micros(entry.time),
            ip: entry.ip.map(|ip| ip.to_string()),
            diff: json_text(256, |out| json::write_diff(out, &entry.diff))?,
            additional_fields: if entry.additional_fields.is_empty() {
                String::from("{}")
            } else {
                serde_json::to_string(&entry.additional_fields)?
            },
            flags: entry.flags.iter().copied().map(flag_name).collect(),
            entry_json: json_text(1024, |out| json::write(out, entry))?,
        })
    }
}

/// The JSON text `write` writes, as `serde_json::to_string` would give it.
fn json_text(
    capacity: usize,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<String, serde_json::Error> {
    let mut json = Vec::with_capacity(capacity);
    write(&mut json)?;
    // JSON written from `&str`s and ASCII: UTF-8, converted without a copy.
    Ok(String::from_utf8(json)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()))
}

/// Reads an entry back from its stored JSON.
pub(crate) fn parse_entry(json: &str) -> Result<AuditEntry, crate::store::StoreError> {
    serde_json::from_str(json).map_err(|source| crate::store::StoreError::CorruptEntry {
        id: stored_id(json),
        source,
    })
}

/// The id in a stored entry that cannot be read as a whole, for the error.
fn stored_id(json: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    serde_json::from_str::<Id>(json).map_or_else(|_| "(unknown id)".to_owned(), |id| id.id)
}
