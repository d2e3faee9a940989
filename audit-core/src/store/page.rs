//! What a store returns for a query: a page of entries, or a capped count.

use std::fmt;

use serde::Serialize;

use crate::entry::AuditEntry;
use crate::store::Cursor;

/// One page of entries, newest first, and where the next page starts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Page {
    /// The entries, newest first, exactly as they were exported.
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts; `None` when this page is the last.
    pub next_cursor: Option<Cursor>,
}

impl Page {
    #[cfg(feature = "sql")]
    /// The page of `rows`, read with one more row than `page_size` to tell
    /// whether another page follows.
    pub(crate) fn from_rows(mut rows: Vec<AuditEntry>, page_size: usize) -> Page {
        let next_cursor = if rows.len() > page_size {
            rows.truncate(page_size);
            rows.last().map(Cursor::of)
        } else {
            None
        };
        Page {
            entries: rows,
            next_cursor,
        }
    }
}

/// How many entries match a query, counted up to a cap.
///
/// ```
/// use audit_core::store::CappedCount;
///
/// assert_eq!(CappedCount::new(12, 2000).to_string(), "12");
/// assert_eq!(CappedCount::new(2001, 2000).to_string(), "2000+");
/// assert!(CappedCount::new(2001, 2000).capped);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct CappedCount {
    /// The number of matching entries, or the cap when there are more.
    pub count: u64,
    /// Whether more entries than `count` match.
    pub capped: bool,
}

impl CappedCount {
    /// The count of `counted` entries under `cap`: at most `cap`, capped
    /// when `counted` is more.
    pub fn new(counted: u64, cap: u64) -> Self {
        CappedCount {
            count: counted.min(cap),
            capped: counted > cap,
        }
    }
}

impl fmt::Display for CappedCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.count, if self.capped { "+" } else { "" })
    }
}
