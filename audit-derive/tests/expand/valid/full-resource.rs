// Every container attribute: resource, id, target, link, org, actions and crate.
/// A conversation between a user and an agent.
#[derive(Auditable)]
#[audit(
    resource = "chat",
    id = chat_id,
    target = title,
    link = "/orgs/{organization_id}/chats/{chat_id}",
    org = organization_id,
    actions(create, write, archive, share),
    crate = "platform::audit"
)]
pub struct Chat {
    #[audit(track)]
    pub chat_id: Uuid,
    #[audit(ignore = "recorded as the entry's organization")]
    pub organization_id: Option<Uuid>,
    /// The title the user gave the chat.
    #[audit(track, rename = "name")]
    pub title: String,
    #[audit(secret = "may contain sensitive content")]
    pub system_prompt: String,
    #[audit(ignore = "changes on every message")]
    pub heartbeat_at: Option<OffsetDateTime>,
}
