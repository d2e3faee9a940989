//! A unified diff of two texts, by line: what a stale file is shown with.

use std::fmt::Write as _;

/// Lines of unchanged text shown around each change.
const CONTEXT: usize = 3;

/// The largest table the longest-common-subsequence search fills, in cells
/// (16 MiB of `u32`). A larger changed region, which no documentation file
/// has, is shown as removed and added whole.
const MAX_TABLE: usize = 4 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    Keep,
    Remove,
    Add,
}

/// The unified diff from `old` to `new` with three lines of context, headed
/// by `--- old_label` and `+++ new_label`; empty when the texts are equal.
pub(super) fn unified(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let edits = edits(&old_lines, &new_lines);
    let mut out = String::new();
    if edits.iter().all(|(edit, _)| *edit == Edit::Keep) {
        return out;
    }
    // Writing to a `String` cannot fail.
    let _ = writeln!(out, "--- {old_label}\n+++ {new_label}");
    for (start, end) in hunks(&edits) {
        let old_start = count(&edits[..start], Edit::Remove);
        let new_start = count(&edits[..start], Edit::Add);
        let old_len = count(&edits[start..end], Edit::Remove);
        let new_len = count(&edits[start..end], Edit::Add);
        let _ = writeln!(
            out,
            "@@ -{} +{} @@",
            range(old_start, old_len),
            range(new_start, new_len)
        );
        for (edit, line) in &edits[start..end] {
            out.push(match edit {
                Edit::Keep => ' ',
                Edit::Remove => '-',
                Edit::Add => '+',
            });
            if let Some(line) = line.strip_suffix('\n') {
                out.push_str(line);
                out.push('\n');
            } else {
                out.push_str(line);
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// The lines of `old` and `new` as kept, removed and added lines, in order.
fn edits<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(Edit, &'a str)> {
    // Most changes to a document are local: only the region between the
    // common prefix and the common suffix needs the search.
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut edits = Vec::with_capacity(old.len().max(new.len()));
    edits.extend(old[..prefix].iter().map(|line| (Edit::Keep, *line)));
    changed_region(
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
        &mut edits,
    );
    edits.extend(
        old[old.len() - suffix..]
            .iter()
            .map(|line| (Edit::Keep, *line)),
    );
    edits
}

/// The edits from `old` to `new` through their longest common subsequence.
fn changed_region<'a>(old: &[&'a str], new: &[&'a str], edits: &mut Vec<(Edit, &'a str)>) {
    let width = new.len() + 1;
    let cells = (old.len() + 1).checked_mul(width);
    if old.is_empty() || new.is_empty() || cells.is_none_or(|cells| cells > MAX_TABLE) {
        edits.extend(old.iter().map(|line| (Edit::Remove, *line)));
        edits.extend(new.iter().map(|line| (Edit::Add, *line)));
        return;
    }
    // `common[i * width + j]`: the length of the longest common subsequence
    // of `old[i..]` and `new[j..]`.
    let mut common = vec![0_u32; (old.len() + 1) * width];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i * width + j] = if old[i] == new[j] {
                common[(i + 1) * width + j + 1] + 1
            } else {
                common[(i + 1) * width + j].max(common[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        if old[i] == new[j] {
            edits.push((Edit::Keep, old[i]));
            i += 1;
            j += 1;
        } else if common[(i + 1) * width + j] >= common[i * width + j + 1] {
            edits.push((Edit::Remove, old[i]));
            i += 1;
        } else {
            edits.push((Edit::Add, new[j]));
            j += 1;
        }
    }
    edits.extend(old[i..].iter().map(|line| (Edit::Remove, *line)));
    edits.extend(new[j..].iter().map(|line| (Edit::Add, *line)));
}

/// The ranges of `edits` shown: each change with its context, ranges whose
/// context would touch merged into one.
fn hunks(edits: &[(Edit, &str)]) -> Vec<(usize, usize)> {
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    let changes = edits
        .iter()
        .enumerate()
        .filter(|(_, (edit, _))| *edit != Edit::Keep)
        .map(|(index, _)| index);
    for index in changes {
        let start = index.saturating_sub(CONTEXT);
        let end = (index + 1 + CONTEXT).min(edits.len());
        match hunks.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => hunks.push((start, end)),
        }
    }
    hunks
}

/// How many of `edits` are in the old text (`Edit::Remove`) or in the new
/// one (`Edit::Add`): kept lines are in both.
fn count(edits: &[(Edit, &str)], side: Edit) -> usize {
    edits
        .iter()
        .filter(|(edit, _)| *edit == Edit::Keep || *edit == side)
        .count()
}

/// A hunk header's range, `start,len` with `start` counted from 1, as `diff -u`
/// writes it: an empty range names the line before it.
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::unified;

    fn diff(old: &str, new: &str) -> String {
        unified(old, new, "old", "new")
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(diff("", ""), "");
        assert_eq!(diff("a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn a_changed_line_shows_with_three_lines_of_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            diff(old, new),
            "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn distant_changes_get_their_own_hunks_and_near_ones_share_one() {
        let lines = |skip: u32, replace: [(u32, &str); 2]| {
            let mut text = String::new();
            for n in (1..=20).filter(|n| *n != skip) {
                match replace.iter().find(|(at, _)| *at == n) {
                    Some((_, line)) => text.push_str(line),
                    None => text.push_str(&n.to_string()),
                }
                text.push('\n');
            }
            text
        };
        let old = lines(0, [(0, ""); 2]);
        let new = lines(18, [(2, "two"), (9, "nine")]);
        assert_eq!(
            diff(&old, &new),
            "\
--- old
+++ new
@@ -1,12 +1,12 @@
 1
-2
+two
 3
 4
 5
 6
 7
 8
-9
+nine
 10
 11
 12
@@ -15,6 +15,5 @@
 15
 16
 17
-18
 19
 20
"
        );
    }

    #[test]
    fn additions_at_the_start_and_removals_at_the_end() {
        assert_eq!(
            diff("a\nb\n", "new\na\n"),
            "--- old\n+++ new\n@@ -1,2 +1,2 @@\n+new\n a\n-b\n"
        );
        assert_eq!(
            diff("", "only\n"),
            "--- old\n+++ new\n@@ -0,0 +1 @@\n+only\n"
        );
        assert_eq!(
            diff("gone\n", ""),
            "--- old\n+++ new\n@@ -1 +0,0 @@\n-gone\n"
        );
    }

    #[test]
    fn a_missing_final_newline_is_a_difference() {
        assert_eq!(
            diff("a\nb", "a\nb\n"),
            "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
        );
    }

    #[test]
    fn moved_lines_are_removed_and_added_around_the_longest_common_run() {
        assert_eq!(
            diff("a\nb\nc\nd\n", "b\nc\nd\na\n"),
            "--- old\n+++ new\n@@ -1,4 +1,4 @@\n-a\n b\n c\n d\n+a\n"
        );
    }
}
