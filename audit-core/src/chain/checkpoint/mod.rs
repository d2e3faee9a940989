//! Signed checkpoints: the head of a chain, signed with Ed25519 and kept
//! somewhere else than the log.
//!
//! A chain proves only that a log is consistent with itself. Whoever can
//! write the log can remove its last entries, which leaves a shorter valid
//! chain, or rewrite it and recompute every link. A checkpoint commits to the
//! chain's length and head with a key the log's writer keeps apart from the
//! log, so that `audit verify` catches both, up to the last checkpoint.
//! **It protects nothing if it is stored where the log is**: send checkpoints
//! where whoever can rewrite the log cannot (another host or account, a bucket
//! with object lock, a SIEM, a transparency log). Entries after the latest
//! checkpoint are protected by the chain only.
//!
//! # Format
//!
//! A checkpoint is a [signed note](https://github.com/C2SP/C2SP/blob/main/signed-note.md)
//! whose text is
//!
//! ```text
//! audit-rs/chain/v1
//! <origin, as is; or as a JSON string when it is empty, starts with `"`, or holds whitespace or control characters>
//! <seq>
//! <base64 of the SHA-256 of the line of entry seq>
//! time <RFC 3339, UTC>
//! prev sha256:<hex SHA-256 of the previous checkpoint's whole note>
//! ```
//!
//! (no `prev` line in an origin's first checkpoint), then an empty line and the
//! signature line `— <key name> <base64 of key id (4 bytes) and Ed25519 signature>`.
//! The key id is the first 4 bytes of SHA-256(name, `\n`, `0x01`, public key),
//! as in the signed-note spec. Any origin text round-trips: `prod-eu` is
//! written as it is, `"audit log.jsonl"` or `"a\nb"` as a JSON string, so that
//! no origin can add a line to the note.
//!
//! A checkpoint file is the notes one after the other. Each links to the one
//! before **of the same origin**, as `CloudTrail`'s digest files do, so that
//! several logs (the replicas of a service, each with its own origin) can
//! checkpoint into one file and each verifies against its own chain of
//! checkpoints. Replicas must have distinct origins: by default a log's origin
//! is its file's name, which replicas share.
//!
//! # Rotation
//!
//! When a log's file is renamed or replaced under its writer (log rotation),
//! the writer starts the new file with the chain of the old one: its first
//! entry has the next sequence number, links to the old file's last line, and
//! names the origin (see [`chain`](super)). Its checkpoints carry on as if
//! nothing happened. `audit verify OLD NEW` verifies both files as one chain;
//! `audit verify NEW` verifies the new one from its first entry, and reports
//! the checkpoints of entries before it as covering an earlier file. With
//! checkpoints, the writer signs the new file's rotation record with their
//! key, and `audit verify NEW` accepts the file only with that signature:
//! anyone who can write the log's directory could put a file there that
//! claims to continue the chain. A store's purge records are signed alike
//! (`store::Purge`, with a store feature).
//!
//! # Keys
//!
//! The application signs with a [`CheckpointSigner`] made from a 32-byte
//! Ed25519 seed (`head -c 32 /dev/urandom > audit-checkpoint.key`; the file
//! may also hold the seed as 64 hex digits), and gives auditors its
//! [`VerifierKey`], one line such as `prod-audit+1a2b3c4d+AfQ…` (the key's
//! name, id and base64 public key, the signed-note verifier key format), which
//! `audit public-key` prints and `audit verify --public-key` reads.
//!
//! ```
//! use audit_core::chain::checkpoint::{Checkpoint, CheckpointSigner, SignedCheckpoint};
//! use audit_core::chain::Digest;
//!
//! let signer = CheckpointSigner::from_seed("prod-audit", [7; 32]).unwrap();
//! let checkpoint = Checkpoint::new("prod-eu", 42, Digest::of(b"line 42"), None);
//! let signed = signer.sign(checkpoint);
//! assert!(signed.text().starts_with("audit-rs/chain/v1\nprod-eu\n42\n"));
//!
//! let key = signer.verifier_key().to_string().parse().unwrap();
//! let read = SignedCheckpoint::parse_all(signed.text()).unwrap();
//! assert_eq!(read[0].verify(&key), Ok(()));
//! ```

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Digest, FORMAT, Head};
use crate::hex::{parse_hex, push_hex};

/// The signed-note algorithm byte of Ed25519.
const ED25519: u8 = 0x01;

/// The prefix of a signature line: an em dash and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// What a checkpoint commits to: a chain's origin, length and head, when,
/// and the checkpoint before it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Checkpoint {
    /// The chain's origin, as its first entry names it.
    pub origin: String,
    /// The sequence number of the chain's last entry.
    pub seq: u64,
    /// The SHA-256 of that entry's line.
    pub head: Digest,
    /// When the checkpoint was made, to the second.
    pub time: OffsetDateTime,
    /// The SHA-256 of the previous checkpoint's whole note.
    pub prev: Option<Digest>,
}

/// Why a checkpoint could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The key name is empty or holds a line break, a space or a `+`.
    InvalidName(String),
    /// A key or seed is not in the expected format.
    InvalidKey(String),
    /// The text is not a checkpoint: the line number and what is wrong.
    Malformed(usize, String),
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::InvalidName(name) => write!(
                f,
                "{name:?} cannot name a key: use one word, without spaces or `+`"
            ),
            CheckpointError::InvalidKey(why) => write!(f, "invalid key: {why}"),
            CheckpointError::Malformed(line, why) => {
                write!(f, "malformed checkpoint at line {line}: {why}")
            }
        }
    }
}

impl std::error::Error for CheckpointError {}

fn check_name(name: &str) -> Result<(), CheckpointError> {
    let bad = name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '+');
    if bad {
        return Err(CheckpointError::InvalidName(name.to_owned()));
    }
    Ok(())
}

/// `origin` as the note's origin line: as it is when that is unambiguous,
/// else as a JSON string, which escapes line breaks.
fn origin_line(origin: &str) -> String {
    let plain = !origin.is_empty()
        && !origin.starts_with('"')
        && !origin.chars().any(|c| c.is_whitespace() || c.is_control());
    if plain {
        origin.to_owned()
    } else {
        // Serializing a string cannot fail.
        serde_json::to_string(origin).unwrap_or_default()
    }
}

/// The origin an origin line names.
fn parse_origin(line: &str) -> Option<String> {
    if line.starts_with('"') {
        serde_json::from_str(line).ok()
    } else {
        Some(line.to_owned())
    }
}

impl Checkpoint {
    /// A checkpoint of `origin` (any text) at `seq`, whose line hashes to
    /// `head`, made now.
    pub fn new(origin: impl Into<String>, seq: u64, head: Digest, prev: Option<Digest>) -> Self {
        let now = OffsetDateTime::now_utc();
        Checkpoint {
            origin: origin.into(),
            seq,
            head,
            time: now.replace_nanosecond(0).unwrap_or(now),
            prev,
        }
    }

    /// The text that is signed.
    fn body(&self) -> String {
        let mut body = format!(
            "{FORMAT}\n{}\n{}\n{}\n",
            origin_line(&self.origin),
            self.seq,
            BASE64.encode(self.head.as_bytes())
        );
        let time = self
            .time
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.time.unix_timestamp().to_string());
        let _ = writeln!(body, "time {time}");
        if let Some(prev) = self.prev {
            let _ = writeln!(body, "prev {prev}");
        }
        body
    }

    fn parse_body(lines: &[(usize, &str)]) -> Result<Self, CheckpointError> {
        let malformed = |line: usize, why: &str| CheckpointError::Malformed(line, why.to_owned());
        let [
            (first, format),
            (origin_line, origin),
            (seq_line, seq),
            (head_line, head),
            rest @ ..,
        ] = lines
        else {
            let line = lines.first().map_or(1, |(line, _)| *line);
            return Err(malformed(
                line,
                "expected format, origin, seq and head lines",
            ));
        };
        if *format != FORMAT {
            return Err(malformed(*first, &format!("expected `{FORMAT}`")));
        }
        let origin = parse_origin(origin)
            .ok_or_else(|| malformed(*origin_line, "origin is not a JSON string"))?;
        let seq = seq
            .parse()
            .map_err(|_| malformed(*seq_line, "seq is not a number"))?;
        let head = BASE64
            .decode(head)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| malformed(*head_line, "head is not 32 bytes of base64"))?;
        let mut time = None;
        let mut prev = None;
        for (line, text) in rest {
            if let Some(text) = text.strip_prefix("time ") {
                let parsed = OffsetDateTime::parse(text, &Rfc3339)
                    .map_err(|_| malformed(*line, "time is not RFC 3339"))?;
                time = Some(parsed);
            } else if let Some(text) = text.strip_prefix("prev ") {
                let parsed = text
                    .parse()
                    .map_err(|_| malformed(*line, "prev is not a sha256: digest"))?;
                prev = Some(parsed);
            } else {
                return Err(malformed(*line, "unknown line"));
            }
        }
        let first = lines.first().map_or(1, |(line, _)| *line);
        Ok(Checkpoint {
            origin,
            seq,
            head: Digest::from_bytes(head),
            time: time.ok_or_else(|| malformed(first, "no time line"))?,
            prev,
        })
    }
}

/// Signs checkpoints with an Ed25519 key.
#[derive(Clone)]
pub struct CheckpointSigner {
    name: String,
    key: SigningKey,
}

impl fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("CheckpointSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl CheckpointSigner {
    /// A signer named `name` (one word, such as `prod-audit`) with the
    /// Ed25519 key whose 32-byte seed is `seed`.
    ///
    /// # Errors
    ///
    /// When `name` is empty or holds whitespace or `+`.
    pub fn from_seed(name: impl Into<String>, seed: [u8; 32]) -> Result<Self, CheckpointError> {
        let name = name.into();
        check_name(&name)?;
        Ok(CheckpointSigner {
            name,
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// A signer whose seed is read from `path`: 32 bytes, or 64 hex digits
    /// (surrounding whitespace ignored).
    ///
    /// # Errors
    ///
    /// When the file cannot be read or holds something else, or `name` is
    /// not a valid key name.
    pub fn from_seed_file(name: impl Into<String>, path: impl AsRef<Path>) -> io::Result<Self> {
        let bytes = std::fs::read(path)?;
        let seed = <[u8; 32]>::try_from(bytes.as_slice())
            .ok()
            .or_else(|| parse_hex(std::str::from_utf8(&bytes).ok()?.trim()))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a checkpoint key file holds a 32-byte seed, raw or as 64 hex digits",
                )
            })?;
        CheckpointSigner::from_seed(name, seed)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))
    }

    /// The key auditors verify checkpoints with.
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey::new(self.name.clone(), self.key.verifying_key())
    }

    /// Signs `checkpoint`.
    pub fn sign(&self, checkpoint: Checkpoint) -> SignedCheckpoint {
        let body = checkpoint.body();
        let signature = self.key.sign(body.as_bytes());
        let mut signed = Vec::with_capacity(68);
        signed.extend_from_slice(&self.verifier_key().id);
        signed.extend_from_slice(&signature.to_bytes());
        let text = format!(
            "{body}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            BASE64.encode(&signed)
        );
        SignedCheckpoint { checkpoint, text }
    }
}

/// The first line of what a purge record's signature signs.
#[cfg(feature = "sql")]
const PURGE_FORMAT: &str = "audit-rs/purge/v1";

/// What a purge record's signature signs: that the purge of `origin`'s
/// chain recorded by the entry `id` deleted `purged` rows, the chained ones
/// through `through_seq`.
#[cfg(feature = "sql")]
fn purge_statement(origin: &str, id: uuid::Uuid, through_seq: u64, purged: u64) -> String {
    format!(
        "{PURGE_FORMAT}\n{}\n{id}\n{through_seq}\n{purged}\n",
        origin_line(origin)
    )
}

/// What a rotation record's signature signs: that the file it starts
/// continues `origin`'s chain after the entry `old`, the last of the file
/// rotated away.
fn rotation_statement(origin: &str, old: Head) -> String {
    format!(
        "audit-rs/rotation/v1\n{}\n{}\n{}\n",
        origin_line(origin),
        old.seq,
        old.hash
    )
}

/// The key id (4 bytes) and the Ed25519 signature of `statement`, in hex.
fn sign_statement(signer: &CheckpointSigner, statement: &str) -> String {
    let signature = signer.key.sign(statement.as_bytes());
    let mut text = String::with_capacity(136);
    push_hex(&mut text, &signer.verifier_key().id);
    push_hex(&mut text, &signature.to_bytes());
    text
}

/// Whether `signature` ([`sign_statement`]'s) is `key`'s over `statement`.
fn signed_statement(key: &VerifierKey, statement: &str, signature: &[u8; 68]) -> bool {
    let (key_id, signature) = signature.split_at(4);
    let Ok(signature) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    key_id == key.id
        && key
            .key
            .verify_strict(statement.as_bytes(), &Signature::from_bytes(&signature))
            .is_ok()
}

impl CheckpointSigner {
    /// Signs the rotation record that starts a file continuing `origin`'s
    /// chain after `old`: whoever can write the log's directory can replace
    /// a file with one that claims to continue the chain; only the holder of
    /// the checkpoint key can sign its first line.
    pub(crate) fn sign_rotation(&self, origin: &str, old: Head) -> String {
        sign_statement(self, &rotation_statement(origin, old))
    }
}

impl VerifierKey {
    /// Whether `signature` is this key's over the rotation record of a file
    /// that continues `origin`'s chain after `old`.
    pub(crate) fn signed_rotation(&self, origin: &str, old: Head, signature: &[u8; 68]) -> bool {
        signed_statement(self, &rotation_statement(origin, old), signature)
    }
}

#[cfg(feature = "sql")]
impl CheckpointSigner {
    /// Signs a purge record (see [`Purge`](crate::store::Purge)): the key id
    /// (4 bytes) and the Ed25519 signature of its statement, as in a signed
    /// note's signature line, in hex. Whoever can write a store can purge
    /// it; only the holder of the checkpoint key can vouch for the purge.
    pub(crate) fn sign_purge(
        &self,
        origin: &str,
        id: uuid::Uuid,
        through_seq: u64,
        purged: u64,
    ) -> String {
        sign_statement(self, &purge_statement(origin, id, through_seq, purged))
    }
}

#[cfg(feature = "sql")]
impl VerifierKey {
    /// Whether `signature` ([`CheckpointSigner::sign_purge`]'s) is this
    /// key's over the purge that the record `id` of `origin`'s chain
    /// records.
    pub(crate) fn signed_purge(
        &self,
        origin: &str,
        id: uuid::Uuid,
        through_seq: u64,
        purged: u64,
        signature: &[u8; 68],
    ) -> bool {
        signed_statement(
            self,
            &purge_statement(origin, id, through_seq, purged),
            signature,
        )
    }
}

/// The public key checkpoints are verified with, named and identified as in
/// a signed note: written `<name>+<8 hex digits of key id>+<base64 of 0x01
/// and the Ed25519 public key>`.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl VerifierKey {
    fn new(name: String, key: VerifyingKey) -> Self {
        let mut hashed = Vec::with_capacity(name.len() + 34);
        hashed.extend_from_slice(name.as_bytes());
        hashed.push(b'\n');
        hashed.push(ED25519);
        hashed.extend_from_slice(key.as_bytes());
        let digest = Digest::of(&hashed);
        let mut id = [0; 4];
        id.copy_from_slice(&digest.as_bytes()[..4]);
        VerifierKey { name, id, key }
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key's id, as 8 hex digits.
    pub fn id(&self) -> String {
        let mut text = String::new();
        push_hex(&mut text, &self.id);
        text
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(33);
        key.push(ED25519);
        key.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, self.id(), BASE64.encode(&key))
    }
}

impl FromStr for VerifierKey {
    type Err = CheckpointError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |why: &str| CheckpointError::InvalidKey(why.to_owned());
        // Base64 holds `+` too: the key is everything after the second one.
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid("expected <name>+<key id>+<base64 key>"));
        };
        check_name(name)?;
        let id: [u8; 4] = parse_hex(id).ok_or_else(|| invalid("the key id is not 8 hex digits"))?;
        let key = BASE64
            .decode(key)
            .map_err(|_| invalid("the key is not base64"))?;
        let [ED25519, key @ ..] = key.as_slice() else {
            return Err(invalid("not an Ed25519 key"));
        };
        let key = <[u8; 32]>::try_from(key)
            .ok()
            .and_then(|key| VerifyingKey::from_bytes(&key).ok())
            .ok_or_else(|| invalid("not an Ed25519 public key"))?;
        let parsed = VerifierKey::new(name.to_owned(), key);
        if parsed.id != id {
            return Err(invalid("the key id does not match the name and key"));
        }
        Ok(parsed)
    }
}

/// A checkpoint and its signed note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    checkpoint: Checkpoint,
    text: String,
}

/// Why a checkpoint's signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// No signature line is by the given key (name and key id).
    UnknownKey {
        /// The `<name>+<key id>` of each signature line.
        signers: Vec<String>,
    },
    /// The signature by the key is not valid for the text.
    Invalid,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::UnknownKey { signers } => write!(
                f,
                "not signed by the given key; signed by: {}",
                if signers.is_empty() {
                    "nobody".to_owned()
                } else {
                    signers.join(", ")
                }
            ),
            SignatureError::Invalid => f.write_str("the signature is not valid"),
        }
    }
}

impl std::error::Error for SignatureError {}

impl SignedCheckpoint {
    /// What the checkpoint commits to.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed note, as stored.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The SHA-256 of the whole note: what the next checkpoint's `prev` is.
    pub fn digest(&self) -> Digest {
        Digest::of(self.text.as_bytes())
    }

    /// The head the checkpoint commits to.
    pub fn head(&self) -> Head {
        Head {
            seq: self.checkpoint.seq,
            hash: self.checkpoint.head,
        }
    }

    /// Checks the signature by `key`.
    ///
    /// # Errors
    ///
    /// When no signature line is by `key`, or its signature is not valid.
    pub fn verify(&self, key: &VerifierKey) -> Result<(), SignatureError> {
        let (body, signatures) = self
            .text
            .split_once("\n\n")
            .map(|(body, signatures)| (format!("{body}\n"), signatures))
            .unwrap_or_default();
        let mut signers = Vec::new();
        for line in signatures.lines() {
            let Some((name, signed)) = line
                .strip_prefix(SIGNATURE_PREFIX)
                .and_then(|line| line.split_once(' '))
            else {
                continue;
            };
            let Some(signed) = BASE64.decode(signed).ok().filter(|s| s.len() == 68) else {
                signers.push(format!("{name}+?"));
                continue;
            };
            let (id, signature) = signed.split_at(4);
            if name != key.name || id != key.id {
                let mut other = format!("{name}+");
                push_hex(&mut other, id);
                signers.push(other);
                continue;
            }
            let signature =
                Signature::from_slice(signature).map_err(|_| SignatureError::Invalid)?;
            return key
                .key
                .verify_strict(body.as_bytes(), &signature)
                .map_err(|_| SignatureError::Invalid);
        }
        Err(SignatureError::UnknownKey { signers })
    }

    /// Every checkpoint of a checkpoint file, in order.
    ///
    /// # Errors
    ///
    /// When a note is malformed: the error names its line.
    pub fn parse_all(text: &str) -> Result<Vec<SignedCheckpoint>, CheckpointError> {
        let mut checkpoints = Vec::new();
        let mut lines = text.split_inclusive('\n').enumerate().peekable();
        while let Some((index, first)) = lines.next() {
            if first.trim().is_empty() {
                continue;
            }
            let mut note = String::from(first);
            let mut body = vec![(index + 1, first.trim_end_matches('\n'))];
            // The text, up to the empty line.
            loop {
                let Some((index, line)) = lines.next() else {
                    return Err(CheckpointError::Malformed(
                        index + 1,
                        "the note has no signature".to_owned(),
                    ));
                };
                note.push_str(line);
                if line == "\n" {
                    break;
                }
                body.push((index + 1, line.trim_end_matches('\n')));
            }
            // The signature lines.
            while let Some((_, line)) =
                lines.next_if(|(_, line)| line.starts_with(SIGNATURE_PREFIX))
            {
                note.push_str(line);
            }
            if !note.ends_with('\n') {
                return Err(CheckpointError::Malformed(
                    index + 1,
                    "the note is cut short".to_owned(),
                ));
            }
            checkpoints.push(SignedCheckpoint {
                checkpoint: Checkpoint::parse_body(&body)?,
                text: note,
            });
        }
        Ok(checkpoints)
    }
}

/// Where checkpoints go. It must not be where the log is: see the
/// [module docs](self).
pub trait CheckpointSink: Send {
    /// The last checkpoint published for `origin`, which the next one of
    /// that origin links to; read before each checkpoint is made. Other
    /// origins' checkpoints may be kept in the same place, each origin its
    /// own chain of checkpoints.
    ///
    /// # Errors
    ///
    /// When it cannot be read: the writer then starts a new checkpoint chain
    /// and reports the error.
    fn latest(&mut self, origin: &str) -> io::Result<Option<SignedCheckpoint>>;

    /// Stores `checkpoint` durably.
    ///
    /// # Errors
    ///
    /// When it could not be stored.
    fn publish(&mut self, checkpoint: &SignedCheckpoint) -> io::Result<()>;

    /// Reads the latest checkpoint of `origin`, and publishes what `next`
    /// makes of it, if anything, as one step: several writers of one log
    /// (replicas of a service on one store) then extend one chain of
    /// checkpoints instead of forking it. Returns the latest checkpoint
    /// after the step. The default reads and publishes without a lock, which
    /// is enough for one writer; [`FileCheckpointSink`] locks its file.
    ///
    /// # Errors
    ///
    /// When the checkpoints cannot be read or the new one stored.
    fn publish_next(
        &mut self,
        origin: &str,
        next: &mut dyn FnMut(Option<&SignedCheckpoint>) -> Option<SignedCheckpoint>,
    ) -> io::Result<Option<SignedCheckpoint>> {
        let latest = self.latest(origin)?;
        match next(latest.as_ref()) {
            Some(signed) => {
                self.publish(&signed)?;
                Ok(Some(signed))
            }
            None => Ok(latest),
        }
    }
}

/// Appends checkpoints to a file, syncing each one: the default
/// [`CheckpointSink`]. Put the file on another machine or volume than the
/// log, or ship it there, as the module docs explain.
#[derive(Clone, Debug)]
pub struct FileCheckpointSink {
    path: PathBuf,
}

impl FileCheckpointSink {
    /// Appends to the file at `path`, created when the first checkpoint is published.
    pub fn new(path: impl AsRef<Path>) -> Self {
        FileCheckpointSink {
            path: path.as_ref().to_owned(),
        }
    }
}

impl CheckpointSink for FileCheckpointSink {
    fn latest(&mut self, origin: &str) -> io::Result<Option<SignedCheckpoint>> {
        let text = match std::fs::read_to_string(&self.path) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            read => read?,
        };
        let checkpoints = SignedCheckpoint::parse_all(&text)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        Ok(checkpoints
            .into_iter()
            .rev()
            .find(|signed| signed.checkpoint.origin == origin))
    }

    fn publish(&mut self, checkpoint: &SignedCheckpoint) -> io::Result<()> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(checkpoint.text().as_bytes())?;
        file.sync_data()
    }

    /// Holds an exclusive lock on the file while it reads the latest
    /// checkpoint and appends the next: writers in other threads or
    /// processes wait for it.
    fn publish_next(
        &mut self,
        origin: &str,
        next: &mut dyn FnMut(Option<&SignedCheckpoint>) -> Option<SignedCheckpoint>,
    ) -> io::Result<Option<SignedCheckpoint>> {
        let lock = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        lock.lock()?;
        let latest = self.latest(origin)?;
        let published = match next(latest.as_ref()) {
            Some(signed) => {
                self.publish(&signed)?;
                Some(signed)
            }
            None => latest,
        };
        // Closing the file releases the lock too.
        lock.unlock()?;
        Ok(published)
    }
}

/// When and how a log's writer makes checkpoints: every
/// [`every_entries`](Checkpoints::every_entries) entries, every
/// [`every`](Checkpoints::every) interval when entries were written, and on
/// every flush, each signed by the signer and handed to the sink.
pub struct Checkpoints {
    signer: CheckpointSigner,
    sink: Box<dyn CheckpointSink>,
    every_entries: u64,
    every: Duration,
    latest: Option<SignedCheckpoint>,
    last_made: Instant,
}

impl fmt::Debug for Checkpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checkpoints")
            .field("signer", &self.signer)
            .field("every_entries", &self.every_entries)
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

impl Checkpoints {
    /// The key these checkpoints are signed with, which also signs a
    /// store's purge records and a log's rotation records.
    pub(crate) fn signer(&self) -> &CheckpointSigner {
        &self.signer
    }

    /// Checkpoints signed by `signer` into `sink`, every 1,000 entries and
    /// every 60 seconds by default.
    pub fn new(signer: CheckpointSigner, sink: impl CheckpointSink + 'static) -> Self {
        Checkpoints {
            signer,
            sink: Box::new(sink),
            every_entries: 1000,
            every: Duration::from_mins(1),
            latest: None,
            last_made: Instant::now(),
        }
    }

    /// Makes a checkpoint after every `entries` entries (at least 1).
    #[must_use]
    pub fn every_entries(mut self, entries: u64) -> Self {
        self.every_entries = entries.max(1);
        self
    }

    /// Makes a checkpoint when `interval` has passed since the last one and
    /// entries were written since.
    #[must_use]
    pub fn every(mut self, interval: Duration) -> Self {
        self.every = interval;
        self
    }

    /// How long until the next checkpoint is due by time.
    pub fn due_in(&self) -> Duration {
        self.every.saturating_sub(self.last_made.elapsed())
    }

    /// Whether a checkpoint is due for `head` (the chain's head, if it has
    /// one): enough entries or time since the last one. When the time is up
    /// but nothing was written since, the interval starts again.
    pub fn due(&mut self, head: Option<Head>) -> bool {
        let last = self
            .latest
            .as_ref()
            .map_or(0, |latest| latest.checkpoint.seq);
        let new = head.map_or(0, |head| head.seq.saturating_sub(last));
        let time_is_up = self.due_in().is_zero();
        if time_is_up && new == 0 {
            self.last_made = Instant::now();
        }
        new > 0 && (new >= self.every_entries || time_is_up)
    }

    /// Signs and publishes a checkpoint of `origin` at `head`, linked to the
    /// last one, unless the last one is already at `head`. Call it only once
    /// the entries up to `head` are on disk.
    ///
    /// # Errors
    ///
    /// When the sink fails.
    pub fn make(&mut self, origin: &str, head: Head) -> io::Result<()> {
        let signer = &self.signer;
        // Read again each time: another writer of the same log (a replica)
        // may have signed a head since, which this one must link to, and
        // which already covers `head` when it is as new.
        self.latest = self.sink.publish_next(origin, &mut |latest| {
            if latest.is_some_and(|latest| latest.checkpoint.seq >= head.seq) {
                return None;
            }
            let prev = latest.map(SignedCheckpoint::digest);
            Some(signer.sign(Checkpoint::new(origin, head.seq, head.hash, prev)))
        })?;
        self.last_made = Instant::now();
        Ok(())
    }
}

/// The first checkpoint of a file that cannot be trusted, by its position
/// from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckpointProblem {
    /// The checkpoint's position in the file, from 1.
    pub index: usize,
    /// What is wrong with it.
    pub kind: CheckpointProblemKind,
}

/// What is wrong with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointProblemKind {
    /// Its signature does not verify.
    Signature(SignatureError),
    /// Its `prev` is not the checkpoint before it of the same origin:
    /// checkpoints were removed, reordered or replaced.
    BrokenLink,
    /// It commits to an earlier entry than the checkpoint of the same origin
    /// before it, or to another head for the same entry.
    Conflict,
}

impl fmt::Display for CheckpointProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointProblemKind::Signature(error) => error.fmt(f),
            CheckpointProblemKind::BrokenLink => f.write_str(
                "its prev is not the checkpoint before it of its origin: checkpoints were removed, reordered or replaced",
            ),
            CheckpointProblemKind::Conflict => f.write_str(
                "it commits to an earlier entry than the checkpoint before it of its origin, or to another head for the same entry",
            ),
        }
    }
}

/// The heads checkpoints commit to: by origin, then by sequence number.
pub type HeadsByOrigin = BTreeMap<String, BTreeMap<u64, Digest>>;

/// The heads that apply to a log whose first chained line names `origin`:
/// those of its origin; when it names none (its start is gone), those of
/// the checkpoints' only origin, if they have one, so that a removed tail is
/// still caught.
pub fn heads_of(heads: &HeadsByOrigin, origin: Option<&str>) -> BTreeMap<u64, Digest> {
    let heads = match origin {
        Some(origin) => heads.get(origin),
        None if heads.len() == 1 => heads.values().next(),
        None => None,
    };
    heads.cloned().unwrap_or_default()
}

/// Checks every checkpoint's signature by `key` and the links between the
/// checkpoints of each origin, and returns the heads they commit to, by
/// origin and sequence number. An origin's first checkpoint in the file may
/// link to one that is not there (the file was rotated).
///
/// # Errors
///
/// The first checkpoint that cannot be trusted.
pub fn verify_all(
    checkpoints: &[SignedCheckpoint],
    key: &VerifierKey,
) -> Result<HeadsByOrigin, CheckpointProblem> {
    let mut heads = HeadsByOrigin::new();
    let mut previous: BTreeMap<&str, &SignedCheckpoint> = BTreeMap::new();
    for (index, signed) in checkpoints.iter().enumerate() {
        let problem = |kind| CheckpointProblem {
            index: index + 1,
            kind,
        };
        signed
            .verify(key)
            .map_err(|error| problem(CheckpointProblemKind::Signature(error)))?;
        let checkpoint = &signed.checkpoint;
        if let Some(previous) = previous.insert(&checkpoint.origin, signed) {
            if checkpoint.prev != Some(previous.digest()) {
                return Err(problem(CheckpointProblemKind::BrokenLink));
            }
            if checkpoint.seq < previous.checkpoint.seq {
                return Err(problem(CheckpointProblemKind::Conflict));
            }
        }
        let origin = heads.entry(checkpoint.origin.clone()).or_default();
        if *origin.entry(checkpoint.seq).or_insert(checkpoint.head) != checkpoint.head {
            return Err(problem(CheckpointProblemKind::Conflict));
        }
    }
    Ok(heads)
}

#[cfg(test)]
mod tests {
    use super::{
        Checkpoint, CheckpointProblemKind, CheckpointSigner, SignedCheckpoint, verify_all,
    };
    use crate::chain::Digest;

    fn signer() -> CheckpointSigner {
        CheckpointSigner::from_seed("test", [3; 32]).unwrap()
    }

    #[test]
    fn any_origin_round_trips_and_adds_no_line() {
        let key_owner = signer();
        let key = key_owner.verifier_key();
        let origins = [
            "prod-eu/api",
            "audit log.jsonl",
            "",
            "\"quoted\"",
            "журнал 審計 😀",
            "a\nb",
            "a\n\n\u{2014} test AAAA\n",
            "x\ntime 2026-01-01T00:00:00Z\nprev sha256:00",
            "tab\there\r\n",
        ];
        let mut text = String::new();
        for origin in origins {
            let signed = key_owner.sign(Checkpoint::new(origin, 7, Digest::of(b"7"), None));
            // The body is the format, origin, seq, head and time lines.
            let body = signed.text().split_once("\n\n").unwrap().0;
            assert_eq!(body.lines().count(), 5, "{origin:?}: {body}");
            text.push_str(signed.text());
        }
        let read = SignedCheckpoint::parse_all(&text).unwrap();
        let read: Vec<&str> = read
            .iter()
            .map(|signed| {
                assert_eq!(signed.verify(&key), Ok(()));
                signed.checkpoint().origin.as_str()
            })
            .collect();
        assert_eq!(read, origins);
        // A plain origin is written as it is: checkpoints made before stay readable.
        let plain = key_owner.sign(Checkpoint::new("prod-eu/api", 1, Digest::of(b"1"), None));
        assert!(
            plain
                .text()
                .starts_with("audit-rs/chain/v1\nprod-eu/api\n1\n")
        );
        let spaced = key_owner.sign(Checkpoint::new(
            "audit log.jsonl",
            1,
            Digest::of(b"1"),
            None,
        ));
        assert!(
            spaced
                .text()
                .starts_with("audit-rs/chain/v1\n\"audit log.jsonl\"\n1\n")
        );
    }

    #[test]
    fn each_origin_is_its_own_chain_of_checkpoints() {
        let key_owner = signer();
        let key = key_owner.verifier_key();
        let mut latest = std::collections::BTreeMap::new();
        let mut text = String::new();
        for (origin, seq) in [("a", 1), ("b", 5), ("a", 2), ("b", 9), ("a", 3)] {
            let prev = latest.get(origin).map(SignedCheckpoint::digest);
            let head = Digest::of(format!("{origin}{seq}").as_bytes());
            let signed = key_owner.sign(Checkpoint::new(origin, seq, head, prev));
            text.push_str(signed.text());
            latest.insert(origin, signed);
        }
        let checkpoints = SignedCheckpoint::parse_all(&text).unwrap();
        let heads = verify_all(&checkpoints, &key).unwrap();
        assert_eq!(heads["a"].keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(heads["b"].keys().copied().collect::<Vec<_>>(), [5, 9]);

        // Removing one of an origin's checkpoints breaks its chain.
        let mut removed = checkpoints.clone();
        removed.remove(2);
        let problem = verify_all(&removed, &key).unwrap_err();
        assert_eq!(
            (problem.index, problem.kind),
            (4, CheckpointProblemKind::BrokenLink)
        );
    }
}
