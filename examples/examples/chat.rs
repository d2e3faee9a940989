//! The life of a chat: a patch, an archive and a pin, each with the diff the
//! audit log records.
//!
//! Run it with `cargo run -p audit-examples --example chat`.

use std::collections::BTreeMap;

use audit_core::Auditable;
use audit_examples::chat::{Chat, ChatStatus};
use time::macros::datetime;
use uuid::Uuid;

fn main() -> Result<(), serde_json::Error> {
    let created = Chat {
        id: Uuid::from_u128(0x0192_5d3c_7a1b_7c4e_8f2a_1b2c_3d4e_5f60),
        owner_id: Uuid::from_u128(0x0192_5d3c_0000_7000_8000_0000_0000_00aa),
        organization_id: Uuid::from_u128(0x0192_5d3c_0000_7000_8000_0000_0000_0001),
        title: "Quarterly numbers".into(),
        status: ChatStatus::Waiting,
        heartbeat_at: None,
        archived: false,
        pin_order: 0,
        labels: BTreeMap::new(),
        mcp_server_ids: Vec::new(),
    };
    println!(
        "{} {} ({}) in organization {}, link {}",
        created.resource_type(),
        created.resource_id(),
        created.resource_target(),
        created.organization_id().unwrap_or_default(),
        created.resource_link().unwrap_or_default(),
    );

    // The user renames the chat and labels it; the agent works on it meanwhile.
    let patched = Chat {
        title: "Q3 numbers (draft)".into(),
        labels: BTreeMap::from([("team".into(), "finance".into())]),
        status: ChatStatus::Running,
        heartbeat_at: Some(datetime!(2026-11-28 09:30 UTC)),
        ..created.clone()
    };
    show("patch", &created, &patched)?;

    let archived = Chat {
        archived: true,
        ..patched.clone()
    };
    show("archive", &patched, &archived)?;

    let pinned = Chat {
        pin_order: 1,
        ..archived.clone()
    };
    show("pin", &archived, &pinned)?;
    Ok(())
}

fn show(what: &str, old: &Chat, new: &Chat) -> Result<(), serde_json::Error> {
    let diff = audit_core::diff(old, new);
    println!("{what:<8} {}", serde_json::to_string(&diff)?);
    Ok(())
}
