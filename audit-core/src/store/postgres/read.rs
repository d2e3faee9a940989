//! Queries, counts and purges, in PostgreSQL's dialect.

use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, PgPool, Postgres, Row as _};
use time::OffsetDateTime;
use uuid::Uuid;

use std::collections::BTreeMap;

use crate::chain::Digest;
use crate::chain::verify::ChainVerifier;
use crate::store::chain::Purge;
use crate::store::chain::{
    ANY_UNCHAINED_RECORD, COUNT_ORPHANED, SELECT_ORIGINS, SELECT_PURGES, SELECT_PURGES_ELSEWHERE,
    SELECT_UNCHAINED_RECORD, StoredColumns, check_unchained, other_origin, other_seq, purge_of,
    with_column_problem, with_origin,
};
use crate::store::cursor::micros;
use crate::store::row::parse_entry;
use crate::store::sql::{self, Bind, Dialect};
use crate::store::{AuditQuery, CappedCount, PURGE_BATCH, Page, StoreError};
use crate::store::{StoreReport, Unsealed};

/// SQL text with `$n` placeholders, and the values bound to them.
#[derive(Default)]
pub(crate) struct PgSql {
    pub(crate) text: String,
    binds: Vec<PgValue>,
}

enum PgValue {
    Text(String),
    Int(i64),
    Time(OffsetDateTime),
    Id(Uuid),
}

impl Dialect for PgSql {
    const TIME: &'static str = "\"time\"";
    const PATH_TIME: &'static str = "entry_time";
    const TIME_US: &'static str = "(extract(epoch FROM \"time\") * 1000000)::bigint";
    #[cfg(feature = "viewer")]
    const DIFF_TEXT: &'static str = "diff::text";

    fn push(&mut self, sql: &str) {
        self.text.push_str(sql);
    }

    fn bind(&mut self, value: Bind<'_>) {
        self.binds.push(match value {
            Bind::Text(text) => PgValue::Text(text_safe(text)),
            Bind::Int(int) => PgValue::Int(int),
            Bind::Time(micros) => PgValue::Time(crate::store::postgres::time_of(micros)),
            Bind::Id(id) => PgValue::Id(id),
        });
        self.text.push('$');
        self.text.push_str(&self.binds.len().to_string());
    }

    fn push_has_flag(&mut self, flags: &str, flag: &str) {
        self.bind(Bind::Text(flag));
        self.text.push_str(" = ANY(");
        self.text.push_str(flags);
        self.text.push(')');
    }
}

impl PgSql {
    /// The query, every value bound. The text holds only this crate's SQL
    /// and placeholders (see `store::sql`), hence `AssertSqlSafe`.
    pub(crate) fn build(self) -> Query<'static, Postgres, PgArguments> {
        let mut query = sqlx::query(AssertSqlSafe(self.text));
        for value in self.binds {
            query = match value {
                PgValue::Text(text) => query.bind(text),
                PgValue::Int(int) => query.bind(int),
                PgValue::Time(time) => query.bind(time),
                PgValue::Id(id) => query.bind(id),
            };
        }
        query
    }
}

/// PostgreSQL text cannot hold NUL (`\0`): it is stored, and searched for,
/// as U+FFFD. The entry's JSON keeps it exactly.
pub(crate) fn text_safe(text: &str) -> String {
    text.replace('\0', "\u{fffd}")
}

pub(crate) async fn query(pool: &PgPool, query: &AuditQuery) -> Result<Page, StoreError> {
    let mut sql = PgSql::default();
    sql::select_page(query, &mut sql);
    let rows = sql
        .build()
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let json: &str = row.try_get(0).map_err(StoreError::database)?;
        entries.push(parse_entry(json)?);
    }
    Ok(Page::from_rows(entries, query.page_size()))
}

pub(crate) async fn count(
    pool: &PgPool,
    query: &AuditQuery,
    cap: u64,
) -> Result<CappedCount, StoreError> {
    let mut sql = PgSql::default();
    sql::select_count(query, cap, &mut sql);
    let row = sql
        .build()
        .fetch_one(pool)
        .await
        .map_err(StoreError::database)?;
    let counted: i64 = row.try_get(0).map_err(StoreError::database)?;
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
async fn delete_in_batches(pool: &PgPool, sql: impl Fn(&mut PgSql)) -> Result<u64, StoreError> {
    let mut deleted = 0;
    loop {
        let mut text = PgSql::default();
        sql(&mut text);
        let batch = text
            .build()
            .execute(pool)
            .await
            .map_err(StoreError::database)?
            .rows_affected();
        deleted += batch;
        if batch < u64::from(PURGE_BATCH) {
            return Ok(deleted);
        }
    }
}

/// Deletes, from each origin's chain, the entries up to the first one made
/// at or after `cutoff_us` (see [`sql::purge_through`]), and the unchained
/// ones made before it, [`PURGE_BATCH`] a transaction, so that no writer
/// waits for more than one batch: what it deleted from each chain, and how
/// many unchained rows.
pub(crate) async fn purge_before(
    pool: &PgPool,
    cutoff_us: i64,
) -> Result<(Vec<Purged>, u64), StoreError> {
    let mut purged = Vec::new();
    let appended: Vec<String> = sqlx::query_scalar(crate::store::chain::SELECT_APPENDED_ORIGINS)
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)?;
    for origin in origins(pool).await? {
        let mut sql = PgSql::default();
        sql::purge_through(&origin, cutoff_us, &mut sql);
        let row = sql
            .build()
            .fetch_one(pool)
            .await
            .map_err(StoreError::database)?;
        let Some(through) = row
            .try_get::<Option<i64>, _>(0)
            .map_err(StoreError::database)?
            .filter(|&seq| seq > 0)
        else {
            continue;
        };
        let mut sql = PgSql::default();
        crate::store::chain::select_purged(&origin, through, &mut sql);
        let rows = sql
            .build()
            .fetch_all(pool)
            .await
            .map_err(StoreError::database)?;
        for row in &rows {
            let seq: i64 = row.try_get(0).map_err(StoreError::database)?;
            let time_us: i64 = row.try_get(1).map_err(StoreError::database)?;
            let json: &str = row.try_get(2).map_err(StoreError::database)?;
            if crate::store::chain::purged_row_differs(seq, time_us, json) {
                return Err(crate::store::chain::refused_purge(&origin, seq));
            }
        }
        let batch = i64::from(PURGE_BATCH);
        let deleted = delete_in_batches(pool, |sql| {
            sql::delete_chained_batch(&origin, through, batch, sql);
        })
        .await?;
        purged.push(Purged {
            appended: appended.contains(&origin),
            origin,
            deleted,
            through,
        });
    }
    let unchained = delete_in_batches(pool, |sql| {
        sql::delete_unchained_batch(cutoff_us, i64::from(PURGE_BATCH), sql);
    })
    .await?;
    Ok((purged, unchained))
}

/// The origins of the store's rows, chained or not yet.
pub(crate) async fn origins(pool: &PgPool) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar(SELECT_ORIGINS)
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)
}

/// How many rows `verify_chain` reads at a time.
const VERIFY_PAGE: i64 = 1000;

/// Verifies the chain of the rows in `pool`'s database, in `seq` order, a
/// page at a time.
/// The ids of the unchained rows: no `seq`, and no origin.
pub(crate) async fn unchained_ids(pool: &PgPool) -> Result<Vec<Uuid>, StoreError> {
    sqlx::query_scalar("SELECT id FROM audit_entries WHERE seq IS NULL AND origin IS NULL")
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)
}

/// The latest unchained record in `origin`'s chain: its `seq` and `entry_json`.
pub(crate) async fn unchained_record(
    pool: &PgPool,
    origin: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    sqlx::query_as(SELECT_UNCHAINED_RECORD)
        .bind(origin)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::database)
}

/// Whether any chain of the store holds an unchained record.
pub(crate) async fn any_unchained_record(pool: &PgPool) -> Result<bool, StoreError> {
    sqlx::query_scalar::<_, i32>(ANY_UNCHAINED_RECORD)
        .fetch_optional(pool)
        .await
        .map(|found| found.is_some())
        .map_err(StoreError::database)
}

/// The query columns of `row` (from its third column on), as stored; a
/// value of the wrong type reads as none, which never matches an entry.
fn stored_columns(row: &sqlx::postgres::PgRow) -> StoredColumns {
    let text = |index| row.try_get::<Option<String>, _>(index).ok().flatten();
    StoredColumns {
        id: row.try_get::<Uuid, _>(2).ok(),
        time_us: row.try_get::<OffsetDateTime, _>(3).ok().map(micros),
        actor: text(4),
        organization_id: text(5),
        resource_type: text(6),
        resource_id: text(7),
        action: text(8),
        status_code: row
            .try_get::<Option<i32>, _>(9)
            .ok()
            .flatten()
            .map(i64::from),
        request_id: text(10),
        flags: row.try_get::<Vec<String>, _>(11).ok(),
        diff: text(12).and_then(|diff| serde_json::from_str(&diff).ok()),
        additional_fields: text(13).and_then(|fields| serde_json::from_str(&fields).ok()),
    }
}

/// The purge records of `origin`'s chain, and those naming it in other
/// chains, each with its chain's origin.
async fn purges(pool: &PgPool, origin: &str) -> Result<Purges, StoreError> {
    let rows = sqlx::query(SELECT_PURGES)
        .bind(text_safe(origin))
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)?;
    let mut purges = Vec::new();
    for row in &rows {
        let json: &str = row.try_get(1).map_err(StoreError::database)?;
        purges.extend(purge_of(json));
    }
    let rows = sqlx::query(SELECT_PURGES_ELSEWHERE)
        .bind(text_safe(origin))
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)?;
    let mut purges_elsewhere = Vec::new();
    for row in &rows {
        let chain: String = row.try_get(0).map_err(StoreError::database)?;
        let json: &str = row.try_get(2).map_err(StoreError::database)?;
        if let Some(purge) = purge_of(json) {
            purges_elsewhere.push((chain, purge));
        }
    }
    Ok((purges, purges_elsewhere))
}

/// What [`purges`] returns.
type Purges = (Vec<Purge>, Vec<(String, Purge)>);

/// The changed paths of `$1`'s sealed entries, as the store's trigger makes
/// them from the entries' columns (which verification compared with their
/// chained lines): the rows `field:` searches read.
const EXPECTED_PATHS: &str = concat!(
    super::schema::entry_paths!(),
    " WHERE e.origin = $1 AND e.seq IS NOT NULL"
);

/// The rows of the table of changed paths of `$1`'s sealed entries.
const STORED_PATHS: &str = "
SELECT p.path, p.entry_time, p.entry_id, p.resource_type, p.action, p.status_code, p.flags
FROM audit_changed_paths p JOIN audit_entries e ON e.id = p.entry_id
WHERE e.origin = $1 AND e.seq IS NOT NULL";

/// Fails when the table of changed paths does not hold exactly the paths
/// of `origin`'s sealed entries, or holds rows of no entry: a path removed
/// hides an entry from `field:` searches, one added invents a change.
async fn check_changed_paths(pool: &PgPool, origin: &str) -> Result<(), StoreError> {
    let (differing, orphaned): (i64, i64) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT (SELECT count(*) FROM (({EXPECTED_PATHS}) EXCEPT ({STORED_PATHS})) AS missing) \
         + (SELECT count(*) FROM (({STORED_PATHS}) EXCEPT ({EXPECTED_PATHS})) AS extra), \
         (SELECT count(*) FROM audit_changed_paths p \
          WHERE NOT EXISTS (SELECT 1 FROM audit_entries e WHERE e.id = p.entry_id))"
    )))
    .bind(text_safe(origin))
    .fetch_one(pool)
    .await
    .map_err(StoreError::database)?;
    if differing == 0 && orphaned == 0 {
        return Ok(());
    }
    Err(StoreError::Corrupt {
        detail: format!(
            "audit_changed_paths differs in {differing} rows from the paths the diffs of origin {origin:?} record, and holds {orphaned} rows of no entry: a `field:` search would miss entries, or find entries that did not change the field"
        ),
    })
}

/// Fails unless the audit tables are tables (not views) with no trigger or
/// rule but the store's own: one that drops, alters or adds rows would make
/// the store and its readers say something else than the chain.
async fn check_schema(pool: &PgPool) -> Result<(), StoreError> {
    let foreign: Vec<(String, String)> = sqlx::query_as(
        "SELECT 'trigger', tgname::text FROM pg_trigger \
         WHERE NOT tgisinternal AND tgrelid IN (to_regclass('audit_entries'), to_regclass('audit_changed_paths')) \
         AND tgname NOT IN ('audit_changed_paths_insert', 'audit_changed_paths_delete') \
         UNION ALL SELECT 'rule', rulename::text FROM pg_rules \
         WHERE schemaname = current_schema() AND tablename IN ('audit_entries', 'audit_changed_paths') \
         UNION ALL SELECT 'view', c.relname::text FROM pg_class c \
         WHERE c.oid IN (to_regclass('audit_entries'), to_regclass('audit_changed_paths')) \
         AND c.relkind NOT IN ('r', 'p')",
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::database)?;
    match foreign.first() {
        None => Ok(()),
        Some((kind, name)) => Err(StoreError::Corrupt {
            detail: format!(
                "the database holds a {kind} {name:?} on the audit tables that the store did not make, which changes what the store writes or its readers read"
            ),
        }),
    }
}

/// Verifies the chain of `origin`'s rows, in `seq` order, and that each
/// row's query columns say what its chained line says.
pub(crate) async fn verify_chain(
    pool: &PgPool,
    origin: &str,
    heads: &BTreeMap<u64, Digest>,
) -> Result<StoreReport, StoreError> {
    check_schema(pool).await?;
    let unchained: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_entries WHERE seq IS NULL AND origin IS NULL",
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::database)?;
    let orphaned: i64 = sqlx::query_scalar(COUNT_ORPHANED)
        .fetch_one(pool)
        .await
        .map_err(StoreError::database)?;
    let (unsealed, oldest): (i64, Option<OffsetDateTime>) = sqlx::query_as(
        "SELECT count(*), min(\"time\") FROM audit_entries WHERE origin = $1 AND seq IS NULL",
    )
    .bind(text_safe(origin))
    .fetch_one(pool)
    .await
    .map_err(StoreError::database)?;
    let mut verifier = ChainVerifier::new(heads).starting_anywhere();
    let mut mismatch = None;
    let mut position = 0;
    let mut after = i64::MIN;
    let mut read_all = true;
    'pages: loop {
        let rows = sqlx::query(
            "SELECT seq, entry_json, id, \"time\", actor, organization_id, resource_type, \
             resource_id, action, status_code, request_id, flags, diff::text, \
             additional_fields::text FROM audit_entries WHERE origin = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(text_safe(origin))
        .bind(after)
        .bind(VERIFY_PAGE)
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)?;
        for row in &rows {
            after = row.try_get(0).map_err(StoreError::database)?;
            let json: &str = row.try_get(1).map_err(StoreError::database)?;
            position += 1;
            if mismatch.is_none() {
                let stored = stored_columns(row);
                if let Some(column) = stored
                    .first_difference(json.as_bytes())
                    .or_else(|| other_seq(json.as_bytes(), after))
                    .or_else(|| other_origin(json, origin))
                {
                    let id = stored.id.map(|id| id.to_string()).unwrap_or_default();
                    mismatch = Some((position, u64::try_from(after).unwrap_or(0), id, column));
                }
            }
            if verifier.push(json.as_bytes()) {
                read_all = false;
                break 'pages;
            }
        }
        if rows.len() < usize::try_from(VERIFY_PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    // Once every row was read and agreed with its line, so that its columns
    // can be trusted: a broken chain or a row's mismatch is the report.
    if read_all && mismatch.is_none() {
        check_changed_paths(pool, origin).await?;
    }
    let (purges, purges_elsewhere) = purges(pool, origin).await?;
    Ok(StoreReport {
        origin: origin.to_owned(),
        chain: with_origin(with_column_problem(verifier.finish(), mismatch), origin),
        unsealed: Unsealed {
            rows: u64::try_from(unsealed).unwrap_or(0),
            oldest_us: oldest.map(micros),
        },
        unchained_record: check_unchained(
            unchained_record(pool, &text_safe(origin)).await?,
            unchained_ids(pool).await?,
        ),
        unchained: u64::try_from(unchained).unwrap_or(0),
        orphaned: u64::try_from(orphaned).unwrap_or(0),
        purges,
        purges_elsewhere,
    })
}

/// The rows of [`sql::select_resource_facts`].
#[cfg(feature = "viewer")]
pub(crate) async fn resource_facts(
    pool: &PgPool,
    resources: &[(&str, &str)],
) -> Result<Vec<crate::store::facts::ResourceFact>, StoreError> {
    if resources.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = PgSql::default();
    sql::select_resource_facts(resources, &mut sql);
    let rows = sql
        .build()
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)?;
    rows.iter()
        .map(|row| {
            Ok(crate::store::facts::ResourceFact {
                resource_type: row.try_get(0)?,
                resource_id: row.try_get(1)?,
                time_us: row.try_get(2)?,
                action: row.try_get(3)?,
                diff: row.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::database)
}

/// The count of `query`, with the menus when `menus`: one statement either way.
#[cfg(feature = "viewer")]
pub(crate) async fn count_and_menus(
    pool: &PgPool,
    query: &AuditQuery,
    cap: u64,
    menus: bool,
) -> Result<crate::store::facts::CountAndMenus, StoreError> {
    if !menus {
        return Ok(crate::store::facts::CountAndMenus {
            count: count(pool, query, cap).await?,
            resource_types: Vec::new(),
            actions: Vec::new(),
        });
    }
    let mut sql = PgSql::default();
    sql::select_count_and_menus(query, cap, &mut sql);
    let rows = sql
        .build()
        .fetch_all(pool)
        .await
        .map_err(StoreError::database)?;
    let rows = rows
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(StoreError::database)?;
    Ok(crate::store::facts::CountAndMenus::from_rows(rows, cap))
}

/// Sends the stored JSON of every entry `query` selects, in chain order,
/// to `lines` until it is closed: one statement, streamed row by row.
#[cfg(feature = "viewer")]
pub(crate) async fn for_each_stored(
    pool: &PgPool,
    query: &AuditQuery,
    lines: &tokio::sync::mpsc::Sender<Result<String, StoreError>>,
) -> Result<(), StoreError> {
    use futures_core::Stream;
    let mut sql = PgSql::default();
    sql::select_export(query, &mut sql);
    let query = sql.build();
    let mut rows = query.fetch(pool);
    loop {
        let next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut rows).poll_next(cx)).await;
        let Some(row) = next else { return Ok(()) };
        let row = row.map_err(StoreError::database)?;
        let json: String = row.try_get(0).map_err(StoreError::database)?;
        if lines.send(Ok(json)).await.is_err() {
            return Ok(());
        }
    }
}
