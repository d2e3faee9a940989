// A tracked field serialized by `#[serde(with)]` or `#[serde(serialize_with)]`
// is recorded as serde writes it; a secret one never is, so it needs no function.
#[derive(Serialize, Auditable)]
struct Job {
    #[audit(track)]
    id: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[audit(track)]
    started_at: OffsetDateTime,
    #[serde(serialize_with = "crate::serialize_duration")]
    #[audit(track)]
    timeout: Duration,
    #[serde(serialize_with = "crate::serialize_token")]
    #[audit(secret)]
    token: Token,
}
