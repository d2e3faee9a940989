//! The exports: JSON lines exactly as stored, and CSV safe to open in a
//! spreadsheet; both streamed.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use tokio::sync::mpsc;

use crate::entry::AuditEntry;
use crate::store::StoreError;

/// The CSV's columns, in order.
pub(crate) const CSV_COLUMNS: [&str; 17] = [
    "id",
    "time",
    "actor",
    "organization_id",
    "ip",
    "user_agent",
    "resource_type",
    "resource_id",
    "resource_target",
    "resource_link",
    "action",
    "status_code",
    "request_id",
    "description",
    "flags",
    "diff",
    "additional_fields",
];

/// How an export writes each stored line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The line as stored, and a newline.
    JsonLines,
    /// A CSV record; the header comes first.
    Csv,
}

/// The body of an export: the lines a source sends, each formatted.
pub(crate) struct ExportStream {
    lines: mpsc::Receiver<Result<String, StoreError>>,
    format: Format,
    header_sent: bool,
}

impl ExportStream {
    pub(crate) fn new(lines: mpsc::Receiver<Result<String, StoreError>>, format: Format) -> Self {
        ExportStream {
            lines,
            format,
            header_sent: format == Format::JsonLines,
        }
    }
}

impl futures_core::Stream for ExportStream {
    type Item = Result<Bytes, StoreError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if !self.header_sent {
            self.header_sent = true;
            let mut header = String::new();
            push_record(
                &mut header,
                CSV_COLUMNS.iter().map(|column| (*column).into()),
            );
            return Poll::Ready(Some(Ok(Bytes::from(header))));
        }
        let format = self.format;
        self.lines.poll_recv(cx).map(|line| {
            line.map(|line| {
                let line = line?;
                match format {
                    Format::JsonLines => {
                        let mut bytes = line.into_bytes();
                        bytes.push(b'\n');
                        Ok(Bytes::from(bytes))
                    }
                    Format::Csv => {
                        let entry: AuditEntry = serde_json::from_str(&line).map_err(|source| {
                            StoreError::CorruptEntry {
                                id: "(in export)".to_owned(),
                                source,
                            }
                        })?;
                        Ok(Bytes::from(csv_record(&entry)))
                    }
                }
            })
        })
    }
}

/// One CSV record of `entry`, ending with CRLF.
pub(crate) fn csv_record(entry: &AuditEntry) -> String {
    let time = entry
        .time
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let flags: Vec<String> = entry
        .flags
        .iter()
        .filter_map(|flag| {
            serde_json::to_value(flag)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
        })
        .collect();
    let cells: [String; 17] = [
        entry.id.to_string(),
        time,
        entry.actor.clone().unwrap_or_default(),
        entry.organization_id.clone().unwrap_or_default(),
        entry.ip.map(|ip| ip.to_string()).unwrap_or_default(),
        entry.user_agent.clone().unwrap_or_default(),
        entry.resource_type.to_string(),
        entry.resource_id.clone(),
        entry.resource_target.clone(),
        entry.resource_link.clone().unwrap_or_default(),
        entry.action.as_str().to_owned(),
        entry
            .status_code
            .map(|code| code.to_string())
            .unwrap_or_default(),
        entry.request_id.clone().unwrap_or_default(),
        entry.description().into_owned(),
        flags.join(" "),
        json(&entry.diff),
        json(&entry.additional_fields),
    ];
    let mut record = String::new();
    push_record(&mut record, cells.into_iter().map(Into::into));
    record
}

/// A member of the entry as JSON text.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Appends a CSV record (RFC 4180: every cell quoted, quotes doubled,
/// CRLF), each cell made safe against formula injection.
fn push_record<'a>(record: &mut String, cells: impl Iterator<Item = std::borrow::Cow<'a, str>>) {
    for (index, cell) in cells.enumerate() {
        if index > 0 {
            record.push(',');
        }
        record.push('"');
        if starts_a_formula(&cell) {
            record.push('\'');
        }
        record.push_str(&cell.replace('"', "\"\""));
        record.push('"');
    }
    record.push_str("\r\n");
}

/// Whether a spreadsheet would read the cell as a formula: it begins with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's list).
pub(crate) fn starts_a_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_prefixed_and_quotes_doubled() {
        let mut record = String::new();
        push_record(
            &mut record,
            [
                "=HYPERLINK(\"x\")",
                "+1",
                "-1",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "plain",
                "a,b",
                "",
            ]
            .into_iter()
            .map(Into::into),
        );
        assert_eq!(
            record,
            "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-1\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\",\"plain\",\"a,b\",\"\"\r\n"
        );
    }
}
