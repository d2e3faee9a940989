//! Classes all the way down: nested structs, `Option` and `Box` of them, maps
//! and sets per entry, keyed lists, and what each records, as exact JSON.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use audit_core::{
    Action, AuditFields, AuditRequest, Auditable, FieldClass, FieldShape, MemorySink, PathSegment,
    docs,
};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(track)]
    theme: String,
    #[audit(secret = "grants API access")]
    api_token: String,
    #[audit(ignore = "a cache")]
    cached_at: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
struct Member {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    role: String,
    #[audit(secret = "an invitation code")]
    invite: String,
}

#[derive(Clone, Debug, Serialize, Auditable)]
struct Project {
    #[audit(track)]
    id: u32,
    #[audit(nested)]
    settings: Settings,
    #[audit(nested)]
    backup: Option<Settings>,
    #[audit(track, entries)]
    labels: BTreeMap<String, String>,
    #[audit(secret = "credentials", entries)]
    env: HashMap<String, String>,
    #[audit(nested, key = id)]
    members: Vec<Member>,
    #[audit(track)]
    tags: Vec<String>,
}

fn settings(theme: &str, token: &str) -> Settings {
    Settings {
        theme: theme.into(),
        api_token: token.into(),
        cached_at: 0,
    }
}

fn member(id: u32, role: &str, invite: &str) -> Member {
    Member {
        id,
        role: role.into(),
        invite: invite.into(),
    }
}

fn project() -> Project {
    Project {
        id: 1,
        settings: settings("light", "t1"),
        backup: None,
        labels: [("team", "a"), ("env", "dev")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into(),
        env: HashMap::new(),
        members: vec![
            member(1, "viewer", "i1"),
            member(2, "admin", "i2"),
            member(9, "viewer", "i9"),
        ],
        tags: vec!["a".into()],
    }
}

fn json(diff: &audit_core::Diff) -> String {
    serde_json::to_string(diff).unwrap()
}

/// The notes' §1.4 example: every shape in one diff, byte for byte.
#[test]
fn every_shape_records_its_changes_under_paths() {
    let old = project();
    let mut new = project();
    new.settings = Settings {
        theme: "dark".into(),
        api_token: "t2".into(),
        cached_at: 99,
    };
    new.backup = Some(settings("dark", "t3"));
    new.labels.insert("team".into(), "b".into());
    new.labels.insert("tier".into(), "1".into());
    new.labels.remove("env");
    new.labels
        .insert("app.kubernetes.io/name".into(), "web".into());
    new.env
        .insert("DATABASE_URL".into(), "postgres://secret".into());
    new.members = vec![
        member(3, "viewer", "i3"),
        member(1, "viewer", "i1"),
        member(2, "owner", "i2"),
    ];
    new.tags.push("b".into());
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        concat!(
            r#"{"settings.theme":{"old":"light","new":"dark","secret":false},"#,
            r#""settings.api_token":{"secret":true},"#,
            r#""backup":{"op":"add","secret":false},"#,
            r#""backup.theme":{"op":"add","new":"dark","secret":false},"#,
            r#""backup.api_token":{"op":"add","secret":true},"#,
            r#""labels['app.kubernetes.io/name']":{"op":"add","new":"web","secret":false},"#,
            r#""labels.env":{"op":"remove","old":"dev","secret":false},"#,
            r#""labels.team":{"old":"a","new":"b","secret":false},"#,
            r#""labels.tier":{"op":"add","new":"1","secret":false},"#,
            r#""env.DATABASE_URL":{"op":"add","secret":true},"#,
            r#""members[id=3]":{"op":"add","secret":false},"#,
            r#""members[id=3].id":{"op":"add","new":3,"secret":false},"#,
            r#""members[id=3].role":{"op":"add","new":"viewer","secret":false},"#,
            r#""members[id=3].invite":{"op":"add","secret":true},"#,
            r#""members[id=2].role":{"old":"admin","new":"owner","secret":false},"#,
            r#""members[id=9]":{"op":"remove","secret":false},"#,
            r#""members[id=9].id":{"op":"remove","old":9,"secret":false},"#,
            r#""members[id=9].role":{"op":"remove","old":"viewer","secret":false},"#,
            r#""members[id=9].invite":{"op":"remove","secret":true},"#,
            r#""tags":{"old":["a"],"new":["a","b"],"secret":false}}"#,
        )
    );
}

#[test]
fn an_inner_ignored_field_is_never_read_and_equal_values_record_nothing() {
    let old = project();
    let mut new = project();
    new.settings.cached_at = 42;
    new.members.reverse();
    assert!(audit_core::diff(&old, &new).is_empty());
}

#[test]
fn option_removed_records_terminal_values_without_secrets() {
    let mut old = project();
    old.backup = Some(settings("dark", "t3"));
    let new = project();
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        concat!(
            r#"{"backup":{"op":"remove","secret":false},"#,
            r#""backup.theme":{"op":"remove","old":"dark","secret":false},"#,
            r#""backup.api_token":{"op":"remove","secret":true}}"#,
        )
    );
    let mut other = old.clone();
    other.backup = Some(settings("light", "t3"));
    assert_eq!(
        json(&audit_core::diff(&old, &other)),
        r#"{"backup.theme":{"old":"dark","new":"light","secret":false}}"#
    );
}

#[test]
fn a_duplicate_key_is_an_error_change_never_a_panic() {
    let old = project();
    let mut new = project();
    new.members = vec![member(1, "viewer", "i1"), member(1, "owner", "i1")];
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        r#"{"members":{"secret":false,"error":"duplicate key id=1"}}"#
    );
    // Aligned lists with a duplicate key: detected once a change is recorded.
    let mut old = project();
    old.members = vec![member(1, "viewer", "i1"), member(1, "viewer", "i1")];
    let mut new = old.clone();
    new.members[1].role = "owner".into();
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        r#"{"members":{"secret":false,"error":"duplicate key id=1"}}"#
    );
    // A change under a key that appears once names its element: a repeated
    // key elsewhere makes no path ambiguous.
    old.members.push(member(2, "viewer", "i2"));
    let mut new = old.clone();
    new.members[2].role = "owner".into();
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        r#"{"members[id=2].role":{"old":"viewer","new":"owner","secret":false}}"#
    );
}

#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct Account {
    #[audit(track)]
    login: String,
}

#[derive(Clone, Serialize, Auditable)]
struct Holder {
    #[audit(track)]
    id: u32,
    #[audit(nested)]
    boxed: Box<Settings>,
    #[audit(nested)]
    by_name: BTreeMap<String, Account>,
    #[audit(nested)]
    by_id: HashMap<u32, Account>,
    #[audit(track, entries)]
    roles: BTreeSet<String>,
    #[audit(secret, entries)]
    codes: HashSet<String>,
    #[audit(track)]
    flags: HashSet<String>,
    #[audit(track)]
    limits: HashMap<String, u32>,
    #[audit(track, entries)]
    quotas: HashMap<String, u32>,
}

fn holder() -> Holder {
    Holder {
        id: 1,
        boxed: Box::new(settings("light", "t")),
        by_name: BTreeMap::from([(
            "ada".into(),
            Account {
                login: "ada".into(),
            },
        )]),
        by_id: HashMap::from([(7, Account { login: "x".into() })]),
        roles: BTreeSet::from(["admin".into()]),
        codes: HashSet::from(["1234".into()]),
        flags: HashSet::from(["b".into(), "a".into(), "c".into()]),
        limits: HashMap::from([("z".into(), 1), ("a".into(), 2)]),
        quotas: HashMap::from([("cpu".into(), 1)]),
    }
}

#[test]
fn box_maps_and_sets() {
    let old = holder();
    let mut new = holder();
    new.boxed.theme = "dark".into();
    new.by_name.insert(
        "bob".into(),
        Account {
            login: "bob".into(),
        },
    );
    new.by_id.get_mut(&7).unwrap().login = "y".into();
    new.roles.insert("owner".into());
    new.roles.remove("admin");
    new.codes.insert("5678".into());
    new.flags.insert("d".into());
    new.limits.insert("m".into(), 3);
    new.quotas.insert("cpu".into(), 2);
    new.quotas.insert("ram".into(), 8);
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        concat!(
            r#"{"boxed.theme":{"old":"light","new":"dark","secret":false},"#,
            r#""by_name.bob":{"op":"add","secret":false},"#,
            r#""by_name.bob.login":{"op":"add","new":"bob","secret":false},"#,
            r#""by_id['7'].login":{"old":"x","new":"y","secret":false},"#,
            r#""roles.admin":{"op":"remove","old":"admin","secret":false},"#,
            r#""roles.owner":{"op":"add","new":"owner","secret":false},"#,
            // A secret set's elements are its values: never named.
            r#""codes":{"secret":true},"#,
            // Tracked whole, a hashed set or map is recorded sorted.
            r#""flags":{"old":["a","b","c"],"new":["a","b","c","d"],"secret":false},"#,
            r#""limits":{"old":{"a":2,"z":1},"new":{"a":2,"m":3,"z":1},"secret":false},"#,
            r#""quotas.cpu":{"old":1,"new":2,"secret":false},"#,
            r#""quotas.ram":{"op":"add","new":8,"secret":false}}"#,
        )
    );
}

#[test]
fn keys_that_are_not_identifiers_are_quoted_and_escaped() {
    let old = holder();
    let mut new = holder();
    new.quotas.insert("it's \\ here".into(), 1);
    new.quotas.insert("_ok-1".into(), 1);
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        concat!(
            r#"{"quotas._ok-1":{"op":"add","new":1,"secret":false},"#,
            r#""quotas['it\\'s \\\\ here']":{"op":"add","new":1,"secret":false}}"#,
        )
    );
}

#[test]
fn create_and_delete_record_every_field_at_every_depth() {
    let sink = MemorySink::new();
    let mut value = project();
    value.backup = Some(settings("dark", "t3"));
    value.env.insert("KEY".into(), "secret-value".into());
    let mut request = AuditRequest::new(&sink, Action::CREATE);
    request.set_new(value.clone());
    request.commit(201).unwrap();
    let created = sink.last().unwrap();
    assert_eq!(
        json(&created.diff),
        concat!(
            r#"{"id":{"new":1,"secret":false},"#,
            r#""settings.theme":{"new":"light","secret":false},"#,
            r#""settings.api_token":{"secret":true},"#,
            r#""backup.theme":{"new":"dark","secret":false},"#,
            r#""backup.api_token":{"secret":true},"#,
            r#""labels.env":{"new":"dev","secret":false},"#,
            r#""labels.team":{"new":"a","secret":false},"#,
            r#""env.KEY":{"secret":true},"#,
            r#""members[id=1].id":{"new":1,"secret":false},"#,
            r#""members[id=1].role":{"new":"viewer","secret":false},"#,
            r#""members[id=1].invite":{"secret":true},"#,
            r#""members[id=2].id":{"new":2,"secret":false},"#,
            r#""members[id=2].role":{"new":"admin","secret":false},"#,
            r#""members[id=2].invite":{"secret":true},"#,
            r#""members[id=9].id":{"new":9,"secret":false},"#,
            r#""members[id=9].role":{"new":"viewer","secret":false},"#,
            r#""members[id=9].invite":{"secret":true},"#,
            r#""tags":{"new":["a"],"secret":false}}"#,
        )
    );
    let mut request = AuditRequest::new(&sink, Action::DELETE);
    request.set_old(value);
    request.commit(204).unwrap();
    let deleted = json(&sink.last().unwrap().diff);
    assert!(deleted.starts_with(r#"{"id":{"old":1,"secret":false},"settings.theme":{"old":"light","secret":false},"settings.api_token":{"secret":true},"#), "{deleted}");
    assert!(
        !deleted.contains("t3") && !deleted.contains("secret-value") && !deleted.contains("i1")
    );
}

#[test]
fn a_diff_with_ops_reads_back() {
    let old = project();
    let mut new = project();
    new.backup = Some(settings("dark", "t3"));
    new.members.pop();
    let diff = audit_core::diff(&old, &new);
    let read: audit_core::Diff = serde_json::from_str(&json(&diff)).unwrap();
    assert_eq!(read, diff);
    assert_eq!(read.get("backup").unwrap().op(), Some(audit_core::Op::Add));
    assert_eq!(
        read.get("members[id=9].role").unwrap().old_value(),
        Some(&"viewer".into())
    );
}

#[test]
fn schema_nests_the_inner_schema() {
    let members = Project::SCHEMA.field("members").unwrap();
    assert_eq!(members.class, FieldClass::Nested);
    assert_eq!(members.shape, FieldShape::Keyed { key: "id" });
    assert_eq!(members.nested, Some(Member::SCHEMA));
    assert_eq!(
        Project::SCHEMA.field("backup").unwrap().shape,
        FieldShape::Optional
    );
    assert_eq!(
        Project::SCHEMA.field("labels").unwrap().shape,
        FieldShape::Entries
    );
    assert_eq!(Settings::SCHEMA.kind, audit_core::SchemaKind::Embedded);
    let json = docs::json(&[Project::SCHEMA]).unwrap();
    assert!(
        json.contains(
            r#""name": "members",
        "rust_name": "members",
        "rust_type": "Vec<Member>",
        "class": "nested",
        "reason": null,
        "doc": null,
        "shape": {
          "kind": "keyed",
          "key": "id"
        },
        "nested": {
          "rust_name": "Member","#
        ),
        "{json}"
    );
}

#[test]
fn docs_list_nested_rows_under_their_owner() {
    let markdown = docs::markdown(&[Project::SCHEMA]);
    assert!(
        markdown.contains(
            "\
| `id` | track |  |  |
| `settings` | nested (`Settings`) |  |  |
| `settings.theme` | track |  |  |
| `settings.api_token` | secret | grants API access |  |
| `settings.cached_at` | ignore | a cache |  |
| `backup` | nested, optional (`Settings`) |  |  |
| `backup.theme` | track |  |  |
| `backup.api_token` | secret | grants API access |  |
| `backup.cached_at` | ignore | a cache |  |
| `labels.*` | track, per entry |  |  |
| `env.*` | secret, per entry | credentials |  |
| `members[id=*]` | nested (`Member`), keyed by `id` |  |  |
| `members[id=*].id` | track |  |  |
| `members[id=*].role` | track |  |  |
| `members[id=*].invite` | secret | an invitation code |  |
| `tags` | track |  |  |
"
        ),
        "{markdown}"
    );
    // Embedded structs are not resources: not registered.
    assert!(!docs::registered().contains(&Settings::SCHEMA));
}

/// A recursive struct: diffed at any depth, documented without expanding
/// itself.
#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct Comment {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    text: String,
    #[audit(nested, key = id)]
    replies: Vec<Comment>,
}

#[derive(Clone, Serialize, Auditable)]
struct Thread {
    #[audit(track)]
    id: u32,
    #[audit(nested)]
    root: Comment,
}

#[test]
fn recursive_types_are_diffed_and_documented() {
    let leaf = |id, text: &str| Comment {
        id,
        text: text.into(),
        replies: vec![],
    };
    let old = Thread {
        id: 1,
        root: Comment {
            id: 1,
            text: "q".into(),
            replies: vec![leaf(2, "a")],
        },
    };
    let mut new = old.clone();
    new.root.replies[0].text = "b".into();
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        r#"{"root.replies[id=2].text":{"old":"a","new":"b","secret":false}}"#
    );
    let replies = Comment::SCHEMA.field("replies").unwrap();
    assert_eq!(replies.nested, None);
    assert!(
        docs::markdown(&[Thread::SCHEMA])
            .contains("| `root.replies[id=*]` | nested (`Vec<Comment>`), keyed by `id` |")
    );
}

#[derive(Clone, Auditable)]
#[audit(resource = "integration")]
struct Integration {
    #[audit(track)]
    id: u32,
    #[audit(secret = "grants API access", fingerprint)]
    api_token: String,
    #[audit(nested)]
    settings: Settings,
}

/// Without a key the entry records what a plain secret does, and is
/// flagged, so that the missing key is noticed; nothing panics.
#[test]
fn a_fingerprinted_secret_without_a_key_is_recorded_plain_and_flagged() {
    audit_core::secret_fingerprint::without_key(|| {
        let settings = Settings {
            theme: "light".into(),
            api_token: "t".into(),
            cached_at: 0,
        };
        let old = Integration {
            id: 1,
            api_token: "tok-1".into(),
            settings: settings.clone(),
        };
        let new = Integration {
            api_token: "tok-2".into(),
            ..old.clone()
        };
        let sink = MemorySink::new();
        let mut request = AuditRequest::new(&sink, Action::WRITE);
        request.set_old(old.clone());
        request.set_new(new);
        request.commit(200).unwrap();
        let entry = sink.last().unwrap();
        assert_eq!(
            serde_json::to_string(&entry.diff).unwrap(),
            r#"{"api_token":{"secret":true}}"#
        );
        assert_eq!(entry.flags, [audit_core::Flag::MissingSecretFingerprint]);
        // Only a fingerprinted secret that changed wants a key.
        let mut request = AuditRequest::new(&sink, Action::WRITE);
        request.set_old(old.clone());
        request.set_new(Integration {
            settings: Settings {
                theme: "dark".into(),
                ..settings
            },
            ..old
        });
        request.commit(200).unwrap();
        assert!(sink.last().unwrap().flags.is_empty());
    });
}

/// A keyed list whose key field is renamed: paths name the key by its diff
/// key, as the element's own diff does.
#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct Seat {
    #[serde(rename = "memberId")]
    #[audit(track)]
    id: u32,
    #[audit(track, rename = "seatRole")]
    role: String,
}

#[derive(Clone, Serialize, Auditable)]
struct Team {
    #[audit(track)]
    id: u32,
    #[audit(nested, key = id)]
    seats: Vec<Seat>,
}

#[test]
fn a_renamed_key_field_is_named_by_its_diff_key() {
    let seat = |id, role: &str| Seat {
        id,
        role: role.into(),
    };
    let old = Team {
        id: 1,
        seats: vec![seat(1, "viewer"), seat(2, "viewer"), seat(9, "viewer")],
    };
    let mut new = old.clone();
    new.seats[1].role = "owner".into();
    new.seats.remove(2);
    new.seats.push(seat(3, "admin"));
    assert_eq!(
        json(&audit_core::diff(&old, &new)),
        concat!(
            r#"{"seats[memberId=2].seatRole":{"old":"viewer","new":"owner","secret":false},"#,
            r#""seats[memberId=3]":{"op":"add","secret":false},"#,
            r#""seats[memberId=3].memberId":{"op":"add","new":3,"secret":false},"#,
            r#""seats[memberId=3].seatRole":{"op":"add","new":"admin","secret":false},"#,
            r#""seats[memberId=9]":{"op":"remove","secret":false},"#,
            r#""seats[memberId=9].memberId":{"op":"remove","old":9,"secret":false},"#,
            r#""seats[memberId=9].seatRole":{"op":"remove","old":"viewer","secret":false}}"#,
        )
    );
    // A duplicate key names it the same way.
    let mut dup = old.clone();
    dup.seats.push(seat(1, "admin"));
    assert_eq!(
        json(&audit_core::diff(&old, &dup)),
        r#"{"seats":{"secret":false,"error":"duplicate key memberId=1"}}"#
    );
    // The schema and the docs too.
    let seats = Team::SCHEMA.field("seats").unwrap();
    assert_eq!(seats.shape, FieldShape::Keyed { key: "memberId" });
    let markdown = docs::markdown(&[Team::SCHEMA]);
    assert!(
        markdown.contains(
            "\
| `seats[memberId=*]` | nested (`Seat`), keyed by `memberId` |  |  |
| `seats[memberId=*].memberId` | track |  |  |
| `seats[memberId=*].seatRole` | track |  |  |
"
        ),
        "{markdown}"
    );
}

/// The segments of a diff key, read back from the key.
fn segments(key: &str) -> Vec<audit_core::PathSegment<'static>> {
    let diff: audit_core::Diff = serde_json::from_str(&format!(
        r#"{{{}:{{"secret":true}}}}"#,
        serde_json::json!(key)
    ))
    .unwrap();
    let change = diff.get(key).unwrap();
    change
        .path()
        .map(|segment| match segment {
            PathSegment::Name(name) => PathSegment::Name(name.to_owned().leak()),
            PathSegment::Key(key) => PathSegment::Key(Cow::Owned(key.into_owned())),
            PathSegment::Element { key, value, quoted } => PathSegment::Element {
                key: key.to_owned().leak(),
                value: Cow::Owned(value.into_owned()),
                quoted,
            },
            other => panic!("a segment this test does not know: {other:?}"),
        })
        .collect()
}

fn element(key: &'static str, value: &str, quoted: bool) -> PathSegment<'static> {
    PathSegment::Element {
        key,
        value: Cow::Owned(value.to_owned()),
        quoted,
    }
}

fn quoted(key: &str) -> PathSegment<'static> {
    PathSegment::Key(Cow::Owned(key.to_owned()))
}

#[test]
fn a_path_reads_back_as_segments_for_every_shape() {
    use PathSegment::Name;
    // The §1.4 shapes.
    assert_eq!(segments("tags"), [Name("tags")]);
    assert_eq!(
        segments("settings.theme"),
        [Name("settings"), Name("theme")]
    );
    assert_eq!(segments("backup"), [Name("backup")]);
    assert_eq!(segments("labels.team"), [Name("labels"), Name("team")]);
    assert_eq!(segments("quotas._ok-1"), [Name("quotas"), Name("_ok-1")]);
    assert_eq!(
        segments("labels['app.kubernetes.io/name']"),
        [Name("labels"), quoted("app.kubernetes.io/name")]
    );
    assert_eq!(
        segments("env.DATABASE_URL"),
        [Name("env"), Name("DATABASE_URL")]
    );
    assert_eq!(
        segments("members[id=3]"),
        [Name("members"), element("id", "3", false)]
    );
    assert_eq!(
        segments("members[id=3].role"),
        [Name("members"), element("id", "3", false), Name("role")]
    );
    assert_eq!(
        segments("members[id='u-1'].role"),
        [Name("members"), element("id", "u-1", true), Name("role")]
    );
    assert_eq!(
        segments("seats[memberId=true]"),
        [Name("seats"), element("memberId", "true", false)]
    );
    // Deeper: a keyed list in a keyed list, a map in a nested struct.
    assert_eq!(
        segments("root.replies[id=2].replies[id=5].text"),
        [
            Name("root"),
            Name("replies"),
            element("id", "2", false),
            Name("replies"),
            element("id", "5", false),
            Name("text"),
        ]
    );
    assert_eq!(
        segments("by_name['a b'].login"),
        [Name("by_name"), quoted("a b"), Name("login")]
    );
    // Escapes, including `]`, `=`, `.` and `[` inside quotes.
    assert_eq!(
        segments(r"quotas['it\'s \\ here']"),
        [Name("quotas"), quoted(r"it's \ here")]
    );
    assert_eq!(
        segments(r"m[id='a\'].b=[c]\\'].x"),
        [Name("m"), element("id", r"a'].b=[c]\", true), Name("x")]
    );
    assert_eq!(segments("m['']"), [Name("m"), quoted("")]);
    // Not written by this crate: the rest, from where it stops parsing, is
    // one name; nothing panics.
    assert_eq!(segments("m['open"), [Name("m"), Name("['open")]);
    assert_eq!(segments("m[id=]"), [Name("m"), Name("[id=]")]);
    assert_eq!(segments("m..x"), [Name("m"), Name("..x")]);
    assert_eq!(
        segments("m[id=3]x"),
        [Name("m"), element("id", "3", false), Name("x")]
    );
    assert_eq!(segments(r"m['a\"), [Name("m"), Name(r"['a\")]);
}

/// What the diff writes, the path reads back: quoted and escaped keys of
/// maps and of keyed lists.
#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct User {
    #[audit(track)]
    id: String,
    #[audit(track)]
    name: String,
}

#[derive(Clone, Serialize, Auditable)]
struct Directory {
    #[audit(track)]
    id: u32,
    #[audit(nested, key = id)]
    users: Vec<User>,
    #[audit(track, entries)]
    labels: BTreeMap<String, String>,
}

#[test]
fn written_paths_read_back() {
    let user = |id: &str| User {
        id: id.into(),
        name: "n".into(),
    };
    let old = Directory {
        id: 1,
        users: vec![user(r"o'k\1")],
        labels: BTreeMap::new(),
    };
    let mut new = old.clone();
    new.users[0].name = "m".into();
    new.labels
        .insert("app.kubernetes.io/name".into(), "web".into());
    new.labels.insert("team".into(), "a".into());
    let diff = audit_core::diff(&old, &new);
    let paths: Vec<Vec<PathSegment<'_>>> =
        diff.iter().map(|change| change.path().collect()).collect();
    assert_eq!(
        paths,
        [
            vec![
                PathSegment::Name("users"),
                PathSegment::Element {
                    key: "id",
                    value: Cow::Borrowed(r"o'k\1"),
                    quoted: true
                },
                PathSegment::Name("name"),
            ],
            vec![
                PathSegment::Name("labels"),
                PathSegment::Key(Cow::Borrowed("app.kubernetes.io/name")),
            ],
            vec![PathSegment::Name("labels"), PathSegment::Name("team")],
        ]
    );
}

/// Comparisons of `CountedId`s, the key of `Item` below.
static COMPARISONS: AtomicUsize = AtomicUsize::new(0);

/// A key that counts how often it is compared.
#[derive(Clone, Debug, Serialize)]
#[serde(transparent)]
struct CountedId(u64);

impl PartialEq for CountedId {
    fn eq(&self, other: &Self) -> bool {
        COMPARISONS.fetch_add(1, AtomicOrdering::Relaxed);
        self.0 == other.0
    }
}

impl Eq for CountedId {}

impl PartialOrd for CountedId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CountedId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        COMPARISONS.fetch_add(1, AtomicOrdering::Relaxed);
        self.0.cmp(&other.0)
    }
}

#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct Item {
    #[audit(track)]
    id: CountedId,
    #[audit(track)]
    quantity: u32,
}

#[derive(Clone, Auditable)]
struct Stock {
    #[audit(track)]
    id: u32,
    #[audit(nested, key = id)]
    items: Vec<Item>,
}

/// A keyed list edited in place, every element of it, is diffed with
/// O(n log n) key comparisons, not one scan of the lists per change (which
/// made 40,000 elements 3.2 billion comparisons); every change is recorded
/// under its element. Counted, not timed.
#[test]
fn a_keyed_list_edited_everywhere_costs_n_log_n_comparisons() {
    const N: usize = 40_000;
    let old = Stock {
        id: 1,
        items: (0..N as u64)
            .map(|id| Item {
                id: CountedId(id),
                quantity: 0,
            })
            .collect(),
    };
    let mut new = old.clone();
    for item in &mut new.items {
        item.quantity = 1;
    }
    COMPARISONS.store(0, AtomicOrdering::Relaxed);
    let diff = audit_core::diff(&old, &new);
    let comparisons = COMPARISONS.load(AtomicOrdering::Relaxed);
    let log_n = (usize::BITS - N.leading_zeros()) as usize;
    assert!(
        comparisons <= 4 * N * log_n,
        "{comparisons} comparisons for {N} elements"
    );
    assert_eq!(diff.len(), N);
    let keys: Vec<&str> = diff.keys().collect();
    assert_eq!(keys[0], "items[id=0].quantity");
    assert_eq!(keys[N - 1], "items[id=39999].quantity");
    assert_eq!(
        serde_json::to_value(diff.get("items[id=20000].quantity").unwrap().change()).unwrap(),
        serde_json::json!({"old": 0, "new": 1, "secret": false})
    );
    // A repeated key among the edited elements is still found.
    let mut repeated = new.clone();
    repeated.items[N - 1].id = CountedId(7);
    let mut repeated_old = old.clone();
    repeated_old.items[N - 1].id = CountedId(7);
    assert_eq!(
        serde_json::to_value(audit_core::diff(&repeated_old, &repeated)).unwrap(),
        serde_json::json!({"items": {"secret": false, "error": "duplicate key id=7"}})
    );
}
