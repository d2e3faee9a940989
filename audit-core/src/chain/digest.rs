//! A SHA-256 digest, written `sha256:<hex>`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use super::GENESIS_DOMAIN;
use crate::hex::{parse_hex, push_hex};

/// A SHA-256 digest. Written, parsed and serialized as `sha256:` followed by
/// 64 lowercase hex digits, so that the algorithm is part of the value.
///
/// ```
/// use audit_core::chain::Digest;
///
/// let digest = Digest::of(b"abc");
/// assert_eq!(
///     digest.to_string(),
///     "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
/// );
/// assert_eq!(digest.to_string().parse::<Digest>(), Ok(digest));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

/// Text that is not `sha256:` followed by 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDigestError;

impl fmt::Display for ParseDigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected `sha256:` followed by 64 hex digits")
    }
}

impl std::error::Error for ParseDigestError {}

impl Digest {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Digest(Sha256::digest(bytes).into())
    }

    /// The `prev` of a chain's first entry: the SHA-256 of
    /// [`GENESIS_DOMAIN`] followed by the origin.
    pub fn genesis(origin: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(GENESIS_DOMAIN.as_bytes());
        hasher.update(origin.as_bytes());
        Digest(hasher.finalize().into())
    }

    /// A digest of the 32 bytes `bytes`.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Digest(bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first bytes as hex, for messages: `sha256:9c1f04e2…`.
    pub fn short(&self) -> String {
        let mut text = String::from("sha256:");
        push_hex(&mut text, &self.0[..6]);
        text.push('…');
        text
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::with_capacity(71);
        text.push_str("sha256:");
        push_hex(&mut text, &self.0);
        f.write_str(&text)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Digest {
    type Err = ParseDigestError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.strip_prefix("sha256:")
            .and_then(parse_hex)
            .map(Digest)
            .ok_or(ParseDigestError)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
