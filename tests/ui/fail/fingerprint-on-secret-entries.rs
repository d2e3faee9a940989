// `fingerprint` fingerprints a secret recorded as one value, not a map's entries.
use std::collections::BTreeMap;

use audit_core::Auditable;

#[derive(Auditable)]
struct Deployment {
    #[audit(track)]
    id: u64,
    #[audit(secret = "credentials", entries, fingerprint)]
    env: BTreeMap<String, String>,
}

fn main() {}
