//! The hash chain in a SQL store: each row's `entry_json` is a chained line
//! and its `seq` column the line's sequence number.
//!
//! One writer at a time extends the chain: the store's writer thread and
//! `insert_entries` both take the database's write lock (SQLite) or an
//! advisory lock (PostgreSQL), then read the head, the row with the highest
//! `seq`, inside the transaction they insert in. A rolled-back transaction
//! takes its sequence numbers with it, so it leaves no gap.

use crate::chain::verify::Report;
use crate::chain::{ChainError, Chainer, Digest, Head};

/// The origin a store's chain starts with when nobody set one.
pub const DEFAULT_ORIGIN: &str = "audit-store";

/// What [`verify`](crate::chain::verify) found in a store: the chain of its
/// chained rows, read in `seq` order (a problem's `line` is the row's
/// position in that order, from 1), and how many rows are not chained.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreReport {
    /// The chain's report.
    pub chain: Report,
    /// How many rows have no `seq`: written before the store chained its
    /// entries (schema version 1), or inserted behind the store's back. The
    /// chain does not cover them.
    pub unchained: u64,
}

/// The head of a chain whose last row has `seq` and `entry_json`.
pub(crate) fn head_of(seq: i64, entry_json: &str) -> Head {
    Head {
        seq: u64::try_from(seq).unwrap_or(0),
        hash: Digest::of(entry_json.as_bytes()),
    }
}

/// A chain that continues after `head`, or starts at `origin`.
pub(crate) fn resume(origin: &str, head: Option<Head>) -> Chainer {
    Chainer::resume(origin, head, None)
}

/// `entry_json` chained after `chainer`'s head: the chainer with the new
/// head, the row's `seq` and its chained line. `chainer` is left as it was,
/// so that a row that is not inserted (its id is already stored) does not
/// take a sequence number.
pub(crate) fn chain_row(
    chainer: &Chainer,
    entry_json: &str,
) -> Result<(Chainer, i64, String), ChainError> {
    let mut next = chainer.clone();
    let mut line = Vec::with_capacity(entry_json.len() + 96);
    let head = next.append(entry_json.as_bytes(), &mut line)?;
    // Beyond `i64::MAX` entries, the `UNIQUE` seq column refuses the row.
    let seq = i64::try_from(head.seq).unwrap_or(i64::MAX);
    // The entry's UTF-8 with ASCII and a JSON string appended: never lossy,
    // and converted without a copy.
    let line = String::from_utf8(line)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    Ok((next, seq, line))
}
