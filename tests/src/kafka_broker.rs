//! A Kafka broker for the tests that need one: `AUDIT_TEST_KAFKA`
//! (`HOST:PORT`) when set, else a throwaway Tansu broker that `.ci/kafka.sh`
//! starts on loopback (memory only: a restarted broker is an empty one).
//!
//! Without one, outside CI, a Kafka test passes saying why it did not run;
//! under `CI=true` it fails.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::postgres_server::{run, stop_when_this_process_exits};

/// The address of the test broker, started once for all the tests of a
/// process; `None`, with the reason printed, when there is none and this
/// is not CI.
///
/// # Panics
///
/// Under `CI=true` without a broker.
pub fn broker() -> Option<&'static str> {
    static BROKER: OnceLock<Result<String, String>> = OnceLock::new();
    let found = BROKER.get_or_init(|| match std::env::var("AUDIT_TEST_KAFKA") {
        Ok(address) => Ok(address),
        Err(_) => start("shared", None),
    });
    usable(found.as_deref().map_err(Clone::clone))
}

/// A broker of the test's own, whatever `AUDIT_TEST_KAFKA` says, that tells
/// its clients to connect to `advertised_port` on loopback, where the test
/// puts a proxy: its own address. `None`, with the reason printed, when it
/// cannot be started outside CI.
///
/// # Panics
///
/// Under `CI=true` when the broker cannot be started.
pub fn broker_behind(name: &str, advertised_port: u16) -> Option<String> {
    usable(
        start(name, Some(advertised_port))
            .as_deref()
            .map_err(Clone::clone),
    )
    .map(str::to_owned)
}

fn usable(found: Result<&str, String>) -> Option<&str> {
    match found {
        Ok(address) => Some(address),
        Err(reason) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("CI=true needs a Kafka broker: {reason}")
        }
        Err(reason) => {
            let _ = writeln!(io::stderr(), "skipped, no Kafka broker: {reason}");
            None
        }
    }
}

/// Starts a throwaway broker, stopped when this process exits.
fn start(name: &str, advertised_port: Option<u16>) -> Result<String, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/kafka.sh");
    let state: PathBuf =
        std::env::temp_dir().join(format!("audit-kafka-test-{}-{name}", std::process::id()));
    let address = match advertised_port {
        Some(port) => run(&script, "start", &[&state, Path::new(&port.to_string())])?,
        None => run(&script, "start", &[&state])?,
    };
    stop_when_this_process_exits(&script, &state);
    Ok(address)
}
