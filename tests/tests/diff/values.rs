//! What a diff records for values that are hard to compare or to serialize:
//! a `Serialize` impl that fails, NaN and infinite floats, `-0.0`, `f32`,
//! integers beyond 64 bits, and fields serde flattens or skips. audit-core's
//! crate docs ("Values") state the rules.

use audit_core::{Auditable, Change, Diff};
use audit_tests::diff_json;
use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::json;

/// A reading whose serialization fails while its sensor is offline.
#[derive(Clone, Debug, PartialEq)]
struct Reading {
    sensor: u8,
    offline: bool,
    value: i32,
}

impl Serialize for Reading {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.offline {
            return Err(S::Error::custom(format!(
                "sensor {} is offline",
                self.sensor
            )));
        }
        serializer.serialize_i32(self.value)
    }
}

#[derive(Clone, Auditable)]
struct Station {
    #[audit(track)]
    id: u8,
    #[audit(track)]
    reading: Reading,
    #[audit(track)]
    note: String,
}

fn station(sensor: u8, offline: bool, value: i32) -> Station {
    Station {
        id: 1,
        reading: Reading {
            sensor,
            offline,
            value,
        },
        note: String::new(),
    }
}

#[test]
fn failing_serialize_records_the_change_with_its_error() {
    let old = station(1, false, 20);
    let new = Station {
        note: "went offline".into(),
        ..station(2, true, 20)
    };
    let diff = audit_core::diff(&old, &new);
    assert_eq!(
        serde_json::to_value(&diff).unwrap(),
        json!({
            "reading": {"secret": false, "error": "sensor 2 is offline"},
            "note": {"old": "", "new": "went offline", "secret": false},
        })
    );
    let reading = diff.get("reading").unwrap();
    assert_eq!(reading.error(), Some("sensor 2 is offline"));
    assert_eq!((reading.old_value(), reading.new_value()), (None, None));
    assert!(!reading.is_secret());
    // The error survives a round trip through the serialized diff.
    let read: Diff = serde_json::from_str(&serde_json::to_string(&diff).unwrap()).unwrap();
    assert_eq!(read, diff);
    assert_eq!(
        read.get("reading").unwrap().change(),
        &Change::Unserializable {
            error: "sensor 2 is offline".into()
        }
    );
}

#[test]
fn when_both_values_fail_the_old_ones_error_is_recorded() {
    let diff = audit_core::diff(&station(1, true, 0), &station(2, true, 0));
    assert_eq!(
        serde_json::to_string(&diff).unwrap(),
        r#"{"reading":{"secret":false,"error":"sensor 1 is offline"}}"#
    );
}

#[test]
fn an_unchanged_value_is_never_serialized() {
    // Would fail to serialize; equal, so it is not.
    let offline = station(3, true, 0);
    assert!(audit_core::diff(&offline, &offline.clone()).is_empty());
}

#[derive(Clone, Debug, Auditable)]
struct Gauge {
    #[audit(track)]
    id: u8,
    #[audit(track)]
    level: f64,
    #[audit(secret)]
    calibration: f64,
    #[audit(track)]
    ratio: f32,
    #[audit(track)]
    total: u128,
    #[audit(track)]
    delta: i128,
}

fn gauge() -> Gauge {
    Gauge {
        id: 1,
        level: 1.0,
        calibration: 1.0,
        ratio: 1.0,
        total: 0,
        delta: 0,
    }
}

#[test]
fn nan_is_never_equal_so_always_recorded_and_written_as_null() {
    let nan = Gauge {
        level: f64::NAN,
        calibration: f64::NAN,
        ..gauge()
    };
    // NaN != NaN: even a value diffed with itself records the NaN fields.
    assert_eq!(
        diff_json(&nan, &nan),
        json!({
            "level": {"old": null, "new": null, "secret": false},
            "calibration": {"secret": true},
        })
    );
    let measured = Gauge {
        level: 0.5,
        ..nan.clone()
    };
    assert_eq!(
        diff_json(&nan, &measured),
        json!({
            "level": {"old": null, "new": 0.5, "secret": false},
            "calibration": {"secret": true},
        })
    );
}

#[test]
fn infinities_are_written_as_null_and_signed_zeros_are_equal() {
    let infinite = Gauge {
        level: f64::INFINITY,
        ratio: f32::NEG_INFINITY,
        ..gauge()
    };
    assert_eq!(
        diff_json(&gauge(), &infinite),
        json!({
            "level": {"old": 1.0, "new": null, "secret": false},
            "ratio": {"old": 1.0, "new": null, "secret": false},
        })
    );
    let zero = Gauge {
        level: 0.0,
        calibration: 0.0,
        ..gauge()
    };
    let negative_zero = Gauge {
        level: -0.0,
        calibration: -0.0,
        ..gauge()
    };
    assert!(audit_core::diff(&zero, &negative_zero).is_empty());
}

#[test]
fn extreme_floats_are_exact_and_f32_is_widened() {
    let extreme = Gauge {
        level: f64::MAX,
        ratio: 0.1,
        ..gauge()
    };
    assert_eq!(
        serde_json::to_string(&audit_core::diff(&gauge(), &extreme)).unwrap(),
        r#"{"level":{"old":1.0,"new":1.7976931348623157e+308,"secret":false},"ratio":{"old":1.0,"new":0.10000000149011612,"secret":false}}"#
    );
    let tiny = Gauge {
        level: f64::MIN_POSITIVE,
        ..gauge()
    };
    assert_eq!(
        diff_json(&gauge(), &tiny)["level"]["new"],
        json!(f64::MIN_POSITIVE)
    );
}

#[test]
fn integers_within_64_bits_are_exact_whatever_their_type() {
    let big = Gauge {
        total: u128::from(u64::MAX),
        delta: i128::from(i64::MIN),
        ..gauge()
    };
    assert_eq!(
        serde_json::to_string(&audit_core::diff(&gauge(), &big)).unwrap(),
        r#"{"total":{"old":0,"new":18446744073709551615,"secret":false},"delta":{"old":0,"new":-9223372036854775808,"secret":false}}"#
    );
}

#[test]
fn integers_beyond_64_bits_record_an_error_not_a_rounded_value() {
    let huge = Gauge {
        total: u128::from(u64::MAX) + 1,
        delta: i128::MIN,
        ..gauge()
    };
    assert_eq!(
        diff_json(&gauge(), &huge),
        json!({
            "total": {"secret": false, "error": "number out of range"},
            "delta": {"secret": false, "error": "number out of range"},
        })
    );
    let max = Gauge {
        total: u128::MAX,
        ..gauge()
    };
    assert_eq!(
        audit_core::diff(&gauge(), &max)
            .get("total")
            .unwrap()
            .error(),
        Some("number out of range")
    );
}

#[derive(Clone, Debug, PartialEq, Serialize)]
struct Meta {
    owner: String,
}

#[derive(Clone, Serialize, Auditable)]
struct Page {
    #[audit(track)]
    id: u8,
    #[audit(track)]
    #[serde(flatten)]
    meta: Meta,
    #[audit(track)]
    #[serde(skip_serializing_if = "Option::is_none")]
    subtitle: Option<String>,
}

#[test]
fn flatten_and_skip_serializing_if_do_not_apply_to_the_recorded_value() {
    let old = Page {
        id: 1,
        meta: Meta {
            owner: "ada".into(),
        },
        subtitle: Some("s".into()),
    };
    let new = Page {
        meta: Meta {
            owner: "grace".into(),
        },
        subtitle: None,
        ..old.clone()
    };
    assert_eq!(
        diff_json(&old, &new),
        json!({
            "meta": {"old": {"owner": "ada"}, "new": {"owner": "grace"}, "secret": false},
            "subtitle": {"old": "s", "new": null, "secret": false},
        })
    );
    // The struct's own JSON, for contrast.
    assert_eq!(
        serde_json::to_value(&new).unwrap(),
        json!({"id": 1, "owner": "grace"})
    );
}

/// A hashed set below the top of a tracked value is recorded sorted, as one
/// at the top is: equal values always serialize alike. A list keeps its
/// order, which means something.
#[test]
fn hashed_sets_at_any_depth_are_recorded_sorted() {
    use std::collections::{BTreeMap, HashMap, HashSet};

    #[derive(Clone, audit_core::Auditable)]
    struct Team {
        #[audit(track)]
        id: u32,
        #[audit(track)]
        roles: BTreeMap<String, HashSet<String>>,
        #[audit(track)]
        shifts: Vec<(u8, HashSet<u32>)>,
        #[audit(track)]
        by_site: HashMap<String, HashSet<u32>>,
        #[audit(track)]
        order: Vec<String>,
    }

    let numbers: HashSet<u32> = (0..32).rev().collect();
    let names: HashSet<String> = (0..32).map(|n| format!("n{n:02}")).collect();
    let sorted_numbers: Vec<u32> = (0..32).collect();
    let sorted_names: Vec<String> = (0..32).map(|n| format!("n{n:02}")).collect();
    let team = Team {
        id: 1,
        roles: BTreeMap::from([("admin".to_owned(), names.clone())]),
        shifts: vec![(1, numbers.clone())],
        by_site: HashMap::from([("paris".to_owned(), numbers.clone())]),
        order: vec!["b".into(), "a".into()],
    };
    let created = audit_core::Auditable::created(&team);
    assert_eq!(
        serde_json::to_value(&created).unwrap(),
        json!({
            "id": {"new": 1, "secret": false},
            "roles": {"new": {"admin": sorted_names}, "secret": false},
            "shifts": {"new": [[1, sorted_numbers]], "secret": false},
            "by_site": {"new": {"paris": sorted_numbers}, "secret": false},
            "order": {"new": ["b", "a"], "secret": false},
        })
    );
    let mut changed = team.clone();
    changed.roles.insert("viewer".into(), names);
    let diff = audit_core::diff(&team, &changed);
    assert_eq!(
        serde_json::to_value(&diff).unwrap()["roles"]["new"],
        json!({"admin": sorted_names, "viewer": sorted_names})
    );
}
