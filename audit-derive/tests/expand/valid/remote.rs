// A mirror of a remote type: the exhaustive pattern, the field type checks and `Audited<Mirror>` for the remote type.
/// Mirrors a type generated elsewhere, field by field.
#[derive(Auditable)]
#[audit(remote = entity::chat::Model, resource = "chat", link = "/chats/{id}")]
struct ChatAudit {
    #[audit(track)]
    id: i64,
    #[audit(track)]
    title: String,
    #[audit(secret = "share link grants access")]
    share_token: String,
    #[audit(ignore = "bookkeeping")]
    updated_at: u64,
}
