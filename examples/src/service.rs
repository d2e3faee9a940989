//! A chat service's handlers, each auditing its mutation with a [`AuditRequest`],
//! and a background job auditing with a [`BackgroundAudit`].
//!
//! The store stands for a database: handlers read the row before the change
//! and re-read it after, so the audit log records what really changed.

use std::collections::BTreeMap;

use audit_core::{Action, AuditRequest, AuditSink, BackgroundAudit, ExportError};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::chat::{Chat, ChatStatus};

/// The chat service: its store and where its audit entries go.
pub struct ChatService<'a> {
    chats: BTreeMap<Uuid, Chat>,
    sink: &'a dyn AuditSink,
}

/// Who calls a handler, and in which request.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'r> {
    /// The user's id.
    pub user_id: Uuid,
    /// The request's id.
    pub request_id: &'r str,
}

impl<'a> ChatService<'a> {
    /// A service with no chats, auditing to `sink`.
    pub fn new(sink: &'a dyn AuditSink) -> Self {
        ChatService {
            chats: BTreeMap::new(),
            sink,
        }
    }

    /// The stored chat `id`.
    pub fn get(&self, id: Uuid) -> Option<&Chat> {
        self.chats.get(&id)
    }

    fn request(&self, caller: Caller<'_>, action: Action) -> AuditRequest<'a, Chat> {
        AuditRequest::new(self.sink, action)
            .actor(caller.user_id.to_string())
            .request_id(caller.request_id)
    }

    /// `POST /chats`: stores `chat`. Returns the response status.
    ///
    /// # Errors
    ///
    /// When the audit entry cannot be exported.
    pub fn create(&mut self, caller: Caller<'_>, chat: Chat) -> Result<u16, ExportError> {
        let mut audit = self.request(caller, Action::CREATE);
        let id = chat.id;
        self.chats.insert(id, chat);
        audit.set_new(self.chats[&id].clone());
        audit.commit(201)?;
        Ok(201)
    }

    /// Applies `change` to chat `id` as one audited `write`; only its owner
    /// may (403 for anyone else).
    fn update(
        &mut self,
        caller: Caller<'_>,
        id: Uuid,
        change: impl FnOnce(&mut Chat),
    ) -> Result<u16, ExportError> {
        let mut audit = self.request(caller, Action::WRITE);
        let Some(chat) = self.chats.get_mut(&id) else {
            audit.commit(404)?;
            return Ok(404);
        };
        audit.set_old(chat.clone());
        if chat.owner_id != caller.user_id {
            audit.commit(403)?;
            return Ok(403);
        }
        change(chat);
        // Re-read after the update: a "new" captured before it would give an empty diff.
        audit.set_new(self.chats[&id].clone());
        audit.commit(200)?;
        Ok(200)
    }

    /// `PATCH /chats/{id}`: renames the chat and replaces its labels.
    ///
    /// # Errors
    ///
    /// When the audit entry cannot be exported.
    pub fn patch(
        &mut self,
        caller: Caller<'_>,
        id: Uuid,
        title: String,
        labels: BTreeMap<String, String>,
    ) -> Result<u16, ExportError> {
        self.update(caller, id, |chat| {
            chat.title = title;
            chat.labels = labels;
        })
    }

    /// `POST /chats/{id}/archive`.
    ///
    /// # Errors
    ///
    /// When the audit entry cannot be exported.
    pub fn archive(&mut self, caller: Caller<'_>, id: Uuid) -> Result<u16, ExportError> {
        self.update(caller, id, |chat| chat.archived = true)
    }

    /// `POST /chats/{id}/pin`.
    ///
    /// # Errors
    ///
    /// When the audit entry cannot be exported.
    pub fn pin(&mut self, caller: Caller<'_>, id: Uuid, order: i32) -> Result<u16, ExportError> {
        self.update(caller, id, |chat| chat.pin_order = order)
    }

    /// `DELETE /chats/{id}`.
    ///
    /// # Errors
    ///
    /// When the audit entry cannot be exported.
    pub fn delete(&mut self, caller: Caller<'_>, id: Uuid) -> Result<u16, ExportError> {
        let mut audit = self.request(caller, Action::DELETE);
        let status = if let Some(chat) = self.chats.remove(&id) {
            audit.set_old(chat);
            204
        } else {
            404
        };
        audit.commit(status)?;
        Ok(status)
    }

    /// The agent's heartbeat: not audited, since status and heartbeat are ignored.
    pub fn heartbeat(&mut self, id: Uuid, at: OffsetDateTime) {
        if let Some(chat) = self.chats.get_mut(&id) {
            chat.status = ChatStatus::Running;
            chat.heartbeat_at = Some(at);
        }
    }

    /// The background job that archives chats idle since before `cutoff`,
    /// auditing each as the `chat_auto_archive` subsystem.
    ///
    /// # Errors
    ///
    /// When an audit entry cannot be exported.
    pub fn auto_archive_idle(&mut self, cutoff: OffsetDateTime) -> Result<usize, ExportError> {
        let job = BackgroundAudit::new(self.sink, "chat_auto_archive");
        let mut archived = 0;
        for chat in self.chats.values_mut() {
            let idle = chat.heartbeat_at.is_none_or(|at| at < cutoff);
            if chat.archived || !idle {
                continue;
            }
            let old = chat.clone();
            chat.archived = true;
            chat.pin_order = 0;
            job.write(&old, chat)?;
            archived += 1;
        }
        Ok(archived)
    }
}
