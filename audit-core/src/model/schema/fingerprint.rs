//! The cache behind [`Schema::fingerprint`].
//!
//! The derive emits `SCHEMA` as a constant and nothing else; hashing it in
//! const evaluation would cost compile time (see docs/performance.md), and a
//! `static OnceLock` per type emitted by the derive would change the
//! generated code. So fingerprints are computed at first use and kept here,
//! by the schema's address. A constant's data may be duplicated across
//! codegen units, so one schema may have a few entries: each is computed
//! once and leaked, a few dozen bytes per schema and address.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};

use sha2::{Digest as _, Sha256};

use super::Schema;
use crate::hex::push_hex;

type Cache = RwLock<HashMap<usize, &'static str>>;

static CACHE: OnceLock<Cache> = OnceLock::new();

thread_local! {
    /// The schema whose fingerprint this thread read last, and its
    /// fingerprint: a service's entries mostly come a type at a time, and
    /// this spares each a read lock and a hash lookup.
    static LAST: Cell<Option<(usize, &'static str)>> = const { Cell::new(None) };
}

/// The fingerprint of `schema`, computed once per address.
pub(crate) fn cached(schema: &'static Schema) -> &'static str {
    let address = std::ptr::from_ref(schema).addr();
    if let Ok(Some((last, fingerprint))) = LAST.try_with(Cell::get)
        && last == address
    {
        return fingerprint;
    }
    let fingerprint = shared(address, schema);
    // During the thread's teardown there is no last schema to keep.
    let _ = LAST.try_with(|last| last.set(Some((address, fingerprint))));
    fingerprint
}

/// The fingerprint of `schema`, at `address`, from the cache all threads
/// share.
fn shared(address: usize, schema: &'static Schema) -> &'static str {
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(fingerprint) = cache
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&address)
    {
        return fingerprint;
    }
    let computed = compute(schema);
    let mut cache = cache.write().unwrap_or_else(PoisonError::into_inner);
    cache
        .entry(address)
        .or_insert_with(|| Box::leak(computed.into_boxed_str()))
}

/// `sha256:` and the first 16 bytes of the SHA-256 of the canonical text, as hex.
pub(crate) fn compute(schema: &Schema) -> String {
    let digest = Sha256::digest(schema.canonical_text().as_bytes());
    let mut text = String::from("sha256:");
    push_hex(&mut text, &digest[..16]);
    text
}
