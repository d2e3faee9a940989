// `fingerprint` takes no value: the key is installed by the application.
use audit_core::Auditable;

#[derive(Auditable)]
struct Integration {
    #[audit(track)]
    id: u64,
    #[audit(secret, fingerprint = "k1")]
    api_token: String,
}

fn main() {}
