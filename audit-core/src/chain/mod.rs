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
//! A line torn by a crash is not part of the chain. The entry written after
//! it records the SHA-256 of its bytes (and of its newline) in `"skipped"`,
//! so that it is accounted for: a verifier tells a torn write the writer saw
//! from a line inserted later. A torn write is a strict prefix of a chained
//! line: it starts with `{` and is never a complete JSON value. Any other line
//! without a chain, such as a complete entry appended while the writer was
//! stopped, is evidence of something: the writer still records it by hash
//! (it neither refuses to write nor loses entries), and
//! [`verify`](verify::verify) reports it, naming the line; a torn last line
//! that no entry accounts for yet is reported too, since nothing tells it
//! from bytes appended to the log.
//!
//! # Rotation and replicas
//!
//! When the file a [`JsonLinesSink`](crate::JsonLinesSink) writes is renamed
//! under it (a log rotation) or removed, its writer starts a new file at the
//! same path that continues the chain: its first line is a rotation record,
//! a chained line that is not an entry, naming the old file's last entry,
//! with the next sequence number, `prev` the old file's last line, and the
//! origin, which marks the start of a file:
//!
//! ```text
//! {"rotation":{"seq":10,"head":"sha256:4be1…"},"chain":{"seq":11,"prev":"sha256:4be1…","origin":"prod-eu"}}
//! ```
//!
//! The checkpoints carry on as if nothing happened. `audit verify OLD NEW`
//! verifies the files as one chain; `audit verify NEW` alone verifies it from
//! its first line, and reports the checkpoints of earlier entries as covering
//! an earlier file. A file whose first line has `seq` above 1 and names no
//! origin has lost its start. [`json_lines::read`](crate::json_lines::read)
//! skips the record.
//!
//! Each log has its own chain, and its checkpoints link only to the
//! checkpoints of the same origin: replicas of a service, each with its own
//! origin, can checkpoint into one place and each verifies. Give replicas
//! distinct origins: by default the origin is the file's name, which
//! replicas share. Any text can be an origin.
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
    /// The chain's origin; on the first entry of each file only: the chain's
    /// first (seq 1), or the first of a file that continues the chain of
    /// another after a rotation.
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
    /// Whether the next line starts a file that continues the chain, and
    /// names the origin.
    starts_file: bool,
}

/// A chain's state before an [`append`](Chainer::append), to
/// [`rewind`](Chainer::rewind) to when the appended line is not kept.
#[cfg(feature = "sqlite")]
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    head: Option<Head>,
    skipped: Option<Digest>,
    starts_file: bool,
}

impl Chainer {
    /// Where the chain is, before an `append` that may not be kept.
    #[cfg(feature = "sqlite")]
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            head: self.head,
            skipped: self.skipped,
            starts_file: self.starts_file,
        }
    }

    /// Puts the chain back where it was at `mark`: the lines appended since
    /// are not part of it.
    #[cfg(feature = "sqlite")]
    pub(crate) fn rewind(&mut self, mark: Mark) {
        self.head = mark.head;
        self.skipped = mark.skipped;
        self.starts_file = mark.starts_file;
    }

    /// A chain for a new, empty log from `origin`: a name for the log, such
    /// as `"prod-eu/api"`, that its checkpoints repeat.
    pub fn new(origin: impl Into<String>) -> Self {
        Chainer {
            origin: origin.into(),
            head: None,
            skipped: None,
            starts_file: false,
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
            starts_file: false,
        }
    }

    /// A chain that continues after `head`, the last entry of another file,
    /// in a new file: after a log rotation. The next entry has the next
    /// sequence number, links to `head`, and names the origin, which marks
    /// the start of a file; it records `skipped` as [`resume`](Self::resume)
    /// does.
    ///
    /// ```
    /// use audit_core::chain::{Chainer, Digest, Head};
    ///
    /// let old = Head { seq: 10, hash: Digest::of(b"line 10") };
    /// let mut chainer = Chainer::continuing("prod-eu", old, None);
    /// let mut first = Vec::new();
    /// chainer.append(br#"{"id":11}"#, &mut first).unwrap();
    /// assert_eq!(
    ///     String::from_utf8(first).unwrap(),
    ///     format!(r#"{{"id":11,"chain":{{"seq":11,"prev":"{}","origin":"prod-eu"}}}}"#, old.hash),
    /// );
    /// ```
    pub fn continuing(origin: impl Into<String>, head: Head, skipped: Option<Digest>) -> Self {
        Chainer {
            origin: origin.into(),
            head: Some(head),
            skipped,
            starts_file: true,
        }
    }

    /// This chain, when it has no entry yet, made to continue after `head`,
    /// the last entry of an earlier file, as [`continuing`](Self::continuing)
    /// does; unchanged when it has entries.
    #[must_use]
    pub fn continue_after(self, head: Head) -> Self {
        match self.head {
            Some(_) => self,
            None => Chainer {
                head: Some(head),
                starts_file: true,
                ..self
            },
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
        if self.head.is_none() || std::mem::take(&mut self.starts_file) {
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

/// Whether `line` (without its newline) can be a write cut short by a crash:
/// a strict prefix of a chained line, which starts with `{` and that a JSON
/// parser reads to its end before it fails, for want of more input. A
/// number cut short (`-`, `1.`, `1e`) fails on its last byte instead: with
/// a digit added, it too wants more. Not a complete object, nor one followed
/// by more bytes (`{…}x`), nor text with an error before its end.
pub(crate) fn is_torn_write(line: &[u8]) -> bool {
    fn wants_more(json: &[u8]) -> bool {
        let mut values =
            serde_json::Deserializer::from_slice(json).into_iter::<serde::de::IgnoredAny>();
        matches!(values.next(), Some(Err(error)) if error.is_eof())
    }
    line.first() == Some(&b'{') && (wants_more(line) || wants_more(&[line, b"0"].concat()))
}

/// The first line of a file that continues the chain of a rotated one, before
/// it is chained: `{"rotation":{"seq":…,"head":"sha256:…"}}`, naming the
/// old file's last entry, with `"signature"` (hex) when the log's checkpoint
/// key signs it.
pub(crate) fn rotation_record(old: Head, signature: Option<&str>) -> String {
    match signature {
        Some(signature) => format!(
            r#"{{"rotation":{{"seq":{},"head":"{}","signature":"{signature}"}}}}"#,
            old.seq, old.hash
        ),
        None => format!(
            r#"{{"rotation":{{"seq":{},"head":"{}"}}}}"#,
            old.seq, old.hash
        ),
    }
}

/// The signature of the rotation record `line`, if it has one.
pub(crate) fn rotation_signature_of(line: &[u8]) -> Option<[u8; 68]> {
    #[derive(Deserialize)]
    struct Record<'a> {
        #[serde(borrow)]
        rotation: Rotation<'a>,
    }
    #[derive(Deserialize)]
    struct Rotation<'a> {
        signature: Option<&'a str>,
    }
    let record: Record<'_> = serde_json::from_slice(line).ok()?;
    crate::hex::parse_hex(record.rotation.signature?)
}

/// Whether `line` is a chained rotation record rather than an entry.
pub(crate) fn is_rotation_record(line: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Record {
        #[serde(rename = "rotation")]
        _rotation: serde::de::IgnoredAny,
        #[serde(rename = "chain")]
        _chain: Link,
    }
    serde_json::from_slice::<Record>(line).is_ok()
}

/// The `"chain"` member of `line`, if it is a chained line.
pub(crate) fn link_of(line: &[u8]) -> Option<Link> {
    ChainedLine::parse(line).map(|(link, _, _)| link)
}

impl ChainedLine {
    /// The line's link and entry fields, if it is a chained entry.
    fn parse(line: &[u8]) -> Option<(Link, Option<String>, Option<String>)> {
        let parsed: ChainedLine = serde_json::from_slice(line).ok()?;
        Some((parsed.chain?, parsed.id, parsed.time))
    }
}

#[cfg(test)]
mod tests {
    use super::{Chainer, is_torn_write};

    #[test]
    fn every_strict_prefix_of_a_chained_line_is_a_torn_write() {
        let mut line = Vec::new();
        Chainer::new("o")
            .append(
                r#"{"id":"é😀\u00e9\"","n":-1.5e3,"t":true,"z":null,"a":[{}],"o":{"k":"v"}}"#
                    .as_bytes(),
                &mut line,
            )
            .unwrap();
        for end in 1..line.len() {
            assert!(
                is_torn_write(&line[..end]),
                "{:?}",
                String::from_utf8_lossy(&line[..end])
            );
        }
        assert!(!is_torn_write(&line));
    }

    #[test]
    fn nothing_else_is_a_torn_write() {
        for line in [
            &b""[..],
            b" ",
            b"x",
            b" {",
            b"{}",
            b"{}x",
            b"{} {",
            b"{\"a\":1}{",
            b"{\"a\":x",
            b"{\"a\" 1",
        ] {
            assert!(!is_torn_write(line), "{:?}", String::from_utf8_lossy(line));
        }
    }
}
