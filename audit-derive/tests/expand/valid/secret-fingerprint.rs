// A secret with `fingerprint`: its diff and record calls go through the
// fingerprinting functions, bounded `FingerprintedField`, and its class byte
// is `f`; the plain secret beside it is unchanged.
#[derive(Auditable)]
#[audit(resource = "integration")]
struct Integration {
    #[audit(track)]
    id: u64,
    #[audit(secret = "grants API access", fingerprint)]
    api_token: String,
    #[audit(secret)]
    password: String,
}
