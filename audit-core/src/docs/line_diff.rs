//! A unified diff of two texts, by line: what a stale file is shown with.

/// Lines of unchanged text shown around each change.
const CONTEXT: usize = 3;

/// The unified diff from `old` to `new` with three lines of context, headed
/// by `--- old_label` and `+++ new_label`; empty when the texts are equal.
pub(super) fn unified(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(old_label, new_label)
        .to_string()
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
