//! Audit logging that is correct by construction.
//!
//! `#[derive(Auditable)]` makes a plain struct auditable. Every field must be
//! classified `#[audit(track)]`, `#[audit(ignore)]` or `#[audit(secret)]`,
//! optionally with a reason, and **the build fails when one is not**: adding a
//! column to an audited struct can never silently leak into, or drop out of,
//! the audit log.
//!
//! ```
//! use audit_core::{AuditFields, Auditable, FieldClass};
//! use serde::Serialize;
//! use serde_json::json;
//!
//! /// A conversation between a user and an agent.
//! #[derive(Clone, Serialize, Auditable)]
//! #[audit(resource = "chat", org = organization_id, link = "/chats/{id}", actions(create, write))]
//! pub struct Chat {
//!     #[audit(track)]
//!     pub id: u64,
//!     #[audit(ignore = "scopes the entry; recorded as its organization")]
//!     pub organization_id: u64,
//!     /// The title the user gave the chat.
//!     #[audit(secret = "may contain sensitive content")]
//!     pub title: String,
//!     #[audit(track)]
//!     pub archived: bool,
//! }
//!
//! let old = Chat { id: 7, organization_id: 1, title: "Plans".into(), archived: false };
//! let new = Chat { title: "Secret plans".into(), archived: true, ..old.clone() };
//!
//! let diff = audit_core::diff(&old, &new);
//! assert_eq!(
//!     serde_json::to_value(&diff).unwrap(),
//!     json!({
//!         "title": {"secret": true},
//!         "archived": {"old": false, "new": true, "secret": false},
//!     }),
//! );
//! assert_eq!(new.resource_link().as_deref(), Some("/chats/7"));
//! assert_eq!(Chat::SCHEMA.field("title").unwrap().class, FieldClass::Secret);
//! ```
//!
//! # Container attributes
//!
//! All optional, written `#[audit(...)]` on the struct:
//!
//! | attribute | meaning | default |
//! | --- | --- | --- |
//! | `resource = "chat"` | the resource type string | snake_case of the struct name |
//! | `id = field` | the field that identifies the resource | a field named `id` |
//! | `target = field` / `target_with = path` | human-readable target: a field (`Display`) or a `fn(&Self) -> String` | a non-secret field named `name`, else `title`, else the id |
//! | `link = "/chats/{id}"` / `link_with = path` | link to the resource; `{field}` placeholders are checked at compile time; each value is one percent-encoded path segment, and one naming an `Option` field that is `None`, or whose value is `.` or `..`, gives no link / a `fn(&Self) -> Option<String>` | no link |
//! | `org = field` | organization field; the resource then requires one | not organization-scoped |
//! | `actions(create, write, archive, share = "shared", ...)` | the [`Action`]s the resource is audited for: any snake_case names, each with its past form for the [sentences](#sentences) after `=` unless it has a built-in one | `create, write, delete` |
//! | `noun = "chat"` | the word [sentences](#sentences) name the resource with | the resource type, `_` as spaces |
//! | `crate = "path"` | path to `audit_core`, for crates that re-export it | `::audit_core` |
//! | `remote = path::Type` | the struct is a mirror of a type you cannot annotate, which is then audited through it; see [Types you cannot annotate](#types-you-cannot-annotate) | the struct is audited itself |
//! | `partial = "why"` | with `remote`: the mirror need not name every field of the type (private fields, `#[non_exhaustive]`); the docs mark the resource "field coverage not checked" | every field is named |
//! | `embedded` | the struct is part of a resource, diffed where a field of one is `#[audit(nested)]`: it takes no `resource`, `id`, `target`, `link`, `org`, `actions`, `noun` or `says`, implements [`AuditFields`] but not [`Auditable`], and is not registered as a resource; its diff keys may not hold `.`, `[` or `'` | a resource |
//!
//! The default target is a field named `name`, else `title`, that is
//! tracked: a secret or ignored one would write its value into every entry.
//! The id is recorded in every entry, so it may not be an `Option`. Each
//! link placeholder is percent-encoded as one path segment, so that a value
//! such as `../admin?x` cannot retarget the link.
//!
//! # Field attributes
//!
//! Exactly one of `track`, `ignore`, `secret` and `nested`, the first three
//! optionally with a reason (`#[audit(ignore = "changes on every message")]`),
//! and optionally `rename = "key"` and [`says(...)`](#sentences):
//!
//! - `track`: compared with `PartialEq`; when it changed, its old and new
//!   values are recorded as JSON. The type needs `PartialEq` and `Serialize`,
//!   or `PartialEq` only when the field has `#[serde(with = "module")]` or
//!   `#[serde(serialize_with = "path")]`, which then serializes it.
//! - `secret`: compared with `PartialEq`; when it changed, the entry records
//!   `{"secret": true}` and never the values. The type needs `PartialEq` only.
//! - `ignore`: never read.
//! - `nested`: the field is a struct that derives `Auditable` (usually with
//!   `#[audit(embedded)]`), or an `Option`, `Box`, `BTreeMap` or `HashMap`
//!   of one. It is diffed field by field, each inner field keeping its class,
//!   under dotted keys: `settings.theme`, `settings.api_token` (a secret,
//!   `{"secret": true}`). `None` to `Some` records `{"op": "add", ..}` at
//!   `backup` and every inner field with `"op": "add"` (`Some` to `None`:
//!   `"remove"`, with the old values); a map records each entry under its key
//!   (`by_name.ada.login`).
//! - `nested, key = field` on a `Vec` (or slice) of such structs: elements
//!   are matched by their `field`, not by index: `members[id=3]` is added or
//!   removed (with its values, secrets without), `members[id=2].role`
//!   changed; reordering records nothing. Two elements with one key record
//!   `{"secret": false, "error": "duplicate key id=3"}` for the list. The key
//!   is written into every path, so it must be a tracked field of the
//!   element: a secret or ignored one is a build error at `key = field`.
//! - `nested, via = Mirror` on a field of a remote type audited through the
//!   mirror `Mirror` (see "Types you cannot annotate"): diffed field by field
//!   as the mirror classifies them (`invoice.customer`).
//! - `entries`, with `track` or `secret`, on a `BTreeMap`, `HashMap`,
//!   `BTreeSet` or `HashSet` of plain values: one change per key
//!   (`labels.team`, `labels.tier` with `"op": "add"`). A secret map records
//!   which keys changed, never a value; a secret set, whose elements are its
//!   values, records `{"secret": true}` for the field.
//! - `fingerprint`, with `secret` (`#[audit(secret = "why", fingerprint)]`),
//!   at any depth: a change also records keyed fingerprints of the old and
//!   new values (`"old_hmac"`, `"new_hmac"`, `"hmac_key"`), so that a secret
//!   set back to an earlier value can be told from a rotated one. The type
//!   needs `Serialize` too. Not with `entries`: fingerprint the whole map
//!   instead. See [`secret_fingerprint`] for the key and the limit
//!   (low-entropy values can be brute-forced by whoever holds the key).
//!
//! A map key that is not an identifier (`[A-Za-z_][A-Za-z0-9_-]*`) is quoted:
//! `labels['app.kubernetes.io/name']`, with `'` and `\` escaped by a
//! backslash; a string list key is quoted too: `members[id='u-1']`.
//!
//! Tracking an auditable type whole (one that derives `Auditable`, or a
//! remote type audited through a mirror) is a build error at the field, since
//! it would serialize the inner secret and ignored fields: write
//! `#[audit(nested)]`. So is tracking any standard container that holds one,
//! at any depth of the type as written: a tuple, an array or slice, a
//! reference, `Option`, `Result`, `Box`, `Rc`, `Arc`, `Cow`, `Vec`,
//! `VecDeque`, `LinkedList`, `BinaryHeap`, a set, a map (keys and values),
//! `Cell`, `RefCell`, `Mutex`, `RwLock`, `OnceCell`, `OnceLock`, `Reverse`,
//! `Wrapping`, `Saturating`, `Pin`, `Bound`, a range, and an alias of a
//! one-parameter container among these; a borrowed field (`&'a Settings`)
//! as well as an owned one. The check cannot see through a generic type
//! parameter (a field typed `T` is not checked), an alias of a tuple or of a
//! `Result` (written out, their members are checked), nor into a type of
//! yours that holds an auditable one without deriving `Auditable` itself. A
//! tracked field that serde skips (`#[serde(skip)]`,
//! `skip_serializing`) is a build error too: classify it `ignore` or
//! `secret`. A tracked `HashSet` or `HashMap` is recorded sorted, at any
//! depth of the type as written (`BTreeMap<String, HashSet<String>>`,
//! `Vec<(u8, HashSet<u32>)>`; a set inside a type of yours is not seen: make
//! it a `BTreeSet`), and JSON objects are recorded with sorted keys whether or
//! not `serde_json`'s `preserve_order` feature is on, so that equal values
//! serialize alike.
//!
//! A `create` entry records every tracked field of the new value as
//! `{"new": .., "secret": false}`, a `delete` entry every tracked field of
//! the old one as `{"old": .., "secret": false}`, at every depth; secret
//! fields as `{"secret": true}`.
//!
//! The diff key is the field's serde name: `#[serde(rename)]`, the
//! container's `#[serde(rename_all)]` and raw identifiers (`r#type` is
//! `type`) are honoured; `#[audit(rename = "key")]` overrides it.
//!
//! # Sentences
//!
//! Every entry records the sentence an auditor reads, as its
//! [`description`](AuditEntry::description): "user-1 archived chat Plans".
//! By default it is `{actor} {past} {noun} {target}`: the actor (a
//! background job's subsystem followed by "automatically", or "someone"),
//! the action's past form, the resource's `noun`, and its target.
//!
//! - The past forms of common verbs are built in: `create` "created",
//!   `write` "updated", `delete` "deleted", `login` "logged in", `logout`
//!   "logged out", `register`, `start`, `stop`, `archive`, `unarchive`,
//!   `share`, `unshare`, `open`, `close`, `connect`, `disconnect`, `restore`,
//!   `approve`, `reject`, `invite`, `revoke`, `rotate`, `enable`, `disable`,
//!   `publish`, `lock`, `unlock`, `read` and more. Any other verb declares
//!   its own, `actions(request_access = "requested access to")`; one with
//!   neither is a build error asking for it. A rule would guess wrong
//!   (`stop` "stopped", `send` "sent", `run` "ran"), and a wrong word in an
//!   auditor's sentence costs more than one line of declaration.
//! - A status of 400 or more says "user-1 unsuccessfully attempted to
//!   delete chat Plans", with the action's verb, never its past form (a
//!   failed login never reads "logged in"); an entry flagged
//!   [`Uncommitted`](Flag::Uncommitted) ends "(not confirmed)".
//!
//! A field may declare what a successful `write` that changes it alone
//! says, with `says(condition = "sentence", ...)`; the actor goes before
//! the sentence, and with two such fields changed the default one is said:
//!
//! - `true = "archived {noun} {target}"`, `Status::Active = "..."`: when
//!   the new value equals this one (by `PartialEq`; a value of another type
//!   is a build error at the condition);
//! - `added = "..."`, `removed = "..."`, on a keyed list or a per-entry map
//!   or set: when it only gained, or only lost, elements;
//! - `changed = "..."`: any other change of the field (the only condition a
//!   secret or a nested struct takes: a sentence chosen by a secret's value
//!   would reveal it, and one chosen by a nested struct's value would compare
//!   its secrets).
//!
//! The placeholders are `{actor}`, `{noun}`, `{target}`, `{past}`,
//! `{action}`, `{old}` and `{new}` (a tracked value recorded whole), and
//! `{added}` and `{removed}` (counts, with a plural form
//! `{added|user|users}`); `{{` and `}}` are braces. An unknown placeholder,
//! `{old}` or `{new}` on a secret ("would print a secret"), `says` on an
//! ignored field, and a resource without `write` are build errors. Every
//! sentence is listed in the [generated reference](docs), so its drift check
//! covers the wording.
//!
//! ```
//! use audit_core::{Action, AuditRequest, Auditable, MemorySink};
//!
//! #[derive(Clone, Auditable)]
//! #[audit(noun = "chat", actions(create, write, share = "shared"))]
//! struct Chat {
//!     #[audit(track)]
//!     id: u64,
//!     #[audit(track)]
//!     name: String,
//!     #[audit(track, says(true = "archived {noun} {target}", false = "unarchived {noun} {target}"))]
//!     archived: bool,
//! }
//!
//! let sink = MemorySink::new();
//! let old = Chat { id: 7, name: "Plans".into(), archived: false };
//! let mut request = AuditRequest::new(&sink, Action::WRITE).actor("user-1");
//! request.set_old(old.clone());
//! request.set_new(Chat { archived: true, ..old.clone() });
//! request.commit(200).unwrap();
//! assert_eq!(sink.last().unwrap().description(), "user-1 archived chat Plans");
//!
//! let mut request = AuditRequest::new(&sink, Action::DELETE).actor("user-1");
//! request.set_old(old);
//! request.commit(403).unwrap();
//! assert_eq!(
//!     sink.last().unwrap().description(),
//!     "user-1 unsuccessfully attempted to delete chat Plans",
//! );
//! ```
//!
//! # Types you cannot annotate
//!
//! A type generated by an ORM or by protobuf, or defined in another crate,
//! takes no `#[audit(...)]`, and the orphan rule forbids implementing
//! [`Auditable`] for another crate's type. Declare a mirror instead: a struct
//! of yours with `#[audit(remote = path::Type)]` and the same fields, with
//! the same names and types, each classified. The remote type is then
//! [`Audited`] through the mirror: [`diff`](fn@diff), [`AuditRequest`] and
//! [`BackgroundAudit`] take its values directly, and the resource id,
//! target, link and organization are read from them (a `target_with` or
//! `link_with` function takes the remote type). The mirror is never
//! constructed; its schema is registered and documented as any resource's,
//! and is `<Type as Audited<Mirror>>::AUDIT_SCHEMA`. Its resource type
//! defaults to the mirror's name in snake_case: name it with `resource`.
//!
//! ```
//! use audit_core::{Audited, Auditable};
//! use serde_json::json;
//!
//! mod entity {
//!     // Generated: regenerating it would drop any attribute written here.
//!     pub struct Model {
//!         pub id: i64,
//!         pub title: String,
//!         pub share_token: String,
//!         pub updated_at: u64,
//!     }
//! }
//!
//! #[derive(Auditable)]
//! #[audit(remote = entity::Model, resource = "chat", link = "/chats/{id}")]
//! struct ChatAudit {
//!     #[audit(track)]
//!     id: i64,
//!     #[audit(track)]
//!     title: String,
//!     #[audit(secret = "the share link grants access")]
//!     share_token: String,
//!     #[audit(ignore = "bookkeeping")]
//!     updated_at: u64,
//! }
//!
//! let old = entity::Model { id: 7, title: "Plans".into(), share_token: "s1".into(), updated_at: 1 };
//! let new = entity::Model { title: "Secret plans".into(), share_token: "s2".into(), updated_at: 2, ..old };
//! assert_eq!(
//!     serde_json::to_value(audit_core::diff(&old, &new)).unwrap(),
//!     json!({
//!         "title": {"old": "Plans", "new": "Secret plans", "secret": false},
//!         "share_token": {"secret": true},
//!     }),
//! );
//! assert_eq!(new.audit_resource_link().as_deref(), Some("/chats/7"));
//! ```
//!
//! The build checks the mirror against the type, so that the two cannot
//! drift apart when the type is regenerated:
//!
//! - A field of the type that the mirror does not name fails the build with
//!   `error[E0027]: pattern does not mention field owner_id`, pointing at
//!   `remote = ..` (ignore rustc's suggestions there: they are written into
//!   the attribute). Add the field to the mirror, with its type and a class:
//!   `#[audit(track)] owner_id: i64`, or `#[audit(ignore = "why")]`, or
//!   `#[audit(secret)]`.
//! - A field of the mirror whose type is not the type's field's fails the
//!   build with `error[E0308]: mismatched types` at the mirror's field.
//! - A type with private fields, or marked `#[non_exhaustive]`, cannot be
//!   matched field by field. Write `partial = "why coverage cannot be
//!   checked"`: the mirror then names the fields it can see, each still
//!   type-checked, a field added to the type is not reported, and the
//!   generated docs mark the resource "field coverage **not checked**", with
//!   the reason.
//!
//! A mirror cannot be generic, nor `embedded`: a remote type is audited as a
//! resource.
//!
//! # Entries and sinks
//!
//! At run time an [`AuditRequest`] guard captures the old and the new value
//! around a mutation and commits one [`AuditEntry`] for an [`Action`] to an
//! [`AuditSink`]: [`JsonLinesSink`] (a durable append-only file; the
//! [`json_lines`] module also reads such a file back), [`MemorySink`] (for
//! tests, with assertions on the diffs), `TracingSink`, [`NopSink`], or
//! `KafkaSink` (feature `kafka`: a fleet's entries through Kafka, chained
//! per origin, spooled on disk while the broker is away).
//! [`BackgroundAudit`] writes entries on behalf of a subsystem. Something
//! that looks wrong, such as a successful `write` whose diff is empty (the
//! "new" value was most likely captured before the change), is exported
//! anyway with a [`Flag`]. A sink that cannot take an entry hands it back in
//! an [`ExportError`]: nothing is dropped silently.
//!
//! ```
//! use audit_core::{Action, Auditable, MemorySink, AuditRequest};
//!
//! #[derive(Clone, serde::Serialize, Auditable)]
//! struct Chat {
//!     #[audit(track)]
//!     id: u64,
//!     #[audit(track)]
//!     pin_order: i32,
//! }
//!
//! let sink = MemorySink::new();
//! let mut audit = AuditRequest::new(&sink, Action::WRITE).actor("user-1");
//! audit.set_old(Chat { id: 7, pin_order: 0 });
//! audit.set_new(Chat { id: 7, pin_order: 1 });
//! audit.commit(200).unwrap();
//!
//! sink.assert_one_change("chat", "7", &["pin_order"]);
//! ```
//!
//! # Entry format
//!
//! An entry's `diff` is a JSON object, one member per changed field, keyed
//! by its path (`archived`, `settings.theme`, `labels['app.kubernetes.io/name']`,
//! `members[id=3].role`), each member one of these shapes:
//!
//! | shape | meaning |
//! | --- | --- |
//! | `{"old": .., "new": .., "secret": false}` | a tracked value changed |
//! | `{"secret": true}` | a secret changed; never a value |
//! | `{"secret": false, "error": ".."}` | changed, but could not be serialized; or a keyed list with a duplicate key |
//! | `{"new": .., "secret": false}` / `{"old": .., "secret": false}` | a field of a created / deleted resource |
//! | `{"op": "add", "new": .., "secret": false}` / `{"op": "remove", "old": .., "secret": false}` | an entry, element or optional value added / removed inside the resource |
//! | `{"op": "add", "secret": true}` / `{"op": "remove", "secret": true}` | a secret added / removed; never a value |
//! | `{"op": "add", "secret": false}` / `{"op": "remove", "secret": false}` | a nested struct or keyed element added / removed; its fields follow under its path |
//!
//! `op` is absent for a change in place, so that entries of flat structs are
//! byte-identical to those of versions before nesting. Those versions'
//! readers reject `op`; this version's reader ([`json_lines::read`], and
//! [`Diff`]'s `Deserialize`) reads every shape above and writes it back
//! byte-identical. A reader rejects a member it does not know rather than
//! misread a change: [`json_lines::read`] lists such a line in `skipped`,
//! with the error, so that an entry written by a newer version is never
//! lost silently. Read a file with a reader at least as new as its writer.
//!
//! # Values
//!
//! A tracked field is compared with its `PartialEq` and, only when it
//! changed, serialized with `serde_json`, so that the diff records what the
//! struct's own JSON holds. It is the field's own serialization: the
//! field's `#[serde(with)]` applies, its `#[serde(flatten)]` and
//! `skip_serializing_if` do not (a flattened field is recorded whole under its
//! key, a skipped `None` as `null`). Some values need care:
//!
//! - A value that cannot be serialized (a map with non-string keys, a
//!   `Serialize` impl that fails) is still recorded as changed, with the
//!   error in place of both values, the old value's error first:
//!   `{"secret": false, "error": "key must be a string"}`. Diffing never
//!   panics.
//! - A value that nests arrays and objects more than 100 levels deep (a
//!   client's JSON, say) is recorded the same way, with the error `the value
//!   nests deeper than 100 levels of arrays and objects`, and so is such an
//!   additional field (`{"error": "not recorded: …"}`): readers (`serde_json`
//!   stops at 128 levels) must read every entry the writer wrote, so the
//!   limit is decided once, when the entry is made.
//! - Integers are recorded exactly from `i64::MIN` to `u64::MAX`, whatever
//!   their Rust type. A `u128` or `i128` beyond that records the error
//!   `number out of range`, never a rounded value: `serde_json::Value` holds
//!   64-bit integers (its `arbitrary_precision` feature would change that for
//!   every crate in the build, so audit-core does not turn it on). To record
//!   such numbers, serialize the field as a string with `#[serde(with)]`.
//! - NaN is not equal to itself, so a field holding one, anywhere inside it,
//!   is recorded as changed by every diff, even of a value with itself: the
//!   diff reports what `PartialEq` reports rather than hide a change.
//!   `serde_json` writes NaN and the infinities as `null`. Where NaN is a value
//!   a field may hold, give it a type whose equality is reflexive (a newtype
//!   comparing with `f64::total_cmp`), or use `Option<f64>` for "no value".
//! - `0.0` and `-0.0` are equal: no change. An `f32` is widened to `f64`
//!   exactly: `0.1_f32` is recorded as `0.10000000149011612`.
//!
//! ```
//! use audit_core::Auditable;
//! use serde_json::json;
//!
//! #[derive(Clone, Auditable)]
//! struct Meter {
//!     #[audit(track)]
//!     id: u32,
//!     #[audit(track)]
//!     level: f64,
//!     #[audit(track)]
//!     total: u128,
//! }
//!
//! let meter = Meter { id: 1, level: f64::NAN, total: 1 };
//! assert_eq!(
//!     serde_json::to_value(audit_core::diff(&meter, &meter)).unwrap(),
//!     json!({"level": {"old": null, "new": null, "secret": false}}),
//! );
//!
//! let read = Meter { level: 0.5, total: u128::MAX, ..meter.clone() };
//! assert_eq!(
//!     serde_json::to_value(audit_core::diff(&meter, &read)).unwrap(),
//!     json!({
//!         "level": {"old": null, "new": 0.5, "secret": false},
//!         "total": {"secret": false, "error": "number out of range"},
//!     }),
//! );
//! ```
//!
//! # Features
//!
//! - `derive` (default): re-exports `#[derive(Auditable)]`.
//! - `registry` (default): every derived schema is registered, so that
//!   [`docs::registered`] lists them all without a hand-kept list; see the
//!   [`docs`] module for the documentation rendered from them.
//! - `tracing` (default): reports flagged entries and export failures through
//!   `tracing`, and offers [`TracingSink`].
//! - `checkpoints`: signs checkpoints of the [hash chain](chain) with
//!   Ed25519 (`chain::checkpoint`), so that a removed tail or a rewritten
//!   log is caught.
//! - `tokio`: the async path for services on tokio:
//!   `AuditRequest::commit_async`, and `AuditSink::export_async` and
//!   `AuditSink::flush_async`, which await room in a sink that is behind
//!   instead of blocking a worker thread. See [Async code](#async-code).
//! - `sqlite`: `sqlite::SqliteStore`, a sink and queryable store in an
//!   embedded SQLite database (rusqlite, with SQLite compiled in).
//! - `postgres` (turns on `tokio`): `postgres::PostgresStore`, the same in
//!   PostgreSQL (sqlx on tokio, with TLS by rustls).
//! - `axum` (turns on `tokio`): the `axum` module, a tower layer that audits HTTP requests and
//!   the `Audit<T>` extractor for axum handlers.
//!
//! The [`store`] module, always built, holds what the stores share: the
//! query, its pages and cursor, and the [`Outbox`](store::Outbox) for
//! writing in the caller's transaction.
//!
//! # Async code
//!
//! The sync API blocks its thread when a sink is behind: [`JsonLinesSink`]'s
//! `export` waits for room in its bounded buffer (up to a bound, then hands
//! the entry back), and `flush` waits for the disk. In a tokio service, turn
//! on the `tokio` feature and await instead:
//!
//! ```
//! # #[cfg(feature = "tokio")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use audit_core::{Action, Auditable, AuditRequest, AuditSink, JsonLinesSink};
//!
//! #[derive(Clone, serde::Serialize, Auditable)]
//! struct Chat {
//!     #[audit(track)]
//!     id: u64,
//!     #[audit(track)]
//!     archived: bool,
//! }
//!
//! async fn archive(sink: &JsonLinesSink, stored: Chat) -> Result<(), audit_core::ExportError> {
//!     let mut audit = AuditRequest::new(sink, Action::WRITE).actor("user-1");
//!     audit.set_old(stored.clone());
//!     audit.set_new(Chat { archived: true, ..stored }); // re-read after the update
//!     audit.commit_async(200).await
//! }
//!
//! let dir = tempfile::tempdir()?;
//! let sink = JsonLinesSink::open(dir.path().join("audit.jsonl"))?;
//! tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//!     archive(&sink, Chat { id: 7, archived: false }).await?;
//!     sink.flush_async().await
//! })?;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! - `commit_async` awaits room when the sink is full; a future dropped while
//!   waiting still hands its entry over, beyond the bound. It also consumes
//!   tokio's cooperative budget, so a task committing in a loop yields.
//! - A guard dropped uncommitted cannot await: it uses
//!   [`AuditSink::export_without_waiting`], which a bounded sink honours by
//!   going beyond its bound. An entry no sink can take and no caller can be
//!   handed is written to standard error, one line of JSON, always (and
//!   through `tracing` too): a `tracing` subscriber may filter or drop it.
//! - A sink of your own implements `export` (and `flush`); it overrides
//!   `export_async` and `flush_async` only when it can be behind or its flush
//!   does I/O. The defaults call the sync methods.
//!
//! # Evidence
//!
//! [`JsonLinesSink`] hash-chains every line it writes ([`chain`]), and every
//! entry records the [`Schema::fingerprint`] of the classification that
//! wrote it. A secret declared `#[audit(secret = "why", fingerprint)]`
//! records keyed fingerprints of its old and new values, made with the key
//! the application [installs](secret_fingerprint::install) once; see
//! [`secret_fingerprint`]. `audit verify`, in the `audit-cli` crate, checks a log.

// docs.rs builds with every feature and `--cfg docsrs`, and marks each gated
// item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
// Library code reports errors; tests may unwrap.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// Lets the derive's `::audit_core::...` paths resolve inside this crate too.
#[allow(unused_extern_crates)]
extern crate self as audit_core;

// The wings, from the floor up (their import rules are checked by
// tests/import_rules.rs):
// - `model`: what a type is (the traits, its schema, actions);
// - `diff`: how two values differ; `private`: what generated code calls;
// - `entry`: what an entry is, and the guards that make one (`context.rs`
//   alone decides the commit rules and flags);
// - `sink`: where an entry goes; `writer`: the one background engine under
//   the JSON-lines sink and the stores; `store`: what can be queried, with
//   `sqlite` and `postgres` inside;
// - `chain`: evidence; `docs`: the reference; `axum`: the web layer.
pub mod diff;
mod entry;
mod hex;
mod model;
pub mod sink;
mod writer;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
pub mod chain;
pub mod docs;
pub mod secret_fingerprint;
pub mod store;
#[cfg(feature = "viewer")]
#[cfg_attr(docsrs, doc(cfg(feature = "viewer")))]
pub mod viewer;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

pub use crate::diff::Diff;
pub use crate::entry::background::BackgroundAudit;
pub use crate::entry::request::AuditRequest;
pub use crate::entry::{AuditEntry, Flag};
pub use crate::model::action::{Action, InvalidAction};
pub use crate::model::schema::{
    FieldClass, FieldSchema, FieldSentence, FieldShape, Schema, SchemaKind, SentenceCondition,
};
pub use crate::model::{AuditFields, Auditable, Audited, diff};
#[cfg(feature = "kafka")]
#[cfg_attr(docsrs, doc(cfg(feature = "kafka")))]
pub use crate::sink::kafka;
pub use crate::sink::{AuditSink, ExportError, json_lines};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use crate::store::postgres;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use crate::store::sqlite;

// Where users found them before the wings: the diff's path types are
// `audit_core::diff::…`'s and the sinks `audit_core::sink::…`'s; these paths
// keep working, out of the root page.
#[doc(hidden)]
pub use crate::diff::{Change, FieldChange, Op, PathSegment, PathSegments};
#[cfg(feature = "tokio")]
#[doc(hidden)]
pub use crate::sink::ExportFuture;
#[cfg(feature = "tracing")]
#[doc(hidden)]
pub use crate::sink::TracingSink;
#[doc(hidden)]
pub use crate::sink::{JsonLinesSink, MemorySink, NopSink};

/// Derives [`Auditable`]; see the [crate docs](crate) for the attributes.
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use audit_derive::Auditable;
