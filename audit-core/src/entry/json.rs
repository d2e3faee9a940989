//! An entry as compact JSON, written for the sinks and stores that serialize
//! every entry on its way out: byte for byte what `serde_json::to_writer`
//! writes for it (a property test compares the two over arbitrary entries),
//! at about half the cost. The entry's members are written with their keys
//! and punctuation as constant bytes, and a string that needs no escape (as
//! good as all of them) is copied whole instead of byte by byte. The diff is
//! written the same way, its changes' members as constant bytes; the values
//! other than strings, booleans and null, the additional fields and the
//! flags, whose shapes vary, go through `serde_json`.

use std::io::Write as _;

use serde_json::Value;
use uuid::Uuid;

use crate::diff::{Change, Diff, FieldChange, Op};
use crate::entry::{AuditEntry, RFC3339_MAX, rfc3339};

/// Appends `entry` to `out` as compact JSON, as `serde_json::to_writer`
/// would.
///
/// # Errors
///
/// When a member cannot be serialized (a time outside RFC 3339's years).
pub(crate) fn write(out: &mut Vec<u8>, entry: &AuditEntry) -> Result<(), serde_json::Error> {
    // Every member, named: a member added to `AuditEntry` does not compile
    // here until it is written.
    let AuditEntry {
        id,
        time,
        actor,
        organization_id,
        ip,
        user_agent,
        resource_type,
        resource_id,
        resource_target,
        resource_link,
        action,
        description,
        diff,
        status_code,
        additional_fields,
        request_id,
        schema_fingerprint,
        flags,
    } = entry;
    out.extend_from_slice(b"{\"id\":\"");
    out.extend_from_slice(
        id.hyphenated()
            .encode_lower(&mut Uuid::encode_buffer())
            .as_bytes(),
    );
    out.extend_from_slice(b"\",\"time\":");
    // As the entry's `Serialize` impl writes it.
    string(out, rfc3339(time, &mut [0; RFC3339_MAX])?)?;
    out.extend_from_slice(b",\"actor\":");
    optional(out, actor.as_deref())?;
    out.extend_from_slice(b",\"organization_id\":");
    optional(out, organization_id.as_deref())?;
    out.extend_from_slice(b",\"ip\":");
    match ip {
        Some(ip) => {
            // The longest address, IPv6 with an IPv4 tail, is 45 bytes.
            let mut buffer = [0u8; 48];
            let mut cursor = std::io::Cursor::new(&mut buffer[..]);
            write!(cursor, "{ip}").map_err(serde_json::Error::io)?;
            let len = usize::try_from(cursor.position()).map_err(serde::ser::Error::custom)?;
            string(
                out,
                std::str::from_utf8(&buffer[..len]).map_err(serde::ser::Error::custom)?,
            )?;
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"user_agent\":");
    optional(out, user_agent.as_deref())?;
    out.extend_from_slice(b",\"resource_type\":");
    string(out, resource_type)?;
    out.extend_from_slice(b",\"resource_id\":");
    string(out, resource_id)?;
    out.extend_from_slice(b",\"resource_target\":");
    string(out, resource_target)?;
    out.extend_from_slice(b",\"resource_link\":");
    optional(out, resource_link.as_deref())?;
    out.extend_from_slice(b",\"action\":");
    string(out, action.as_str())?;
    if let Some(description) = description {
        out.extend_from_slice(b",\"description\":");
        string(out, description)?;
    }
    out.extend_from_slice(b",\"diff\":");
    write_diff(out, diff)?;
    out.extend_from_slice(b",\"status_code\":");
    serde_json::to_writer(&mut *out, status_code)?;
    out.extend_from_slice(b",\"additional_fields\":");
    if additional_fields.is_empty() {
        out.extend_from_slice(b"{}");
    } else {
        serde_json::to_writer(&mut *out, additional_fields)?;
    }
    out.extend_from_slice(b",\"request_id\":");
    optional(out, request_id.as_deref())?;
    out.extend_from_slice(b",\"schema_fingerprint\":");
    optional(out, schema_fingerprint.as_deref())?;
    if !flags.is_empty() {
        out.extend_from_slice(b",\"flags\":");
        serde_json::to_writer(&mut *out, flags)?;
    }
    out.push(b'}');
    Ok(())
}

/// `diff` as its `Serialize` impl (`diff::wire`) writes it: one member per
/// change, its op first, then its values and `secret`.
pub(crate) fn write_diff(out: &mut Vec<u8>, diff: &Diff) -> Result<(), serde_json::Error> {
    out.push(b'{');
    for (n, change) in diff.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        string(out, change.key())?;
        out.push(b':');
        write_change(out, change)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_change(out: &mut Vec<u8>, change: &FieldChange) -> Result<(), serde_json::Error> {
    out.push(b'{');
    match change.op() {
        Some(Op::Add) => out.extend_from_slice(b"\"op\":\"add\","),
        Some(Op::Remove) => out.extend_from_slice(b"\"op\":\"remove\","),
        None => {}
    }
    match change.change() {
        Change::Tracked { old, new } => {
            out.extend_from_slice(b"\"old\":");
            value(out, old)?;
            out.extend_from_slice(b",\"new\":");
            value(out, new)?;
            out.extend_from_slice(b",\"secret\":false");
        }
        Change::Secret => {
            out.extend_from_slice(b"\"secret\":true");
            if let Some(fingerprint) = change.secret_fingerprint() {
                if let Some(old) = fingerprint.old_hmac() {
                    out.extend_from_slice(b",\"old_hmac\":");
                    string(out, old)?;
                }
                if let Some(new) = fingerprint.new_hmac() {
                    out.extend_from_slice(b",\"new_hmac\":");
                    string(out, new)?;
                }
                out.extend_from_slice(b",\"hmac_key\":");
                string(out, fingerprint.key_id())?;
            }
        }
        Change::Unserializable { error } => {
            out.extend_from_slice(b"\"secret\":false,\"error\":");
            string(out, error)?;
        }
        Change::Added { new } => {
            out.extend_from_slice(b"\"new\":");
            value(out, new)?;
            out.extend_from_slice(b",\"secret\":false");
        }
        Change::Removed { old } => {
            out.extend_from_slice(b"\"old\":");
            value(out, old)?;
            out.extend_from_slice(b",\"secret\":false");
        }
        Change::Structural => out.extend_from_slice(b"\"secret\":false"),
    }
    out.push(b'}');
    Ok(())
}

/// A recorded value: the common scalars by hand, the rest by `serde_json`.
fn value(out: &mut Vec<u8>, value: &Value) -> Result<(), serde_json::Error> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::String(text) => string(out, text)?,
        other => serde_json::to_writer(&mut *out, other)?,
    }
    Ok(())
}

/// `text` as a JSON string, or `null`.
fn optional(out: &mut Vec<u8>, text: Option<&str>) -> Result<(), serde_json::Error> {
    if let Some(text) = text {
        return string(out, text);
    }
    out.extend_from_slice(b"null");
    Ok(())
}

/// `text` as a JSON string: copied whole when no byte needs an escape, or
/// escaped by `serde_json`, so that the escapes are its own.
fn string(out: &mut Vec<u8>, text: &str) -> Result<(), serde_json::Error> {
    if any_needs_escape(text.as_bytes()) {
        return serde_json::to_writer(&mut *out, text);
    }
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
    Ok(())
}

/// Whether JSON escapes any byte of `bytes` in a string. Without an early
/// exit, the compiler checks sixteen bytes at a time.
fn any_needs_escape(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(0_u8, |any, &byte| any | u8::from(needs_escape(byte)))
        != 0
}

/// Whether JSON escapes `byte` in a string: a control character, a quote
/// or a backslash.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::net::IpAddr;

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};
    use time::OffsetDateTime;
    use uuid::Uuid;

    use crate::entry::{AuditEntry, Flag};
    use crate::model::action::Action;

    /// Text with what JSON escapes: quotes, backslashes, control
    /// characters, and characters beyond ASCII, which it does not.
    fn text() -> impl Strategy<Value = String> {
        // Each character JSON escapes, and DEL, which it does not.
        let special = (0_u8..0x20)
            .chain([b'"', b'\\', 0x7f])
            .map(char::from)
            .collect::<Vec<_>>();
        prop_oneof![
            "[a-z0-9_:.-]{0,40}",
            // One special character in plain text: the text needs an
            // escape for that character alone.
            (
                "[a-zé漢🦀 ]{0,8}",
                prop::sample::select(special),
                "[a-zé漢🦀 ]{0,8}"
            )
                .prop_map(|(before, special, after)| format!("{before}{special}{after}")),
            any::<String>(),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
            text().prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(text(), inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// A diff in its wire form, with every shape of change `diff::wire`
    /// writes: tracked values, a secret with and without its fingerprints,
    /// an error, one side with and without an op, and a structural change.
    fn diff() -> impl Strategy<Value = Value> {
        let op = || prop::option::of(prop_oneof![Just("add"), Just("remove")]);
        let with_op = |op: Option<&str>, mut change: Value| {
            if let (Some(op), Some(members)) = (op, change.as_object_mut()) {
                members.insert("op".to_owned(), json!(op));
            }
            change
        };
        let change = prop_oneof![
            (value(), value())
                .prop_map(|(old, new)| json!({"old": old, "new": new, "secret": false})),
            Just(json!({"secret": true})),
            (prop::option::of(text()), prop::option::of(text()), text()).prop_map(
                |(old, new, key)| {
                    let mut change = json!({"secret": true, "hmac_key": key});
                    if let Some(members) = change.as_object_mut() {
                        if let Some(old) = old {
                            members.insert("old_hmac".to_owned(), json!(old));
                        }
                        if let Some(new) = new {
                            members.insert("new_hmac".to_owned(), json!(new));
                        }
                    }
                    change
                }
            ),
            text().prop_map(|error| json!({"secret": false, "error": error})),
            (op(), value())
                .prop_map(move |(op, new)| with_op(op, json!({"new": new, "secret": false}))),
            (op(), value())
                .prop_map(move |(op, old)| with_op(op, json!({"old": old, "secret": false}))),
            prop_oneof![Just("add"), Just("remove")]
                .prop_map(move |op| with_op(Some(op), json!({"secret": false}))),
        ];
        prop::collection::btree_map(text(), change, 0..4)
            .prop_map(|map| Value::Object(map.into_iter().collect()))
    }

    fn flag() -> impl Strategy<Value = Flag> {
        prop_oneof![
            Just(Flag::EmptyWriteDiff),
            Just(Flag::Uncommitted),
            Just(Flag::UndeclaredAction),
            Just(Flag::MissingSecretFingerprint),
        ]
    }

    prop_compose! {
        fn entry()(
            id in any::<u128>(),
            seconds in -377_705_116_800_i64..253_402_300_799,
            nanos in prop_oneof![Just(0_u32), 0..1_000_000_000_u32],
            offset in prop_oneof![Just(0_i32), -86_399..86_400_i32],
            actor in prop::option::of(text()),
            organization_id in prop::option::of(text()),
            ip in prop::option::of(any::<IpAddr>()),
            user_agent in prop::option::of(text()),
            (resource_type, resource_id, resource_target) in (text(), text(), text()),
            resource_link in prop::option::of(text()),
            action in "[a-z][a-z_]{0,12}",
            description in prop::option::of(text()),
            diff in diff(),
            status_code in prop::option::of(any::<u16>()),
            additional_fields in prop::collection::btree_map(text(), value(), 0..3),
            request_id in prop::option::of(text()),
            schema_fingerprint in prop::option::of(text()),
            flags in prop::collection::vec(flag(), 0..3),
        ) -> AuditEntry {
            let offset = time::UtcOffset::from_whole_seconds(offset).unwrap();
            AuditEntry {
                id: Uuid::from_u128(id),
                time: OffsetDateTime::from_unix_timestamp(seconds)
                    .unwrap()
                    .replace_nanosecond(nanos)
                    .unwrap()
                    .to_offset(offset),
                actor,
                organization_id,
                ip,
                user_agent,
                resource_type: Cow::Owned(resource_type),
                resource_id,
                resource_target,
                resource_link,
                action: Action::new(action).unwrap(),
                description,
                diff: serde_json::from_value(diff).unwrap(),
                status_code,
                additional_fields: additional_fields.into_iter().collect::<Map<_, _>>(),
                request_id,
                schema_fingerprint: schema_fingerprint.map(Cow::Owned),
                flags,
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Byte for byte what serde_json writes, or the same error.
        #[test]
        fn writes_what_serde_json_writes(entry in entry()) {
            let mut written = Vec::new();
            let ours = super::write(&mut written, &entry);
            let theirs = serde_json::to_vec(&entry);
            match (ours, theirs) {
                (Ok(()), Ok(expected)) => prop_assert_eq!(
                    String::from_utf8_lossy(&written),
                    String::from_utf8_lossy(&expected)
                ),
                (Err(_), Err(_)) => {}
                (ours, theirs) => prop_assert!(false, "{ours:?} against {:?}", theirs.map(|_| ())),
            }
        }
    }

    /// Each byte value at each place of a word and of the rest is found,
    /// or not, as one byte alone is; beside bytes that are not, and beside
    /// those of characters beyond ASCII.
    #[test]
    fn finds_each_byte_that_needs_an_escape_wherever_it_is() {
        for filler in [b'a', 0x80, 0xff, b'!', b'#', b'[', b']'] {
            for byte in 0..=u8::MAX {
                for place in 0..19 {
                    let mut bytes = [filler; 19];
                    bytes[place] = byte;
                    assert_eq!(
                        super::any_needs_escape(&bytes),
                        super::needs_escape(byte),
                        "{byte:#04x} at {place} among {filler:#04x}"
                    );
                }
            }
        }
    }

    /// An entry as the guard makes it, with every optional member set.
    #[test]
    fn writes_a_full_entry_as_serde_json_does() {
        let entry: AuditEntry = serde_json::from_value(json!({
            "id": "0192f0c1-7c4e-7b3a-9d2e-1f0a2b3c4d5e",
            "time": "2026-12-02T18:33:06.123456Z",
            "actor": "user-1",
            "organization_id": "org \"1\"",
            "ip": "::ffff:192.0.2.1",
            "user_agent": "curl/8.5\u{7}",
            "resource_type": "chat",
            "resource_id": "7",
            "resource_target": "Plans\\Q4",
            "resource_link": "/chats/7",
            "action": "write",
            "description": "user-1 archived chat Plans",
            "diff": {"archived": {"old": false, "new": true, "secret": false}, "title": {"secret": true}},
            "status_code": 200,
            "additional_fields": {"reason": "cleanup"},
            "request_id": "req-1",
            "schema_fingerprint": "sha256:ab",
            "flags": ["uncommitted"],
        }))
        .unwrap();
        let mut written = Vec::new();
        super::write(&mut written, &entry).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string(&entry).unwrap()
        );
    }
}
