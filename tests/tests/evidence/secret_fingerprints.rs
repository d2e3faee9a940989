//! `#[audit(secret, fingerprint)]`: the entry records keyed fingerprints of
//! the secret's old and new values, bound to the resource and the field, so
//! that a rotated secret and one set back to an earlier value are told
//! apart; the values themselves appear nowhere. Every test runs with its key
//! in scope (`secret_fingerprint::with_key`), or none, so that no result
//! depends on what another test of the binary installed.

use std::collections::BTreeMap;

use audit_core::secret_fingerprint::{self, FingerprintKey};
use audit_core::{
    Action, AuditEntry, AuditFields, AuditRequest, Auditable, BackgroundAudit, Diff, MemorySink,
};
use serde::Serialize;
use serde_json::{Value, json};

/// The master key of the pinned test vector in audit-core's
/// `secret_fingerprint` module.
const MASTER: [u8; 32] = [0x0b; 32];

fn key() -> FingerprintKey {
    FingerprintKey::derive("k1", &MASTER)
}

/// Runs `f` with the test key in scope.
fn keyed<R>(f: impl FnOnce() -> R) -> R {
    secret_fingerprint::with_key(key(), f)
}

/// The fingerprint `value` has as the field `field` of chat 7.
fn hmac(field: &str, value: &str) -> String {
    key().fingerprint("chat", "7", field, value).unwrap()
}

#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(track)]
    theme: String,
    #[audit(secret = "grants API access", fingerprint)]
    api_token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
struct Member {
    #[audit(track)]
    id: u32,
    #[audit(secret = "lets the invitee join", fingerprint)]
    invite: String,
}

#[derive(Clone, Debug, PartialEq, Auditable)]
#[audit(resource = "chat")]
struct Chat {
    #[audit(track)]
    id: u32,
    #[audit(secret = "grants API access", fingerprint)]
    api_token: String,
    #[audit(secret = "not fingerprinted")]
    password: String,
    #[audit(nested)]
    settings: Settings,
    #[audit(nested)]
    backup: Option<Settings>,
    #[audit(nested, key = id)]
    members: Vec<Member>,
}

fn chat(api_token: &str) -> Chat {
    Chat {
        id: 7,
        api_token: api_token.into(),
        password: "pw-1".into(),
        settings: Settings {
            theme: "light".into(),
            api_token: "inner-1".into(),
        },
        backup: None,
        members: Vec::new(),
    }
}

/// The diff of the entry a `write` from `old` to `new` records, as JSON.
fn write(old: &Chat, new: &Chat) -> Value {
    let sink = MemorySink::new();
    BackgroundAudit::new(&sink, "test").write(old, new).unwrap();
    let entry = sink.last().unwrap();
    assert!(entry.flags.is_empty(), "{:?}", entry.flags);
    serde_json::to_value(&entry.diff).unwrap()
}

#[test]
fn a_write_records_both_fingerprints_and_the_key() {
    keyed(|| {
        let diff = write(&chat("tok-1"), &chat("tok-2"));
        assert_eq!(
            diff,
            json!({"api_token": {
                "secret": true,
                // The pinned test vector of audit-core's `secret_fingerprint`.
                "old_hmac": "hmac-sha256:1a36f43ed48842ebd772da80e477287a98194b05cd9379bd89ed895124f2d3ec",
                "new_hmac": hmac("api_token", "tok-2"),
                "hmac_key": "k1",
            }})
        );
        // Exactly as written: `secret` first, then the fingerprints.
        let sink = MemorySink::new();
        BackgroundAudit::new(&sink, "test")
            .write(&chat("tok-1"), &chat("tok-2"))
            .unwrap();
        assert_eq!(
            serde_json::to_string(&sink.last().unwrap().diff).unwrap(),
            format!(
                r#"{{"api_token":{{"secret":true,"old_hmac":"{}","new_hmac":"{}","hmac_key":"k1"}}}}"#,
                hmac("api_token", "tok-1"),
                hmac("api_token", "tok-2"),
            )
        );
    });
}

#[test]
fn a_secret_set_back_shows_an_earlier_fingerprint_and_a_rotation_a_new_one() {
    keyed(|| {
        let first = write(&chat("tok-1"), &chat("tok-2"));
        let set_back = write(&chat("tok-2"), &chat("tok-1"));
        let rotated = write(&chat("tok-1"), &chat("tok-3"));
        // Set back: the new value's fingerprint is one seen before.
        assert_eq!(
            set_back["api_token"]["new_hmac"],
            first["api_token"]["old_hmac"]
        );
        // Each entry is self-contained: its old value is the previous new one.
        assert_eq!(
            set_back["api_token"]["old_hmac"],
            first["api_token"]["new_hmac"]
        );
        // Rotated: a fingerprint never seen before.
        let rotated_to = &rotated["api_token"]["new_hmac"];
        assert_ne!(rotated_to, &first["api_token"]["old_hmac"]);
        assert_ne!(rotated_to, &first["api_token"]["new_hmac"]);
    });
}

#[test]
fn a_secret_without_fingerprint_records_no_fingerprint() {
    keyed(|| {
        let mut new = chat("tok-1");
        new.password = "pw-2".into();
        assert_eq!(
            write(&chat("tok-1"), &new),
            json!({"password": {"secret": true}})
        );
    });
}

#[test]
fn fingerprints_are_bound_to_the_resource_and_the_field() {
    keyed(|| {
        let mut old = chat("same");
        old.settings.api_token = "same".into();
        let mut new = chat("other");
        new.settings.api_token = "other".into();
        let diff = write(&old, &new);
        // The same value in two fields: two fingerprints.
        assert_ne!(
            diff["api_token"]["old_hmac"],
            diff["settings.api_token"]["old_hmac"]
        );
        assert_eq!(
            diff["settings.api_token"]["old_hmac"],
            json!(hmac("settings.api_token", "same"))
        );
        // The same value in another resource: another fingerprint.
        let mut elsewhere = (old.clone(), new.clone());
        elsewhere.0.id = 8;
        elsewhere.1.id = 8;
        assert_ne!(
            write(&elsewhere.0, &elsewhere.1)["api_token"]["old_hmac"],
            diff["api_token"]["old_hmac"]
        );
    });
}

#[test]
fn nested_secrets_are_fingerprinted_at_their_path() {
    keyed(|| {
        let old = Chat {
            members: vec![Member {
                id: 2,
                invite: "inv-2".into(),
            }],
            ..chat("tok-1")
        };
        let new = Chat {
            settings: Settings {
                theme: "light".into(),
                api_token: "inner-2".into(),
            },
            backup: Some(Settings {
                theme: "dark".into(),
                api_token: "backup-1".into(),
            }),
            members: vec![Member {
                id: 3,
                invite: "inv-3".into(),
            }],
            ..old.clone()
        };
        assert_eq!(
            write(&old, &new),
            json!({
                "settings.api_token": {
                    "secret": true,
                    "old_hmac": hmac("settings.api_token", "inner-1"),
                    "new_hmac": hmac("settings.api_token", "inner-2"),
                    "hmac_key": "k1",
                },
                "backup": {"op": "add", "secret": false},
                "backup.theme": {"op": "add", "new": "dark", "secret": false},
                "backup.api_token": {
                    "op": "add",
                    "secret": true,
                    "new_hmac": hmac("backup.api_token", "backup-1"),
                    "hmac_key": "k1",
                },
                "members[id=2]": {"op": "remove", "secret": false},
                "members[id=2].id": {"op": "remove", "old": 2, "secret": false},
                "members[id=2].invite": {
                    "op": "remove",
                    "secret": true,
                    "old_hmac": hmac("members[id=2].invite", "inv-2"),
                    "hmac_key": "k1",
                },
                "members[id=3]": {"op": "add", "secret": false},
                "members[id=3].id": {"op": "add", "new": 3, "secret": false},
                "members[id=3].invite": {
                    "op": "add",
                    "secret": true,
                    "new_hmac": hmac("members[id=3].invite", "inv-3"),
                    "hmac_key": "k1",
                },
            })
        );
    });
}

#[test]
fn create_and_delete_record_the_one_fingerprint_there_is() {
    keyed(|| {
        let sink = MemorySink::new();
        let audit = BackgroundAudit::new(&sink, "test");
        audit
            .export(Action::CREATE, None, Some(&chat("tok-1")))
            .unwrap();
        audit
            .export(Action::DELETE, Some(&chat("tok-1")), None)
            .unwrap();
        let entries = sink.entries();
        let created = serde_json::to_value(&entries[0].diff).unwrap();
        let deleted = serde_json::to_value(&entries[1].diff).unwrap();
        assert_eq!(
            created["api_token"],
            json!({"secret": true, "new_hmac": hmac("api_token", "tok-1"), "hmac_key": "k1"})
        );
        assert_eq!(
            deleted["api_token"],
            json!({"secret": true, "old_hmac": hmac("api_token", "tok-1"), "hmac_key": "k1"})
        );
        assert_eq!(created["password"], json!({"secret": true}));
    });
}

#[test]
fn a_request_records_fingerprints_too() {
    keyed(|| {
        let sink = MemorySink::new();
        let mut request = AuditRequest::new(&sink, Action::WRITE);
        request.set_old(chat("tok-1"));
        request.set_new(chat("tok-2"));
        request.commit(200).unwrap();
        let entry = sink.last().unwrap();
        let fingerprint = entry
            .diff
            .get("api_token")
            .unwrap()
            .secret_fingerprint()
            .unwrap();
        assert_eq!(fingerprint.key_id(), "k1");
        assert_eq!(
            fingerprint.old_hmac(),
            Some(hmac("api_token", "tok-1").as_str())
        );
        assert_eq!(
            fingerprint.new_hmac(),
            Some(hmac("api_token", "tok-2").as_str())
        );
    });
}

#[test]
fn a_bare_diff_has_no_resource_to_bind_to_and_records_no_fingerprint() {
    keyed(|| {
        let diff = audit_core::diff(&chat("tok-1"), &chat("tok-2"));
        assert_eq!(
            serde_json::to_value(&diff).unwrap(),
            json!({"api_token": {"secret": true}})
        );
        assert!(
            diff.get("api_token")
                .unwrap()
                .secret_fingerprint()
                .is_none()
        );
    });
}

#[test]
fn an_entry_with_fingerprints_reads_back_and_writes_back_byte_identical() {
    keyed(|| {
        let sink = MemorySink::new();
        let mut old = chat("tok-1");
        old.backup = Some(old.settings.clone());
        let new = chat("tok-2");
        BackgroundAudit::new(&sink, "test")
            .write(&old, &new)
            .unwrap();
        let entry = sink.last().unwrap();
        let text = serde_json::to_string(&entry).unwrap();
        let read: AuditEntry = serde_json::from_str(&text).unwrap();
        assert_eq!(read, entry);
        assert_eq!(serde_json::to_string(&read).unwrap(), text);
        let diff: Diff = serde_json::from_value(json!({
            "a": {"op": "remove", "secret": true, "old_hmac": "hmac-sha256:00", "hmac_key": "k0"}
        }))
        .unwrap();
        let fingerprint = diff.get("a").unwrap().secret_fingerprint().unwrap();
        assert_eq!(
            (
                fingerprint.old_hmac(),
                fingerprint.new_hmac(),
                fingerprint.key_id()
            ),
            (Some("hmac-sha256:00"), None, "k0")
        );
    });
}

#[test]
fn no_plaintext_reaches_the_entry_its_debug_or_the_diff() {
    keyed(|| {
        let sink = MemorySink::new();
        let mut old = chat("plain-old-token");
        old.settings.api_token = "plain-old-inner".into();
        let mut new = chat("plain-new-token");
        new.settings.api_token = "plain-new-inner".into();
        new.backup = Some(Settings {
            theme: "dark".into(),
            api_token: "plain-backup".into(),
        });
        BackgroundAudit::new(&sink, "test")
            .write(&old, &new)
            .unwrap();
        let entry = sink.last().unwrap();
        let texts = [
            serde_json::to_string(&entry).unwrap(),
            format!("{entry:?}"),
            format!("{:?}", entry.diff),
        ];
        for text in &texts {
            assert!(text.contains("hmac-sha256:"), "{text}");
            assert!(!text.contains("plain-"), "{text}");
        }
    });
}

/// A fingerprinted secret of any serializable type: its JSON is hashed.
#[derive(Clone, PartialEq, Auditable)]
#[audit(resource = "chat")]
struct Typed {
    #[audit(track)]
    id: u32,
    #[audit(secret, fingerprint)]
    codes: BTreeMap<String, u32>,
}

#[test]
fn a_value_of_any_serializable_type_is_fingerprinted_as_its_json() {
    keyed(|| {
        let sink = MemorySink::new();
        let old = Typed {
            id: 7,
            codes: BTreeMap::from([("a".into(), 1)]),
        };
        let new = Typed {
            codes: BTreeMap::from([("a".into(), 2)]),
            ..old.clone()
        };
        BackgroundAudit::new(&sink, "test")
            .write(&old, &new)
            .unwrap();
        let diff = serde_json::to_value(&sink.last().unwrap().diff).unwrap();
        assert_eq!(
            diff["codes"]["new_hmac"],
            json!(key().fingerprint_json("chat", "7", "codes", br#"{"a":2}"#))
        );
    });
}

/// Documented with its fingerprint: the schema says which secrets carry one.
#[test]
fn the_schema_says_which_secrets_are_fingerprinted() {
    let field = |name: &str| Chat::SCHEMA.field(name).unwrap().secret_fingerprint;
    assert!(field("api_token"));
    assert!(!field("password"));
    assert!(
        <Settings as audit_core::AuditFields>::SCHEMA
            .field("api_token")
            .unwrap()
            .secret_fingerprint
    );
    assert!(
        Chat::SCHEMA
            .canonical_text()
            .contains("\napi_token\tsecret\tString\tfingerprint\n")
    );
}

/// The key is the one `with_key` puts in place on the thread, else the
/// installed one; `without_key` puts none in place, whatever is installed;
/// each scope ends with its closure, also when the closure panics.
#[test]
fn the_key_in_scope_wins_over_the_installed_one_and_ends_with_its_scope() {
    let other = FingerprintKey::derive("k2", &[0x0c; 32]);
    let key_of = || -> Option<String> {
        let sink = MemorySink::new();
        BackgroundAudit::new(&sink, "test")
            .write(&chat("tok-1"), &chat("tok-2"))
            .unwrap();
        let entry = sink.last().unwrap();
        let change = entry.diff.get("api_token").unwrap();
        if let Some(fingerprint) = change.secret_fingerprint() {
            return Some(fingerprint.key_id().to_owned());
        }
        assert_eq!(entry.flags, [audit_core::Flag::MissingSecretFingerprint]);
        assert_eq!(
            serde_json::to_string(&entry.diff).unwrap(),
            r#"{"api_token":{"secret":true}}"#
        );
        None
    };
    assert_eq!(secret_fingerprint::without_key(key_of), None);
    assert_eq!(keyed(key_of).as_deref(), Some("k1"));
    assert_eq!(
        keyed(|| {
            let inner = secret_fingerprint::with_key(other.clone(), key_of);
            (inner, key_of())
        }),
        (Some("k2".to_owned()), Some("k1".to_owned()))
    );
    let unwound = std::panic::catch_unwind(|| {
        secret_fingerprint::with_key(other.clone(), || panic!("a diff that panics"))
    });
    assert!(unwound.is_err());
    // Installed for the process: the other tests of this binary have their
    // own key in scope, so that none of them sees it.
    secret_fingerprint::install(other.clone());
    assert_eq!(
        secret_fingerprint::current().map(|key| key.id().to_owned()),
        Some("k2".to_owned())
    );
    assert_eq!(keyed(key_of).as_deref(), Some("k1"));
    assert_eq!(secret_fingerprint::without_key(key_of), None);
    assert_eq!(
        secret_fingerprint::uninstall().map(|key| key.id().to_owned()),
        Some("k2".to_owned())
    );
    assert_eq!(key_of(), None);
}
