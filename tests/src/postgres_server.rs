//! A PostgreSQL server for the tests that need one: `AUDIT_TEST_DATABASE_URL`
//! when set, else a throwaway server that `.ci/pg.sh` starts on loopback.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The URL of the test server, started once for all the tests of a process;
/// `None`, with the reason printed, when there is none and this is not CI.
///
/// # Panics
///
/// Under `CI=true` without a server: there, a skipped store test is a failure.
pub fn server() -> Option<&'static str> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    match SERVER.get_or_init(start_server) {
        Ok(url) => Some(url),
        Err(reason) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("CI=true needs a PostgreSQL server: {reason}")
        }
        Err(reason) => {
            let _ = writeln!(io::stderr(), "skipped, no PostgreSQL: {reason}");
            None
        }
    }
}

fn start_server() -> Result<String, String> {
    if let Ok(url) = std::env::var("AUDIT_TEST_DATABASE_URL") {
        return Ok(url);
    }
    let installed = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|mut versions| {
        versions
            .any(|version| version.is_ok_and(|version| version.path().join("bin/initdb").exists()))
    });
    if !installed {
        return Err(
            "AUDIT_TEST_DATABASE_URL is not set, and no PostgreSQL is installed under /usr/lib/postgresql to start one"
                .into(),
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/pg.sh");
    let state = std::env::temp_dir().join(format!("audit-pg-test-{}", std::process::id()));
    let output = Command::new(&script)
        .arg("start")
        .arg(&state)
        .output()
        .map_err(|error| format!("{}: {error}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} start failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    stop_when_this_process_exits(&script, &state);
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The test harness has no hook for "all tests are done": a watcher process
/// stops the server once this process is gone, however it ended.
fn stop_when_this_process_exits(script: &Path, state: &PathBuf) {
    let watch = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; exec \"$0\" stop \"$1\"",
        pid = std::process::id()
    );
    let _ = Command::new("bash")
        .args(["-c", &watch])
        .arg(script)
        .arg(state)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}
