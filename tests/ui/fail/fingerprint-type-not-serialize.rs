// A fingerprinted secret's type needs `serde::Serialize`.
use audit_core::Auditable;

#[derive(PartialEq)]
struct Token(String);

#[derive(Auditable)]
struct Integration {
    #[audit(track)]
    id: u64,
    #[audit(secret = "grants API access", fingerprint)]
    api_token: Token,
}

fn main() {}
