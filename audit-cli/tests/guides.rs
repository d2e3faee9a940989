//! The guides in `docs/` run as written: every ```` ```sh ```` block of a
//! guide is run with bash (`set -euo pipefail`), in order, in one directory
//! per guide, with the `audit` binary on `PATH`; a ```` ```text ```` block
//! right after it is the output it must print (each line found in the
//! output, `…` standing for any text). A ```` ```sh,no_run ```` block (one
//! that needs a server) is shown, not run. Their Rust blocks are doctests of
//! `audit-tests` (`tests/src/lib.rs`).
//!
//! Before a guide's blocks run, its directory holds what the guides start
//! from, written as the chat example writes it (`audit_examples::lifecycle`):
//!
//! - `audit.key`: an Ed25519 seed for checkpoints, named `chat-example`;
//! - `audit.jsonl` and `audit.checkpoints`: the chat's entries, hash-chained
//!   with the origin `chat-example`, and their signed checkpoints;
//! - `audit.db`: the same chat's entries in a SQLite store.

use std::path::Path;
use std::process::Command;

use audit_core::chain::checkpoint::{CheckpointSigner, Checkpoints, FileCheckpointSink};
use audit_core::sqlite::SqliteStore;
use audit_core::{AuditSink, JsonLinesSink};

/// A block of a guide.
#[derive(Debug)]
struct Block {
    /// The fence's info string: `sh`, `text`, `rust,no_run`...
    info: String,
    /// Its first line's number in the file, from 1.
    line: usize,
    text: String,
}

/// The fenced blocks of `markdown`.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_owned(),
                    line: index + 2,
                    text: String::new(),
                });
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                blocks.extend(open.take());
            }
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a block is not closed");
    blocks
}

/// Writes the files the guides start from into `dir`.
fn fixture(dir: &Path) {
    std::fs::write(dir.join("audit.key"), [7u8; 32]).unwrap();
    let signer = CheckpointSigner::from_seed_file("chat-example", dir.join("audit.key")).unwrap();
    let sink = JsonLinesSink::builder(dir.join("audit.jsonl"))
        .origin("chat-example")
        .checkpoints(Checkpoints::new(
            signer,
            FileCheckpointSink::new(dir.join("audit.checkpoints")),
        ))
        .open()
        .unwrap();
    audit_examples::lifecycle::run(&sink).unwrap();
    sink.flush().unwrap();
    drop(sink);
    let store = SqliteStore::builder(dir.join("audit.db"))
        .origin("chat-example")
        .open()
        .unwrap();
    audit_examples::lifecycle::run(&store).unwrap();
    store.flush().unwrap();
}

/// Whether `output` has a line holding every part of `expected` split at
/// `…`, in order.
fn shows(output: &str, expected: &str) -> bool {
    output.lines().any(|line| {
        let mut rest = line;
        expected.split('…').all(|part| match rest.find(part) {
            Some(at) => {
                rest = &rest[at + part.len()..];
                true
            }
            None => false,
        })
    })
}

/// Runs the shell blocks of the guide at `path` (from the workspace root).
fn run_guide(path: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let markdown = std::fs::read_to_string(root.join(path)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let bin = Path::new(env!("CARGO_BIN_EXE_audit")).parent().unwrap();
    let path_var = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let blocks = blocks(&markdown);
    let mut ran = 0;
    for (index, block) in blocks.iter().enumerate() {
        if block.info != "sh" {
            continue;
        }
        let output = Command::new("bash")
            .arg("-c")
            .arg(format!("set -euo pipefail\n{}", block.text))
            .current_dir(dir.path())
            .env("PATH", &path_var)
            .output()
            .unwrap();
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        assert!(
            output.status.success(),
            "{path}:{}: the block failed ({}):\n{}\n{text}",
            block.line,
            output.status,
            block.text
        );
        if let Some(expected) = blocks.get(index + 1).filter(|next| next.info == "text") {
            for line in expected.text.lines().filter(|line| !line.trim().is_empty()) {
                assert!(
                    shows(&text, line),
                    "{path}:{}: the output has no line like {line:?}:\n{text}",
                    expected.line
                );
            }
        }
        ran += 1;
    }
    assert!(ran > 0, "{path} has no block to run");
}

#[test]
fn the_auditors_guide_runs_as_written() {
    run_guide("docs/guide-auditors.md");
}

#[test]
fn the_operators_guide_runs_as_written() {
    run_guide("docs/guide-operators.md");
}

#[test]
fn the_developers_guide_runs_as_written() {
    run_guide("docs/guide-developers.md");
}

#[test]
fn blocks_and_expected_lines_are_read_as_the_guides_say() {
    let markdown =
        "text\n```sh\necho a\n```\n```text\nVALID: … entries\n```\n```sh,no_run\nx\n```\n";
    let found = blocks(markdown);
    let infos: Vec<&str> = found.iter().map(|block| block.info.as_str()).collect();
    assert_eq!(infos, ["sh", "text", "sh,no_run"]);
    assert_eq!((found[0].line, found[0].text.as_str()), (3, "echo a\n"));
    assert!(shows("x\nVALID: 12 entries\n", "VALID: … entries"));
    assert!(!shows("VALID\n12 entries\n", "VALID: … entries"));
}
