//! The hash chain that makes an audit log tamper-evident.
//!
//! Each line of a chained JSON-lines log ends with one more member,
//!
//! ```text
//! {"id":"…",…,"chain":{"seq":2,"prev":"sha256:9c1f…"}}
//! ```
//!
//! where `seq` counts the entries from 1 and `prev` is the SHA-256 of the
//! previous entry's line, exactly as stored (without its newline). The first
//! entry names the chain's origin and its `prev` is the SHA-256 of
//! `"audit-rs chain v1\n"` followed by the origin, which binds the chain to
//! the log it was started for:
//!
//! ```text
//! {"id":"…",…,"chain":{"seq":1,"prev":"sha256:…","origin":"prod-eu"}}
//! ```
//!
//! The hash is over the stored bytes, not over a re-serialization (see the
//! design notes: canonical JSON loses the low bits of large integers), so
//! `sed -n 1p audit.jsonl | tr -d '\n' | sha256sum` and
//! `sed -n 2p audit.jsonl | jq -r .chain.prev` check a link with no other tool.
//!
//! Lines that are not entries, such as a line torn by a crash, are not part of
//! the chain. The entry written after them records the SHA-256 of their bytes
//! in `"skipped"`, so that they are accounted for: a verifier tells a torn
//! write the writer saw from a line inserted later.
//!
//! A chain only proves that the log is consistent with itself: whoever can
//! rewrite the whole file can recompute it, and removing the last entries
//! leaves a shorter, valid chain. Signed checkpoints, kept somewhere else,
//! catch both (the `checkpoints` feature).
//!
//! - [`Chainer`] appends the member to serialized entries and keeps the head;
//!   [`JsonLinesSink`](crate::JsonLinesSink) uses one, resumed from the end of
//!   the file it appends to.
//! - [`verify`](verify::verify) reads a log back and reports the first line
//!   that breaks the chain.

#[cfg(feature = "checkpoints")]
#[cfg_attr(docsrs, doc(cfg(feature = "checkpoints")))]
pub mod checkpoint;
pub(crate) mod digest;
mod resume;
pub mod verify;

use std::fmt;
use std::io::Write as _;

use serde::{Deserialize, Serialize};

pub use self::digest::{Digest, ParseDigestError};
pub use self::resume::{Resumed, resume};

/// The domain of the genesis hash: the first entry's `prev` is the SHA-256 of
/// these bytes followed by the origin.
pub const GENESIS_DOMAIN: &str = "audit-rs chain v1\n";

/// The name of the chain format, as written in checkpoints.
pub const FORMAT: &str = "audit-rs/chain/v1";

/// The `"chain"` member of an entry line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// The entry's position in the chain, from 1.
    pub seq: u64,
    /// The SHA-256 of the previous entry's line; for the first entry, the
    /// [genesis](Digest::genesis) hash of the origin.
    pub prev: Digest,
    /// The chain's origin; on the first entry only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The SHA-256 of the bytes between the previous entry's line and this
    /// one, when there are any: lines that are not entries, such as a line
    /// torn by a crash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Digest>,
}

/// The last entry of a chain: its sequence number and the hash of its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// The entry's sequence number.
    pub seq: u64,
    /// The SHA-256 of the entry's line, as stored, without its newline.
    pub hash: Digest,
}

/// A serialized entry that cannot be chained.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainError {
    /// The entry is not a JSON object (it must start with `{` and end with `}`).
    NotAnObject,
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::NotAnObject => f.write_str("a chained entry must be a JSON object"),
        }
    }
}

impl std::error::Error for ChainError {}

/// Appends the `"chain"` member to serialized entries, one after the other,
/// and keeps the head of the chain.
///
/// One `Chainer` per log, used by the one writer that decides the order of
/// the lines.
///
/// ```
/// use audit_core::chain::{Chainer, Digest};
///
/// let mut chainer = Chainer::new("prod-eu");
/// let mut first = Vec::new();
/// chainer.append(br#"{"id":1}"#, &mut first).unwrap();
/// let genesis = Digest::genesis("prod-eu");
/// assert_eq!(
///     String::from_utf8(first.clone()).unwrap(),
///     format!(r#"{{"id":1,"chain":{{"seq":1,"prev":"{genesis}","origin":"prod-eu"}}}}"#),
/// );
///
/// let mut second = Vec::new();
/// let head = chainer.append(br#"{"id":2}"#, &mut second).unwrap();
/// assert_eq!(head.seq, 2);
/// assert_eq!(head.hash, Digest::of(&second));
/// assert_eq!(
///     String::from_utf8(second).unwrap(),
///     format!(r#"{{"id":2,"chain":{{"seq":2,"prev":"{}"}}}}"#, Digest::of(&first)),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Chainer {
    origin: String,
    head: Option<Head>,
    skipped: Option<Digest>,
}

impl Chainer {
    /// A chain for a new, empty log from `origin`: a name for the log, such
    /// as `"prod-eu/api"`, that its checkpoints repeat.
    pub fn new(origin: impl Into<String>) -> Self {
        Chainer {
            origin: origin.into(),
            head: None,
            skipped: None,
        }
    }

    /// A chain that continues after `head`. The next entry records `skipped`,
    /// the hash of the bytes written after `head`'s line that are not entries.
    /// Without a head, the next entry starts a chain, recording the hash of
    /// every byte before it in `skipped`.
    pub fn resume(origin: impl Into<String>, head: Option<Head>, skipped: Option<Digest>) -> Self {
        Chainer {
            origin: origin.into(),
            head,
            skipped,
        }
    }

    /// The origin new chains are started with.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The last entry chained, if any.
    pub fn head(&self) -> Option<Head> {
        self.head
    }

    /// Writes `entry`, a serialized JSON object, to `out` with the `"chain"`
    /// member added as its last member, and makes it the head. Writes no
    /// newline.
    ///
    /// # Errors
    ///
    /// When `entry` is not a JSON object; nothing is written then.
    pub fn append(&mut self, entry: &[u8], out: &mut Vec<u8>) -> Result<Head, ChainError> {
        let [b'{', body @ .., b'}'] = entry else {
            return Err(ChainError::NotAnObject);
        };
        let start = out.len();
        out.push(b'{');
        out.extend_from_slice(body);
        if !body.iter().all(u8::is_ascii_whitespace) {
            out.push(b',');
        }
        let (seq, prev) = match self.head {
            Some(head) => (head.seq + 1, head.hash),
            None => (1, Digest::genesis(&self.origin)),
        };
        // Writing to a `Vec` cannot fail.
        let _ = write!(out, r#""chain":{{"seq":{seq},"prev":"{prev}""#);
        if self.head.is_none() {
            out.extend_from_slice(br#","origin":"#);
            let _ = serde_json::to_writer(&mut *out, &self.origin);
        }
        if let Some(skipped) = self.skipped.take() {
            let _ = write!(out, r#","skipped":"{skipped}""#);
        }
        out.extend_from_slice(b"}}");
        let head = Head {
            seq,
            hash: Digest::of(&out[start..]),
        };
        self.head = Some(head);
        Ok(head)
    }
}

/// What a verifier reads from a line: its link and, to name it, its entry's
/// id and time.
#[derive(Deserialize)]
struct ChainedLine {
    chain: Option<Link>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    time: Option<String>,
}

impl ChainedLine {
    /// The line's link and entry fields, if it is a chained entry.
    fn parse(line: &[u8]) -> Option<(Link, Option<String>, Option<String>)> {
        let parsed: ChainedLine = serde_json::from_slice(line).ok()?;
        Some((parsed.chain?, parsed.id, parsed.time))
    }
}
