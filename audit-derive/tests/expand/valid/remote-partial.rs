// `partial`: the pattern ends in `..`, and the schema carries the reason.
#[derive(Auditable)]
#[audit(remote = entity::Session, partial = "`Session` is `#[non_exhaustive]`")]
struct SessionAudit {
    #[audit(track)]
    id: u64,
}
