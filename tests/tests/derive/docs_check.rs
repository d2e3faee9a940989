//! `docs::check` reads `AUDIT_DOCS_UPDATE` and names the command that
//! regenerates a stale file. The check runs in a child process, this test
//! binary run again, so that the variable is set for it alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::{env, fs};

use audit_core::docs;

/// Set for the child: the file it checks.
const CHILD_FILE: &str = "AUDIT_DOCS_TEST_FILE";

const TEST: &str = "docs_check::the_variable_asks_for_a_rewrite_and_the_error_names_it";

#[test]
fn the_variable_asks_for_a_rewrite_and_the_error_names_it() {
    if let Some(path) = env::var_os(CHILD_FILE) {
        docs::check(path, "new\n").unwrap();
        return;
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs-check/stale.md");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, "old\n").unwrap();

    let output = child(&path, None);
    assert!(!output.status.success());
    let printed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let expected = format!(
        "{path} is stale: it does not match the documentation rendered from the #[audit(...)] attributes.

--- {path} (checked in)
+++ {path} (rendered)
@@ -1 +1 @@
-old
+new

Regenerate it with:

    AUDIT_DOCS_UPDATE=overwrite cargo test -p audit-tests -- {TEST}
",
        path = path.display()
    );
    assert!(printed.contains(&expected), "{printed}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");

    assert!(!child(&path, Some("0")).status.success());
    assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");

    for update in ["overwrite", "1"] {
        fs::write(&path, "old\n").unwrap();
        let output = child(&path, Some(update));
        assert!(output.status.success(), "{update}: {output:?}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n", "{update}");
    }
}

/// This test, run in a child process that checks `path` with
/// `AUDIT_DOCS_UPDATE` set to `update`.
fn child(path: &PathBuf, update: Option<&str>) -> Output {
    let mut command = Command::new(env::current_exe().unwrap());
    command
        .args(["--exact", TEST, "--test-threads=1"])
        .env(CHILD_FILE, path)
        .env_remove(docs::UPDATE_ENV);
    if let Some(update) = update {
        command.env(docs::UPDATE_ENV, update);
    }
    command.output().unwrap()
}
