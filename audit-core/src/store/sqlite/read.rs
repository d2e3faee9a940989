//! Queries, counts and purges, in SQLite's dialect.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension as _};

use std::collections::BTreeMap;

use crate::chain::Digest;
use crate::chain::verify::ChainVerifier;
use crate::store::chain::Purge;
use crate::store::chain::{
    ANY_UNCHAINED_RECORD, COUNT_ORPHANED, SELECT_ORIGINS, SELECT_PURGES, SELECT_PURGES_ELSEWHERE,
    SELECT_UNCHAINED_RECORD, StoredColumns, check_unchained, other_origin, other_seq, purge_of,
    with_column_problem, with_origin,
};
use crate::store::row::parse_entry;
use crate::store::sql::{self, Bind, Dialect};
use crate::store::{AuditQuery, CappedCount, PURGE_BATCH, Page, StoreError};
use crate::store::{StoreReport, Unsealed};

/// SQL text with `?` placeholders, and the values bound to them.
#[derive(Default)]
struct SqliteSql {
    text: String,
    params: Vec<Value>,
}

impl Dialect for SqliteSql {
    const TIME: &'static str = "time_us";

    fn push(&mut self, sql: &str) {
        self.text.push_str(sql);
    }

    fn bind(&mut self, value: Bind<'_>) {
        self.text.push('?');
        self.params.push(match value {
            Bind::Text(text) => Value::Text(text.to_owned()),
            Bind::Int(int) | Bind::Time(int) => Value::Integer(int),
            Bind::Id(id) => Value::Blob(id.as_bytes().to_vec()),
        });
    }

    /// Most entries have no flag: `'[]'` is ruled out before `json_each`.
    fn push_has_flag(&mut self, flags: &str, flag: &str) {
        self.text.push('(');
        self.text.push_str(flags);
        self.text
            .push_str(" <> '[]' AND EXISTS (SELECT 1 FROM json_each(");
        self.text.push_str(flags);
        self.text.push_str(") WHERE json_each.value = ");
        self.bind(Bind::Text(flag));
        self.text.push_str("))");
    }
}

pub(crate) fn query(conn: &Connection, query: &AuditQuery) -> Result<Page, StoreError> {
    let mut sql = SqliteSql::default();
    sql::select_page(query, &mut sql);
    let mut statement = conn
        .prepare_cached(&sql.text)
        .map_err(StoreError::database)?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(&sql.params))
        .map_err(StoreError::database)?;
    let mut entries = Vec::new();
    while let Some(row) = rows.next().map_err(StoreError::database)? {
        let json = row
            .get_ref(0)
            .and_then(|value| value.as_str().map_err(Into::into))
            .map_err(StoreError::database)?;
        entries.push(parse_entry(json)?);
    }
    Ok(Page::from_rows(entries, query.page_size()))
}

pub(crate) fn count(
    conn: &Connection,
    query: &AuditQuery,
    cap: u64,
) -> Result<CappedCount, StoreError> {
    let mut sql = SqliteSql::default();
    sql::select_count(query, cap, &mut sql);
    let counted: i64 = conn
        .prepare_cached(&sql.text)
        .and_then(|mut statement| {
            statement.query_row(rusqlite::params_from_iter(&sql.params), |row| row.get(0))
        })
        .map_err(StoreError::database)?;
    Ok(CappedCount::new(u64::try_from(counted).unwrap_or(0), cap))
}

/// What a purge deleted from one origin's chain: the origin, how many rows,
/// and the last `seq` deleted, for its purge record; and whether the
/// origin's lines are appended (`append_chained`), whose record then goes
/// to the store's own chain.
pub(crate) struct Purged {
    pub(crate) origin: String,
    pub(crate) appended: bool,
    pub(crate) deleted: u64,
    pub(crate) through: i64,
}

/// Runs `sql`, a `DELETE` of at most [`PURGE_BATCH`] rows, until it deletes
/// fewer: how many it deleted.
fn delete_in_batches(conn: &Connection, sql: &SqliteSql) -> Result<u64, StoreError> {
    let mut statement = conn
        .prepare_cached(&sql.text)
        .map_err(StoreError::database)?;
    let mut deleted = 0;
    loop {
        let batch = statement
            .execute(rusqlite::params_from_iter(&sql.params))
            .map_err(StoreError::database)?;
        let batch = u64::try_from(batch).unwrap_or(u64::MAX);
        deleted += batch;
        if batch < u64::from(PURGE_BATCH) {
            return Ok(deleted);
        }
    }
}

/// Deletes, from each origin's chain, the entries up to the first one made
/// at or after `cutoff_us` (see [`sql::purge_through`]), and the unchained
/// ones made before it, [`PURGE_BATCH`] a transaction, so that the writer
/// never waits for more than one batch: what it deleted from each chain,
/// and how many unchained rows.
pub(crate) fn purge_before(
    conn: &Connection,
    cutoff_us: i64,
) -> Result<(Vec<Purged>, u64), StoreError> {
    let appended: Vec<String> = conn
        .prepare(crate::store::chain::SELECT_APPENDED_ORIGINS)
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(StoreError::database)?;
    let mut purged = Vec::new();
    for origin in origins(conn)? {
        let mut sql = SqliteSql::default();
        sql::purge_through(&origin, cutoff_us, &mut sql);
        let through: Option<i64> = conn
            .query_row(&sql.text, rusqlite::params_from_iter(&sql.params), |row| {
                row.get(0)
            })
            .map_err(StoreError::database)?;
        let Some(through) = through.filter(|&seq| seq > 0) else {
            continue;
        };
        check_purged(conn, &origin, through)?;
        let mut sql = SqliteSql::default();
        sql::delete_chained_batch(&origin, through, i64::from(PURGE_BATCH), &mut sql);
        let deleted = delete_in_batches(conn, &sql)?;
        purged.push(Purged {
            appended: appended.contains(&origin),
            origin,
            deleted,
            through,
        });
    }
    let mut sql = SqliteSql::default();
    sql::delete_unchained_batch(cutoff_us, i64::from(PURGE_BATCH), &mut sql);
    let unchained = delete_in_batches(conn, &sql)?;
    Ok((purged, unchained))
}

/// Fails unless the store's tables are the tables it made, with no trigger
/// but its own: a view in place of the changed paths, or a trigger that
/// drops, alters or adds rows, would make the store and its readers say
/// something else than the chain.
fn check_schema(conn: &Connection) -> Result<(), StoreError> {
    let mut statement = conn
        .prepare(
            "SELECT type, name FROM sqlite_schema \
             WHERE name IN ('audit_entries', 'audit_changed_paths') \
             OR (type = 'trigger' AND tbl_name IN ('audit_entries', 'audit_changed_paths'))",
        )
        .map_err(StoreError::database)?;
    let objects: Vec<(String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(StoreError::database)?
        .collect::<Result<_, _>>()
        .map_err(StoreError::database)?;
    for (kind, name) in objects {
        // (`audit_changed_paths_insert` is an earlier version's, dropped by
        // the next open of this one.)
        let made = matches!(
            (kind.as_str(), name.as_str()),
            ("table", "audit_entries" | "audit_changed_paths")
                | (
                    "trigger",
                    "audit_changed_paths_delete" | "audit_changed_paths_insert"
                )
        );
        if !made {
            return Err(StoreError::Corrupt {
                detail: format!(
                    "the database holds a {kind} {name:?} on the audit tables that the store did not make, which changes what the store writes or its readers read"
                ),
            });
        }
    }
    Ok(())
}

/// Refuses a purge of `origin` through `through` when a row it deletes, or
/// the one that bounds it, says something else in its columns than its line.
fn check_purged(conn: &Connection, origin: &str, through: i64) -> Result<(), StoreError> {
    let mut sql = SqliteSql::default();
    crate::store::chain::select_purged(origin, through, &mut sql);
    let mut statement = conn.prepare(&sql.text).map_err(StoreError::database)?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(&sql.params))
        .map_err(StoreError::database)?;
    while let Some(row) = rows.next().map_err(StoreError::database)? {
        let seq: i64 = row.get(0).map_err(StoreError::database)?;
        let time_us: i64 = row.get(1).map_err(StoreError::database)?;
        let json = row.get_ref(2).map_err(StoreError::database)?;
        let json = json.as_str().unwrap_or_default();
        if crate::store::chain::purged_row_differs(seq, time_us, json) {
            return Err(crate::store::chain::refused_purge(origin, seq));
        }
    }
    Ok(())
}

/// The origins of the store's rows.
pub(crate) fn origins(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut statement = conn.prepare(SELECT_ORIGINS).map_err(StoreError::database)?;
    let origins = statement
        .query_map([], |row| row.get(0))
        .map_err(StoreError::database)?
        .collect::<Result<_, _>>()
        .map_err(StoreError::database)?;
    Ok(origins)
}

/// The ids of the unchained rows: those without a `seq` (SQLite seals
/// every row as it inserts it).
pub(crate) fn unchained_ids(conn: &Connection) -> Result<Vec<uuid::Uuid>, StoreError> {
    let mut statement = conn
        .prepare("SELECT id FROM audit_entries WHERE seq IS NULL")
        .map_err(StoreError::database)?;
    let ids = statement
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .map_err(StoreError::database)?
        .filter_map(|id| id.ok().and_then(|id| uuid::Uuid::from_slice(&id).ok()))
        .collect();
    Ok(ids)
}

/// The latest unchained record in `origin`'s chain: its `seq` and `entry_json`.
pub(crate) fn unchained_record(
    conn: &Connection,
    origin: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    conn.query_row(SELECT_UNCHAINED_RECORD, [origin], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })
    .optional()
    .map_err(StoreError::database)
}

/// Whether any chain of the store holds an unchained record.
pub(crate) fn any_unchained_record(conn: &Connection) -> Result<bool, StoreError> {
    conn.query_row(ANY_UNCHAINED_RECORD, [], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
        .map_err(StoreError::database)
}

/// The query columns of `row` (from its third column on), as stored; a
/// value of the wrong type reads as none, which never matches an entry.
fn stored_columns(row: &rusqlite::Row<'_>) -> StoredColumns {
    let text = |index| row.get::<_, Option<String>>(index).ok().flatten();
    StoredColumns {
        id: row
            .get::<_, Vec<u8>>(2)
            .ok()
            .and_then(|bytes| uuid::Uuid::from_slice(&bytes).ok()),
        time_us: row.get(3).ok(),
        actor: text(4),
        organization_id: text(5),
        resource_type: text(6),
        resource_id: text(7),
        action: text(8),
        status_code: row.get(9).ok().flatten(),
        request_id: text(10),
        flags: text(11).and_then(|flags| serde_json::from_str(&flags).ok()),
        diff: text(12).and_then(|diff| serde_json::from_str(&diff).ok()),
        additional_fields: text(13).and_then(|fields| serde_json::from_str(&fields).ok()),
    }
}

/// Verifies the chain of the rows on `conn`, in `seq` order, and that each
/// row's query columns say what its chained line says.
pub(crate) fn verify_chain(
    conn: &Connection,
    origin: &str,
    heads: &BTreeMap<u64, Digest>,
) -> Result<StoreReport, StoreError> {
    check_schema(conn)?;
    // Rows are read through the indexes (in `seq` order, and queries by
    // theirs): an index edited apart from the table would show verification
    // and queries different rows.
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(audit_entries)", [], |row| {
            row.get(0)
        })
        .map_err(StoreError::database)?;
    if verdict != "ok" {
        return Err(StoreError::Corrupt {
            detail: format!(
                "SQLite's integrity check says {verdict:?}: its indexes do not match its rows, so queries and verification would read different rows"
            ),
        });
    }
    // SQLite seals every row as it inserts it (a PostgreSQL store's rows
    // wait for their sealer): a row without a `seq`, whatever origin it
    // names, is unchained, never "not sealed yet".
    let unchained: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_entries WHERE seq IS NULL",
            [],
            |row| row.get(0),
        )
        .map_err(StoreError::database)?;
    let orphaned: i64 = conn
        .query_row(COUNT_ORPHANED, [], |row| row.get(0))
        .map_err(StoreError::database)?;
    let mut statement = conn
        .prepare(
            "SELECT entry_json, seq, id, time_us, actor, organization_id, resource_type, \
             resource_id, action, status_code, request_id, flags, diff, additional_fields \
             FROM audit_entries WHERE origin = ?1 AND seq IS NOT NULL ORDER BY seq",
        )
        .map_err(StoreError::database)?;
    let mut rows = statement.query([origin]).map_err(StoreError::database)?;
    let mut verifier = ChainVerifier::new(heads).starting_anywhere();
    let mut mismatch = None;
    let mut position = 0;
    let mut paths = ChangedPaths::new(conn)?;
    let mut read_all = true;
    while let Some(row) = rows.next().map_err(StoreError::database)? {
        position += 1;
        let value = row.get_ref(0).map_err(StoreError::database)?;
        // Whatever its type: a value that is not text does not hash as the text it was.
        let bytes = value.as_bytes().unwrap_or_default();
        if mismatch.is_none() {
            let stored = stored_columns(row);
            let named = || {
                std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|line| other_origin(line, origin))
            };
            let seq: i64 = row.get(1).unwrap_or_default();
            let mut column = stored
                .first_difference(bytes)
                .or_else(|| other_seq(bytes, seq))
                .or_else(named);
            if column.is_none()
                && let Some(paths) = paths.as_mut()
                && !paths.hold(bytes)?
            {
                column = Some("audit_changed_paths");
            }
            if let Some(column) = column {
                let id = stored.id.map(|id| id.to_string()).unwrap_or_default();
                mismatch = Some((position, u64::try_from(seq).unwrap_or(0), id, column));
            }
        }
        if verifier.push(bytes) {
            read_all = false;
            break;
        }
    }
    // Once every row was read and agreed with its line: a broken chain or
    // a row's own mismatch is the report, and tells more.
    if let Some(paths) = paths
        && read_all
        && mismatch.is_none()
    {
        paths.count_matches(origin)?;
    }
    let (purges, purges_elsewhere) = purges(conn, origin)?;
    Ok(StoreReport {
        origin: origin.to_owned(),
        chain: with_origin(with_column_problem(verifier.finish(), mismatch), origin),
        unsealed: Unsealed::default(),
        unchained_record: check_unchained(unchained_record(conn, origin)?, unchained_ids(conn)?),
        unchained: u64::try_from(unchained).unwrap_or(0),
        orphaned: u64::try_from(orphaned).unwrap_or(0),
        purges,
        purges_elsewhere,
    })
}

/// The purge records of an origin's chain, and those naming it in other
/// chains, each with its chain's origin.
type Purges = (Vec<Purge>, Vec<(String, Purge)>);

/// The [`Purges`] of `origin`.
fn purges(conn: &Connection, origin: &str) -> Result<Purges, StoreError> {
    let mut purges = Vec::new();
    let mut statement = conn.prepare(SELECT_PURGES).map_err(StoreError::database)?;
    let mut rows = statement.query([origin]).map_err(StoreError::database)?;
    while let Some(row) = rows.next().map_err(StoreError::database)? {
        let json = row.get_ref(1).map_err(StoreError::database)?;
        if let Some(purge) = json.as_str().ok().and_then(purge_of) {
            purges.push(purge);
        }
    }
    let mut purges_elsewhere = Vec::new();
    let mut statement = conn
        .prepare(SELECT_PURGES_ELSEWHERE)
        .map_err(StoreError::database)?;
    let mut rows = statement.query([origin]).map_err(StoreError::database)?;
    while let Some(row) = rows.next().map_err(StoreError::database)? {
        let chain: String = row.get(0).map_err(StoreError::database)?;
        let json = row.get_ref(2).map_err(StoreError::database)?;
        if let Some(purge) = json.as_str().ok().and_then(purge_of) {
            purges_elsewhere.push((chain, purge));
        }
    }
    Ok((purges, purges_elsewhere))
}

/// The check of the table of changed paths (which `field:` searches read)
/// against the chained entries: each entry's paths, with its columns, and
/// no other row.
struct ChangedPaths<'conn> {
    conn: &'conn Connection,
    lookup: rusqlite::CachedStatement<'conn>,
    /// How many path rows the entries verified so far record.
    expected: u64,
}

impl<'conn> ChangedPaths<'conn> {
    /// `None` when the table does not exist (a table of an older version).
    fn new(conn: &'conn Connection) -> Result<Option<Self>, StoreError> {
        let exists = conn
            .query_row(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_changed_paths'",
                [],
                |_| Ok(()),
            )
            .optional()
            .map_err(StoreError::database)?
            .is_some();
        if !exists {
            return Ok(None);
        }
        let lookup = conn
            .prepare_cached(
                "SELECT resource_type, action, status_code, flags FROM audit_changed_paths \
                 WHERE path = ?1 AND entry_time_us = ?2 AND entry_id = ?3",
            )
            .map_err(StoreError::database)?;
        Ok(Some(ChangedPaths {
            conn,
            lookup,
            expected: 0,
        }))
    }

    /// Whether the table holds every path of the chained `line`'s entry,
    /// each with the entry's columns. A line that is not an entry is the
    /// chain's business.
    fn hold(&mut self, line: &[u8]) -> Result<bool, StoreError> {
        let Ok(entry) = serde_json::from_slice::<crate::entry::AuditEntry>(line) else {
            return Ok(true);
        };
        let flags: Vec<String> = entry.flags.iter().copied().map(sql::flag_name).collect();
        let time_us = crate::store::cursor::micros(entry.time);
        let mut seen = std::collections::BTreeSet::new();
        for path in entry.diff.keys().flat_map(sql::changed_paths) {
            if !seen.insert(path) {
                continue;
            }
            self.expected += 1;
            let stored = self
                .lookup
                .query_row(
                    rusqlite::params![path, time_us, entry.id.as_bytes().as_slice()],
                    |row| {
                        Ok((
                            row.get::<_, Option<String>>(0)?,
                            row.get::<_, Option<String>>(1)?,
                            row.get::<_, Option<i64>>(2)?,
                            row.get::<_, Option<String>>(3)?,
                        ))
                    },
                )
                .optional()
                .map_err(StoreError::database)?;
            let Some((resource_type, action, status_code, stored_flags)) = stored else {
                return Ok(false);
            };
            let stored_flags: Option<Vec<String>> =
                stored_flags.and_then(|flags| serde_json::from_str(&flags).ok());
            if resource_type.as_deref() != Some(&*entry.resource_type)
                || action.as_deref() != Some(entry.action.as_str())
                || status_code != entry.status_code.map(i64::from)
                || stored_flags.as_ref() != Some(&flags)
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Fails when the table holds more rows for `origin`'s chained entries
    /// than their diffs record, or rows of no entry at all: paths added to
    /// make a `field:` search find entries that did not change the field.
    fn count_matches(self, origin: &str) -> Result<(), StoreError> {
        let stored: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM audit_changed_paths WHERE entry_id IN \
                 (SELECT id FROM audit_entries WHERE origin = ?1 AND seq IS NOT NULL)",
                [origin],
                |row| row.get(0),
            )
            .map_err(StoreError::database)?;
        let orphaned: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM audit_changed_paths \
                 WHERE entry_id NOT IN (SELECT id FROM audit_entries)",
                [],
                |row| row.get(0),
            )
            .map_err(StoreError::database)?;
        if u64::try_from(stored).ok() != Some(self.expected) || orphaned != 0 {
            return Err(StoreError::Corrupt {
                detail: format!(
                    "audit_changed_paths holds {stored} rows for the entries of origin {origin:?}, \
                     whose diffs record {}, and {orphaned} rows of no entry: a `field:` search would \
                     find entries that did not change the field",
                    self.expected
                ),
            });
        }
        Ok(())
    }
}

/// The rows of [`sql::select_resource_facts`].
#[cfg(feature = "viewer")]
pub(crate) fn resource_facts(
    conn: &Connection,
    resources: &[(&str, &str)],
) -> Result<Vec<crate::store::facts::ResourceFact>, StoreError> {
    if resources.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqliteSql::default();
    sql::select_resource_facts(resources, &mut sql);
    let mut statement = conn.prepare(&sql.text).map_err(StoreError::database)?;
    let rows = statement
        .query_map(rusqlite::params_from_iter(&sql.params), |row| {
            Ok(crate::store::facts::ResourceFact {
                resource_type: row.get(0)?,
                resource_id: row.get(1)?,
                time_us: row.get(2)?,
                action: row.get(3)?,
                diff: row.get(4)?,
            })
        })
        .map_err(StoreError::database)?;
    rows.collect::<Result<_, _>>().map_err(StoreError::database)
}

/// The count of `query`, with the menus when `menus`: one statement either way.
#[cfg(feature = "viewer")]
pub(crate) fn count_and_menus(
    conn: &Connection,
    query: &AuditQuery,
    cap: u64,
    menus: bool,
) -> Result<crate::store::facts::CountAndMenus, StoreError> {
    if !menus {
        return Ok(crate::store::facts::CountAndMenus {
            count: count(conn, query, cap)?,
            resource_types: Vec::new(),
            actions: Vec::new(),
        });
    }
    let mut sql = SqliteSql::default();
    sql::select_count_and_menus(query, cap, &mut sql);
    let mut statement = conn
        .prepare_cached(&sql.text)
        .map_err(StoreError::database)?;
    let rows = statement
        .query_map(rusqlite::params_from_iter(&sql.params), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .map_err(StoreError::database)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::database)?;
    Ok(crate::store::facts::CountAndMenus::from_rows(rows, cap))
}

/// Calls `each` with the stored JSON of every entry `query` selects, in
/// chain order, until it returns `false`: one statement, read row by row.
#[cfg(feature = "viewer")]
pub(crate) fn for_each_stored(
    conn: &Connection,
    query: &AuditQuery,
    mut each: impl FnMut(&str) -> bool,
) -> Result<(), StoreError> {
    let mut sql = SqliteSql::default();
    sql::select_export(query, &mut sql);
    let mut statement = conn.prepare(&sql.text).map_err(StoreError::database)?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(&sql.params))
        .map_err(StoreError::database)?;
    while let Some(row) = rows.next().map_err(StoreError::database)? {
        let json = row
            .get_ref(0)
            .and_then(|value| value.as_str().map_err(Into::into))
            .map_err(StoreError::database)?;
        if !each(json) {
            break;
        }
    }
    Ok(())
}
