//! A sink that emits entries as `tracing` events.

use tracing::field;

use crate::entry::AuditEntry;

use crate::sink::AuditSink;

use crate::sink::error::ExportError;

/// Emits every entry as an `INFO` event with target `audit`, its fields as
/// event fields and the diff as JSON, for services whose logs already go
/// through `tracing`.
///
/// ```
/// use audit_core::{Action, Auditable, AuditRequest, TracingSink};
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Flag {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     enabled: bool,
/// }
///
/// let mut audit = AuditRequest::new(&TracingSink, Action::CREATE);
/// audit.set_new(Flag { id: 1, enabled: true });
/// audit.commit(201).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingSink;

impl AuditSink for TracingSink {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        // Destructured, so that a field added to the entry cannot be left out.
        let AuditEntry {
            id,
            time,
            actor,
            organization_id,
            ip,
            user_agent,
            resource_type,
            resource_id,
            resource_target,
            resource_link,
            action,
            description,
            diff,
            status_code,
            additional_fields,
            request_id,
            schema_fingerprint,
            flags,
        } = entry;
        let diff = serde_json::to_string(&diff).unwrap_or_default();
        let additional_fields = serde_json::to_string(&additional_fields).unwrap_or_default();
        // Text is recorded with `Debug`, quoted and escaped, so that a newline
        // in a name cannot forge a log line.
        tracing::info!(
            target: "audit",
            id = %id,
            time = %time,
            actor = actor.as_deref().map(field::debug),
            organization_id = organization_id.as_deref().map(field::debug),
            ip = ip.map(field::display),
            user_agent = user_agent.as_deref().map(field::debug),
            resource_type = ?resource_type,
            resource_id = ?resource_id,
            resource_target = ?resource_target,
            resource_link = resource_link.as_deref().map(field::debug),
            action = ?action,
            description = description.as_deref().map(field::debug),
            status_code = status_code,
            request_id = request_id.as_deref().map(field::debug),
            schema_fingerprint = schema_fingerprint.as_deref(),
            flags = ?flags,
            diff = %diff,
            additional_fields = %additional_fields,
            "audit",
        );
        Ok(())
    }
}
