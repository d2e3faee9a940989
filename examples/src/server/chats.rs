//! `/chats`: create, read, change and delete chats, each change audited
//! through the `Audit<Chat>` guard.

use std::collections::BTreeMap;
use std::sync::Arc;

use audit_core::axum::Audit;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ChatServer;
use super::auth::Caller;
use super::error::{ApiError, ChatId, Expected, JsonBody};
use crate::chat::{Chat, ChatStatus};

/// A chat as the API shows it: everything but its title, which is secret
/// and never leaves the server.
#[derive(Debug, Serialize)]
pub(super) struct ChatView {
    id: Uuid,
    owner_id: Uuid,
    organization_id: Uuid,
    status: ChatStatus,
    archived: bool,
    pin_order: i32,
    labels: BTreeMap<String, String>,
    mcp_server_ids: Vec<Uuid>,
}

impl From<&Chat> for ChatView {
    fn from(chat: &Chat) -> Self {
        ChatView {
            id: chat.id,
            owner_id: chat.owner_id,
            organization_id: chat.organization_id,
            status: chat.status,
            archived: chat.archived,
            pin_order: chat.pin_order,
            labels: chat.labels.clone(),
            mcp_server_ids: chat.mcp_server_ids.clone(),
        }
    }
}

/// The body of `POST /chats`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewChat {
    title: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    mcp_server_ids: Vec<Uuid>,
}

impl Expected for NewChat {
    const EXPECTED: &'static str = "expected an object with `title` (a string) and optionally `labels` (an object of strings) and `mcp_server_ids` (an array of UUIDs)";
}

/// The body of `PATCH /chats/{id}`: the fields to change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChatChange {
    title: Option<String>,
    archived: Option<bool>,
    pin_order: Option<i32>,
}

impl Expected for ChatChange {
    const EXPECTED: &'static str = "expected an object with any of `title` (a string), `archived` (a boolean) and `pin_order` (an integer)";
}

/// `POST /chats`: 201 with the chat and its `Location`.
pub(super) async fn create(
    mut audit: Audit<Chat>,
    State(server): State<Arc<ChatServer>>,
    caller: Caller,
    JsonBody(new): JsonBody<NewChat>,
) -> Result<impl IntoResponse, ApiError> {
    let chat = Chat {
        id: Uuid::now_v7(),
        owner_id: server.user_id(&caller),
        organization_id: server.organization_id,
        title: new.title,
        status: ChatStatus::Waiting,
        heartbeat_at: None,
        archived: false,
        pin_order: 0,
        labels: new.labels,
        mcp_server_ids: new.mcp_server_ids,
    };
    let id = chat.id;
    let stored = {
        let mut chats = server.chats();
        chats.insert(id, chat);
        chats.get(&id).cloned().ok_or(ApiError::Internal)?
    };
    let view = ChatView::from(&stored);
    audit.set_new(stored);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/chats/{id}"))],
        Json(view),
    ))
}

/// `GET /chats/{id}`: not audited, it changes nothing.
pub(super) async fn get(
    State(server): State<Arc<ChatServer>>,
    caller: Caller,
    ChatId(id): ChatId,
) -> Result<Json<ChatView>, ApiError> {
    let owner = server.user_id(&caller);
    let chats = server.chats();
    let chat = chats
        .get(&id)
        .filter(|chat| chat.owner_id == owner)
        .ok_or(ApiError::NotFound)?;
    Ok(Json(ChatView::from(chat)))
}

/// `PATCH /chats/{id}`: 200 with the chat as changed.
pub(super) async fn update(
    mut audit: Audit<Chat>,
    State(server): State<Arc<ChatServer>>,
    caller: Caller,
    ChatId(id): ChatId,
    JsonBody(change): JsonBody<ChatChange>,
) -> Result<Json<ChatView>, ApiError> {
    let owner = server.user_id(&caller);
    let mut chats = server.chats();
    let chat = chats
        .get_mut(&id)
        .filter(|chat| chat.owner_id == owner)
        .ok_or(ApiError::NotFound)?;
    audit.set_old(chat.clone());
    if let Some(title) = change.title {
        chat.title = title;
    }
    if let Some(archived) = change.archived {
        chat.archived = archived;
    }
    if let Some(pin_order) = change.pin_order {
        chat.pin_order = pin_order;
    }
    // Re-read after the change: a "new" captured before it gives an empty diff.
    let stored = chats.get(&id).cloned().ok_or(ApiError::Internal)?;
    let view = ChatView::from(&stored);
    audit.set_new(stored);
    Ok(Json(view))
}

/// `DELETE /chats/{id}`: 204.
pub(super) async fn delete(
    mut audit: Audit<Chat>,
    State(server): State<Arc<ChatServer>>,
    caller: Caller,
    ChatId(id): ChatId,
) -> Result<StatusCode, ApiError> {
    let owner = server.user_id(&caller);
    let mut chats = server.chats();
    if chats.get(&id).is_none_or(|chat| chat.owner_id != owner) {
        return Err(ApiError::NotFound);
    }
    let removed = chats.remove(&id).ok_or(ApiError::NotFound)?;
    audit.set_old(removed);
    Ok(StatusCode::NO_CONTENT)
}
