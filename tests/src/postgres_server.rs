//! A PostgreSQL server for the tests that need one: `AUDIT_TEST_DATABASE_URL`
//! when set, else a throwaway server that `.ci/pg.sh` starts on loopback.
//!
//! The TLS tests connect with [`tls_server`]: `AUDIT_TEST_DATABASE_TLS_URL`
//! when set, else the throwaway server's `.ci/pg.sh tls-url`. That URL asks
//! for `sslmode=verify-full` with an `sslrootcert`, the CA that signed the
//! server's certificate (not a public one: a test swaps it for another CA and
//! expects a refusal), and names a role that the server refuses without TLS,
//! so that a connection made with it proves TLS was used.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A CA certificate that signed no server's certificate: `sslrootcert`
/// for a connection that must be refused.
pub const UNRELATED_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/unrelated-ca.crt");

/// The URL of the test server, started once for all the tests of a process;
/// `None`, with the reason printed, when there is none and this is not CI.
///
/// # Panics
///
/// Under `CI=true` without a server: there, a skipped store test is a failure.
pub fn server() -> Option<&'static str> {
    found(&servers().plain)
}

/// The URL of the test server that TLS is required for, with
/// `sslmode=verify-full` (see the [module docs](self)); `None`, with the
/// reason printed, when there is none and this is not CI.
///
/// # Panics
///
/// Under `CI=true` without one: when `AUDIT_TEST_DATABASE_URL` is set
/// without `AUDIT_TEST_DATABASE_TLS_URL`, among others.
pub fn tls_server() -> Option<&'static str> {
    found(&servers().tls)
}

/// `url` with its database replaced by `database`, its parameters kept.
///
/// # Panics
///
/// When `url` has no path to a database.
pub fn with_database(url: &str, database: &str) -> String {
    let (address, parameters) = split_parameters(url);
    let (server, _) = address
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://"))
        .expect("the URL names a database");
    match parameters {
        Some(parameters) => format!("{server}/{database}?{parameters}"),
        None => format!("{server}/{database}"),
    }
}

/// `url` with its parameter `key` set to `value`: replaced when present,
/// else added. Neither is percent-encoded.
pub fn with_parameter(url: &str, key: &str, value: &str) -> String {
    let (address, parameters) = split_parameters(url);
    let mut kept: Vec<&str> = parameters
        .into_iter()
        .flat_map(|parameters| parameters.split('&'))
        .filter(|pair| pair.split('=').next() != Some(key))
        .collect();
    let set = format!("{key}={value}");
    kept.push(&set);
    format!("{address}?{}", kept.join("&"))
}

fn split_parameters(url: &str) -> (&str, Option<&str>) {
    match url.split_once('?') {
        Some((address, parameters)) => (address, Some(parameters)),
        None => (url, None),
    }
}

/// The URLs the tests use, or why there is none.
struct Servers {
    plain: Result<String, String>,
    tls: Result<String, String>,
}

fn servers() -> &'static Servers {
    static SERVERS: OnceLock<Servers> = OnceLock::new();
    SERVERS.get_or_init(find_servers)
}

fn found(url: &'static Result<String, String>) -> Option<&'static str> {
    match url {
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

fn find_servers() -> Servers {
    let given_tls = std::env::var("AUDIT_TEST_DATABASE_TLS_URL").ok();
    if let Ok(plain) = std::env::var("AUDIT_TEST_DATABASE_URL") {
        // A given server's TLS URL cannot be made up: it needs a CA and a role.
        let tls = given_tls.ok_or_else(|| {
            "AUDIT_TEST_DATABASE_URL is set, but not AUDIT_TEST_DATABASE_TLS_URL".to_owned()
        });
        return Servers {
            plain: Ok(plain),
            tls,
        };
    }
    match start_server() {
        Ok((plain, tls)) => Servers {
            plain: Ok(plain),
            tls: Ok(given_tls.unwrap_or(tls)),
        },
        Err(reason) => Servers {
            plain: Err(reason.clone()),
            tls: given_tls.ok_or(reason),
        },
    }
}

/// Starts a throwaway server: its URL, and its TLS URL.
fn start_server() -> Result<(String, String), String> {
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
    let plain = run(&script, "start", &[&state])?;
    stop_when_this_process_exits(&script, &state);
    let tls = run(&script, "tls-url", &[&state])?;
    Ok((plain, tls))
}

/// What `SCRIPT COMMAND ARGS…` (`.ci/pg.sh start STATE`) prints, trimmed.
pub(crate) fn run(script: &Path, command: &str, args: &[&Path]) -> Result<String, String> {
    let output = Command::new(script)
        .arg(command)
        .args(args)
        .output()
        .map_err(|error| format!("{}: {error}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {command} failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The test harness has no hook for "all tests are done": a watcher process
/// stops the server (`SCRIPT stop STATE`) once this process is gone, however it ended.
pub(crate) fn stop_when_this_process_exits(script: &Path, state: &PathBuf) {
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
