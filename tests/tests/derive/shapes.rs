//! Every shape of struct the derive accepts: generics of every kind,
//! `#[cfg]`-gated fields, fields of the common serde types, and one, few or
//! a hundred and twenty fields. (A struct with no fields has nothing to
//! identify it and is a compile error: `ui/no-fields.rs`.)

use audit_tests::diff_json;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use audit_core::{AuditFields, Auditable, FieldClass};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::{date, datetime};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize)]
struct Address {
    city: String,
    zip: Option<String>,
}

/// Externally tagged, the serde default.
#[derive(Clone, Debug, PartialEq, Serialize)]
enum Plan {
    Team { seats: u32 },
    Custom(String),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Schedule {
    Never,
    Every { minutes: u32 },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    Number(i64),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
enum Untagged {
    Id(u64),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    InReview,
}

/// A field of every common serde type, all tracked.
#[derive(Clone, Serialize, Auditable)]
struct Everything<'a> {
    #[audit(track)]
    id: Uuid,
    #[audit(track)]
    created_at: OffsetDateTime,
    #[audit(track)]
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
    #[audit(track)]
    birthday: time::Date,
    #[audit(track)]
    nickname: Option<String>,
    #[audit(track)]
    tags: Vec<String>,
    #[audit(track)]
    scores: BTreeMap<String, i32>,
    #[audit(track)]
    counts: HashMap<u32, u32>,
    #[audit(track)]
    flags: BTreeSet<char>,
    #[audit(track)]
    address: Address,
    #[audit(track)]
    plan: Plan,
    #[audit(track)]
    schedule: Schedule,
    #[audit(track)]
    adjacent: Adjacent,
    #[audit(track)]
    untagged: Untagged,
    #[audit(track)]
    status: Status,
    #[audit(track)]
    payload: Value,
    #[audit(track)]
    boxed: Box<Address>,
    #[audit(track)]
    shared: Arc<str>,
    #[audit(track)]
    counted: Rc<Vec<u8>>,
    #[audit(track)]
    label: Cow<'a, str>,
    #[audit(track)]
    borrowed: &'a str,
    #[audit(track)]
    pair: (u8, bool),
    #[audit(track)]
    bytes: [u8; 3],
    #[audit(track)]
    nothing: (),
    #[audit(track)]
    timeout: Duration,
    #[audit(track)]
    ip: IpAddr,
}

fn everything() -> Everything<'static> {
    Everything {
        id: Uuid::from_u128(1),
        created_at: datetime!(2026-01-01 00:00 UTC),
        updated_at: datetime!(2026-01-01 00:00 UTC),
        birthday: date!(2000 - 01 - 01),
        nickname: None,
        tags: vec![],
        scores: BTreeMap::new(),
        counts: HashMap::new(),
        flags: BTreeSet::new(),
        address: Address {
            city: "Oslo".into(),
            zip: None,
        },
        plan: Plan::Custom("legacy".into()),
        schedule: Schedule::Never,
        adjacent: Adjacent::Number(1),
        untagged: Untagged::Id(1),
        status: Status::InReview,
        payload: Value::Null,
        boxed: Box::new(Address {
            city: "Bergen".into(),
            zip: None,
        }),
        shared: Arc::from("a"),
        counted: Rc::new(vec![]),
        label: Cow::Borrowed("l"),
        borrowed: "b",
        pair: (0, false),
        bytes: [0; 3],
        nothing: (),
        timeout: Duration::from_secs(1),
        ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

#[test]
fn common_serde_types_record_what_serde_writes() {
    let old = everything();
    assert_eq!(diff_json(&old, &old.clone()), json!({}));

    let new = Everything {
        id: Uuid::from_u128(2),
        created_at: datetime!(2026-01-01 00:00:01 UTC),
        updated_at: datetime!(2026-03-04 05:06:07 UTC),
        birthday: date!(2000 - 02 - 29),
        nickname: Some("ada".into()),
        tags: vec!["x".into()],
        scores: BTreeMap::from([("go".into(), 3)]),
        counts: HashMap::from([(7, 1)]),
        flags: BTreeSet::from(['a', 'b']),
        address: Address {
            city: "Oslo".into(),
            zip: Some("0150".into()),
        },
        plan: Plan::Team { seats: 5 },
        schedule: Schedule::Every { minutes: 15 },
        adjacent: Adjacent::Number(-2),
        untagged: Untagged::Name("n".into()),
        payload: json!({"nested": [1, null, {"deep": true}]}),
        boxed: Box::new(Address {
            city: "Tromsø".into(),
            zip: None,
        }),
        shared: Arc::from("b"),
        counted: Rc::new(vec![1, 2]),
        label: Cow::Owned("m".into()),
        borrowed: "c",
        pair: (1, true),
        bytes: [1, 2, 3],
        timeout: Duration::from_millis(1500),
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        ..old.clone()
    };
    let diff = diff_json(&old, &new);
    assert_eq!(
        diff,
        json!({
            "id": {"old": "00000000-0000-0000-0000-000000000001",
                   "new": "00000000-0000-0000-0000-000000000002", "secret": false},
            // time's own Serialize, without `serde-human-readable`: a tuple.
            "created_at": {"old": [2026, 1, 0, 0, 0, 0, 0, 0, 0],
                           "new": [2026, 1, 0, 0, 1, 0, 0, 0, 0], "secret": false},
            // The field's `#[serde(with = "time::serde::rfc3339")]`.
            "updated_at": {"old": "2026-01-01T00:00:00Z", "new": "2026-03-04T05:06:07Z", "secret": false},
            "birthday": {"old": [2000, 1], "new": [2000, 60], "secret": false},
            "nickname": {"old": null, "new": "ada", "secret": false},
            "tags": {"old": [], "new": ["x"], "secret": false},
            "scores": {"old": {}, "new": {"go": 3}, "secret": false},
            "counts": {"old": {}, "new": {"7": 1}, "secret": false},
            "flags": {"old": [], "new": ["a", "b"], "secret": false},
            "address": {"old": {"city": "Oslo", "zip": null},
                        "new": {"city": "Oslo", "zip": "0150"}, "secret": false},
            "plan": {"old": {"Custom": "legacy"}, "new": {"Team": {"seats": 5}}, "secret": false},
            "schedule": {"old": {"kind": "never"}, "new": {"kind": "every", "minutes": 15}, "secret": false},
            "adjacent": {"old": {"t": "Number", "c": 1}, "new": {"t": "Number", "c": -2}, "secret": false},
            "untagged": {"old": 1, "new": "n", "secret": false},
            "payload": {"old": null, "new": {"nested": [1, null, {"deep": true}]}, "secret": false},
            "boxed": {"old": {"city": "Bergen", "zip": null},
                      "new": {"city": "Tromsø", "zip": null}, "secret": false},
            "shared": {"old": "a", "new": "b", "secret": false},
            "counted": {"old": [], "new": [1, 2], "secret": false},
            "label": {"old": "l", "new": "m", "secret": false},
            "borrowed": {"old": "b", "new": "c", "secret": false},
            "pair": {"old": [0, false], "new": [1, true], "secret": false},
            "bytes": {"old": [0, 0, 0], "new": [1, 2, 3], "secret": false},
            "timeout": {"old": {"secs": 1, "nanos": 0}, "new": {"secs": 1, "nanos": 500_000_000}, "secret": false},
            "ip": {"old": "127.0.0.1", "new": "10.0.0.1", "secret": false},
        })
    );
    // Every recorded value is the one the struct's own JSON holds.
    let (old_json, new_json) = (
        serde_json::to_value(&old).unwrap(),
        serde_json::to_value(&new).unwrap(),
    );
    for change in &audit_core::diff(&old, &new) {
        assert_eq!(
            change.old_value(),
            Some(&old_json[change.key()]),
            "{}",
            change.key()
        );
        assert_eq!(
            change.new_value(),
            Some(&new_json[change.key()]),
            "{}",
            change.key()
        );
    }
}

/// Fields removed by `#[cfg]` do not exist for the derive, whatever their
/// type or classification; `#[cfg_attr]` may classify a field. (`test` is
/// set in this build.)
#[derive(Clone, Serialize, Auditable)]
struct Gated {
    #[audit(track)]
    id: u8,
    #[cfg(not(test))]
    #[audit(track)]
    removed: NotAType,
    #[cfg(not(test))]
    unclassified_but_removed: u8,
    #[cfg(test)]
    #[audit(track)]
    kept: u8,
    #[cfg_attr(test, audit(secret = "classified by cfg_attr"))]
    token: String,
    #[cfg_attr(not(test), audit(track))]
    #[cfg_attr(test, audit(ignore = "the class this build chose"))]
    chosen: u8,
}

#[test]
fn cfg_gated_fields() {
    let fields: Vec<_> = Gated::SCHEMA
        .fields
        .iter()
        .map(|field| (field.name, field.class, field.reason))
        .collect();
    assert_eq!(
        fields,
        [
            ("id", FieldClass::Track, None),
            ("kept", FieldClass::Track, None),
            ("token", FieldClass::Secret, Some("classified by cfg_attr")),
            (
                "chosen",
                FieldClass::Ignore,
                Some("the class this build chose")
            ),
        ]
    );
    let old = Gated {
        id: 1,
        kept: 1,
        token: "t".into(),
        chosen: 1,
    };
    let new = Gated {
        kept: 2,
        token: "u".into(),
        chosen: 2,
        ..old.clone()
    };
    assert_eq!(
        diff_json(&old, &new),
        json!({"kept": {"old": 1, "new": 2, "secret": false}, "token": {"secret": true}})
    );
}

/// The smallest auditable struct: its one field is the id and the target.
#[derive(Clone, Serialize, Auditable)]
struct Only {
    #[audit(track)]
    id: u8,
}

#[test]
fn single_field_struct() {
    let only = Only { id: 1 };
    assert_eq!(only.resource_id(), "1");
    assert_eq!(only.resource_target(), "1");
    assert_eq!(only.resource_type(), "only");
    assert_eq!(Only::SCHEMA.fields.len(), 1);
    assert_eq!(diff_json(&only, &Only { id: 1 }), json!({}));
    assert_eq!(
        diff_json(&only, &Only { id: 2 }),
        json!({"id": {"old": 1, "new": 2, "secret": false}})
    );
}

/// A field type reached through an associated type, bounded as written.
trait Store {
    type Key;
}

struct Postgres;

impl Store for Postgres {
    type Key = i64;
}

#[derive(Auditable)]
struct Row<S: Store> {
    #[audit(track)]
    id: S::Key,
    #[audit(ignore = "which store the row is in")]
    store: PhantomData<S>,
}

/// A default type parameter, and a lifetime and a const parameter used only
/// by ignored fields, which get no bounds.
#[derive(Auditable)]
#[allow(dead_code)] // The ignored fields are never read.
struct Cached<'a, T = String, const N: usize = 4> {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    value: T,
    #[audit(ignore = "a view into the cache")]
    view: &'a [u8],
    #[audit(ignore = "scratch space")]
    scratch: [std::cell::Cell<u8>; N],
}

#[test]
fn associated_types_and_defaults() {
    let row: Row<Postgres> = Row {
        id: -5,
        store: PhantomData,
    };
    assert_eq!(row.resource_id(), "-5");
    assert_eq!(Row::<Postgres>::SCHEMA.fields[0].rust_type, "S::Key");

    let bytes = [1, 2];
    let cached: Cached<'_> = Cached {
        id: 1,
        value: "v".into(),
        view: &bytes,
        scratch: Default::default(),
    };
    let changed: Cached<'_> = Cached {
        id: 1,
        value: "w".into(),
        view: &bytes[..1],
        scratch: Default::default(),
    };
    assert_eq!(
        diff_json(&cached, &changed),
        json!({"value": {"old": "v", "new": "w", "secret": false}})
    );
}

/// A struct of 121 fields, classified in turn `track`, `secret`, `ignore`.
macro_rules! wide_struct {
    ($($class:ident $field:ident)*) => {
        #[derive(Clone, Default, Serialize, Auditable)]
        struct Wide {
            #[audit(track)]
            id: u32,
            $(
                #[audit($class)]
                $field: u32,
            )*
        }

        impl Wide {
            /// Every field but the id set to `value`.
            fn all(value: u32) -> Self {
                Wide { id: 0, $($field: value,)* }
            }
        }
    };
}

wide_struct! {
    track f001 secret f002 ignore f003 track f004 secret f005 ignore f006
    track f007 secret f008 ignore f009 track f010 secret f011 ignore f012
    track f013 secret f014 ignore f015 track f016 secret f017 ignore f018
    track f019 secret f020 ignore f021 track f022 secret f023 ignore f024
    track f025 secret f026 ignore f027 track f028 secret f029 ignore f030
    track f031 secret f032 ignore f033 track f034 secret f035 ignore f036
    track f037 secret f038 ignore f039 track f040 secret f041 ignore f042
    track f043 secret f044 ignore f045 track f046 secret f047 ignore f048
    track f049 secret f050 ignore f051 track f052 secret f053 ignore f054
    track f055 secret f056 ignore f057 track f058 secret f059 ignore f060
    track f061 secret f062 ignore f063 track f064 secret f065 ignore f066
    track f067 secret f068 ignore f069 track f070 secret f071 ignore f072
    track f073 secret f074 ignore f075 track f076 secret f077 ignore f078
    track f079 secret f080 ignore f081 track f082 secret f083 ignore f084
    track f085 secret f086 ignore f087 track f088 secret f089 ignore f090
    track f091 secret f092 ignore f093 track f094 secret f095 ignore f096
    track f097 secret f098 ignore f099 track f100 secret f101 ignore f102
    track f103 secret f104 ignore f105 track f106 secret f107 ignore f108
    track f109 secret f110 ignore f111 track f112 secret f113 ignore f114
    track f115 secret f116 ignore f117 track f118 secret f119 ignore f120
}

#[test]
fn a_hundred_and_twenty_fields() {
    let fields = Wide::SCHEMA.fields;
    assert_eq!(fields.len(), 121);
    assert_eq!(fields[120].name, "f120");
    assert_eq!(fields[120].class, FieldClass::Ignore);
    assert!(audit_core::diff(&Wide::all(0), &Wide::all(0)).is_empty());

    let diff = audit_core::diff(&Wide::all(0), &Wide::all(1));
    let expected: Vec<String> = (1..=120)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("f{i:03}"))
        .collect();
    assert_eq!(diff.keys().collect::<Vec<_>>(), expected);
    let json = serde_json::to_value(&diff).unwrap();
    assert_eq!(json["f001"], json!({"old": 0, "new": 1, "secret": false}));
    assert_eq!(json["f002"], json!({"secret": true}));
    assert_eq!(json.get("f003"), None);

    let mut last = Wide::all(0);
    last.f118 = 9;
    assert_eq!(
        diff_json(&Wide::all(0), &last),
        json!({"f118": {"old": 0, "new": 9, "secret": false}})
    );
}
