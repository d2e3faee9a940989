//! The tamper suite: a real log written by `JsonLinesSink` with signed
//! checkpoints, tampered with as an attacker would, and the real `audit
//! verify` binary run on it. Each case asserts the exit status and the line
//! named.

use std::path::{Path, PathBuf};
use std::process::Command;

use audit_core::chain::Chainer;
use audit_core::chain::checkpoint::{
    CheckpointSigner, Checkpoints, FileCheckpointSink, SignedCheckpoint,
};
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
fn a_torn_last_line_fails_until_the_writer_accounts_for_it() {
    // Nothing tells a write cut short from bytes added to the log: the
    // writer's next entry records it, and only then does the log verify.
    let log = fixture();
    let mut text = std::fs::read(&log.log).unwrap();
    text.extend_from_slice(br#"{"id":"torn","ti"#);
    std::fs::write(&log.log, &text).unwrap();
    assert_broken(
        log.verify(false),
        "UNACCOUNTED at line 11: the last line is not an entry and no entry accounts for it: \
         a write cut short by a crash, or bytes added to the log; the writer's next entry records it when it resumes",
    );
    assert_broken(log.verify(true), "UNACCOUNTED at line 11");

    // The last entry cut short: the checkpoint that covers it says so first.
    let log = fixture();
    let text = std::fs::read(&log.log).unwrap();
    std::fs::write(&log.log, &text[..text.len() - 40]).unwrap();
    assert_broken(log.verify(false), "UNACCOUNTED at line 10");
    assert_broken(log.verify(true), "TRUNCATED at line 10 (seq 10)");

    // Blank or text at the end is no write of the writer's.
    for added in ["\n", " ", "x\n"] {
        let log = fixture();
        let mut text = std::fs::read_to_string(&log.log).unwrap();
        text.push_str(added);
        std::fs::write(&log.log, &text).unwrap();
        assert_broken(
            log.verify(true),
            "BROKEN at line 11: the line is not a chained entry and no entry accounts for it",
        );
    }
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

/// A complete entry without a chain, as a forger writes it: line `line`'s
/// entry with another recorded value.
fn forged_entry(log: &Fixture, line: usize) -> String {
    let lines = log.lines();
    let entry = &lines[line - 1];
    entry[..entry.find(r#","chain":"#).unwrap()].replacen(r#""new":"#, r#""new":99"#, 1) + "}"
}

#[test]
fn an_entry_appended_while_the_writer_is_stopped_is_not_laundered() {
    // Without a newline it passes for a torn last line; with one, for a
    // line torn before an earlier restart.
    for newline in ["", "\n"] {
        let log = fixture();
        let forged = forged_entry(&log, 3);
        let mut text = std::fs::read_to_string(&log.log).unwrap();
        text.push_str(&forged);
        text.push_str(newline);
        std::fs::write(&log.log, text).unwrap();
        // The service restarts and writes two more entries.
        write_entries(&log.log, &log.checkpoints, 10..12, 2);
        let expected = "BROKEN at line 11: the line is not chained, and not a write cut short by a crash \
                        (an incomplete JSON object): line 12 recorded it when its writer resumed, \
                        so it was put in the log while the writer was stopped";
        assert_broken(log.verify(true), expected);
        assert_broken(log.verify(false), expected);

        // A reader never takes it for an entry.
        let read = audit_core::json_lines::read(&log.log).unwrap();
        assert_eq!(read.entries.len(), 12);
        assert_eq!(read.skipped.len(), 1, "{:?}", read.skipped);
        assert_eq!(read.skipped[0].line, 11);
        assert_eq!(
            read.skipped[0].error,
            "the line has no \"chain\" member: the log's writer did not write it; `audit verify` reports it"
        );
    }
}

#[test]
fn a_line_between_entries_that_is_not_a_torn_write_is_caught() {
    // Not JSON, but not a write cut short either: a torn write starts an
    // object, and the writer never writes an empty line.
    // Nor is a complete object followed by more bytes, or a line with an
    // error before its end.
    for inserted in [
        "",
        " ",
        "garbage",
        r#"{"id":"x"}x"#,
        r#"{"id" 1"#,
        "{\"id\":x",
    ] {
        let log = fixture();
        let mut text = std::fs::read_to_string(&log.log).unwrap();
        text.push_str(inserted);
        text.push('\n');
        std::fs::write(&log.log, text).unwrap();
        write_entries(&log.log, &log.checkpoints, 10..12, 2);
        assert_broken(
            log.verify(true),
            "BROKEN at line 11: the line is not chained, and not a write cut short by a crash",
        );
    }
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

/// `audit verify` on `logs` with the checkpoints and key: the exit status
/// and standard output.
fn verify_logs(logs: &[&Path], checkpoints: &Path, key: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_audit"))
        .arg("verify")
        .args(logs)
        .arg("--checkpoints")
        .arg(checkpoints)
        .arg("--public-key")
        .arg(key)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    (output.status.code().unwrap(), stdout)
}

/// Exports a write of pin `n` to `sink`.
fn export_pin(sink: &JsonLinesSink, n: i32) {
    let old = Chat {
        id: 7,
        pin_order: n,
    };
    BackgroundAudit::new(sink, "pinner")
        .write(
            &old,
            &Chat {
                pin_order: n + 1,
                ..old.clone()
            },
        )
        .unwrap();
}

#[test]
fn a_rotated_log_verifies_across_files_and_alone() {
    let log = fixture();
    let old = log.log.with_extension("jsonl.1");
    let sink = JsonLinesSink::builder(&log.log)
        .origin("tamper")
        .checkpoints(Checkpoints::new(
            signer(),
            FileCheckpointSink::new(&log.checkpoints),
        ))
        .open()
        .unwrap();
    export_pin(&sink, 10);
    sink.flush().unwrap();
    // Rotated: entry 12 goes to the renamed file, until the writer sees it.
    std::fs::rename(&log.log, &old).unwrap();
    export_pin(&sink, 11);
    sink.flush().unwrap();
    export_pin(&sink, 12);
    export_pin(&sink, 13);
    sink.flush().unwrap();
    drop(sink);
    // After a restart, the new file's chain goes on.
    write_entries(&log.log, &log.checkpoints, 14..15, 1);

    let new_text = std::fs::read_to_string(&log.log).unwrap();
    let first = new_text.lines().next().unwrap();
    assert!(
        first.starts_with(r#"{"rotation":{"seq":12,"head":"sha256:"#),
        "{first}"
    );
    assert!(
        first.ends_with(r#"","origin":"tamper"}}"#) && first.contains(r#""chain":{"seq":13,"#),
        "{first}"
    );
    // The reader skips the record.
    let read = audit_core::json_lines::read(&log.log).unwrap();
    assert_eq!((read.entries.len(), read.skipped.len()), (3, 0));

    let (status, stdout) = verify_logs(&[&old, &log.log], &log.checkpoints, &log.key);
    assert_eq!(status, 0, "{stdout}");
    assert!(stdout.contains("Entries 1-16 ("), "{stdout}");
    assert!(stdout.ends_with("VALID: 16 entries\n"), "{stdout}");

    let (status, stdout) = verify_logs(&[&log.log], &log.checkpoints, &log.key);
    assert_eq!(status, 0, "{stdout}");
    assert!(stdout.contains("Entries 13-16 ("), "{stdout}");
    assert!(
        stdout.contains("Continues a rotated file: the first line follows seq 12 (head sha256:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Earlier file: 3 checkpoints, up to seq 11, cover entries before this file's first (seq 13)"),
        "{stdout}"
    );
    // Entry 12 went to the old file after its last checkpoint.
    assert!(
        stdout.contains(
            "Unanchored start: no checkpoint commits to seq 12, which the first line links to"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("VALID: 4 entries\n"), "{stdout}");

    // A file put in the log's place by whoever can write its directory,
    // claiming to continue the chain after its latest checkpointed entry
    // (which the checkpoint file shows), with a forged entry after it: all
    // but the rotation record's signature, which takes the checkpoint key.
    let legit = std::fs::read_to_string(&log.log).unwrap();
    let last = legit.lines().last().unwrap();
    let old_head = audit_core::chain::Head {
        seq: 16,
        hash: audit_core::chain::Digest::of(last.as_bytes()),
    };
    let mut chainer = Chainer::new("tamper").continue_after(old_head);
    let mut forged = Vec::new();
    let record = format!(r#"{{"rotation":{{"seq":16,"head":"{}"}}}}"#, old_head.hash);
    chainer.append(record.as_bytes(), &mut forged).unwrap();
    forged.push(b'\n');
    let mut entry: serde_json::Map<String, serde_json::Value> = serde_json::from_str(last).unwrap();
    entry.remove("chain");
    entry.insert("actor".into(), "mallory".into());
    let entry = serde_json::to_string(&entry).unwrap();
    chainer.append(entry.as_bytes(), &mut forged).unwrap();
    forged.push(b'\n');
    std::fs::write(&log.log, &forged).unwrap();
    let (status, stdout) = verify_logs(&[&log.log], &log.checkpoints, &log.key);
    assert_eq!(status, 1, "{stdout}");
    assert!(
        stdout.contains("UNSIGNED ROTATION: the first line continues a rotated file after seq 16, but the checkpoint key does not sign it"),
        "{stdout}"
    );
    std::fs::write(&log.log, &legit).unwrap();

    // The new file's start removed: it no longer says where it comes from.
    let mut lines = log.lines();
    lines.remove(0);
    log.write_lines(&lines);
    let (status, stdout) = verify_logs(&[&log.log], &log.checkpoints, &log.key);
    assert_eq!(status, 1, "{stdout}");
    assert!(stdout.contains("BROKEN at line 1 (seq 14, id "), "{stdout}");
    assert!(
        stdout.contains("expected seq 1: entry 1 was removed or moved"),
        "{stdout}"
    );
    // Both files: named by file and line.
    let (status, stdout) = verify_logs(&[&old, &log.log], &log.checkpoints, &log.key);
    assert_eq!(status, 1, "{stdout}");
    assert!(
        stdout.contains(&format!(
            "BROKEN at line 1 of {} (seq 14",
            log.log.display()
        )),
        "{stdout}"
    );
}

#[test]
fn a_file_name_with_a_space_is_a_valid_origin() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit log.jsonl");
    let checkpoints = dir.path().join("audit.checkpoints");
    let key = dir.path().join("audit.pub");
    std::fs::write(&key, signer().verifier_key().to_string()).unwrap();
    let sink = JsonLinesSink::builder(&log)
        .checkpoints(Checkpoints::new(
            signer(),
            FileCheckpointSink::new(&checkpoints),
        ))
        .open()
        .unwrap();
    export_pin(&sink, 0);
    sink.flush().unwrap();
    drop(sink);
    let (status, stdout) = verify_logs(&[&log], &checkpoints, &key);
    assert_eq!(status, 0, "{stdout}");
    assert!(
        stdout.starts_with("Chain audit-rs/chain/v1, origin \"audit log.jsonl\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("Checkpoints: 1/1 signatures valid; latest commits to seq 1"),
        "{stdout}"
    );
}

#[test]
fn replicas_checkpointing_into_one_file_each_verify() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = dir.path().join("audit.checkpoints");
    let key = dir.path().join("audit.pub");
    std::fs::write(&key, signer().verifier_key().to_string()).unwrap();
    let replicas = ["api-1", "api-2"].map(|origin| {
        let log = dir.path().join(format!("{origin}.jsonl"));
        let sink = JsonLinesSink::builder(&log)
            .origin(origin)
            .checkpoints(Checkpoints::new(
                signer(),
                FileCheckpointSink::new(&checkpoints),
            ))
            .open()
            .unwrap();
        (log, sink)
    });
    for n in 0..3 {
        for (_, sink) in &replicas {
            export_pin(sink, n);
            sink.flush().unwrap();
        }
    }
    let logs = replicas.map(|(log, _)| log);
    for log in &logs {
        let (status, stdout) = verify_logs(&[log], &checkpoints, &key);
        assert_eq!(status, 0, "{stdout}");
        assert!(
            stdout.contains("Checkpoints: 6/6 signatures valid, 3 of them for origin"),
            "{stdout}"
        );
        assert!(stdout.contains("latest commits to seq 3"), "{stdout}");
    }
    // A log checked against another replica's checkpoints only.
    let text = std::fs::read_to_string(&checkpoints).unwrap();
    let theirs: String = SignedCheckpoint::parse_all(&text)
        .unwrap()
        .iter()
        .filter(|signed| signed.checkpoint().origin == "api-2")
        .map(SignedCheckpoint::text)
        .collect();
    std::fs::write(&checkpoints, theirs).unwrap();
    assert_broken(
        verify_logs(&[&logs[0]], &checkpoints, &key),
        "BROKEN: no checkpoint is for origin \"api-1\", which the log's first entry names; they are for \"api-2\"",
    );
}

#[test]
fn a_forged_continuation_of_a_rotated_log_is_caught_by_the_checkpoints() {
    // A file that claims to continue the log after its last checkpoint
    // (seq 10), re-chained by whoever can write logs, from another head.
    let log = fixture();
    let forged_head = audit_core::chain::Head {
        seq: 10,
        hash: audit_core::chain::Digest::of(b"not the real line 10"),
    };
    let mut chainer = Chainer::continuing("tamper", forged_head, None);
    let mut text = Vec::new();
    for line in [
        r#"{"rotation":{"seq":10,"head":"sha256:0"}}"#,
        r#"{"id":"forged"}"#,
    ] {
        chainer.append(line.as_bytes(), &mut text).unwrap();
        text.push(b'\n');
    }
    std::fs::write(&log.log, text).unwrap();
    assert_broken(
        log.verify(true),
        "BROKEN at line 1 (seq 11): the line continues a rotated file, but links to another last entry \
         than a checkpoint commits to (sha256:",
    );
}

#[test]
fn lines_written_before_the_log_was_chained_pass_only_when_allowed() {
    let log = fixture();
    let legacy = forged_entry(&log, 3);
    // A log written before chaining, then appended to by the sink.
    std::fs::write(&log.log, format!("{legacy}\n{legacy}\n")).unwrap();
    std::fs::remove_file(&log.checkpoints).unwrap();
    write_entries(&log.log, &log.checkpoints, 0..2, 2);
    assert_broken(
        log.verify(true),
        "BROKEN at line 1: the line is not chained, and not a write cut short by a crash",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_audit"))
        .arg("verify")
        .arg(&log.log)
        .arg("--allow-unchained")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "Unchained: line 1 precedes the chain's first entry (written before the log was chained): not verified\n\
             Unchained: line 2 precedes"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("VALID: 2 entries\n"), "{stdout}");

    // Never after the first entry.
    let mut text = std::fs::read_to_string(&log.log).unwrap();
    text.push_str(&legacy);
    text.push('\n');
    std::fs::write(&log.log, text).unwrap();
    write_entries(&log.log, &log.checkpoints, 2..3, 1);
    let output = Command::new(env!("CARGO_BIN_EXE_audit"))
        .arg("verify")
        .arg(&log.log)
        .arg("--allow-unchained")
        .output()
        .unwrap();
    assert_broken(
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
        ),
        "BROKEN at line 5: the line is not chained, and not a write cut short by a crash (an incomplete JSON object): \
         line 6 recorded it when its writer resumed",
    );
}
