// `fingerprint` only applies to a secret field.
use audit_core::Auditable;

#[derive(Auditable)]
struct Integration {
    #[audit(track)]
    id: u64,
    #[audit(track, fingerprint)]
    endpoint: String,
    #[audit(ignore = "a cache", fingerprint)]
    cached: String,
}

fn main() {}
