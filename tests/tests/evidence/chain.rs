//! Properties of the chain's verifier: it passes every log the chain writes,
//! and with the last head anchored (as a checkpoint anchors it) it catches
//! every one-byte change, every removed line and every swap, at the line
//! that was tampered with. A verifier that accepts a forged log is a security
//! bug (immudb's GHSA-672p-m5jq-mrh8), so these run on random logs and edits.

use std::collections::BTreeMap;

use audit_core::chain::verify::{ProblemKind, verify};
use audit_core::chain::{Chainer, Digest};
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
