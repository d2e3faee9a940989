//! The life of a chat, audited: create, patch the title (a secret), pin,
//! archive, a background auto-archive and a delete, written to a JSON-lines
//! audit log and printed back.
//!
//! Run it with `cargo run -p audit-examples --example chat`. With
//! `-- --json-lines PATH` it appends to the hash-chained log at PATH and
//! keeps it, for `audit verify PATH`; with `--checkpoint-seed FILE` as well,
//! it signs checkpoints with the 32-byte seed in FILE into `PATH.checkpoints`.

use audit_core::chain::checkpoint::{CheckpointSigner, Checkpoints, FileCheckpointSink};
use audit_core::{AuditSink, JsonLinesSink, json_lines};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut keep = None;
    let mut seed = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json-lines" => keep = args.next().map(std::path::PathBuf::from),
            "--checkpoint-seed" => seed = args.next(),
            _ => {
                return Err(format!(
                    "unknown argument {arg:?}; expected --json-lines PATH [--checkpoint-seed FILE]"
                )
                .into());
            }
        }
    }
    let path = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("chat-audit-{}.jsonl", std::process::id()))
    });
    let mut builder = JsonLinesSink::builder(&path).origin("chat-example");
    if let Some(seed) = seed {
        let signer = CheckpointSigner::from_seed_file("chat-example", seed)?;
        let checkpoints = path.with_extension("checkpoints");
        builder = builder.checkpoints(Checkpoints::new(
            signer,
            FileCheckpointSink::new(checkpoints),
        ));
    }
    let sink = builder.open()?;
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
    if keep.is_none() {
        std::fs::remove_file(&path)?;
    }
    Ok(())
}
