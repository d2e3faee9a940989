//! Keyed fingerprints of secret values: enough to tell a rotated secret from
//! one set back to an earlier value, without recording the value.
//!
//! A field opts in with `#[audit(secret = "why", fingerprint)]` (its type then
//! needs `serde::Serialize` as well as `PartialEq`). The application installs
//! its key once, at start-up, as it installs a `tracing` subscriber, and every
//! entry made after that records the fingerprints of the field's old and new
//! values beside `"secret": true`:
//!
//! ```json
//! "api_token": {"secret": true, "old_hmac": "hmac-sha256:9f2c…", "new_hmac": "hmac-sha256:41aa…", "hmac_key": "k1"}
//! ```
//!
//! A value that exists on one side only (a created or deleted resource, an
//! added or removed nested value) records `new_hmac` or `old_hmac` alone.
//!
//! A fingerprint is `hmac-sha256:<hex>`, the shape of Vault's audit HMACs:
//! HMAC-SHA256 over
//!
//! ```text
//! "audit-rs/secret/v1" 0x00 resource_type 0x00 resource_id 0x00 field_path 0x00 JSON(value)
//! ```
//!
//! keyed with HKDF-SHA256 of an application master key (info `"audit-rs
//! secret fingerprint v1"`). `field_path` is the change's diff key
//! (`api_token`, `settings.api_token`, `members[id=3].invite`) and
//! `JSON(value)` the value as `serde_json` writes it with its type's
//! `Serialize`. Binding the resource and the field means that two users with
//! the same password get different fingerprints, while the history of one
//! resource's field shows whether a value came back: a `new_hmac` equal to
//! an earlier one is a secret set back, one never seen before a rotation.
//! The key has an id, recorded beside the fingerprints as `hmac_key`, so that
//! it can be rotated. `audit hash`, in the `audit-cli` crate, computes the
//! fingerprint of a known value, to search a log for it.
//!
//! # When fingerprints are made
//!
//! Only when an entry is made ([`AuditRequest`](crate::AuditRequest),
//! [`BackgroundAudit`](crate::BackgroundAudit), the axum layer): that is
//! where the resource type and id are known. The entry hands them, with the
//! key, to the [`Diff`](crate::Diff) it builds its diff in, before the first
//! field is compared; the diff reads nothing else, and no state outlives it.
//! The values are serialized, hashed and dropped there; a `Diff` never holds
//! them. A bare [`diff`](fn@crate::diff) records `{"secret": true}` alone, as
//! does an entry made without a key: that entry is flagged
//! [`MissingSecretFingerprint`](crate::Flag::MissingSecretFingerprint), which
//! is reported through `tracing`. Nothing panics.
//!
//! # Which key
//!
//! The key [installed](install) for the process, as a `tracing` subscriber is
//! set with `set_global_default`; or, on one thread while a closure runs, the
//! key [`with_key`] puts in place (or none, [`without_key`]), as `tracing`'s
//! `with_default` does. An entry takes the [`current`] key when it is made.
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
//!
//! Recorded in an entry:
//!
//! ```
//! use audit_core::secret_fingerprint::{self, FingerprintKey};
//! use audit_core::{AuditRequest, Action, Auditable, MemorySink};
//!
//! #[derive(Clone, Auditable)]
//! struct Integration {
//!     #[audit(track)]
//!     id: u32,
//!     #[audit(secret = "grants API access", fingerprint)]
//!     api_token: String,
//! }
//!
//! let key = FingerprintKey::derive("k1", b"a master key of at least 32 bytes.....");
//! secret_fingerprint::install(key.clone());
//!
//! let sink = MemorySink::new();
//! let mut request = AuditRequest::new(&sink, Action::WRITE);
//! request.set_old(Integration { id: 7, api_token: "tok-1".into() });
//! request.set_new(Integration { id: 7, api_token: "tok-2".into() });
//! request.commit(200).unwrap();
//!
//! let entry = sink.last().unwrap();
//! let change = entry.diff.get("api_token").unwrap();
//! let fingerprint = change.secret_fingerprint().unwrap();
//! assert_eq!(fingerprint.key_id(), "k1");
//! assert_eq!(
//!     fingerprint.new_hmac(),
//!     Some(key.fingerprint("integration", "7", "api_token", "tok-2").unwrap().as_str()),
//! );
//! ```

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Serialize;
use sha2::Sha256;

use crate::hex::push_hex;

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

/// The fingerprints of a fingerprinted secret's old and new values, as an
/// entry records them beside `"secret": true`: `old_hmac`, `new_hmac` (each
/// absent for a value that does not exist on that side) and `hmac_key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretFingerprint {
    old_hmac: Option<String>,
    new_hmac: Option<String>,
    key_id: String,
}

impl SecretFingerprint {
    pub(crate) fn new(old_hmac: Option<String>, new_hmac: Option<String>, key_id: String) -> Self {
        SecretFingerprint {
            old_hmac,
            new_hmac,
            key_id,
        }
    }

    /// The fingerprint of the old value; `None` for a value that did not
    /// exist before the change.
    pub fn old_hmac(&self) -> Option<&str> {
        self.old_hmac.as_deref()
    }

    /// The fingerprint of the new value; `None` for a value that does not
    /// exist after the change.
    pub fn new_hmac(&self) -> Option<&str> {
        self.new_hmac.as_deref()
    }

    /// The id of the key the fingerprints were made with: `hmac_key`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// How many members it adds to a serialized change.
    pub(crate) fn member_count(&self) -> usize {
        1 + usize::from(self.old_hmac.is_some()) + usize::from(self.new_hmac.is_some())
    }
}

/// The key installed for the process.
static INSTALLED: RwLock<Option<Arc<FingerprintKey>>> = RwLock::new(None);

/// Makes `key` the key every entry made from now on fingerprints secrets
/// with, in every thread; replaces the key installed before, if any (a
/// rotation: entries name their key in `hmac_key`).
///
/// Call it once at start-up, before the first entry, as a `tracing`
/// subscriber is installed: an entry with a fingerprinted secret change made
/// without a key is flagged
/// [`MissingSecretFingerprint`](crate::Flag::MissingSecretFingerprint).
pub fn install(key: FingerprintKey) {
    *INSTALLED.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(key));
}

/// Removes the installed key, returning it: entries made from now on record
/// fingerprinted secrets as `{"secret": true}` alone, flagged.
pub fn uninstall() -> Option<Arc<FingerprintKey>> {
    INSTALLED
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

/// The installed key.
pub fn installed() -> Option<Arc<FingerprintKey>> {
    INSTALLED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// The key an entry made on a thread takes.
#[derive(Clone)]
enum InScope {
    /// The installed one, if any: outside [`with_key`] and [`without_key`].
    Installed,
    /// The one [`with_key`] put in place.
    Key(Arc<FingerprintKey>),
    /// None: [`without_key`].
    NoKey,
}

thread_local! {
    /// The key [`with_key`] or [`without_key`] put in place on this thread.
    static IN_SCOPE: RefCell<InScope> = const { RefCell::new(InScope::Installed) };
}

/// Makes `key` the key every entry made on this thread fingerprints secrets
/// with while `f` runs, over the [installed](install) one; the key in place
/// before is back when `f` returns or unwinds. As `tracing`'s
/// `with_default` is to `set_global_default`: for a test, a tenant with a key
/// of its own, a rotation tried out.
///
/// ```
/// use audit_core::secret_fingerprint::{self, FingerprintKey};
/// use audit_core::{Action, AuditRequest, Auditable, MemorySink};
///
/// #[derive(Clone, Auditable)]
/// struct Integration {
///     #[audit(track)]
///     id: u32,
///     #[audit(secret = "grants API access", fingerprint)]
///     api_token: String,
/// }
///
/// let key = FingerprintKey::derive("k2", b"a master key of at least 32 bytes.....");
/// let sink = MemorySink::new();
/// secret_fingerprint::with_key(key, || {
///     let mut request = AuditRequest::new(&sink, Action::WRITE);
///     request.set_old(Integration { id: 7, api_token: "tok-1".into() });
///     request.set_new(Integration { id: 7, api_token: "tok-2".into() });
///     request.commit(200).unwrap();
/// });
/// let entry = sink.last().unwrap();
/// let change = entry.diff.get("api_token").unwrap();
/// assert_eq!(change.secret_fingerprint().unwrap().key_id(), "k2");
/// ```
pub fn with_key<R>(key: FingerprintKey, f: impl FnOnce() -> R) -> R {
    scoped(InScope::Key(Arc::new(key)), f)
}

/// Runs `f` with no key for the entries made on this thread, whatever is
/// [installed](install): their fingerprinted secrets are recorded as
/// `{"secret": true}` alone, and the entries flagged
/// [`MissingSecretFingerprint`](crate::Flag::MissingSecretFingerprint).
pub fn without_key<R>(f: impl FnOnce() -> R) -> R {
    scoped(InScope::NoKey, f)
}

/// The key an entry made here and now fingerprints secrets with: the one
/// [`with_key`] put in place on this thread, else the [installed](install)
/// one.
pub fn current() -> Option<Arc<FingerprintKey>> {
    let in_scope = IN_SCOPE
        .try_with(|in_scope| in_scope.try_borrow().ok().map(|in_scope| in_scope.clone()))
        .ok()
        .flatten()
        .unwrap_or(InScope::Installed);
    match in_scope {
        InScope::Installed => installed(),
        InScope::Key(key) => Some(key),
        InScope::NoKey => None,
    }
}

/// Runs `f` with `in_scope` in place on this thread.
fn scoped<R>(in_scope: InScope, f: impl FnOnce() -> R) -> R {
    /// Puts back the key in place before, also when `f` unwinds.
    struct Restore(InScope);

    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = std::mem::replace(&mut self.0, InScope::Installed);
            let _ = IN_SCOPE.try_with(|in_scope| {
                if let Ok(mut in_scope) = in_scope.try_borrow_mut() {
                    *in_scope = previous;
                }
            });
        }
    }

    let previous = IN_SCOPE
        .try_with(|current| {
            current
                .try_borrow_mut()
                .ok()
                .map(|mut current| std::mem::replace(&mut *current, in_scope))
        })
        .ok()
        .flatten();
    let _restore = previous.map(Restore);
    f()
}

/// The resource an entry is being made for, with the key it fingerprints
/// secrets with: carried by the [`Diff`](crate::Diff) the entry's diff is
/// built in, where a fingerprinted secret's change reads it. A diff built
/// without one (a bare [`diff`](fn@crate::diff)) fingerprints nothing.
#[derive(Clone, Debug)]
pub(crate) struct FingerprintScope {
    resource_type: &'static str,
    resource_id: String,
    key: Option<Arc<FingerprintKey>>,
    /// Whether a fingerprinted secret changed and no fingerprint could be made.
    missing: bool,
}

impl FingerprintScope {
    /// The scope of an entry for `resource_type` / `resource_id`, with the
    /// [`current`] key.
    pub(crate) fn new(resource_type: &'static str, resource_id: String) -> Self {
        FingerprintScope {
            resource_type,
            resource_id,
            key: current(),
            missing: false,
        }
    }

    /// The resource id, and whether a fingerprinted secret changed without
    /// a fingerprint.
    pub(crate) fn finish(self) -> (String, bool) {
        (self.resource_id, self.missing)
    }

    /// The fingerprints of a fingerprinted secret at `field_path` whose old
    /// and new values are `old` and `new` (`None` on a side where it does not
    /// exist); `None` without a key or when a value cannot be serialized,
    /// which is noted for the entry's flag.
    pub(crate) fn of_change<T: Serialize + ?Sized>(
        &mut self,
        field_path: &str,
        old: Option<&T>,
        new: Option<&T>,
    ) -> Option<Box<SecretFingerprint>> {
        let made = self.key.as_deref().and_then(|key| {
            let hmac = |value: Option<&T>| -> Result<Option<String>, serde_json::Error> {
                value
                    .map(|value| {
                        key.fingerprint(self.resource_type, &self.resource_id, field_path, value)
                    })
                    .transpose()
            };
            let (old_hmac, new_hmac) = (hmac(old).ok()?, hmac(new).ok()?);
            Some(Box::new(SecretFingerprint::new(
                old_hmac,
                new_hmac,
                key.id().to_owned(),
            )))
        });
        self.missing |= made.is_none();
        made
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
