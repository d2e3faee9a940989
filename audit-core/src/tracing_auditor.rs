//! A sink that emits entries as `tracing` events.

use crate::{AuditLog, Auditor, ExportError};

/// Emits every entry as an `INFO` event with target `audit`, its fields as
/// event fields and the diff as JSON, for services whose logs already go
/// through `tracing`.
///
/// ```
/// use audit_core::{Action, Auditable, Request, TracingAuditor};
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Flag {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     enabled: bool,
/// }
///
/// let mut audit = Request::new(&TracingAuditor, Action::CREATE);
/// audit.set_new(Flag { id: 1, enabled: true });
/// audit.commit(201).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingAuditor;

impl Auditor for TracingAuditor {
    fn export(&self, entry: AuditLog) -> Result<(), ExportError> {
        let diff = serde_json::to_string(&entry.diff).unwrap_or_default();
        let additional_fields = serde_json::to_string(&entry.additional_fields).unwrap_or_default();
        tracing::info!(
            target: "audit",
            id = %entry.id,
            time = %entry.time,
            actor = entry.actor.as_deref(),
            organization_id = entry.organization_id.as_deref(),
            ip = entry.ip.map(tracing::field::display),
            user_agent = entry.user_agent.as_deref(),
            resource_type = %entry.resource_type,
            resource_id = %entry.resource_id,
            resource_target = %entry.resource_target,
            resource_link = entry.resource_link.as_deref(),
            action = %entry.action,
            status_code = entry.status_code,
            request_id = entry.request_id.as_deref(),
            flags = ?entry.flags,
            diff = %diff,
            additional_fields = %additional_fields,
            "audit",
        );
        Ok(())
    }
}
