//! Where a page of entries ends: the keyset a next page starts after.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entry::AuditEntry;

/// Where a page ended: the time and id of its last entry. Pass it to
/// [`AuditQuery::after`](crate::store::AuditQuery::after) for the next page.
///
/// Entries are ordered by time, then by id, both descending; a cursor names
/// one position in that order, so a page never skips or repeats an entry,
/// even among entries made in the same microsecond, and entries written
/// while a client pages do not shift the pages (no `OFFSET`).
///
/// Its string form is opaque, URL-safe and stable across both stores; it
/// serializes as that string.
///
/// ```
/// use audit_core::store::Cursor;
///
/// let cursor: Cursor = "1764320400000000.01936d3e8f2a7c4e8f2a1b2c3d4e5f60".parse()?;
/// assert_eq!(cursor.to_string().parse::<Cursor>()?, cursor);
/// assert!("page-2".parse::<Cursor>().is_err());
/// # Ok::<(), audit_core::store::CursorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cursor {
    /// Microseconds since the Unix epoch, as the stores keep time.
    pub(crate) time_us: i64,
    pub(crate) id: Uuid,
}

/// A string that is not a [`Cursor`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorError {
    input: String,
}

impl Cursor {
    /// The cursor just past `entry`: the next page starts with the entry
    /// after it.
    pub fn of(entry: &AuditEntry) -> Cursor {
        Cursor {
            time_us: micros(entry.time),
            id: entry.id,
        }
    }
}

/// Microseconds since the Unix epoch, rounded down: the precision both
/// stores keep. Saturates outside the `i64` range, which `time` cannot reach.
pub(crate) fn micros(time: OffsetDateTime) -> i64 {
    let micros = time.unix_timestamp_nanos().div_euclid(1000);
    i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX })
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.time_us, self.id.simple())
    }
}

impl FromStr for Cursor {
    type Err = CursorError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let error = || CursorError {
            input: input.chars().take(64).collect(),
        };
        let (time, id) = input.split_once('.').ok_or_else(error)?;
        if id.len() != 32 {
            return Err(error());
        }
        Ok(Cursor {
            time_us: time.parse().map_err(|_| error())?,
            id: Uuid::try_parse(id).map_err(|_| error())?,
        })
    }
}

impl fmt::Display for CursorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an audit-log cursor; use a page's next_cursor as it is",
            self.input
        )
    }
}

impl std::error::Error for CursorError {}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn micros_round_down_before_and_after_the_epoch() {
        assert_eq!(micros(datetime!(1970-01-01 00:00:00.000_001_999 UTC)), 1);
        assert_eq!(micros(datetime!(1969-12-31 23:59:59.999_999_001 UTC)), -1);
    }

    #[test]
    fn cursor_round_trips_through_text_and_json() {
        let cursor = Cursor {
            time_us: -5,
            id: Uuid::from_u128(7),
        };
        assert_eq!(cursor.to_string(), "-5.00000000000000000000000000000007");
        assert_eq!(cursor.to_string().parse::<Cursor>(), Ok(cursor));
        let json = serde_json::to_string(&cursor).unwrap();
        assert_eq!(serde_json::from_str::<Cursor>(&json).unwrap(), cursor);
        for bad in [
            "",
            ".",
            "1.",
            "x.00000000000000000000000000000007",
            "1.0000-0000",
        ] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }
}
