//! The hash chain in a SQL store: each row's `entry_json` is a chained line
//! and its `seq` column the line's sequence number.
//!
//! One writer at a time extends the chain: the store's writer thread and
//! `insert_entries` both take the database's write lock (SQLite) or an
//! advisory lock (PostgreSQL), then read the head, the row with the highest
//! `seq`, inside the transaction they insert in. A rolled-back transaction
//! takes its sequence numbers with it, so it leaves no gap.

use std::borrow::Cow;

use crate::chain::verify::{Problem, ProblemKind, Report};
use crate::chain::{ChainError, Chainer, Digest, Head};
use crate::diff::Diff;
use crate::entry::AuditEntry;
use crate::model::action::Action;
use crate::store::cursor::micros;
use crate::store::sql::flag_name;

/// The origin a store's chain starts with when nobody set one.
pub const DEFAULT_ORIGIN: &str = "audit-store";

/// What [`verify`](crate::chain::verify) found in a store: the chain of its
/// chained rows, read in `seq` order (a problem's `line` is the row's
/// position in that order, from 1), and how many rows are not chained.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreReport {
    /// The chain's report.
    pub chain: Report,
    /// How many rows have no `seq`: written before the store chained its
    /// entries (schema version 1), or inserted behind the store's back. The
    /// chain does not cover them.
    pub unchained: u64,
    /// The purge records in the chain, in `seq` order: what a retention
    /// purge deleted (see [`Purge`]).
    pub purges: Vec<Purge>,
    /// The latest record of the rows the store found unchained when it
    /// first opened them (written before it chained its entries; see
    /// [`UNCHAINED_ACTION`]): its `seq`, and whether the unchained rows are
    /// exactly those it names. Any other unchained row was inserted behind
    /// the store's back.
    pub unchained_record: Option<UnchainedRecord>,
}

/// What a store recorded, in its chain, of the rows it found without a
/// `seq` when it first opened them: see [`StoreReport::unchained_record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnchainedRecord {
    /// The sequence number of the record.
    pub seq: u64,
    /// Whether the rows without a `seq` now are exactly the rows it names
    /// (their number and the SHA-256 of their sorted ids).
    pub matches: bool,
}

/// The action of the record a store writes, through its writer, the first
/// time it opens a table with rows that have no `seq` (written by schema
/// version 1, before entries were chained): their number and the SHA-256 of
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

/// The latest unchained record: `seq` and `entry_json`.
pub(crate) const SELECT_UNCHAINED_RECORD: &str = "SELECT seq, entry_json FROM audit_entries \
     WHERE seq IS NOT NULL AND action = 'record_unchained' AND resource_type = 'audit_log' \
     ORDER BY seq DESC LIMIT 1";

/// The report's unchained record: the latest one, at `seq` holding
/// `entry_json`, checked against the `ids` of the rows without a `seq` now.
pub(crate) fn check_unchained(
    record: Option<(i64, String)>,
    ids: Vec<uuid::Uuid>,
) -> Option<UnchainedRecord> {
    let (seq, json) = record?;
    let (rows, digest) = unchained_record_of(&json)?;
    let count = u64::try_from(ids.len()).unwrap_or(u64::MAX);
    Some(UnchainedRecord {
        seq: u64::try_from(seq).ok()?,
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

/// The purge record that `entry_json`, the row `seq`, holds, if it is one.
pub(crate) fn purge_of(seq: i64, entry_json: &str) -> Option<Purge> {
    let entry: AuditEntry = serde_json::from_str(entry_json).ok()?;
    if entry.action.as_str() != PURGE_ACTION || entry.resource_type != PURGE_RESOURCE_TYPE {
        return None;
    }
    let field = |name: &str| entry.additional_fields.get(name)?.as_u64();
    Some(Purge {
        seq: u64::try_from(seq).ok()?,
        through_seq: field("purged_through_seq")?,
        purged: field("purged")?,
    })
}

/// The rows that are purge records, in `seq` order: `seq` and `entry_json`.
pub(crate) const SELECT_PURGES: &str = "SELECT seq, entry_json FROM audit_entries \
    WHERE action = 'purge' AND resource_type = 'audit_log' AND seq IS NOT NULL ORDER BY seq";

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
    pub(crate) flags: Vec<String>,
}

impl StoredColumns {
    /// The first column that does not say what the chained `line` says, if
    /// any. A line that is not an entry is the chain's business, not this.
    pub(crate) fn first_difference(&self, line: &[u8]) -> Option<&'static str> {
        let entry: AuditEntry = serde_json::from_slice(line).ok()?;
        let flags: Vec<String> = entry.flags.iter().copied().map(flag_name).collect();
        let differs = [
            ("id", self.id != Some(entry.id)),
            ("time", self.time_us != Some(micros(entry.time))),
            ("actor", self.actor != entry.actor),
            (
                "organization_id",
                self.organization_id != entry.organization_id,
            ),
            (
                "resource_type",
                self.resource_type.as_deref() != Some(&*entry.resource_type),
            ),
            (
                "resource_id",
                self.resource_id.as_deref() != Some(&*entry.resource_id),
            ),
            (
                "action",
                self.action.as_deref() != Some(entry.action.as_str()),
            ),
            (
                "status_code",
                self.status_code != entry.status_code.map(i64::from),
            ),
            ("request_id", self.request_id != entry.request_id),
            ("flags", self.flags != flags),
        ];
        differs
            .into_iter()
            .find_map(|(column, differs)| differs.then_some(column))
    }
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

/// `entry_json` chained after `chainer`'s head: the chainer with the new
/// head, the row's `seq` and its chained line. `chainer` is left as it was,
/// so that a row that is not inserted (its id is already stored) does not
/// take a sequence number.
pub(crate) fn chain_row(
    chainer: &Chainer,
    entry_json: &str,
) -> Result<(Chainer, i64, String), ChainError> {
    let mut next = chainer.clone();
    let mut line = Vec::with_capacity(entry_json.len() + 96);
    let head = next.append(entry_json.as_bytes(), &mut line)?;
    // Beyond `i64::MAX` entries, the `UNIQUE` seq column refuses the row.
    let seq = i64::try_from(head.seq).unwrap_or(i64::MAX);
    // The entry's UTF-8 with ASCII and a JSON string appended: never lossy,
    // and converted without a copy.
    let line = String::from_utf8(line)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    Ok((next, seq, line))
}
