//! The life of a chat, from creation to deletion, as the chat example runs
//! it and the tests check it.

use std::collections::BTreeMap;

use audit_core::{AuditSink, ExportError};
use time::macros::datetime;
use uuid::Uuid;

use crate::chat::{Chat, ChatStatus};
use crate::service::{Caller, ChatService};

/// The chat the lifecycle creates.
pub const CHAT_ID: Uuid = Uuid::from_u128(0x0192_5d3c_7a1b_7c4e_8f2a_1b2c_3d4e_5f60);
/// The chat's owner, who makes every change.
pub const OWNER_ID: Uuid = Uuid::from_u128(0x0192_5d3c_0000_7000_8000_0000_0000_00aa);
/// A user of the organization who does not own the chat.
pub const OTHER_USER_ID: Uuid = Uuid::from_u128(0x0192_5d3c_0000_7000_8000_0000_0000_00bb);
/// The chat's organization.
pub const ORGANIZATION_ID: Uuid = Uuid::from_u128(0x0192_5d3c_0000_7000_8000_0000_0000_0001);

/// The chat as created.
pub fn new_chat() -> Chat {
    Chat {
        id: CHAT_ID,
        owner_id: OWNER_ID,
        organization_id: ORGANIZATION_ID,
        title: "Quarterly numbers".into(),
        status: ChatStatus::Waiting,
        heartbeat_at: None,
        archived: false,
        pin_order: 0,
        labels: BTreeMap::new(),
        mcp_server_ids: Vec::new(),
    }
}

/// The idle chat the auto-archiver archives.
pub const IDLE_CHAT_ID: Uuid = Uuid::from_u128(0x0192_5d3c_7a1b_7c4e_8f2a_1b2c_3d4e_5f61);

/// Runs a chat's life against `sink`, one audit entry per step, in this order:
///
/// 1. `create` the chat;
/// 2. `write`: a new title (secret) and labels;
/// 3. `write`: pinned at 1;
/// 4. `write`: archived;
/// 5. `write` by another user, who may not: refused with 403;
/// 6. `create` a second chat, which then sits idle;
/// 7. `write` by the `chat_auto_archive` subsystem: the idle chat archived;
/// 8. `delete` the first chat.
///
/// The agent's status and heartbeat change in between, unaudited: both are
/// ignored fields.
///
/// # Errors
///
/// When an audit entry cannot be exported.
pub fn run(sink: &dyn AuditSink) -> Result<(), ExportError> {
    let mut service = ChatService::new(sink);
    let caller = |request_id| Caller {
        user_id: OWNER_ID,
        request_id,
    };

    service.create(caller("req-1"), new_chat())?;
    service.heartbeat(CHAT_ID, datetime!(2026-11-28 09:30 UTC));
    service.patch(
        caller("req-2"),
        CHAT_ID,
        "Q3 numbers (draft)".to_owned(),
        BTreeMap::from([("team".to_owned(), "finance".to_owned())]),
    )?;
    service.pin(caller("req-3"), CHAT_ID, 1)?;
    service.archive(caller("req-4"), CHAT_ID)?;
    let stranger = Caller {
        user_id: OTHER_USER_ID,
        request_id: "req-4b",
    };
    service.pin(stranger, CHAT_ID, 2)?;
    let idle = Chat {
        id: IDLE_CHAT_ID,
        title: "Hiring plan".into(),
        ..new_chat()
    };
    service.create(caller("req-5"), idle)?;
    service.auto_archive_idle(datetime!(2026-11-28 00:00 UTC))?;
    service.delete(caller("req-6"), CHAT_ID)?;
    Ok(())
}
