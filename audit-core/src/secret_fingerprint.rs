//! Keyed fingerprints of secret values: enough to tell a rotated secret from
//! one set back to an earlier value, without recording the value.
//!
//! A fingerprint is `hmac-sha256:<hex>`, the shape of Vault's audit HMACs:
//! HMAC-SHA256 over
//!
//! ```text
//! "audit-rs/secret/v1" 0x00 resource_type 0x00 resource_id 0x00 field_path 0x00 JSON(value)
//! ```
//!
//! keyed with HKDF-SHA256 of an application master key (info `"audit-rs
//! secret fingerprint v1"`). Binding the resource and the field means that
//! two users with the same password get different fingerprints, while the
//! history of one resource's field shows whether a value came back. The key
//! has an id, recorded beside the fingerprints, so that it can be rotated.
//!
//! **Limit:** whoever holds the key can test guesses. A low-entropy secret (a
//! PIN, a 6-digit code, an enum) is found by trying every value: fingerprint
//! only high-entropy values, such as tokens and keys. Keep the master key
//! apart from the log, and apart from the checkpoint key.
//!
//! ```
//! use audit_core::secret_fingerprint::FingerprintKey;
//!
//! let key = FingerprintKey::derive("k1", b"a master key of at least 32 bytes.....");
//! let old = key.fingerprint("chat", "7", "api_token", "tok-1").unwrap();
//! let new = key.fingerprint("chat", "7", "api_token", "tok-2").unwrap();
//! assert!(old.starts_with("hmac-sha256:") && old.len() == 12 + 64);
//! assert_ne!(old, new);
//! // Bound to the resource: the same value elsewhere is another fingerprint.
//! assert_ne!(old, key.fingerprint("chat", "8", "api_token", "tok-1").unwrap());
//! ```

use std::fmt;
use std::io;
use std::path::Path;

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Serialize;
use sha2::Sha256;

use crate::chain::digest::push_hex;

/// The HKDF info the fingerprint key is derived with.
const INFO: &[u8] = b"audit-rs secret fingerprint v1";

/// The domain every fingerprinted message starts with.
const DOMAIN: &[u8] = b"audit-rs/secret/v1";

/// The prefix of a fingerprint.
pub const PREFIX: &str = "hmac-sha256:";

/// The key secret fingerprints are made with, derived from a master key.
#[derive(Clone)]
pub struct FingerprintKey {
    id: String,
    key: [u8; 32],
}

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("FingerprintKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl FingerprintKey {
    /// The key derived from `master` (at least 32 random bytes), recorded as `id`.
    pub fn derive(id: impl Into<String>, master: &[u8]) -> Self {
        let mut key = [0; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 8,160: this cannot fail.
        let _ = Hkdf::<Sha256>::new(None, master).expand(INFO, &mut key);
        FingerprintKey { id: id.into(), key }
    }

    /// The key derived from the master key in the file at `path`, as raw bytes.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, or holds fewer than 32 bytes.
    pub fn from_file(id: impl Into<String>, path: impl AsRef<Path>) -> io::Result<Self> {
        let master = std::fs::read(path)?;
        if master.len() < 32 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a secret fingerprint master key has at least 32 bytes",
            ));
        }
        Ok(FingerprintKey::derive(id, &master))
    }

    /// The key's id, recorded with the fingerprints it makes.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The fingerprint of `value`, the field `field_path` of the resource
    /// `resource_type` / `resource_id`, as serialized with `serde_json`.
    ///
    /// # Errors
    ///
    /// When `value` cannot be serialized.
    pub fn fingerprint<T: Serialize + ?Sized>(
        &self,
        resource_type: &str,
        resource_id: &str,
        field_path: &str,
        value: &T,
    ) -> Result<String, serde_json::Error> {
        let json = serde_json::to_vec(value)?;
        Ok(self.fingerprint_json(resource_type, resource_id, field_path, &json))
    }

    /// The fingerprint of a value already serialized as `json`.
    pub fn fingerprint_json(
        &self,
        resource_type: &str,
        resource_id: &str,
        field_path: &str,
        json: &[u8],
    ) -> String {
        // HMAC takes a key of any length: this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::new();
        };
        for part in [
            DOMAIN,
            resource_type.as_bytes(),
            resource_id.as_bytes(),
            field_path.as_bytes(),
        ] {
            mac.update(part);
            mac.update(&[0]);
        }
        mac.update(json);
        let mut text = String::from(PREFIX);
        push_hex(&mut text, &mac.finalize().into_bytes());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::FingerprintKey;

    /// Pins the format: a change to the derivation, the message or the
    /// prefix would make every recorded fingerprint unmatchable. Computed
    /// independently with Python's `hmac` and `hashlib` (HKDF by hand, RFC 5869).
    #[test]
    fn test_vector() {
        let key = FingerprintKey::derive("k1", &[0x0b; 32]);
        assert_eq!(
            key.fingerprint("chat", "7", "api_token", "tok-1").unwrap(),
            "hmac-sha256:1a36f43ed48842ebd772da80e477287a98194b05cd9379bd89ed895124f2d3ec"
        );
    }
}
