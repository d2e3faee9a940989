//! A chat between a user and an agent, as a chat service stores it.

use std::collections::BTreeMap;

use audit_core::Auditable;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A conversation between a user and an agent.
#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(resource = "chat", org = organization_id, link = "/chats/{id}",
        target_with = short_id, actions(create, write, delete))]
pub struct Chat {
    /// The chat's id.
    #[audit(track)]
    pub id: Uuid,
    /// The user who owns the chat.
    #[audit(track)]
    pub owner_id: Uuid,
    /// The organization the chat belongs to.
    #[audit(ignore = "scopes the entry; recorded as its organization")]
    pub organization_id: Uuid,
    /// The title the user gave the chat.
    #[audit(secret = "may contain sensitive content")]
    pub title: String,
    /// Whether the agent is working on the chat.
    #[audit(ignore = "changes on every message")]
    pub status: ChatStatus,
    /// When the agent last reported that it is alive.
    #[audit(ignore = "liveness ping")]
    #[serde(with = "time::serde::rfc3339::option")]
    pub heartbeat_at: Option<OffsetDateTime>,
    /// Whether the user archived the chat.
    #[audit(track, says(true = "archived {noun} {target}", false = "unarchived {noun} {target}"))]
    pub archived: bool,
    /// Where the chat is pinned in the sidebar; 0 when it is not.
    #[audit(track, says(0 = "unpinned {noun} {target}", changed = "pinned {noun} {target} at {new}"))]
    pub pin_order: i32,
    /// Labels the user attached to the chat.
    #[audit(track)]
    pub labels: BTreeMap<String, String>,
    /// The MCP servers the agent may call in this chat.
    #[audit(track)]
    pub mcp_server_ids: Vec<Uuid>,
}

/// What the agent is doing with a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatStatus {
    /// Waiting for the user.
    Waiting,
    /// The agent is answering.
    Running,
    /// The agent failed.
    Error,
}

/// The first eight characters of the chat's id: enough to find it in the UI.
pub fn short_id(chat: &Chat) -> String {
    let mut id = chat.id.to_string();
    id.truncate(8);
    id
}
