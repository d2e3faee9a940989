//! The tamper suite: a real log written by `JsonLinesSink` with signed
//! checkpoints, tampered with as an attacker would, and the real `audit
//! verify` binary run on it. Each case asserts the exit status and the line
//! named.

use std::path::{Path, PathBuf};
use std::process::Command;

use audit_core::chain::Chainer;
use audit_core::chain::checkpoint::{CheckpointSigner, Checkpoints, FileCheckpointSink};
use audit_core::{AuditSink, Auditable, BackgroundAudit, JsonLinesSink};

#[derive(Clone, serde::Serialize, Auditable)]
struct Chat {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    pin_order: i32,
}

const SEED: [u8; 32] = [42; 32];

/// A log of 10 entries, flushed after 5 and 10, with a checkpoint at each
/// flush; and the public key file.
struct Fixture {
    _dir: tempfile::TempDir,
    log: PathBuf,
    checkpoints: PathBuf,
    key: PathBuf,
}

fn signer() -> CheckpointSigner {
    CheckpointSigner::from_seed("tamper-test", SEED).unwrap()
}

fn write_entries(log: &Path, checkpoints: &Path, range: std::ops::Range<i32>, flush_every: i32) {
    let sink = JsonLinesSink::builder(log)
        .origin("tamper")
        .checkpoints(Checkpoints::new(
            signer(),
            FileCheckpointSink::new(checkpoints),
        ))
        .open()
        .unwrap();
    for n in range {
        let old = Chat {
            id: 7,
            pin_order: n,
        };
        let new = Chat {
            pin_order: n + 1,
            ..old.clone()
        };
        BackgroundAudit::new(&sink, "pinner")
            .write(&old, &new)
            .unwrap();
        if (n + 1) % flush_every == 0 {
            sink.flush().unwrap();
        }
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let checkpoints = dir.path().join("audit.checkpoints");
    let key = dir.path().join("audit.pub");
    write_entries(&log, &checkpoints, 0..10, 5);
    std::fs::write(&key, format!("{}\n", signer().verifier_key())).unwrap();
    Fixture {
        _dir: dir,
        log,
        checkpoints,
        key,
    }
}

impl Fixture {
    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn write_lines(&self, lines: &[String]) {
        std::fs::write(&self.log, lines.join("\n") + "\n").unwrap();
    }

    /// The entry id on line `line` (from 1), before tampering.
    fn id(&self, line: usize) -> String {
        let value: serde_json::Value = serde_json::from_str(&self.lines()[line - 1]).unwrap();
        value["id"].as_str().unwrap().to_owned()
    }

    /// `audit verify` on the log, with the checkpoints or not: the exit
    /// status and standard output.
    fn verify(&self, with_checkpoints: bool) -> (i32, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_audit"));
        command.arg("verify").arg(&self.log);
        if with_checkpoints {
            command
                .arg("--checkpoints")
                .arg(&self.checkpoints)
                .arg("--public-key")
                .arg(&self.key);
        }
        let output = command.output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        (output.status.code().unwrap(), stdout)
    }
}

#[track_caller]
fn assert_broken(verified: (i32, String), expected: &str) {
    let (status, stdout) = verified;
    assert_eq!(status, 1, "{stdout}");
    assert!(
        stdout.contains(expected),
        "expected {expected:?} in:\n{stdout}"
    );
    assert!(stdout.ends_with("INVALID\n"), "{stdout}");
}

#[test]
fn the_untouched_log_is_valid() {
    let log = fixture();
    for with_checkpoints in [false, true] {
        let (status, stdout) = log.verify(with_checkpoints);
        assert_eq!(status, 0, "{stdout}");
        assert!(stdout.contains("10/10 links valid"), "{stdout}");
        assert!(stdout.ends_with("VALID: 10 entries\n"), "{stdout}");
    }
    let (_, stdout) = log.verify(true);
    assert!(stdout.contains("Checkpoints: 2/2 signatures valid; latest commits to seq 10"));
    assert!(stdout.contains("Unanchored: 0 entries after the latest checkpoint"));
}

#[test]
fn an_edited_byte_is_caught_at_its_line() {
    let log = fixture();
    let id = log.id(4);
    let mut lines = log.lines();
    lines[3] = lines[3].replacen(r#""new":4"#, r#""new":9"#, 1);
    log.write_lines(&lines);
    for with_checkpoints in [false, true] {
        assert_broken(
            log.verify(with_checkpoints),
            &format!("BROKEN at line 4 (seq 4, id {id}): the line hashes to"),
        );
    }
}

#[test]
fn an_edited_link_is_caught_at_its_line() {
    let log = fixture();
    let id = log.id(4);
    let mut lines = log.lines();
    let at = lines[3].find(r#""prev":"sha256:"#).unwrap() + 20;
    let digit = if &lines[3][at..=at] == "0" { "1" } else { "0" };
    lines[3].replace_range(at..=at, digit);
    log.write_lines(&lines);
    assert_broken(
        log.verify(false),
        &format!("BROKEN at line 4 (seq 4, id {id}): prev is"),
    );
}

#[test]
fn an_edit_of_the_last_line_needs_a_checkpoint() {
    let log = fixture();
    let id = log.id(10);
    let mut lines = log.lines();
    lines[9] = lines[9].replacen(r#""new":10"#, r#""new":11"#, 1);
    log.write_lines(&lines);
    // No entry comes after it: the chain alone cannot tell.
    assert_eq!(log.verify(false).0, 0);
    assert_broken(
        log.verify(true),
        &format!("BROKEN at line 10 (seq 10, id {id}): the line hashes to"),
    );
}

#[test]
fn a_deleted_entry_is_caught() {
    let log = fixture();
    let id = log.id(5);
    let mut lines = log.lines();
    lines.remove(3);
    log.write_lines(&lines);
    assert_broken(
        log.verify(false),
        &format!("BROKEN at line 4 (seq 5, id {id}): expected seq 4: entry 4 was removed or moved"),
    );
}

#[test]
fn an_inserted_entry_is_caught() {
    // A copy of an entry, chain and all.
    let log = fixture();
    let id = log.id(3);
    let mut lines = log.lines();
    lines.insert(3, lines[2].clone());
    log.write_lines(&lines);
    assert_broken(
        log.verify(false),
        &format!("BROKEN at line 4 (seq 3, id {id}): expected seq 4: entries were reordered"),
    );

    // An entry without a chain, which a reader of the log would accept.
    let log = fixture();
    let mut lines = log.lines();
    let forged = lines[2][..lines[2].find(r#","chain":"#).unwrap()].to_owned() + "}";
    lines.insert(3, forged);
    log.write_lines(&lines);
    assert_broken(
        log.verify(false),
        "BROKEN at line 4: the line is not a chained entry and no entry accounts for it",
    );
}

#[test]
fn swapped_entries_are_caught() {
    let log = fixture();
    let id = log.id(7);
    let mut lines = log.lines();
    lines.swap(5, 6);
    log.write_lines(&lines);
    assert_broken(
        log.verify(false),
        &format!("BROKEN at line 6 (seq 7, id {id}): expected seq 6"),
    );
}

#[test]
fn a_truncated_tail_is_caught_against_the_last_checkpoint() {
    let log = fixture();
    let mut lines = log.lines();
    lines.truncate(7);
    log.write_lines(&lines);
    // A shorter chain is still a valid chain.
    assert_eq!(log.verify(false).0, 0);
    assert_broken(
        log.verify(true),
        "TRUNCATED at line 8 (seq 8): the log ends at seq 7, but a checkpoint commits to seq 10: 3 entries at the end were removed",
    );
}

#[test]
fn a_torn_last_line_is_reported_and_passes_unless_a_checkpoint_covers_it() {
    let log = fixture();
    let text = std::fs::read(&log.log).unwrap();
    std::fs::write(&log.log, &text[..text.len() - 40]).unwrap();
    let (status, stdout) = log.verify(false);
    assert_eq!(status, 0, "{stdout}");
    assert!(
        stdout.contains("Skipped: line 10 is not an entry (a write cut short by a crash)"),
        "{stdout}"
    );
    assert!(stdout.ends_with("VALID: 9 entries\n"), "{stdout}");
    assert_broken(log.verify(true), "TRUNCATED at line 10 (seq 10)");
}

#[test]
fn a_recomputed_chain_is_caught_by_the_checkpoints() {
    let log = fixture();
    let mut lines = log.lines();
    lines[3] = lines[3].replacen(r#""new":4"#, r#""new":9"#, 1);
    // Re-chain every line, as whoever can write the log can.
    let mut chainer = Chainer::new("tamper");
    let rechained: Vec<String> = lines
        .iter()
        .map(|line| {
            let entry = line[..line.find(r#","chain":"#).unwrap()].to_owned() + "}";
            let mut out = Vec::new();
            chainer.append(entry.as_bytes(), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        })
        .collect();
    log.write_lines(&rechained);
    assert_eq!(log.verify(false).0, 0);
    let id = log.id(5);
    assert_broken(
        log.verify(true),
        &format!("BROKEN at line 5 (seq 5, id {id}): the line hashes to"),
    );
}

#[test]
fn a_bad_checkpoint_signature_is_caught() {
    let log = fixture();
    let text = std::fs::read_to_string(&log.checkpoints).unwrap();
    // The first checkpoint's seq, 5, becomes 4: the signature no longer matches.
    let tampered = text.replacen("\n5\n", "\n4\n", 1);
    assert_ne!(tampered, text);
    std::fs::write(&log.checkpoints, tampered).unwrap();
    assert_broken(log.verify(true), "BAD CHECKPOINT #1 (commits to seq 4)");
    assert!(log.verify(true).1.contains("the signature is not valid"));
}

#[test]
fn a_removed_checkpoint_is_caught() {
    let log = fixture();
    write_entries(&log.log, &log.checkpoints, 10..15, 5);
    let text = std::fs::read_to_string(&log.checkpoints).unwrap();
    let second = text.match_indices("audit-rs/chain/v1\n").nth(1).unwrap().0;
    let third = text.match_indices("audit-rs/chain/v1\n").nth(2).unwrap().0;
    std::fs::write(
        &log.checkpoints,
        format!("{}{}", &text[..second], &text[third..]),
    )
    .unwrap();
    assert_broken(log.verify(true), "BAD CHECKPOINT #2 (commits to seq 15)");
}

#[test]
fn a_wrong_key_is_caught() {
    let log = fixture();
    let other = CheckpointSigner::from_seed("tamper-test", [1; 32]).unwrap();
    std::fs::write(&log.key, other.verifier_key().to_string()).unwrap();
    assert_broken(log.verify(true), "not signed by the given key");
}

#[test]
fn the_chain_continues_past_a_torn_line_after_a_restart() {
    let log = fixture();
    let mut text = std::fs::read(&log.log).unwrap();
    text.extend_from_slice(br#"{"id":"torn","ti"#);
    std::fs::write(&log.log, &text).unwrap();
    write_entries(&log.log, &log.checkpoints, 10..12, 2);
    let (status, stdout) = log.verify(true);
    assert_eq!(status, 0, "{stdout}");
    assert!(
        stdout.contains("Skipped: line 11 is not an entry (a write cut short by a crash); the next entry accounts for it"),
        "{stdout}"
    );
    assert!(stdout.ends_with("VALID: 12 entries\n"), "{stdout}");

    // The torn line is accounted for: editing it is caught.
    let mut lines = log.lines();
    lines[10] = r#"{"id":"torn","tx"#.to_owned();
    log.write_lines(&lines);
    assert_broken(
        log.verify(false),
        "BROKEN at line 11: the skipped lines before line 12 are not those it recorded",
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let log = fixture();
    let missing = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(["verify", "/nonexistent/audit.jsonl"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/audit.jsonl"));

    let without_key = Command::new(env!("CARGO_BIN_EXE_audit"))
        .arg("verify")
        .arg(&log.log)
        .arg("--checkpoints")
        .arg(&log.checkpoints)
        .output()
        .unwrap();
    assert_eq!(without_key.status.code(), Some(2));
}

#[test]
fn public_key_prints_the_verifier_key() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed");
    std::fs::write(&seed, SEED).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(["public-key", "--name", "tamper-test", "--seed"])
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("{}\n", signer().verifier_key())
    );
}

#[test]
fn hash_prints_the_secret_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("master");
    std::fs::write(&key, [0x0b; 32]).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(["hash", "--key-id", "k1", "--resource", "chat", "--id", "7"])
        .args(["--field", "api_token", "--key"])
        .arg(&key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"tok-1\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    // The test vector of audit_core::secret_fingerprint.
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "hmac-sha256:1a36f43ed48842ebd772da80e477287a98194b05cd9379bd89ed895124f2d3ec\n"
    );
}

/// How many checkpoints the file holds.
fn checkpoint_count(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .matches("audit-rs/chain/v1\n")
        .count()
}

/// Waits up to 10 s for the file to hold `count` checkpoints; how many it holds.
fn await_checkpoints(path: &Path, count: usize) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while checkpoint_count(path) < count && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    checkpoint_count(path)
}

#[test]
fn checkpoints_come_every_n_entries_and_every_interval_but_not_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let checkpoints = dir.path().join("audit.checkpoints");
    let sink = JsonLinesSink::builder(&log)
        .checkpoints(
            Checkpoints::new(signer(), FileCheckpointSink::new(&checkpoints))
                .every_entries(3)
                .every(std::time::Duration::from_millis(200)),
        )
        .open()
        .unwrap();
    let export = |n: i32| {
        let old = Chat {
            id: 7,
            pin_order: n,
        };
        BackgroundAudit::new(&sink, "pinner")
            .write(
                &old,
                &Chat {
                    pin_order: n + 1,
                    ..old.clone()
                },
            )
            .unwrap();
    };
    // By count: after entry 3, then after entry 6.
    for n in 0..3 {
        export(n);
    }
    assert_eq!(await_checkpoints(&checkpoints, 1), 1);
    for n in 3..6 {
        export(n);
    }
    assert_eq!(await_checkpoints(&checkpoints, 2), 2);
    // By time: entry 7 alone, within the interval (and the writer's 10 ms linger).
    export(6);
    assert_eq!(await_checkpoints(&checkpoints, 3), 3);
    // Nothing new: no more checkpoints, however long it waits.
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(checkpoint_count(&checkpoints), 3);
    drop(sink);
    assert_eq!(checkpoint_count(&checkpoints), 3);
}
