//! The derived diff of a realistic 20-field struct, side by side with the
//! hand-written equivalent (the floor a derive can reach) and with what users
//! write without this crate (serialize both values to `serde_json::Value` and
//! compare the maps), at 0, 3 and all changed fields. `divan::AllocProfiler`
//! counts the heap allocations of each.
//!
//! Run with `cargo bench -p audit-core --bench diff`; see docs/performance.md.

use std::collections::BTreeMap;
use std::fmt;

use audit_core::{Auditable, Change, Diff};
use divan::Bencher;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    check_same_changes();
    nested::check_same_changes();
    divan::main();
}

/// The three diffs record the same changes, or the comparison means nothing.
fn check_same_changes() {
    for changed in CHANGED {
        let (old, new) = old_and_new(changed);
        let mut derived: Vec<(String, Change)> = derived_diff(&old, &new)
            .iter()
            .map(|change| (change.key().to_owned(), change.change().clone()))
            .collect();
        let hand_written: Vec<(String, Change)> = hand_written_diff(&old, &new)
            .into_iter()
            .map(|(key, change)| (key.to_owned(), change))
            .collect();
        assert_eq!(
            derived, hand_written,
            "{changed}: derived and hand-written differ"
        );
        // The naive diff lists the changes in key order.
        let mut naive = naive_diff(&old, &new).expect("the workspace serializes");
        naive.sort_by(|a, b| a.0.cmp(&b.0));
        derived.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(derived, naive, "{changed}: derived and naive differ");
    }
}

/// A cloud workspace as a service stores it: 18 tracked fields, a secret and
/// an ignored one, of the types audited rows are made of.
#[derive(Clone, Serialize, Auditable)]
#[audit(resource = "workspace", org = organization_id)]
struct Workspace {
    #[audit(track)]
    id: Uuid,
    #[audit(track)]
    owner_id: Uuid,
    #[audit(track)]
    organization_id: Uuid,
    #[audit(track)]
    template_id: Option<Uuid>,
    #[audit(track)]
    name: String,
    #[audit(track)]
    description: String,
    #[audit(secret = "grants access to the workspace")]
    api_token: String,
    #[audit(track)]
    archived: bool,
    #[audit(track)]
    locked: bool,
    #[audit(track)]
    autostart: bool,
    #[audit(track)]
    ttl_seconds: i64,
    #[audit(track)]
    cpu_limit: u32,
    #[audit(track)]
    memory_mb: u64,
    #[audit(track)]
    tags: Vec<String>,
    #[audit(track)]
    labels: BTreeMap<String, String>,
    #[audit(track)]
    deleted_reason: Option<String>,
    #[audit(track)]
    created_at: OffsetDateTime,
    #[audit(track)]
    updated_at: OffsetDateTime,
    #[audit(track)]
    dormant_at: Option<OffsetDateTime>,
    #[audit(ignore = "liveness ping")]
    last_used_at: OffsetDateTime,
}

/// How many fields differ between the old and the new value.
#[derive(Clone, Copy)]
enum Changed {
    /// None: a write that changed nothing audited (here only the ignored field).
    None,
    /// A typical edit: `name`, `archived` and `updated_at`.
    Three,
    /// Every field, the ignored one included.
    All,
}

impl fmt::Display for Changed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Changed::None => "0 changed",
            Changed::Three => "3 changed",
            Changed::All => "all changed",
        })
    }
}

const CHANGED: [Changed; 3] = [Changed::None, Changed::Three, Changed::All];

/// An old value and a new one, in separate allocations as when the old value
/// was read from a database and the new one built by a handler.
fn old_and_new(changed: Changed) -> (Workspace, Workspace) {
    let old = Workspace {
        id: Uuid::from_u128(0x0192_5a7e_1c2d_7b3a_9f00_4c1e_2b3a_4d5e),
        owner_id: Uuid::from_u128(0x0192_5a7e_0000_7000_8000_0000_0000_0001),
        organization_id: Uuid::from_u128(0x0192_5a7e_0000_7000_8000_0000_0000_0002),
        template_id: Some(Uuid::from_u128(0x0192_5a7e_0000_7000_8000_0000_0000_0003)),
        name: "ada-dev-workspace".into(),
        description: "Ada's development workspace for the billing service".into(),
        api_token: "wst_4c1e2b3a4d5e6f708192a3b4c5d6e7f8".into(),
        archived: false,
        locked: false,
        autostart: true,
        ttl_seconds: 8 * 3600,
        cpu_limit: 4,
        memory_mb: 8192,
        tags: vec!["billing".into(), "go".into(), "postgres".into()],
        labels: BTreeMap::from([
            ("cost-center".into(), "eng-42".into()),
            ("env".into(), "dev".into()),
            ("team".into(), "payments".into()),
        ]),
        deleted_reason: None,
        created_at: datetime!(2025-03-14 09:26:53.589 UTC),
        updated_at: datetime!(2025-06-01 17:02:11.000 UTC),
        dormant_at: None,
        last_used_at: datetime!(2025-06-02 08:00:00 UTC),
    };
    let mut new = old.clone();
    new.last_used_at = datetime!(2025-06-02 08:05:00 UTC);
    if let Changed::Three | Changed::All = changed {
        new.name = "ada-billing".into();
        new.archived = true;
        new.updated_at = datetime!(2025-06-02 08:05:00 UTC);
    }
    if let Changed::All = changed {
        new.id = Uuid::from_u128(0x0192_5a7e_1c2d_7b3a_9f00_4c1e_2b3a_4d5f);
        new.owner_id = Uuid::from_u128(0x0192_5a7e_0000_7000_8000_0000_0000_0011);
        new.organization_id = Uuid::from_u128(0x0192_5a7e_0000_7000_8000_0000_0000_0012);
        new.template_id = None;
        new.description = "Billing service, archived after the migration".into();
        new.api_token = "wst_00000000000000000000000000000000".into();
        new.locked = true;
        new.autostart = false;
        new.ttl_seconds = 0;
        new.cpu_limit = 2;
        new.memory_mb = 4096;
        new.tags.push("archived".into());
        new.labels.insert("env".into(), "archive".into());
        new.deleted_reason = Some("migrated to the new billing service".into());
        new.created_at = datetime!(2025-03-14 09:26:54 UTC);
        new.dormant_at = Some(datetime!(2025-06-02 08:05:00 UTC));
    }
    (old, new)
}

/// Approach 1: the derived diff.
#[divan::bench(args = CHANGED)]
fn derived(bencher: Bencher<'_, '_>, changed: Changed) {
    let (old, new) = old_and_new(changed);
    bencher.bench_local(|| derived_diff(divan::black_box(&old), divan::black_box(&new)));
}

/// Approach 2: what a person writes by hand for the same output: compare each field,
/// serialize old and new only for changed ones.
#[divan::bench(args = CHANGED)]
fn hand_written(bencher: Bencher<'_, '_>, changed: Changed) {
    let (old, new) = old_and_new(changed);
    bencher.bench_local(|| hand_written_diff(divan::black_box(&old), divan::black_box(&new)));
}

/// Approach 3: what users write without this crate: serialize both values to
/// `serde_json::Value` and compare the objects key by key.
#[divan::bench(args = CHANGED)]
fn naive(bencher: Bencher<'_, '_>, changed: Changed) {
    let (old, new) = old_and_new(changed);
    bencher.bench_local(|| naive_diff(divan::black_box(&old), divan::black_box(&new)));
}

// The three diffs are kept out of line so that `valgrind --tool=callgrind
// --toggle-collect=diff::derived_diff` and so on can count each one's
// instructions; see docs/performance.md.

#[inline(never)]
fn derived_diff(old: &Workspace, new: &Workspace) -> Diff {
    audit_core::diff(old, new)
}

/// The floor: the code the derive would have to beat. It records each change
/// as `audit_core::Change`, as `Diff` does; `Diff` itself cannot be built from
/// outside the crate, so the list is a `Vec` of `(key, Change)`, the same
/// layout as `Diff`'s list of `FieldChange`s.
#[inline(never)]
fn hand_written_diff(old: &Workspace, new: &Workspace) -> Vec<(&'static str, Change)> {
    fn tracked<T: Serialize>(old: &T, new: &T) -> Change {
        match (serde_json::to_value(old), serde_json::to_value(new)) {
            (Ok(old), Ok(new)) => Change::Tracked { old, new },
            (Err(error), _) | (_, Err(error)) => Change::Unserializable {
                error: error.to_string(),
            },
        }
    }

    let mut changes = Vec::new();
    if old.id != new.id {
        changes.push(("id", tracked(&old.id, &new.id)));
    }
    if old.owner_id != new.owner_id {
        changes.push(("owner_id", tracked(&old.owner_id, &new.owner_id)));
    }
    if old.organization_id != new.organization_id {
        let change = tracked(&old.organization_id, &new.organization_id);
        changes.push(("organization_id", change));
    }
    if old.template_id != new.template_id {
        changes.push(("template_id", tracked(&old.template_id, &new.template_id)));
    }
    if old.name != new.name {
        changes.push(("name", tracked(&old.name, &new.name)));
    }
    if old.description != new.description {
        changes.push(("description", tracked(&old.description, &new.description)));
    }
    if old.api_token != new.api_token {
        changes.push(("api_token", Change::Secret));
    }
    if old.archived != new.archived {
        changes.push(("archived", tracked(&old.archived, &new.archived)));
    }
    if old.locked != new.locked {
        changes.push(("locked", tracked(&old.locked, &new.locked)));
    }
    if old.autostart != new.autostart {
        changes.push(("autostart", tracked(&old.autostart, &new.autostart)));
    }
    if old.ttl_seconds != new.ttl_seconds {
        changes.push(("ttl_seconds", tracked(&old.ttl_seconds, &new.ttl_seconds)));
    }
    if old.cpu_limit != new.cpu_limit {
        changes.push(("cpu_limit", tracked(&old.cpu_limit, &new.cpu_limit)));
    }
    if old.memory_mb != new.memory_mb {
        changes.push(("memory_mb", tracked(&old.memory_mb, &new.memory_mb)));
    }
    if old.tags != new.tags {
        changes.push(("tags", tracked(&old.tags, &new.tags)));
    }
    if old.labels != new.labels {
        changes.push(("labels", tracked(&old.labels, &new.labels)));
    }
    if old.deleted_reason != new.deleted_reason {
        let change = tracked(&old.deleted_reason, &new.deleted_reason);
        changes.push(("deleted_reason", change));
    }
    if old.created_at != new.created_at {
        changes.push(("created_at", tracked(&old.created_at, &new.created_at)));
    }
    if old.updated_at != new.updated_at {
        changes.push(("updated_at", tracked(&old.updated_at, &new.updated_at)));
    }
    if old.dormant_at != new.dormant_at {
        changes.push(("dormant_at", tracked(&old.dormant_at, &new.dormant_at)));
    }
    changes
}

/// Serialize both values to JSON objects and compare them key by key, moving
/// the values out rather than cloning them. The classification has to be
/// repeated by hand as key names. Changes come out in key order.
#[inline(never)]
fn naive_diff(
    old: &Workspace,
    new: &Workspace,
) -> Result<Vec<(String, Change)>, serde_json::Error> {
    let (Value::Object(old), Value::Object(mut new)) =
        (serde_json::to_value(old)?, serde_json::to_value(new)?)
    else {
        return Ok(Vec::new());
    };
    let mut changes = Vec::new();
    for (key, old) in old {
        if key == "last_used_at" {
            continue;
        }
        let new = new.remove(&key).unwrap_or(Value::Null);
        if old == new {
            continue;
        }
        let change = if key == "api_token" {
            Change::Secret
        } else {
            Change::Tracked { old, new }
        };
        changes.push((key, change));
    }
    Ok(changes)
}

/// Nested shapes: a struct, a map recorded per entry and a keyed list, side
/// by side with hand-written code that records the same changes (checked
/// before timing), written as a person would: compare a whole value with
/// `==` first, build a key only for a change, match list elements by
/// position while their ids line up and through an index otherwise.
mod nested {
    use std::collections::{BTreeMap, BTreeSet};

    use audit_core::{Auditable, Change, Diff, Op};
    use divan::Bencher;
    use serde::Serialize;

    #[derive(Clone, Serialize, Auditable)]
    #[audit(embedded)]
    struct Settings {
        #[audit(track)]
        theme: String,
        #[audit(track)]
        locale: String,
        #[audit(track)]
        retention_days: u32,
        #[audit(secret)]
        api_token: String,
    }

    #[derive(Clone, Serialize, Auditable)]
    #[audit(embedded)]
    struct Member {
        #[audit(track)]
        id: u64,
        #[audit(track)]
        role: String,
        #[audit(track)]
        active: bool,
    }

    #[derive(Clone, Serialize, Auditable)]
    struct Team {
        #[audit(track)]
        id: u64,
        #[audit(nested)]
        settings: Settings,
        #[audit(track, entries)]
        labels: BTreeMap<String, String>,
        #[audit(nested, key = id)]
        members: Vec<Member>,
    }

    fn team() -> Team {
        Team {
            id: 1,
            settings: Settings {
                theme: "light".into(),
                locale: "en-GB".into(),
                retention_days: 30,
                api_token: "t".into(),
            },
            labels: (0..8)
                .map(|i| (format!("key{i}"), format!("value{i}")))
                .collect(),
            members: (0..10)
                .map(|id| Member {
                    id,
                    role: "viewer".into(),
                    active: true,
                })
                .collect(),
        }
    }

    /// The shapes the cases change: nothing, the nested struct, a map entry,
    /// a list element.
    const SHAPES: [&str; 4] = ["unchanged", "struct", "map", "keyed_list"];

    fn old_and_new(shape: &str) -> (Team, Team) {
        let old = team();
        let mut new = team();
        match shape {
            "struct" => new.settings.theme = "dark".into(),
            "map" => {
                new.labels.insert("key3".into(), "other".into());
            }
            "keyed_list" => new.members[5].role = "owner".into(),
            // Not timed; checked: membership changes take the slow paths.
            "added_and_removed" => {
                new.labels.remove("key1");
                new.labels.insert("key9".into(), "value9".into());
                new.members.remove(2);
                new.members.push(Member {
                    id: 42,
                    role: "owner".into(),
                    active: false,
                });
                new.members.swap(0, 1);
            }
            _ => {}
        }
        (old, new)
    }

    type Changes = Vec<(String, Option<Op>, Change)>;

    fn derived_changes(diff: &Diff) -> Changes {
        diff.iter()
            .map(|change| {
                (
                    change.key().to_owned(),
                    change.op(),
                    change.change().clone(),
                )
            })
            .collect()
    }

    /// The derived and the hand-written diff record the same changes.
    pub(super) fn check_same_changes() {
        for shape in SHAPES.into_iter().chain(["added_and_removed"]) {
            let (old, new) = old_and_new(shape);
            assert_eq!(
                derived_changes(&derived_diff(&old, &new)),
                hand_written_diff(&old, &new),
                "nested, {shape}: derived and hand-written differ",
            );
        }
    }

    fn tracked<T: Serialize>(old: &T, new: &T) -> Change {
        match (serde_json::to_value(old), serde_json::to_value(new)) {
            (Ok(old), Ok(new)) => Change::Tracked { old, new },
            (Err(error), _) | (_, Err(error)) => Change::Unserializable {
                error: error.to_string(),
            },
        }
    }

    fn one_side<T: Serialize>(value: &T, op: Op) -> Change {
        match (serde_json::to_value(value), op) {
            (Ok(new), Op::Add) => Change::Added { new },
            (Ok(old), Op::Remove) => Change::Removed { old },
            (Err(error), _) => Change::Unserializable {
                error: error.to_string(),
            },
        }
    }

    fn member_fields(changes: &mut Changes, key: &dyn Fn() -> String, a: &Member, b: &Member) {
        if a.id != b.id {
            changes.push((format!("{}.id", key()), None, tracked(&a.id, &b.id)));
        }
        if a.role != b.role {
            changes.push((format!("{}.role", key()), None, tracked(&a.role, &b.role)));
        }
        if a.active != b.active {
            let change = tracked(&a.active, &b.active);
            changes.push((format!("{}.active", key()), None, change));
        }
    }

    fn member_added_or_removed(changes: &mut Changes, member: &Member, op: Op) {
        let key = format!("members[id={}]", member.id);
        changes.push((format!("{key}.id"), Some(op), one_side(&member.id, op)));
        changes.push((format!("{key}.role"), Some(op), one_side(&member.role, op)));
        changes.push((
            format!("{key}.active"),
            Some(op),
            one_side(&member.active, op),
        ));
        changes.insert(changes.len() - 3, (key, Some(op), Change::Structural));
    }

    /// What a person writes for the same output. The map keys and the ids
    /// need no quoting in paths, and ids are assumed unique: the derived
    /// diff checks both.
    #[inline(never)]
    fn hand_written_diff(old: &Team, new: &Team) -> Changes {
        let mut changes = Vec::new();
        if old.id != new.id {
            changes.push(("id".to_owned(), None, tracked(&old.id, &new.id)));
        }
        let (a, b) = (&old.settings, &new.settings);
        if a.theme != b.theme {
            let change = tracked(&a.theme, &b.theme);
            changes.push(("settings.theme".to_owned(), None, change));
        }
        if a.locale != b.locale {
            let change = tracked(&a.locale, &b.locale);
            changes.push(("settings.locale".to_owned(), None, change));
        }
        if a.retention_days != b.retention_days {
            let change = tracked(&a.retention_days, &b.retention_days);
            changes.push(("settings.retention_days".to_owned(), None, change));
        }
        if a.api_token != b.api_token {
            changes.push(("settings.api_token".to_owned(), None, Change::Secret));
        }
        if old.labels != new.labels {
            let keys: BTreeSet<&String> = old.labels.keys().chain(new.labels.keys()).collect();
            for key in keys {
                let path = format!("labels.{key}");
                match (old.labels.get(key), new.labels.get(key)) {
                    (Some(a), Some(b)) if a != b => changes.push((path, None, tracked(a, b))),
                    (None, Some(b)) => changes.push((path, Some(Op::Add), one_side(b, Op::Add))),
                    (Some(a), None) => {
                        changes.push((path, Some(Op::Remove), one_side(a, Op::Remove)));
                    }
                    _ => {}
                }
            }
        }
        let aligned = old.members.len() == new.members.len()
            && old
                .members
                .iter()
                .zip(&new.members)
                .all(|(a, b)| a.id == b.id);
        if aligned {
            for (a, b) in old.members.iter().zip(&new.members) {
                member_fields(&mut changes, &|| format!("members[id={}]", a.id), a, b);
            }
        } else {
            let old_by_id: BTreeMap<u64, &Member> = old.members.iter().map(|m| (m.id, m)).collect();
            let new_by_id: BTreeMap<u64, &Member> = new.members.iter().map(|m| (m.id, m)).collect();
            for b in &new.members {
                match old_by_id.get(&b.id) {
                    Some(a) => {
                        member_fields(&mut changes, &|| format!("members[id={}]", b.id), a, b);
                    }
                    None => member_added_or_removed(&mut changes, b, Op::Add),
                }
            }
            for a in &old.members {
                if !new_by_id.contains_key(&a.id) {
                    member_added_or_removed(&mut changes, a, Op::Remove);
                }
            }
        }
        changes
    }

    #[inline(never)]
    fn derived_diff(old: &Team, new: &Team) -> Diff {
        audit_core::diff(old, new)
    }

    #[divan::bench(args = SHAPES)]
    fn derived(bencher: Bencher<'_, '_>, shape: &str) {
        let (old, new) = old_and_new(shape);
        bencher.bench_local(|| derived_diff(divan::black_box(&old), divan::black_box(&new)));
    }

    #[divan::bench(args = SHAPES)]
    fn hand_written_equivalent(bencher: Bencher<'_, '_>, shape: &str) {
        let (old, new) = old_and_new(shape);
        bencher.bench_local(|| hand_written_diff(divan::black_box(&old), divan::black_box(&new)));
    }
}

/// A long keyed list edited in place, every element of it, at growing
/// lengths: the time per element stays flat (O(n log n) in all), where one
/// scan of the lists per change made 40,000 elements take 28 s.
mod long_keyed_list {
    use audit_core::{Auditable, Diff};
    use divan::Bencher;
    use serde::Serialize;

    #[derive(Clone, Serialize, Auditable)]
    #[audit(embedded)]
    struct Item {
        #[audit(track)]
        id: u64,
        #[audit(track)]
        quantity: u32,
    }

    #[derive(Clone, Serialize, Auditable)]
    struct Stock {
        #[audit(track)]
        id: u64,
        #[audit(nested, key = id)]
        items: Vec<Item>,
    }

    const LENGTHS: [u64; 3] = [1_000, 10_000, 40_000];

    fn old_and_new(length: u64) -> (Stock, Stock) {
        let old = Stock {
            id: 1,
            items: (0..length).map(|id| Item { id, quantity: 0 }).collect(),
        };
        let mut new = old.clone();
        for item in &mut new.items {
            item.quantity = 1;
        }
        (old, new)
    }

    #[inline(never)]
    fn derived_diff(old: &Stock, new: &Stock) -> Diff {
        audit_core::diff(old, new)
    }

    #[divan::bench(args = LENGTHS, sample_count = 10)]
    fn every_element_edited(bencher: Bencher<'_, '_>, length: u64) {
        let (old, new) = old_and_new(length);
        bencher.bench_local(|| derived_diff(divan::black_box(&old), divan::black_box(&new)));
    }

    #[divan::bench(args = LENGTHS, sample_count = 10)]
    fn unchanged(bencher: Bencher<'_, '_>, length: u64) {
        let (old, _) = old_and_new(length);
        let new = old.clone();
        bencher.bench_local(|| derived_diff(divan::black_box(&old), divan::black_box(&new)));
    }
}
