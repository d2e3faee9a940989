//! Lines chained by another writer (a `KafkaSink`, feature `kafka`;
//! a [`JsonLinesSink`](crate::JsonLinesSink)), appended to a store with
//! their chain kept: each line is stored as it is, sealed, at its own
//! sequence number of its origin's chain, when it is the next link of that
//! chain in the store. `audit ingest` appends a topic's messages this way,
//! with `postgres::append_chained` or `sqlite::append_chained`.
//!
//! A line already stored (the same bytes at the same sequence number of the
//! origin) is a duplicate, dropped: a producer that delivered it twice. Any
//! other line that does not continue the chain is rejected and never
//! stored, so that the store's chain verifies: a line that is no chained
//! entry, one whose sequence number leaves a gap, one whose `prev` is not
//! the hash of the line before (or, first, of the origin's genesis), one
//! that differs from the stored line of its sequence number, one whose
//! entry id the store holds at another place.
//!
//! The origins appended this way must be none of the store's own writers'
//! origins: those chains are extended by the store's sealer.

use std::fmt;

use crate::chain::{self, Digest, Head, Link};
use crate::entry::AuditEntry;

/// What became of one line given to `append_chained`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Appended {
    /// Stored, sealed, at this sequence number of its origin's chain.
    Stored {
        /// The line's sequence number.
        seq: u64,
    },
    /// The store holds this very line already: a duplicate, dropped.
    Duplicate {
        /// The line's sequence number.
        seq: u64,
    },
    /// Not stored, and why.
    Rejected(Rejection),
}

/// Why a line was not appended to its origin's chain in a store.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The line is not a chained audit entry: not JSON, not an entry, or
    /// without a `"chain"` member.
    NotAChainedEntry {
        /// What is wrong with it.
        reason: String,
    },
    /// The store holds another line at this sequence number of the origin's
    /// chain: one of the two was forged.
    Conflict {
        /// The sequence number both lines claim.
        seq: u64,
    },
    /// The line's sequence number is not the next of the origin's chain:
    /// lines are missing before it.
    Gap {
        /// The line's sequence number.
        seq: u64,
        /// The next sequence number of the origin's chain in the store.
        expected: u64,
    },
    /// The line's `prev` is not the hash of the origin's line before it (for
    /// the first, of the origin's genesis), or the first line names another
    /// origin, or it records skipped bytes the store cannot hold.
    BrokenLink {
        /// The line's sequence number.
        seq: u64,
    },
    /// The store holds an entry with the line's id elsewhere.
    DuplicateId {
        /// The line's sequence number.
        seq: u64,
        /// The entry's id.
        id: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NotAChainedEntry { reason } => {
                write!(f, "not a chained audit entry: {reason}")
            }
            Rejection::Conflict { seq } => write!(
                f,
                "seq {seq} differs from the line the store holds at seq {seq}: one of them was forged"
            ),
            Rejection::Gap { seq, expected } => write!(
                f,
                "seq {seq} does not continue the chain, whose next seq is {expected}: lines are missing"
            ),
            Rejection::BrokenLink { seq } => write!(
                f,
                "seq {seq} does not link to the line before it (its prev, or its origin, is wrong)"
            ),
            Rejection::DuplicateId { seq, id } => {
                write!(
                    f,
                    "seq {seq} repeats the id {id} of an entry stored elsewhere"
                )
            }
        }
    }
}

impl std::error::Error for Rejection {}

/// A line read as a chained entry.
pub(crate) struct ChainedEntry<'a> {
    pub(crate) line: &'a str,
    pub(crate) entry: AuditEntry,
    pub(crate) link: Link,
    pub(crate) hash: Digest,
}

/// Reads `line` as a chained entry.
pub(crate) fn parse(line: &str) -> Result<ChainedEntry<'_>, Rejection> {
    let reject = |reason: String| Rejection::NotAChainedEntry { reason };
    let chained = chain::link_of(line.as_bytes())
        .ok_or_else(|| reject("no \"chain\" member with a seq and a prev".to_owned()))?;
    let entry: AuditEntry =
        serde_json::from_str(line).map_err(|error| reject(format!("not an entry: {error}")))?;
    Ok(ChainedEntry {
        line,
        entry,
        link: chained,
        hash: Digest::of(line.as_bytes()),
    })
}

/// Decides what becomes of `line` in the chain of `origin` whose head in
/// the store is `head` (moved on when it is stored). `stored` is the hash
/// of the line the store holds at the line's `seq`, when that is at or
/// before the head.
pub(crate) fn decide(
    origin: &str,
    head: &mut Option<Head>,
    line: &ChainedEntry<'_>,
    stored: Option<Digest>,
) -> Appended {
    let seq = line.link.seq;
    let next = head.map_or(1, |head| head.seq + 1);
    if seq < next {
        return match stored {
            Some(hash) if hash == line.hash => Appended::Duplicate { seq },
            // Purged, or never there: it cannot be told from the original.
            None => Appended::Rejected(Rejection::Gap {
                seq,
                expected: next,
            }),
            Some(_) => Appended::Rejected(Rejection::Conflict { seq }),
        };
    }
    if seq > next {
        return Appended::Rejected(Rejection::Gap {
            seq,
            expected: next,
        });
    }
    let prev = head.map_or_else(|| Digest::genesis(origin), |head| head.hash);
    let origin_ok = seq != 1 || line.link.origin.as_deref() == Some(origin);
    if line.link.prev != prev || !origin_ok || line.link.skipped.is_some() {
        return Appended::Rejected(Rejection::BrokenLink { seq });
    }
    *head = Some(Head {
        seq,
        hash: line.hash,
    });
    Appended::Stored { seq }
}

#[cfg(test)]
mod tests {
    use super::{Appended, Rejection, decide, parse};
    use crate::chain::Chainer;

    fn lines(origin: &str, n: usize) -> Vec<String> {
        let mut chainer = Chainer::new(origin);
        (0..n)
            .map(|i| {
                let entry = crate::store::chain::purge_entry(origin, i64::try_from(i).unwrap(), 0);
                let mut out = Vec::new();
                chainer
                    .append(serde_json::to_string(&entry).unwrap().as_bytes(), &mut out)
                    .unwrap();
                String::from_utf8(out).unwrap()
            })
            .collect()
    }

    #[test]
    fn a_chain_is_stored_once_and_a_forgery_is_rejected() {
        let lines = lines("api-1", 3);
        let mut head = None;
        let mut hashes = Vec::new();
        for line in &lines {
            let parsed = parse(line).unwrap();
            hashes.push(parsed.hash);
            assert!(matches!(
                decide("api-1", &mut head, &parsed, None),
                Appended::Stored { .. }
            ));
        }
        assert_eq!(head.unwrap().seq, 3);
        let again = parse(&lines[1]).unwrap();
        assert_eq!(
            decide("api-1", &mut head, &again, Some(hashes[1])),
            Appended::Duplicate { seq: 2 }
        );
        let forged = lines[1].replace("\"purged\":0", "\"purged\":1");
        let forged = parse(&forged).unwrap();
        assert_eq!(
            decide("api-1", &mut head, &forged, Some(hashes[1])),
            Appended::Rejected(Rejection::Conflict { seq: 2 })
        );
        // The first line of another origin's chain does not start this one.
        let mut empty = None;
        let other = lines_of_other();
        assert_eq!(
            decide("api-1", &mut empty, &parse(&other).unwrap(), None),
            Appended::Rejected(Rejection::BrokenLink { seq: 1 })
        );
        assert!(matches!(
            parse("{\"id\":1}"),
            Err(Rejection::NotAChainedEntry { .. })
        ));
    }

    fn lines_of_other() -> String {
        lines("api-2", 1).remove(0)
    }
}
