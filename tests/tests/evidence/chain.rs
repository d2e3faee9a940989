//! Properties of the chain's verifier: it passes every log the chain writes,
//! and with the last head anchored (as a checkpoint anchors it) it catches
//! every one-byte change, every removed line and every swap, at the line
//! that was tampered with; and, on JSON-lines logs as the sink writes them
//! (rotated, with torn writes) with signed checkpoints, every changed,
//! inserted or deleted byte and every deleted, inserted, duplicated or
//! swapped line, in 10,000 cases. A verifier that accepts a forged log is a security
//! bug (immudb's GHSA-672p-m5jq-mrh8), so these run on random logs and edits.

use std::collections::BTreeMap;

use audit_core::chain::checkpoint;
use audit_core::chain::verify::{self, ProblemKind, verify};
use audit_core::chain::{Chainer, Digest, Head};
use proptest::prelude::*;

/// A chained log of entries with ids `e0`, `e1`, … and random text; the head
/// of its last entry.
fn log(texts: &[String]) -> (Vec<u8>, BTreeMap<u64, Digest>) {
    let mut chainer = Chainer::new("property");
    let mut log = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        let entry = serde_json::json!({"id": format!("e{n}"), "text": text});
        chainer
            .append(entry.to_string().as_bytes(), &mut log)
            .unwrap();
        log.push(b'\n');
    }
    let head = chainer.head().unwrap();
    (log, BTreeMap::from([(head.seq, head.hash)]))
}

/// The line (from 1) the byte at `offset` is on.
fn line_of(log: &[u8], offset: usize) -> usize {
    log[..offset].split(|&byte| byte == b'\n').count()
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[a-z \"\\\\é]{0,12}", 2..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_untouched_log_verifies(texts in texts()) {
        let (log, heads) = log(&texts);
        let report = verify(log.as_slice(), &heads).unwrap();
        prop_assert_eq!(report.problem, None);
        prop_assert_eq!(report.entries, texts.len() as u64);
        prop_assert_eq!(report.heads_matched, 1);
    }

    #[test]
    fn every_changed_byte_is_caught_at_its_line(
        texts in texts(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let (mut log, heads) = log(&texts);
        let offset = at.index(log.len());
        prop_assume!(log[offset] != byte);
        log[offset] = byte;
        let report = verify(log.as_slice(), &heads).unwrap();
        let problem = report.problem.expect("a changed byte is caught");
        prop_assert_eq!(problem.line, line_of(&log, offset), "{:?}", problem.kind);
    }

    #[test]
    fn every_removed_line_is_caught(texts in texts(), at in any::<prop::sample::Index>()) {
        let (log, heads) = log(&texts);
        let mut lines: Vec<&[u8]> = log.split_inclusive(|&byte| byte == b'\n').collect();
        let removed = at.index(lines.len());
        lines.remove(removed);
        let report = verify(lines.concat().as_slice(), &heads).unwrap();
        let problem = report.problem.expect("a removed line is caught");
        prop_assert_eq!(problem.line, removed + 1);
        let expected = if removed + 1 == texts.len() {
            matches!(problem.kind, ProblemKind::Truncated { .. })
        } else {
            matches!(problem.kind, ProblemKind::Missing { .. } | ProblemKind::Genesis)
        };
        prop_assert!(expected, "{:?}", problem.kind);
    }

    #[test]
    fn every_swap_is_caught(texts in texts(), at in any::<prop::sample::Index>()) {
        let (log, heads) = log(&texts);
        let mut lines: Vec<&[u8]> = log.split_inclusive(|&byte| byte == b'\n').collect();
        let first = at.index(lines.len() - 1);
        lines.swap(first, first + 1);
        let report = verify(lines.concat().as_slice(), &heads).unwrap();
        let problem = report.problem.expect("a swap is caught");
        prop_assert_eq!(problem.line, first + 1, "{:?}", problem.kind);
    }
}

/// What can be done to one line or byte of a log.
#[derive(Clone, Debug)]
enum Tamper {
    /// The byte at the index becomes another.
    ChangeByte(prop::sample::Index, u8),
    /// A byte is inserted before the index (or at the end).
    InsertByte(prop::sample::Index, u8),
    /// The byte at the index is removed.
    DeleteByte(prop::sample::Index),
    /// The line at the index is removed.
    DeleteLine(prop::sample::Index),
    /// A line is inserted before the line at the first index (or at the
    /// end): a copy of the line at the second, a forged entry (that line
    /// without its chain), a torn write, or a blank line.
    InsertLine(prop::sample::Index, prop::sample::Index, u8),
    /// The line at the index is written twice.
    DuplicateLine(prop::sample::Index),
    /// The line at the index and the next are swapped.
    SwapLines(prop::sample::Index),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    let index = any::<prop::sample::Index>;
    prop_oneof![
        (index(), any::<u8>()).prop_map(|(at, byte)| Tamper::ChangeByte(at, byte)),
        (index(), any::<u8>()).prop_map(|(at, byte)| Tamper::InsertByte(at, byte)),
        index().prop_map(Tamper::DeleteByte),
        index().prop_map(Tamper::DeleteLine),
        (index(), index(), 0..4u8).prop_map(|(at, from, kind)| Tamper::InsertLine(at, from, kind)),
        index().prop_map(Tamper::DuplicateLine),
        index().prop_map(Tamper::SwapLines),
    ]
}

/// `log` tampered with as `tamper` says; `None` when that changes nothing.
fn tampered(log: &[u8], tamper: &Tamper) -> Option<Vec<u8>> {
    let mut bytes = log.to_vec();
    let mut lines: Vec<Vec<u8>> = log
        .split_inclusive(|&byte| byte == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    match tamper {
        Tamper::ChangeByte(at, byte) => {
            let at = at.index(bytes.len());
            if bytes[at] == *byte {
                return None;
            }
            bytes[at] = *byte;
            return Some(bytes);
        }
        Tamper::InsertByte(at, byte) => {
            bytes.insert(at.index(bytes.len() + 1), *byte);
            return Some(bytes);
        }
        Tamper::DeleteByte(at) => {
            bytes.remove(at.index(bytes.len()));
            return Some(bytes);
        }
        Tamper::DeleteLine(at) => {
            lines.remove(at.index(lines.len()));
        }
        Tamper::InsertLine(at, from, kind) => {
            let from = &lines[from.index(lines.len())];
            let chain = from.windows(9).position(|w| w == br#","chain":"#);
            let line = match (kind, chain) {
                (0, _) => from.clone(),
                (1, Some(chain)) => [&from[..chain], b"}\n"].concat(),
                (2, _) => from[..from.len() / 2]
                    .iter()
                    .chain(b"\n")
                    .copied()
                    .collect(),
                _ => b"\n".to_vec(),
            };
            lines.insert(at.index(lines.len() + 1), line);
        }
        Tamper::DuplicateLine(at) => {
            let at = at.index(lines.len());
            lines.insert(at, lines[at].clone());
        }
        Tamper::SwapLines(at) => {
            if lines.len() < 2 {
                return None;
            }
            let at = at.index(lines.len() - 1);
            lines.swap(at, at + 1);
        }
    }
    Some(lines.concat())
}

/// The origin of the properties' logs: a file name with a space.
const ORIGIN: &str = "prod eu/api.jsonl";

/// A JSON-lines log as the sink writes it, made in memory: entries with ids
/// `e0`, `e1`, … and random text; when `continues`, a file that continues a
/// rotated one (its first line, the rotation record, at seq 8); when `torn`
/// is `Some(n)`, a write cut short by a crash before entry n, which the entry
/// records. Checkpoints after entry `checkpoint` and after the last (as at a
/// flush and when the sink is dropped): the heads they commit to.
fn sink_log(
    texts: &[String],
    continues: bool,
    torn: Option<usize>,
    checkpoint: usize,
) -> (Vec<u8>, Vec<Head>) {
    let mut chainer = Chainer::new(ORIGIN);
    let mut log = Vec::new();
    if continues {
        let old = Head {
            seq: 7,
            hash: Digest::of(b"the rotated file's last line"),
        };
        chainer = Chainer::continuing(ORIGIN, old, None);
        let record = format!(r#"{{"rotation":{{"seq":7,"head":"{}"}}}}"#, old.hash);
        chainer.append(record.as_bytes(), &mut log).unwrap();
        log.push(b'\n');
    }
    let mut heads = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        if torn == Some(n) {
            let mut cut =
                format!(r#"{{"id":"e{n}","time":"2026-12-02T05:40:00Z","text":"#).into_bytes();
            cut.truncate(7 + n % 20);
            cut.push(b'\n');
            log.extend_from_slice(&cut);
            chainer = Chainer::resume(ORIGIN, chainer.head(), Some(Digest::of(&cut)));
        }
        let entry = serde_json::json!({"id": format!("e{n}"), "time": "2026-12-02T05:40:00Z", "text": text});
        let head = chainer
            .append(entry.to_string().as_bytes(), &mut log)
            .unwrap();
        log.push(b'\n');
        if n == checkpoint || n + 1 == texts.len() {
            heads.push(head);
        }
    }
    (log, heads)
}

/// The signer of the properties' checkpoints, made once: deriving a key is
/// slow in a debug build.
fn signer() -> &'static checkpoint::CheckpointSigner {
    static SIGNER: std::sync::OnceLock<checkpoint::CheckpointSigner> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| checkpoint::CheckpointSigner::from_seed("property", [9; 32]).unwrap())
}

/// Checkpoints of `heads`, signed and linked as the sink makes them.
fn signed_checkpoints(heads: &[Head]) -> String {
    let mut text = String::new();
    let mut latest: Option<checkpoint::SignedCheckpoint> = None;
    for head in heads {
        let prev = latest.as_ref().map(checkpoint::SignedCheckpoint::digest);
        let signed = signer().sign(checkpoint::Checkpoint::new(
            ORIGIN, head.seq, head.hash, prev,
        ));
        text.push_str(signed.text());
        latest = Some(signed);
    }
    text
}

/// The checkpoints, checked as `audit verify --checkpoints … --public-key …`
/// checks them: the heads they commit to.
fn checked(checkpoints: &str) -> checkpoint::HeadsByOrigin {
    let signed = checkpoint::SignedCheckpoint::parse_all(checkpoints).unwrap();
    checkpoint::verify_all(&signed, &signer().verifier_key()).unwrap()
}

/// The heads `checked` returns for the checkpoints of `heads`, without
/// signing them: Ed25519 in a debug build would make 10,000 cases take
/// minutes. `checkpoints_are_read_back_as_their_heads` shows them equal.
fn unsigned(heads: &[Head]) -> checkpoint::HeadsByOrigin {
    let heads = heads.iter().map(|head| (head.seq, head.hash)).collect();
    BTreeMap::from([(ORIGIN.to_owned(), heads)])
}

/// The log checked as `audit verify` checks it against `heads`: with the
/// heads of the origin its first entry names. The line of the first problem;
/// 1 when it names an origin no checkpoint is for, which `audit verify`
/// reports as a problem of the first entry.
fn verify_against(log: &[u8], heads: &checkpoint::HeadsByOrigin) -> Option<usize> {
    let origin = verify::origin_of(log).unwrap();
    let report = verify(log, &checkpoint::heads_of(heads, origin.as_deref())).unwrap();
    let unknown = report
        .origin
        .as_ref()
        .is_some_and(|origin| !heads.contains_key(origin));
    report
        .problem
        .map(|problem| problem.line)
        .or(unknown.then_some(1))
}

fn sink_logs() -> impl Strategy<Value = (Vec<u8>, Vec<Head>)> {
    (
        prop::collection::vec("[a-z \"\\\\é]{0,8}", 1..6),
        any::<bool>(),
        prop::option::of(any::<prop::sample::Index>()),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(texts, continues, torn, checkpoint)| {
            let torn = torn.map(|torn| torn.index(texts.len()));
            sink_log(&texts, continues, torn, checkpoint.index(texts.len()))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn checkpoints_are_read_back_as_their_heads((log, heads) in sink_logs()) {
        let checked = checked(&signed_checkpoints(&heads));
        prop_assert_eq!(&checked, &unsigned(&heads));
        prop_assert_eq!(verify_against(&log, &checked), None);
    }
}

proptest! {
    // 10,000 cases in every run: a verifier that accepts one forged log is
    // a security bug.
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn every_tampered_log_with_checkpoints_fails_naming_a_line(
        (log, heads) in sink_logs(),
        tamper in tamper(),
    ) {
        let heads = unsigned(&heads);
        prop_assert_eq!(verify_against(&log, &heads), None);
        let Some(forged) = tampered(&log, &tamper) else {
            return Ok(());
        };
        prop_assume!(forged != log);
        let line = verify_against(&forged, &heads).expect("a tampered log fails");
        let lines = forged.split_inclusive(|&byte| byte == b'\n').count();
        prop_assert!((1..=lines + 1).contains(&line), "line {} of {}", line, lines);
    }
}
