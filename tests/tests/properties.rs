//! Properties of every diff, over random values of a wide struct: a value
//! diffed with itself gives nothing; the keys are exactly the tracked and
//! secret fields whose values differ, in declaration order; each tracked
//! change holds the old and new values as the struct serializes them, so
//! that applying the changes to the old value's JSON gives the new one's;
//! secret values and ignored fields never appear, not even in `Debug`, and
//! neither in the audit-log entry a request commits.
//!
//! The expected diff is computed from the struct's own serde JSON and its
//! `SCHEMA`, not from the derive's code.

use std::collections::BTreeMap;

use audit_core::{Action, AuditFields, AuditRequest, Auditable, Change, FieldClass, MemorySink};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Secret strings carry `#`, ignored ones `%`; no other generated string
/// holds either, so finding one in a diff finds a leak.
const SECRET_MARK: &str = "#";
const IGNORED_MARK: &str = "%";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Nested {
    depth: u8,
    path: Vec<String>,
    extra: Option<BTreeMap<String, bool>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Kind {
    Plain,
    Scheduled { every_minutes: u32 },
    Named { name: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Auditable)]
#[serde(rename_all = "camelCase")]
struct Wide {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    display_name: String,
    #[audit(track)]
    active: bool,
    #[audit(track)]
    count: i32,
    #[audit(track)]
    big: u64,
    #[audit(track)]
    small: i8,
    #[audit(track)]
    ratio: f64,
    #[audit(track)]
    nickname: Option<String>,
    #[audit(track)]
    tags: Vec<String>,
    #[audit(track)]
    labels: BTreeMap<String, u32>,
    #[audit(track)]
    nested: Nested,
    #[audit(track)]
    kind: Kind,
    #[audit(track)]
    #[serde(rename = "when")]
    at: (u16, u8),
    #[audit(track)]
    payload: Value,
    #[audit(secret)]
    password: String,
    #[audit(secret)]
    pin: u32,
    #[audit(secret = "may name a person")]
    recovery_hint: Option<String>,
    #[audit(secret)]
    secret_labels: Vec<String>,
    #[audit(ignore)]
    seen_at: u64,
    #[audit(ignore = "free text")]
    scratch_note: String,
    #[audit(ignore)]
    cache: Vec<u8>,
}

/// A string no secret or ignored marker can appear in.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ]{0,8}"
}

fn secret_text() -> impl Strategy<Value = String> {
    "#[a-z0-9]{0,8}"
}

fn nested() -> impl Strategy<Value = Nested> {
    (
        any::<u8>(),
        prop::collection::vec(text(), 0..3),
        prop::option::of(prop::collection::btree_map(text(), any::<bool>(), 0..3)),
    )
        .prop_map(|(depth, path, extra)| Nested { depth, path, extra })
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Plain),
        any::<u32>().prop_map(|every_minutes| Kind::Scheduled { every_minutes }),
        text().prop_map(|name| Kind::Named { name }),
    ]
}

fn payload() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::from),
        prop::collection::vec(any::<i32>(), 0..3).prop_map(|items| json!(items)),
        (text(), any::<u8>()).prop_map(|(key, value)| json!({ key: value })),
    ]
}

prop_compose! {
    fn wide()(
        (id, display_name, active, count, big, small, ratio) in (
            any::<u64>(), text(), any::<bool>(), any::<i32>(), any::<u64>(), any::<i8>(),
            // Finite: NaN is never equal to itself (see tests/diff/values.rs).
            -1e12..1e12_f64,
        ),
        (nickname, tags, labels, nested, kind, at, payload) in (
            prop::option::of(text()),
            prop::collection::vec(text(), 0..3),
            prop::collection::btree_map(text(), any::<u32>(), 0..3),
            nested(),
            kind(),
            any::<(u16, u8)>(),
            payload(),
        ),
        (password, pin, recovery_hint, secret_labels) in (
            secret_text(),
            any::<u32>(),
            prop::option::of(secret_text()),
            prop::collection::vec(secret_text(), 0..3),
        ),
        (seen_at, scratch_note, cache) in (
            any::<u64>(),
            "%[a-z0-9]{0,8}",
            prop::collection::vec(any::<u8>(), 0..4),
        ),
    ) -> Wide {
        Wide {
            id, display_name, active, count, big, small, ratio, nickname, tags, labels,
            nested, kind, at, payload, password, pin, recovery_hint, secret_labels, seen_at,
            scratch_note, cache,
        }
    }
}

/// `old` with the fields whose bit in `mask` is set (in `SCHEMA` order)
/// taken from `other`: a new value that differs in some fields only.
fn mix(old: &Wide, other: &Wide, mask: u32) -> Wide {
    let mut old_json = object(old);
    let other_json = object(other);
    for (i, field) in Wide::SCHEMA.fields.iter().enumerate() {
        if mask & (1 << i) != 0 {
            old_json.insert(field.name.to_owned(), other_json[field.name].clone());
        }
    }
    serde_json::from_value(Value::Object(old_json)).unwrap()
}

fn object(value: &Wide) -> Map<String, Value> {
    match serde_json::to_value(value).unwrap() {
        Value::Object(object) => object,
        other => panic!("a struct serializes as an object, not {other}"),
    }
}

fn all_strings(value: &Wide) -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(text) => out.push(text.clone()),
            Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
            Value::Object(map) => map.iter().for_each(|(key, item)| {
                out.push(key.clone());
                collect(item, out);
            }),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    let mut out = Vec::new();
    collect(&serde_json::to_value(value).unwrap(), &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_value_diffed_with_itself_is_empty(value in wide()) {
        prop_assert!(audit_core::diff(&value, &value).is_empty());
        prop_assert!(audit_core::diff(&value, &value.clone()).is_empty());
        prop_assert_eq!(serde_json::to_string(&audit_core::diff(&value, &value)).unwrap(), "{}");
    }

    #[test]
    fn diff_matches_what_changed(old in wide(), other in wide(), mask in any::<u32>()) {
        let new = mix(&old, &other, mask);
        let (old_json, new_json) = (object(&old), object(&new));
        let diff = audit_core::diff(&old, &new);

        // The keys: the tracked and secret fields whose JSON differs, in order.
        let expected: Vec<&str> = Wide::SCHEMA
            .fields
            .iter()
            .filter(|field| field.class != FieldClass::Ignore)
            .filter(|field| old_json[field.name] != new_json[field.name])
            .map(|field| field.name)
            .collect();
        prop_assert_eq!(diff.keys().collect::<Vec<_>>(), expected);

        // Tracked changes hold both values as serialized; applying them to
        // the old JSON gives the new JSON of every tracked field.
        let mut applied = old_json.clone();
        for change in &diff {
            let field = Wide::SCHEMA.field(change.key()).unwrap();
            match (field.class, change.change()) {
                (FieldClass::Track, Change::Tracked { old, new }) => {
                    prop_assert_eq!(old, &old_json[field.name]);
                    prop_assert_eq!(new, &new_json[field.name]);
                    applied.insert(field.name.to_owned(), new.clone());
                }
                (FieldClass::Secret, Change::Secret) => {}
                (class, change) => prop_assert!(false, "{class:?} field recorded as {change:?}"),
            }
        }
        for field in Wide::SCHEMA.fields.iter().filter(|f| f.class == FieldClass::Track) {
            prop_assert_eq!(&applied[field.name], &new_json[field.name], "{}", field.name);
        }

        // Secret values and ignored fields never appear.
        let serialized = serde_json::to_value(&diff).unwrap();
        let text = serialized.to_string();
        let debug = format!("{diff:?}");
        for field in Wide::SCHEMA.fields {
            match field.class {
                FieldClass::Secret if diff.contains(field.name) => {
                    prop_assert_eq!(&serialized[field.name], &json!({"secret": true}));
                }
                FieldClass::Ignore => prop_assert!(!diff.contains(field.name)),
                _ => {}
            }
        }
        for value in all_strings(&old).iter().chain(&all_strings(&new)) {
            if value.contains(SECRET_MARK) || value.contains(IGNORED_MARK) {
                prop_assert!(!text.contains(value.as_str()), "{value:?} in {text}");
                prop_assert!(!debug.contains(value.as_str()), "{value:?} in {debug}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The entry a request commits, as serialized and as `Debug` prints it,
    /// holds no secret value and no ignored one either.
    #[test]
    fn an_entry_never_holds_a_secret(old in wide(), other in wide(), mask in any::<u32>()) {
        let new = mix(&old, &other, mask);
        let sink = MemorySink::new();
        let mut request = AuditRequest::new(&sink, Action::WRITE).actor("user-1");
        request.set_old(old.clone());
        request.set_new(new.clone());
        request.commit(200).unwrap();
        let entry = sink.last().unwrap();
        prop_assert_eq!(&entry.diff, &audit_core::diff(&old, &new));
        let text = serde_json::to_string(&entry).unwrap();
        let debug = format!("{entry:?}");
        for value in all_strings(&old).iter().chain(&all_strings(&new)) {
            if value.contains(SECRET_MARK) || value.contains(IGNORED_MARK) {
                prop_assert!(!text.contains(value.as_str()), "{value:?} in {text}");
                prop_assert!(!debug.contains(value.as_str()), "{value:?} in {debug}");
            }
        }
    }
}

/// The properties above hold only if the generated values do differ in
/// secret and ignored fields; check that they do, so that the leak checks
/// cannot pass by never meeting a secret.
#[test]
fn generated_values_exercise_secret_and_ignored_fields() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let (mut secret_changes, mut ignored_changes) = (0, 0);
    for _ in 0..64 {
        let old = wide().new_tree(&mut runner).unwrap().current();
        let new = wide().new_tree(&mut runner).unwrap().current();
        let diff = audit_core::diff(&old, &new);
        secret_changes += usize::from(diff.contains("password"));
        ignored_changes += usize::from(old.scratch_note != new.scratch_note);
        assert!(old.password.contains(SECRET_MARK));
        assert!(old.scratch_note.contains(IGNORED_MARK));
    }
    assert!(secret_changes > 32, "{secret_changes}");
    assert!(ignored_changes > 32, "{ignored_changes}");
}

/// An embedded struct with a secret and an ignored field, nested at every
/// depth and shape below.
#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
struct Vault {
    #[audit(track)]
    label: String,
    #[audit(secret, fingerprint)]
    key: String,
    #[audit(ignore)]
    note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
struct Guard {
    #[audit(track)]
    id: u8,
    #[audit(nested)]
    vault: Vault,
    #[audit(secret, fingerprint)]
    pin: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
struct Deep {
    #[audit(track)]
    id: u64,
    #[audit(nested)]
    vault: Vault,
    #[audit(nested)]
    backup: Option<Box<Vault>>,
    #[audit(nested)]
    vaults: BTreeMap<String, Vault>,
    #[audit(secret, entries)]
    env: BTreeMap<String, String>,
    #[audit(nested, key = id)]
    guards: Vec<Guard>,
}

fn vault() -> impl Strategy<Value = Vault> {
    (text(), secret_text(), "%[a-z]{0,4}").prop_map(|(label, key, note)| Vault { label, key, note })
}

fn deep() -> impl Strategy<Value = Deep> {
    (
        vault(),
        prop::option::of(vault().prop_map(Box::new)),
        prop::collection::btree_map("[a-c]", vault(), 0..3),
        prop::collection::btree_map("[A-C]", secret_text(), 0..3),
        prop::collection::vec((0..4u8, vault(), secret_text()), 0..4),
    )
        .prop_map(|(vault, backup, vaults, env, guards)| Deep {
            id: 1,
            vault,
            backup,
            vaults,
            env,
            guards: guards
                .into_iter()
                .map(|(id, vault, pin)| Guard { id, vault, pin })
                .collect(),
        })
}

/// Every string of `deep` that is secret or ignored, at any depth.
fn hidden_strings(deep: &Deep) -> Vec<String> {
    let mut vaults: Vec<&Vault> = vec![&deep.vault];
    vaults.extend(deep.backup.as_deref());
    vaults.extend(deep.vaults.values());
    vaults.extend(deep.guards.iter().map(|guard| &guard.vault));
    let mut hidden: Vec<String> = vaults
        .iter()
        .flat_map(|vault| [vault.key.clone(), vault.note.clone()])
        .collect();
    hidden.extend(deep.env.values().cloned());
    hidden.extend(deep.guards.iter().map(|guard| guard.pin.clone()));
    hidden.retain(|value| value.len() > 1);
    hidden
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// No secret's plaintext, at any depth, reaches a diff, an entry of any
    /// action, the JSON-lines file or the docs, fingerprinted or not (the
    /// vaults' keys and the guards' pins are); and a value diffed with
    /// itself gives nothing.
    #[test]
    fn a_nested_secret_never_leaks(old in deep(), new in deep()) {
        // The key is in scope for the entries made below, on this thread.
        let key = audit_core::secret_fingerprint::FingerprintKey::derive("k1", &[7; 32]);
        prop_assert!(audit_core::diff(&old, &old).is_empty());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let file = audit_core::JsonLinesSink::open(&path).unwrap();
        let memory = MemorySink::new();
        audit_core::secret_fingerprint::with_key(key, || {
            for sink in [&memory as &dyn audit_core::AuditSink, &file] {
                for (action, old, new) in [
                    (Action::WRITE, Some(&old), Some(&new)),
                    (Action::CREATE, None, Some(&new)),
                    (Action::DELETE, Some(&old), None),
                ] {
                    let mut request = AuditRequest::new(sink, action);
                    if let Some(old) = old {
                        request.set_old(old.clone());
                    }
                    if let Some(new) = new {
                        request.set_new(new.clone());
                    }
                    request.commit(200).unwrap();
                }
            }
        });
        audit_core::AuditSink::flush(&file).unwrap();
        drop(file);
        let mut texts = vec![
            std::fs::read_to_string(&path).unwrap(),
            audit_core::docs::markdown(&[Deep::SCHEMA]),
            audit_core::docs::json(&[Deep::SCHEMA]).unwrap(),
        ];
        for entry in memory.entries() {
            texts.push(serde_json::to_string(&entry).unwrap());
            texts.push(format!("{entry:?}"));
        }
        prop_assert!(texts[0].lines().count() == 3);
        // The fingerprints are there: a created resource's vault key has one.
        prop_assert!(texts[0].contains(r#""vault.key":{"secret":true,"new_hmac":"hmac-sha256:"#), "{}", texts[0]);
        for value in hidden_strings(&old).iter().chain(&hidden_strings(&new)) {
            for text in &texts {
                prop_assert!(!text.contains(value.as_str()), "{value:?} in {text}");
            }
        }
    }
}

/// A sink that hands every entry back: what an export error carries and says.
struct Refusing;

impl audit_core::AuditSink for Refusing {
    fn export(&self, entry: audit_core::AuditEntry) -> Result<(), audit_core::ExportError> {
        Err(audit_core::ExportError::QueueFull(Box::new(entry)))
    }
}

proptest! {
    // At scale, in every CI run: no file, no thread, so that 10,000 cases
    // take seconds.
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    /// Whatever shape holds a declared secret (a nested struct, an optional
    /// box, a map of structs, a secret map's entries, a keyed list), it
    /// reaches no output: the diff, the entry of every action as JSON and as
    /// `Debug`, a guard's `Debug`, an export error's message and `Debug`,
    /// and the reference in Markdown and JSON.
    #[test]
    fn a_declared_secret_reaches_no_output(old in deep(), new in deep()) {
        let mut texts = vec![
            serde_json::to_string(&audit_core::diff(&old, &new)).unwrap(),
            format!("{:?}", audit_core::diff(&old, &new)),
            audit_core::docs::markdown(&[Deep::SCHEMA]),
            audit_core::docs::json(&[Deep::SCHEMA]).unwrap(),
        ];
        let memory = MemorySink::new();
        for (action, old, new) in [
            (Action::WRITE, Some(&old), Some(&new)),
            (Action::CREATE, None, Some(&new)),
            (Action::DELETE, Some(&old), None),
        ] {
            for sink in [&memory as &dyn audit_core::AuditSink, &Refusing] {
                let mut request = AuditRequest::new(sink, action.clone());
                if let Some(old) = old {
                    request.set_old(old.clone());
                }
                if let Some(new) = new {
                    request.set_new(new.clone());
                }
                texts.push(format!("{request:?}"));
                if let Err(error) = request.commit(200) {
                    texts.push(error.to_string());
                    texts.push(format!("{error:?}"));
                }
            }
        }
        for entry in memory.entries() {
            texts.push(serde_json::to_string(&entry).unwrap());
            texts.push(format!("{entry:?}"));
        }
        prop_assert_eq!(texts.len(), 4 + 3 * 2 + 3 * 2 + 3 * 2);
        for value in hidden_strings(&old).iter().chain(&hidden_strings(&new)) {
            for text in &texts {
                prop_assert!(!text.contains(value.as_str()), "{value:?} in {text}");
            }
        }
    }
}
