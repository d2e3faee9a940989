//! The life of a chat, audited: create, patch the title (a secret), pin,
//! archive, a background auto-archive and a delete, written to a JSON-lines
//! audit log and printed back.
//!
//! Run it with `cargo run -p audit-examples --example chat`.

use audit_core::{AuditSink, JsonLinesSink, json_lines};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("chat-audit-{}.jsonl", std::process::id()));
    let sink = JsonLinesSink::open(&path)?;
    audit_examples::lifecycle::run(&sink)?;
    sink.flush()?;

    println!("audit log: {}", path.display());
    let log = json_lines::read(&path)?;
    for entry in &log.entries {
        println!(
            "{:<7} {} {} ({}) by {} [{}]: {}",
            entry.action,
            entry.resource_type,
            entry.resource_id,
            entry.resource_target,
            entry
                .actor
                .as_deref()
                .or_else(|| entry.additional_fields["automatic_subsystem"].as_str())
                .unwrap_or("?"),
            entry
                .status_code
                .map_or_else(String::new, |status| status.to_string()),
            serde_json::to_string(&entry.diff)?,
        );
    }
    for line in &log.skipped {
        println!("skipped line {}: {}", line.line, line.error);
    }
    std::fs::remove_file(&path)?;
    Ok(())
}
