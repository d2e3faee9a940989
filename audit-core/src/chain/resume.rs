//! Finding where a chain stopped: the last chained entry of a log.

use std::io::{self, Read, Seek, SeekFrom};

use super::{ChainedLine, Chainer, Digest, Head, is_torn_write};

/// Where a chain was resumed, from [`resume`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resumed {
    /// The last chained entry of the log; `None` when it has none, so that the
    /// next entry starts a new chain.
    pub head: Option<Head>,
    /// How many bytes follow that entry, or precede the new chain, without
    /// being chained entries: a line torn by a crash, or a log written before
    /// chaining. The next entry records their hash.
    pub skipped_bytes: u64,
    /// How many of those bytes' lines are not writes cut short by a crash:
    /// complete lines without a chain, or blank lines or text, put in the log
    /// while its writer was stopped (or written before it was chained). The
    /// next entry records them with the rest, and `audit verify` reports
    /// them, naming each.
    pub unchained_lines: usize,
}

/// How much of the end of a log is read at first to find its last entry.
const TAIL: u64 = 64 * 1024;

/// A [`Chainer`] that continues the chain of the log `file`, from its last
/// chained entry. The bytes after that entry that are not entries (a line torn
/// by a crash) are recorded, by hash, by the next entry; so are all the bytes
/// of a log that has no chained entry yet.
///
/// `file` should end with a newline: the next entry starts a line.
///
/// # Errors
///
/// When `file` cannot be read.
pub fn resume<F: Read + Seek>(
    origin: impl Into<String>,
    file: &mut F,
) -> io::Result<(Chainer, Resumed)> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut size = TAIL;
    loop {
        let start = len.saturating_sub(size);
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        file.take(len - start).read_to_end(&mut tail)?;
        if let Some(found) = last_chained(&tail, start == 0) {
            let (head, end) = found;
            let after = &tail[end..];
            let resumed = Resumed {
                head: Some(head),
                skipped_bytes: after.len() as u64,
                unchained_lines: not_torn(after),
            };
            let skipped = (!after.is_empty()).then(|| Digest::of(after));
            return Ok((Chainer::resume(origin, Some(head), skipped), resumed));
        }
        if start == 0 {
            let resumed = Resumed {
                head: None,
                skipped_bytes: len,
                unchained_lines: not_torn(&tail),
            };
            let skipped = (!tail.is_empty()).then(|| Digest::of(&tail));
            return Ok((Chainer::resume(origin, None, skipped), resumed));
        }
        size = size.saturating_mul(4);
    }
}

/// How many lines of `bytes` are not writes cut short by a crash.
fn not_torn(bytes: &[u8]) -> usize {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return 0;
    }
    bytes
        .split(|&byte| byte == b'\n')
        .filter(|line| !is_torn_write(line))
        .count()
}

/// The head of the last chained line in `tail` and the offset just past its
/// newline. The first line of `tail` is
/// complete only when `whole` says `tail` is the whole file.
fn last_chained(tail: &[u8], whole: bool) -> Option<(Head, usize)> {
    let mut end = tail.len();
    while end > 0 {
        // `end` is just past a newline, or the end of the file.
        let content_end = if tail[end - 1] == b'\n' { end - 1 } else { end };
        let start = tail[..content_end]
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map(|newline| newline + 1);
        let start = start.or(whole.then_some(0))?;
        let line = &tail[start..content_end];
        if let Some((link, _, _)) = ChainedLine::parse(line) {
            let head = Head {
                seq: link.seq,
                hash: Digest::of(line),
            };
            return Some((head, end));
        }
        end = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::resume;
    use crate::chain::{Chainer, Digest};

    fn chained(count: usize) -> Vec<u8> {
        let mut chainer = Chainer::new("test");
        let mut log = Vec::new();
        for n in 0..count {
            chainer
                .append(format!(r#"{{"n":{n}}}"#).as_bytes(), &mut log)
                .unwrap();
            log.push(b'\n');
        }
        log
    }

    #[test]
    fn an_empty_log_starts_a_chain() {
        let (chainer, resumed) = resume("test", &mut Cursor::new(Vec::new())).unwrap();
        assert_eq!(resumed.head, None);
        assert_eq!(resumed.skipped_bytes, 0);
        assert_eq!(chainer.head(), None);
    }

    #[test]
    fn resumes_after_the_last_entry() {
        let log = chained(3);
        let (mut chainer, resumed) = resume("test", &mut Cursor::new(log.clone())).unwrap();
        assert_eq!(resumed.head.unwrap().seq, 3);
        assert_eq!(resumed.skipped_bytes, 0);
        let mut fourth = Vec::new();
        chainer.append(br#"{"n":3}"#, &mut fourth).unwrap();
        let mut expected = Vec::new();
        let mut fresh = Chainer::new("test");
        for n in 0..4 {
            expected.clear();
            fresh
                .append(format!(r#"{{"n":{n}}}"#).as_bytes(), &mut expected)
                .unwrap();
        }
        assert_eq!(fourth, expected);
    }

    #[test]
    fn a_torn_line_is_recorded_as_skipped() {
        let mut log = chained(2);
        log.extend_from_slice(b"{\"n\":2,\"ch\n");
        let (mut chainer, resumed) = resume("test", &mut Cursor::new(log)).unwrap();
        assert_eq!(resumed.head.unwrap().seq, 2);
        assert_eq!(resumed.skipped_bytes, 11);
        let mut next = Vec::new();
        chainer.append(b"{}", &mut next).unwrap();
        let skipped = Digest::of(b"{\"n\":2,\"ch\n");
        assert!(
            String::from_utf8(next)
                .unwrap()
                .ends_with(&format!(r#","skipped":"{skipped}"}}}}"#))
        );
    }

    #[test]
    fn complete_lines_without_a_chain_are_counted_apart_from_torn_ones() {
        let mut log = chained(2);
        log.extend_from_slice(b"{\"forged\":1}\n{\"n\":2,\"ch\n\n");
        let (_, resumed) = resume("test", &mut Cursor::new(log)).unwrap();
        assert_eq!(resumed.head.unwrap().seq, 2);
        assert_eq!(resumed.unchained_lines, 2);
    }

    #[test]
    fn an_unchained_log_is_covered_by_the_new_chain() {
        let log = b"{\"old\":1}\n{\"old\":2}\n".to_vec();
        let (mut chainer, resumed) = resume("test", &mut Cursor::new(log.clone())).unwrap();
        assert_eq!(resumed.head, None);
        assert_eq!(resumed.unchained_lines, 2);
        let mut next = Vec::new();
        chainer.append(b"{}", &mut next).unwrap();
        let text = String::from_utf8(next).unwrap();
        assert!(text.contains(r#""seq":1"#), "{text}");
        assert!(text.contains(&Digest::of(&log).to_string()), "{text}");
    }
}
