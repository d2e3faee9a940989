//! The hash chains in a SQL store, one per origin: each sealed row's
//! `entry_json` is a chained line and its `seq` column the line's sequence
//! number in the chain of its `origin` column.
//!
//! One writer at a time extends a chain: on SQLite, the writer that holds
//! the database's write lock, which reads its origin's head, the row with
//! the highest `seq`, inside the transaction it inserts in; on PostgreSQL,
//! the table's one sealer, which chains rows once they are committed (see
//! `postgres/seal.rs`). A rolled-back transaction takes nothing with it, so
//! it leaves no gap.

use std::borrow::Cow;

use crate::chain::verify::{Problem, ProblemKind, Report};
use crate::chain::{ChainError, Chainer, Digest, Head};
use crate::diff::Diff;
use crate::entry::AuditEntry;
use crate::model::action::Action;
use crate::store::StoreError;
use crate::store::cursor::micros;
use crate::store::sql::flag_name;

/// The origin a store's chain starts with when nobody set one.
pub const DEFAULT_ORIGIN: &str = "audit-store";

/// What [`verify`](crate::chain::verify) found in a store for one origin:
/// the chain of its sealed rows, read in `seq` order (a problem's `line` is
/// the row's position in that order, from 1), its rows not sealed yet, and
/// how many rows of the store are not chained at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreReport {
    /// The origin whose rows were verified.
    pub origin: String,
    /// The chain's report.
    pub chain: Report,
    /// The origin's rows committed but not sealed yet: a sealer chains them
    /// within its interval (see [`store`](crate::store#tamper-evidence)).
    /// Not tampering, and not verified yet.
    pub unsealed: Unsealed,
    /// How many rows of the store (of any origin) have no `seq` and no
    /// origin: written before the store chained its entries (schema version
    /// 1), or inserted behind the store's back. No chain covers them.
    pub unchained: u64,
    /// How many rows of the store have a `seq` but no origin: in no chain,
    /// since every chain is an origin's. No writer makes them; they were
    /// inserted behind the store's back.
    pub orphaned: u64,
    /// The purge records in the origin's chain, in `seq` order: what a
    /// retention purge of that chain deleted (see [`Purge`]).
    pub purges: Vec<Purge>,
    /// The purge records of this origin chained in another origin's chain,
    /// each with that chain's origin, in order: a purge of a chain the store
    /// does not extend itself (lines appended with `append_chained`, whose
    /// next sequence number is their producer's) is recorded in the purging
    /// store's own chain, naming this origin.
    pub purges_elsewhere: Vec<(String, Purge)>,
    /// The latest record, in this origin's chain, of the rows a migration
    /// from schema version 1 left unchained (written before the store chained
    /// its entries; see [`UNCHAINED_ACTION`]): its `seq`, as its chained line
    /// records it, and whether the unchained rows are
    /// exactly those it names. Any other unchained row was inserted behind
    /// the store's back.
    pub unchained_record: Option<UnchainedRecord>,
}

/// An origin's rows committed but not sealed yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unsealed {
    /// How many.
    pub rows: u64,
    /// The time of the oldest one's entry, in microseconds since the Unix
    /// epoch: how long the longest has waited, give or take the time
    /// between the entry's making and its commit.
    pub oldest_us: Option<i64>,
}

/// What a store recorded, in its chain, of the rows a migration from schema
/// version 1 left without a `seq`: see [`StoreReport::unchained_record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnchainedRecord {
    /// The sequence number of the record.
    pub seq: u64,
    /// Whether the rows without a `seq` now are exactly the rows it names
    /// (their number and the SHA-256 of their sorted ids).
    pub matches: bool,
}

/// The action of the record a store writes, through its writer, when it
/// first opens a table migrated from schema version 1 whose rows have no
/// `seq` (written before entries were chained): their number and the SHA-256 of
/// their sorted ids, in the additional fields `unchained_rows` and
/// `unchained_ids_sha256`, on the resource [`PURGE_RESOURCE_TYPE`]. Being
/// chained, and covered by the checkpoints after it, the record tells those
/// rows from any row inserted later without a `seq`.
pub const UNCHAINED_ACTION: &str = "record_unchained";

/// [`UNCHAINED_ACTION`] as an action: a compile-time check of its name.
const UNCHAINED: Action = Action::from_static(UNCHAINED_ACTION);

/// The SHA-256 of `ids` sorted, one per line as text: what an unchained
/// record names.
pub(crate) fn unchained_digest(mut ids: Vec<uuid::Uuid>) -> Digest {
    ids.sort_unstable();
    let mut text = String::with_capacity(ids.len() * 37);
    for id in ids {
        text.push_str(&id.to_string());
        text.push('\n');
    }
    Digest::of(text.as_bytes())
}

/// The record of the unchained rows `ids`: their number, and the hash of
/// their sorted ids.
pub(crate) fn unchained_entry(origin: &str, ids: Vec<uuid::Uuid>) -> AuditEntry {
    let rows = u64::try_from(ids.len()).unwrap_or(u64::MAX);
    let digest = unchained_digest(ids);
    let mut entry = purge_entry(origin, 0, 0);
    entry.action = UNCHAINED;
    entry.additional_fields.clear();
    entry
        .additional_fields
        .insert("unchained_rows".to_owned(), rows.into());
    entry
        .additional_fields
        .insert("unchained_ids_sha256".to_owned(), digest.to_string().into());
    entry.description = Some(format!(
        "the store recorded {rows} {} written outside the chain of {origin}",
        if rows == 1 { "row" } else { "rows" }
    ));
    entry
}

/// The number and digest that `entry_json` records, if it is an unchained record.
pub(crate) fn unchained_record_of(entry_json: &str) -> Option<(u64, String)> {
    let entry: AuditEntry = serde_json::from_str(entry_json).ok()?;
    if entry.action.as_str() != UNCHAINED_ACTION || entry.resource_type != PURGE_RESOURCE_TYPE {
        return None;
    }
    let fields = &entry.additional_fields;
    Some((
        fields.get("unchained_rows")?.as_u64()?,
        fields.get("unchained_ids_sha256")?.as_str()?.to_owned(),
    ))
}

/// The latest unchained record in the chain of the origin `$1`: `seq` and
/// `entry_json`.
pub(crate) const SELECT_UNCHAINED_RECORD: &str = "SELECT seq, entry_json FROM audit_entries \
     WHERE origin = $1 AND seq IS NOT NULL AND action = 'record_unchained' \
     AND resource_type = 'audit_log' ORDER BY seq DESC LIMIT 1";

/// How many rows have a `seq` but no origin: in no chain.
pub(crate) const COUNT_ORPHANED: &str =
    "SELECT count(*) FROM audit_entries WHERE origin IS NULL AND seq IS NOT NULL";

/// Whether a store's migration may take a table from version 1, whose rows
/// have no chain.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FromVersion1 {
    /// The caller migrates a table of its own and cannot record version 1's
    /// rows in a chain: a version-1 table is refused.
    Refused,
    /// The store's open, which records them right after.
    Allowed,
}

/// Whether any chain holds an unchained record.
pub(crate) const ANY_UNCHAINED_RECORD: &str = "SELECT 1 FROM audit_entries \
     WHERE seq IS NOT NULL AND action = 'record_unchained' AND resource_type = 'audit_log' \
     LIMIT 1";

/// The report's unchained record: the latest one, at `seq` holding
/// `entry_json`, checked against the `ids` of the rows without a `seq` now.
pub(crate) fn check_unchained(
    record: Option<(i64, String)>,
    ids: Vec<uuid::Uuid>,
) -> Option<UnchainedRecord> {
    let (_, json) = record?;
    let (rows, digest) = unchained_record_of(&json)?;
    let count = u64::try_from(ids.len()).unwrap_or(u64::MAX);
    Some(UnchainedRecord {
        // Where the chained line says it is, not the `seq` column, which
        // anyone who can write the table can renumber.
        seq: crate::chain::link_of(json.as_bytes())?.seq,
        matches: rows == count && digest == unchained_digest(ids).to_string(),
    })
}

/// The record a store's `purge_before` writes, through the store's writer,
/// once it deleted the oldest rows: an entry with the action
/// [`PURGE_ACTION`], the resource type [`PURGE_RESOURCE_TYPE`], the chain's
/// origin as resource id, and `purged_through_seq` and `purged` in its
/// additional fields. It is chained like any entry, so the checkpoints after
/// it cover it: they are the signed evidence of where the chain now starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Purge {
    /// The sequence number of the record itself.
    pub seq: u64,
    /// The last sequence number the purge deleted: the chain left starts
    /// with the next one.
    pub through_seq: u64,
    /// How many rows it deleted.
    pub purged: u64,
    /// The record's entry id.
    pub id: uuid::Uuid,
    /// The key id and signature a store with checkpoints signs the record
    /// with ([`PURGE_SIGNATURE`]); see [`Purge::is_signed_by`].
    signature: Option<[u8; 68]>,
}

/// The additional field of a purge record that holds its signature, by the
/// key that signs the store's checkpoints: 4 bytes of key id and the
/// Ed25519 signature, in hex, of the statement `audit-rs/purge/v1`, the
/// purged origin, the record's id, `purged_through_seq` and `purged`, one a
/// line. Anyone who can write a store can delete its oldest rows and write a
/// purge record; only the holder of the checkpoint key can sign one.
pub const PURGE_SIGNATURE: &str = "purge_signature";

impl Purge {
    /// Whether the record is signed by `key` as the purge of the chain of
    /// `origin` (the one the record names): what tells a retention purge
    /// from rows deleted by whoever could write the store.
    #[cfg(feature = "checkpoints")]
    #[cfg_attr(docsrs, doc(cfg(feature = "checkpoints")))]
    pub fn is_signed_by(&self, key: &crate::chain::checkpoint::VerifierKey, origin: &str) -> bool {
        self.signature.as_ref().is_some_and(|signature| {
            key.signed_purge(origin, self.id, self.through_seq, self.purged, signature)
        })
    }
}

/// Signs the purge record `entry` (made by [`purge_entry`]) with the key
/// of the store's checkpoints.
#[cfg(feature = "checkpoints")]
pub(crate) fn sign_purge(
    entry: &mut AuditEntry,
    signer: &crate::chain::checkpoint::CheckpointSigner,
) {
    let field = |name: &str| {
        entry
            .additional_fields
            .get(name)
            .and_then(serde_json::Value::as_u64)
    };
    let (Some(through_seq), Some(purged)) = (field("purged_through_seq"), field("purged")) else {
        return;
    };
    let signature = signer.sign_purge(&entry.resource_id, entry.id, through_seq, purged);
    entry
        .additional_fields
        .insert(PURGE_SIGNATURE.to_owned(), signature.into());
}

/// The action of a purge record.
pub const PURGE_ACTION: &str = "purge";

/// [`PURGE_ACTION`] as an action: a compile-time check of its name.
const PURGE: Action = Action::from_static(PURGE_ACTION);

/// The resource type of a purge record: the log itself.
pub const PURGE_RESOURCE_TYPE: &str = "audit_log";

/// The purge record of a purge of the chain `origin` that deleted `purged`
/// rows, the chained ones up to `through_seq`.
pub(crate) fn purge_entry(origin: &str, through_seq: i64, purged: u64) -> AuditEntry {
    let time = time::OffsetDateTime::now_utc();
    let mut additional_fields = serde_json::Map::new();
    additional_fields.insert("purged_through_seq".to_owned(), through_seq.into());
    additional_fields.insert("purged".to_owned(), purged.into());
    AuditEntry {
        id: uuid::Uuid::now_v7(),
        time,
        actor: None,
        organization_id: None,
        ip: None,
        user_agent: None,
        resource_type: Cow::Borrowed(PURGE_RESOURCE_TYPE),
        resource_id: origin.to_owned(),
        resource_target: origin.to_owned(),
        resource_link: None,
        action: PURGE,
        description: Some(format!(
            "the store purged {purged} {} of {origin}, through sequence number {through_seq}",
            if purged == 1 { "entry" } else { "entries" }
        )),
        diff: Diff::new(),
        status_code: None,
        additional_fields,
        request_id: None,
        schema_fingerprint: None,
        flags: Vec::new(),
    }
}

/// The purge record that the chained line `entry_json` holds, if it is one,
/// at the sequence number the line records (not the row's `seq` column,
/// which anyone who can write the table can renumber).
pub(crate) fn purge_of(entry_json: &str) -> Option<Purge> {
    let seq = crate::chain::link_of(entry_json.as_bytes())?.seq;
    let entry: AuditEntry = serde_json::from_str(entry_json).ok()?;
    if entry.action.as_str() != PURGE_ACTION || entry.resource_type != PURGE_RESOURCE_TYPE {
        return None;
    }
    let field = |name: &str| entry.additional_fields.get(name)?.as_u64();
    let signature = entry
        .additional_fields
        .get(PURGE_SIGNATURE)
        .and_then(serde_json::Value::as_str)
        .and_then(crate::hex::parse_hex);
    Some(Purge {
        seq,
        through_seq: field("purged_through_seq")?,
        purged: field("purged")?,
        id: entry.id,
        signature,
    })
}

/// Whether a row about to be purged says, in its `seq` and time columns
/// (`time_us`, in microseconds), something else than its chained line: a
/// purge reads the columns to know where to stop, so a row whose time was
/// edited into the past would have the store's own, signed purge delete
/// recent entries. Such a purge is refused.
pub(crate) fn purged_row_differs(seq: i64, time_us: i64, entry_json: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Line {
        #[serde(with = "time::serde::rfc3339")]
        time: time::OffsetDateTime,
    }
    let linked = crate::chain::link_of(entry_json.as_bytes()).map(|link| link.seq);
    let time = serde_json::from_str::<Line>(entry_json).map(|line| line.time);
    match (linked, time) {
        (Some(linked), Ok(time)) => {
            i64::try_from(linked).ok() != Some(seq) || micros(time) != time_us
        }
        _ => true,
    }
}

/// The rows of `origin`'s chain a purge through `through` deletes, and the one after
/// (the first it keeps, which bounded it): `seq`, the time and `entry_json`,
/// to check against [`purged_row_differs`] before deleting any.
pub(crate) fn select_purged<S: crate::store::sql::Dialect>(
    origin: &str,
    through: i64,
    sql: &mut S,
) {
    use crate::store::sql::Bind;
    sql.push("SELECT seq, ");
    sql.push(S::TIME_US);
    sql.push(", entry_json FROM audit_entries WHERE origin = ");
    sql.bind(Bind::Text(origin));
    sql.push(" AND seq IS NOT NULL AND seq <= ");
    sql.bind(Bind::Int(through.saturating_add(1)));
    sql.push(" ORDER BY seq");
}

/// The refusal of a purge that found `seq` of `origin` edited.
pub(crate) fn refused_purge(origin: &str, seq: i64) -> StoreError {
    StoreError::Corrupt {
        detail: format!(
            "the row seq {seq} of origin {origin:?} says something else in its columns than its chained entry; the purge was refused, deleting nothing: run `audit verify`"
        ),
    }
}

/// The rows of the origin `$1`'s chain that are purge records, in `seq`
/// order: `seq` and `entry_json`.
pub(crate) const SELECT_PURGES: &str = "SELECT seq, entry_json FROM audit_entries \
    WHERE origin = $1 AND action = 'purge' AND resource_type = 'audit_log' AND seq IS NOT NULL \
    ORDER BY seq";

/// The purge records naming the origin `$1` in other origins' chains:
/// `origin`, `seq` and `entry_json`.
pub(crate) const SELECT_PURGES_ELSEWHERE: &str = "SELECT origin, seq, entry_json FROM audit_entries \
    WHERE resource_id = $1 AND origin <> $1 AND action = 'purge' AND resource_type = 'audit_log' \
    AND seq IS NOT NULL ORDER BY origin, seq";

/// The table of the origins whose lines were appended with
/// `append_chained`: their chains' next sequence numbers are their
/// producers', so a purge records itself elsewhere. Made on every open.
pub(crate) const APPENDED_ORIGINS: &str =
    "CREATE TABLE IF NOT EXISTS audit_appended_origins (origin TEXT PRIMARY KEY)";

/// Records that lines of the origin `$1` were appended.
pub(crate) const RECORD_APPENDED_ORIGIN: &str =
    "INSERT INTO audit_appended_origins (origin) VALUES ($1) ON CONFLICT DO NOTHING";

/// The origins whose lines were appended.
pub(crate) const SELECT_APPENDED_ORIGINS: &str = "SELECT origin FROM audit_appended_origins";

/// The origins of a store's rows, chained or not yet, in order: one index
/// probe per origin (a loose index scan of `audit_entries_origin`), not a
/// scan of the table, however many rows each has.
pub(crate) const SELECT_ORIGINS: &str = "WITH RECURSIVE origins (origin) AS ( \
     SELECT min(origin) FROM audit_entries \
     UNION ALL SELECT (SELECT min(origin) FROM audit_entries WHERE origin > origins.origin) \
     FROM origins WHERE origins.origin IS NOT NULL) \
     SELECT origin FROM origins WHERE origin IS NOT NULL ORDER BY origin";

/// The columns of a row that queries filter on, as stored.
#[derive(Debug, Default)]
pub(crate) struct StoredColumns {
    pub(crate) id: Option<uuid::Uuid>,
    pub(crate) time_us: Option<i64>,
    pub(crate) actor: Option<String>,
    pub(crate) organization_id: Option<String>,
    pub(crate) resource_type: Option<String>,
    pub(crate) resource_id: Option<String>,
    pub(crate) action: Option<String>,
    pub(crate) status_code: Option<i64>,
    pub(crate) request_id: Option<String>,
    /// `None` when the column does not hold a list of names (a JSON object
    /// in SQLite, say, whose values a search would read as flags): it then
    /// says nothing the chained line says.
    pub(crate) flags: Option<Vec<String>>,
    /// The diff as the column holds it (the auditors' page reads it to tell
    /// a value set back from one changed); `None` when it is no JSON.
    pub(crate) diff: Option<serde_json::Value>,
    /// The additional fields as the column holds them.
    pub(crate) additional_fields: Option<serde_json::Value>,
}

impl StoredColumns {
    /// The first column that does not say what the chained `line` says, if
    /// any. A line that is not an entry is the chain's business, not this.
    pub(crate) fn first_difference(&self, line: &[u8]) -> Option<&'static str> {
        let entry: AuditEntry = serde_json::from_slice(line).ok()?;
        let flags: Vec<String> = entry.flags.iter().copied().map(flag_name).collect();
        // PostgreSQL's text and `jsonb` cannot hold NUL, which its store
        // writes as U+FFFD: a column and its entry compare as they are
        // stored.
        let same =
            |column: Option<&str>, entry: Option<&str>| column.map(nul_free) == entry.map(nul_free);
        let same_json = |column: Option<&serde_json::Value>, entry: serde_json::Value| {
            column.cloned().map(nul_free_value) == Some(nul_free_value(entry))
        };
        let differs = [
            ("id", self.id != Some(entry.id)),
            ("time", self.time_us != Some(micros(entry.time))),
            (
                "actor",
                !same(self.actor.as_deref(), entry.actor.as_deref()),
            ),
            (
                "organization_id",
                !same(
                    self.organization_id.as_deref(),
                    entry.organization_id.as_deref(),
                ),
            ),
            (
                "resource_type",
                !same(self.resource_type.as_deref(), Some(&entry.resource_type)),
            ),
            (
                "resource_id",
                !same(self.resource_id.as_deref(), Some(&entry.resource_id)),
            ),
            (
                "action",
                !same(self.action.as_deref(), Some(entry.action.as_str())),
            ),
            (
                "status_code",
                self.status_code != entry.status_code.map(i64::from),
            ),
            (
                "request_id",
                !same(self.request_id.as_deref(), entry.request_id.as_deref()),
            ),
            ("flags", self.flags.as_ref() != Some(&flags)),
            (
                "diff",
                serde_json::to_value(&entry.diff)
                    .map_or(true, |diff| !same_json(self.diff.as_ref(), diff)),
            ),
            (
                "additional_fields",
                !same_json(
                    self.additional_fields.as_ref(),
                    serde_json::Value::Object(entry.additional_fields.clone()),
                ),
            ),
        ];
        differs
            .into_iter()
            .find_map(|(column, differs)| differs.then_some(column))
    }
}

/// `text` with each NUL as U+FFFD, as PostgreSQL's columns hold it.
fn nul_free(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// `value` with each NUL in its strings and keys as U+FFFD, as PostgreSQL's
/// `jsonb` holds it.
fn nul_free_value(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) if text.contains('\0') => Value::String(nul_free(&text).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(nul_free_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (nul_free(&key).into_owned(), nul_free_value(value)))
                .collect(),
        ),
        other @ (Value::String(_) | Value::Null | Value::Bool(_) | Value::Number(_)) => other,
    }
}

/// `report`, naming `origin` as its chain's when no row it read names one
/// (the chain's first rows were purged, or none is sealed yet): a store
/// knows each row's origin.
pub(crate) fn with_origin(mut report: Report, origin: &str) -> Report {
    if report.origin.is_none() {
        report.origin = Some(origin.to_owned());
    }
    report
}

/// `"origin"` when `line` names an origin other than `origin`, the
/// origin column of its row: the first row of a chain names the chain's
/// origin, which must be the one its rows are stored under.
pub(crate) fn other_origin(line: &str, origin: &str) -> Option<&'static str> {
    let named = crate::chain::link_of(line.as_bytes())?.origin?;
    (named != origin).then_some("origin")
}

/// `"seq"` when the row's `seq` column is not the sequence number its
/// chained `line` records: rows are read in `seq` order, and a purge or an
/// unchained record is placed by it, so the column must say what the chain
/// says.
pub(crate) fn other_seq(line: &[u8], column: i64) -> Option<&'static str> {
    let chained = crate::chain::link_of(line)?.seq;
    (i64::try_from(chained).ok() != Some(column)).then_some("seq")
}

/// `report` with the first row whose query columns disagree with its
/// chained line as its problem, when the chain itself has none: `mismatch`
/// is that row's position in `seq` order, its seq, id and column.
pub(crate) fn with_column_problem(
    mut report: Report,
    mismatch: Option<(usize, u64, String, &'static str)>,
) -> Report {
    if report.problem.is_none()
        && let Some((line, seq, id, column)) = mismatch
    {
        report.problem = Some(Problem {
            file: 0,
            line,
            seq: Some(seq),
            id: Some(id),
            kind: ProblemKind::ColumnMismatch { column },
        });
    }
    report
}

/// The origin of a version-2 store's one chain, given to its chained rows
/// when it is migrated to version 3: the one its first chained row names,
/// else the one its latest purge record names, else [`DEFAULT_ORIGIN`].
pub(crate) fn version_2_origin(
    first_row: Option<&str>,
    purge_record_origin: Option<String>,
) -> String {
    first_row
        .and_then(|line| crate::chain::link_of(line.as_bytes()))
        .and_then(|link| link.origin)
        .or(purge_record_origin)
        .unwrap_or_else(|| DEFAULT_ORIGIN.to_owned())
}

/// The head of a chain whose last row has `seq` and `entry_json`.
pub(crate) fn head_of(seq: i64, entry_json: &str) -> Head {
    Head {
        seq: u64::try_from(seq).unwrap_or(0),
        hash: Digest::of(entry_json.as_bytes()),
    }
}

/// A chain that continues after `head`, or starts at `origin`.
pub(crate) fn resume(origin: &str, head: Option<Head>) -> Chainer {
    Chainer::resume(origin, head, None)
}

/// `entry_json` chained after `chainer`'s head, which it becomes: the
/// row's `seq` and its chained line. A row that is not inserted (its id is
/// already stored) must not take a sequence number: rewind `chainer` to its
/// [`mark`](Chainer::mark) from before.
pub(crate) fn chain_row(
    chainer: &mut Chainer,
    entry_json: &str,
) -> Result<(i64, String), ChainError> {
    let mut line = Vec::with_capacity(entry_json.len() + 96);
    let head = chainer.append(entry_json.as_bytes(), &mut line)?;
    // Beyond `i64::MAX` entries, the `UNIQUE` seq column refuses the row.
    let seq = i64::try_from(head.seq).unwrap_or(i64::MAX);
    // The entry's UTF-8 with ASCII and a JSON string appended: never lossy,
    // and converted without a copy.
    let line = String::from_utf8(line)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    Ok((seq, line))
}
