//! `audit hash` against the log: the fingerprint it prints for a value is
//! the one a real entry recorded for that value, for a top-level secret, a
//! nested one and a value that is not a string; so that an auditor can
//! search a log for a known secret.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use audit_core::secret_fingerprint::{self, FingerprintKey};
use audit_core::{AuditSink, Auditable, BackgroundAudit, JsonLinesSink};
use serde_json::Value;

#[derive(Clone, PartialEq, serde::Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(secret = "grants API access", fingerprint)]
    api_token: String,
}

/// A secret that is not a string: fingerprinted as its JSON.
#[derive(Clone, PartialEq, serde::Serialize)]
struct Limits {
    daily: u32,
    burst: u32,
}

#[derive(Clone, Auditable)]
#[audit(resource = "integration")]
struct Integration {
    #[audit(track)]
    id: String,
    #[audit(secret = "grants API access", fingerprint)]
    api_token: String,
    #[audit(secret = "a numeric code", fingerprint)]
    code: u64,
    #[audit(nested)]
    settings: Settings,
    #[audit(secret = "the plan's limits", fingerprint)]
    limits: Limits,
}

/// What `audit hash` prints for `input` as the field `field` of
/// integration `i-7`.
fn audit_hash(master: &Path, field: &str, input: &str, json: bool) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_audit"));
    command
        .args(["hash", "--key-id", "k1", "--resource", "integration"])
        .args(["--id", "i-7", "--field", field, "--key"])
        .arg(master);
    if json {
        command.arg("--json");
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_owned()
}

#[test]
fn audit_hash_prints_the_fingerprint_the_entry_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let master = dir.path().join("master");
    std::fs::write(&master, [0x5a; 40]).unwrap();
    let key = FingerprintKey::from_file("k1", &master).unwrap();

    let log = dir.path().join("audit.jsonl");
    let sink = JsonLinesSink::open(&log).unwrap();
    let old = Integration {
        id: "i-7".into(),
        api_token: "tok-1".into(),
        code: 987_654_321_012,
        settings: Settings {
            api_token: "inner-1".into(),
        },
        limits: Limits {
            daily: 100,
            burst: 5,
        },
    };
    let new = Integration {
        api_token: "tok-2".into(),
        code: 123_456_789_098,
        settings: Settings {
            api_token: "inner-2".into(),
        },
        limits: Limits {
            daily: 1000,
            burst: 50,
        },
        ..old.clone()
    };
    secret_fingerprint::with_key(key, || {
        BackgroundAudit::new(&sink, "rotator")
            .write(&old, &new)
            .unwrap();
    });
    sink.flush().unwrap();
    drop(sink);

    let text = std::fs::read_to_string(&log).unwrap();
    let entry: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let diff = &entry["diff"];
    assert_eq!(diff["api_token"]["hmac_key"], "k1");
    assert_eq!(
        diff["api_token"]["old_hmac"],
        audit_hash(&master, "api_token", "tok-1\n", false)
    );
    assert_eq!(
        diff["api_token"]["new_hmac"],
        audit_hash(&master, "api_token", "tok-2\n", false)
    );
    assert_eq!(
        diff["settings.api_token"]["new_hmac"],
        audit_hash(&master, "settings.api_token", "inner-2", false)
    );
    assert_eq!(
        diff["code"]["new_hmac"],
        audit_hash(&master, "code", "123456789098\n", true)
    );
    // JSON as a person types it: its whitespace does not matter, its keys
    // go in the field's order.
    assert_eq!(
        diff["limits"]["new_hmac"],
        audit_hash(
            &master,
            "limits",
            "{\n  \"daily\": 1000,\n  \"burst\": 50\n}\n",
            true
        )
    );
    assert_ne!(
        diff["limits"]["new_hmac"],
        audit_hash(&master, "limits", r#"{"burst":50,"daily":1000}"#, true)
    );
    // A guess that is wrong gives another fingerprint.
    assert_ne!(
        diff["api_token"]["new_hmac"],
        audit_hash(&master, "api_token", "tok-3", false)
    );
    // The log holds no value.
    for value in [
        "tok-1",
        "tok-2",
        "inner-1",
        "inner-2",
        "987654321012",
        "123456789098",
    ] {
        assert!(!text.contains(value), "{value} in {text}");
    }
}
