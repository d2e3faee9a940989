//! The SQL both stores run, built once for both dialects: only from the
//! filters that are set, with every value bound to a placeholder.
//!
//! The SQL text is made of the constants in this file and placeholders,
//! nothing else: a value from a query or an entry never becomes SQL.

use uuid::Uuid;

use crate::entry::Flag;
use crate::store::cursor::micros;
use crate::store::{AuditQuery, Condition};

/// The table of entries.
pub(crate) const TABLE: &str = "audit_entries";

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Bind<'a> {
    Text(&'a str),
    Int(i64),
    /// Microseconds since the Unix epoch; each dialect binds its time type.
    Time(i64),
    Id(Uuid),
}

/// How a store's SQL dialect writes what differs: placeholders, the time
/// column, and the test for a flag.
pub(crate) trait Dialect {
    /// The time column: `time_us`, microseconds, on SQLite; `"time"`, a
    /// `timestamptz`, on PostgreSQL.
    const TIME: &'static str;

    /// The time column as microseconds since the Unix epoch, an integer.
    const TIME_US: &'static str = "time_us";

    /// The diff column as JSON text.
    #[cfg(feature = "viewer")]
    const DIFF_TEXT: &'static str = "diff";

    /// The time column of the changed paths: `entry_time_us` on SQLite,
    /// `entry_time` on PostgreSQL.
    const PATH_TIME: &'static str = "entry_time_us";

    /// Appends SQL text.
    fn push(&mut self, sql: &str);

    /// Appends a placeholder bound to `value`.
    fn bind(&mut self, value: Bind<'_>);

    /// Appends a condition true when the flags in the column `flags` hold `flag`.
    fn push_has_flag(&mut self, flags: &str, flag: &str);
}

/// `SELECT entry_json ...`: one page of `query`, plus one entry to tell
/// whether another page follows.
pub(crate) fn select_page<S: Dialect>(query: &AuditQuery, sql: &mut S) {
    sql.push("SELECT entry_json FROM ");
    let source = push_from(query, sql, true);
    push_where(query, sql, true, source);
    sql.push(" ORDER BY ");
    if source == Source::Entries {
        sql.push(S::TIME);
        sql.push(" DESC, id DESC LIMIT ");
    } else {
        sql.push(S::PATH_TIME);
        sql.push(" DESC, entry_id DESC LIMIT ");
    }
    sql.bind(Bind::Int(page_size_plus_one(query)));
}

/// The path of a query's one `field:` term, when it has exactly one: its
/// page reads the changed paths in order (by path, then time), joined to
/// the entries, rather than sorting every entry that changed the path.
fn joined_path(query: &AuditQuery) -> Option<&str> {
    let mut paths = query
        .matching
        .iter()
        .filter_map(|condition| match condition {
            Condition::ChangedPath(path) => Some(path.as_str()),
            _ => None,
        });
    let path = paths.next()?;
    paths.next().is_none().then_some(path)
}

/// What a statement reads: the entries, the changed paths of a query's one
/// `field:` term joined to them, or those changed paths alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Entries,
    Joined,
    Paths,
}

/// The columns of the entries that the table of changed paths copies into
/// each of their rows (see the stores' `schema.rs`): a condition on them
/// is read from the path's rows, in the page's order, and never from the
/// entry of each row. A `field:` search with a rare resource type, action,
/// status or flag reads the path's rows and no entry, however few match.
pub(crate) const PATH_COLUMNS: [&str; 4] = ["resource_type", "action", "status_code", "flags"];

/// Whether a filter of `query` reads a column that only the entries hold:
/// anything but its one `field:` term, the time and [`PATH_COLUMNS`].
fn reads_entries(query: &AuditQuery) -> bool {
    let copied = |condition: &Condition| {
        matches!(
            condition,
            Condition::ResourceType(_)
                | Condition::Action(_)
                | Condition::Status(_)
                | Condition::Flag(_)
        )
    };
    query.resource_id.is_some()
        || query.actor.is_some()
        || query.organization_id.is_some()
        || query.request_id.is_some()
        || query.origin.is_some()
        || !query
            .matching
            .iter()
            .all(|condition| copied(condition) || matches!(condition, Condition::ChangedPath(_)))
        || !query.excluding.iter().all(copied)
}

/// The table, or the changed paths joined to it, or, when `entry_json` is
/// not read (`page` false) and no filter needs the entries, the changed
/// paths alone: what it wrote.
fn push_from<S: Dialect>(query: &AuditQuery, sql: &mut S, page: bool) -> Source {
    if joined_path(query).is_none() {
        sql.push(TABLE);
        return Source::Entries;
    }
    sql.push(CHANGED_PATHS);
    if !page && !reads_entries(query) {
        return Source::Paths;
    }
    sql.push(" JOIN ");
    sql.push(TABLE);
    sql.push(" ON ");
    sql.push(TABLE);
    sql.push(".id = ");
    sql.push(CHANGED_PATHS);
    sql.push(".entry_id");
    Source::Joined
}

/// `SELECT count(*) ...` of the entries matching `query`'s filters (not
/// its cursor), reading at most `cap + 1` of them.
pub(crate) fn select_count<S: Dialect>(query: &AuditQuery, cap: u64, sql: &mut S) {
    sql.push("SELECT count(*) FROM (SELECT 1 FROM ");
    let source = push_from(query, sql, false);
    push_where(query, sql, false, source);
    sql.push(" LIMIT ");
    sql.bind(Bind::Int(
        i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX),
    ));
    sql.push(") AS matching");
}

/// `SELECT entry_json ...` of every entry matching `query`'s filters (not
/// its cursor or limit), in chain order (each origin's `seq`), for an export that `audit
/// verify` can check. Rows not chained yet (no `seq`) come first on SQLite
/// and last on PostgreSQL, in no set order.
#[cfg(feature = "viewer")]
pub(crate) fn select_export<S: Dialect>(query: &AuditQuery, sql: &mut S) {
    sql.push("SELECT entry_json FROM ");
    sql.push(TABLE);
    push_where(query, sql, false, Source::Entries);
    sql.push(" ORDER BY origin, seq");
}

/// How many values a menu of the auditors' page lists at most.
#[cfg(feature = "viewer")]
pub(crate) const MENU_CAP: i64 = 200;

/// One statement: the capped count of `query` (a row `('count', NULL, n)`)
/// and the distinct resource types and actions of the table (rows
/// `('resource_type', value, NULL)` and `('action', value, NULL)`), each
/// read by a walk of its index from one value to the next (a loose index
/// scan: one index probe per distinct value, not a scan of the table).
#[cfg(feature = "viewer")]
pub(crate) fn select_count_and_menus<S: Dialect>(query: &AuditQuery, cap: u64, sql: &mut S) {
    sql.push("WITH RECURSIVE ");
    for (index, (name, column)) in [("types", "resource_type"), ("actions", "action")]
        .into_iter()
        .enumerate()
    {
        if index > 0 {
            sql.push(", ");
        }
        sql.push(name);
        sql.push("(v, n) AS (SELECT min(");
        sql.push(column);
        sql.push("), 1 FROM ");
        sql.push(TABLE);
        sql.push(" UNION ALL SELECT (SELECT min(");
        sql.push(column);
        sql.push(") FROM ");
        sql.push(TABLE);
        sql.push(" WHERE ");
        sql.push(column);
        sql.push(" > ");
        sql.push(name);
        sql.push(".v), n + 1 FROM ");
        sql.push(name);
        sql.push(" WHERE ");
        sql.push(name);
        sql.push(".v IS NOT NULL AND n < ");
        sql.bind(Bind::Int(MENU_CAP));
        sql.push(")");
    }
    sql.push(" SELECT 'count', NULL, (");
    select_count(query, cap, sql);
    sql.push(") UNION ALL SELECT 'resource_type', v, NULL FROM types WHERE v IS NOT NULL");
    sql.push(" UNION ALL SELECT 'action', v, NULL FROM actions WHERE v IS NOT NULL");
}

/// One statement: for the resources `resources` (type, id), their
/// successful `delete` entries and their entries with secret fingerprints,
/// as rows (resource type, resource id, time in microseconds, action,
/// diff as JSON text). A page decides "deleted" and "set back to an earlier
/// value" for all its rows from them.
#[cfg(feature = "viewer")]
pub(crate) fn select_resource_facts<S: Dialect>(resources: &[(&str, &str)], sql: &mut S) {
    sql.push("SELECT resource_type, resource_id, ");
    sql.push(S::TIME_US);
    sql.push(", action, ");
    sql.push(S::DIFF_TEXT);
    sql.push(" FROM ");
    sql.push(TABLE);
    sql.push(" WHERE (resource_type, resource_id) IN (VALUES ");
    for (index, (resource_type, resource_id)) in resources.iter().enumerate() {
        sql.push(if index > 0 { ", (" } else { "(" });
        sql.bind(Bind::Text(resource_type));
        sql.push(", ");
        sql.bind(Bind::Text(resource_id));
        sql.push(")");
    }
    sql.push(") AND ((action = 'delete' AND status_code < 400) OR ");
    sql.push(S::DIFF_TEXT);
    sql.push(" LIKE '%\"old_hmac\"%' OR ");
    sql.push(S::DIFF_TEXT);
    sql.push(" LIKE '%\"new_hmac\"%')");
}

/// `SELECT` the last sequence number of `origin`'s chain a purge before
/// `cutoff_us` removes: the one before the first chained entry made at or
/// after the cutoff, and never the chain's head, which the next entry links
/// to. `NULL` when there is nothing to purge. Chain order is seal order, not
/// time order: an entry made before the cutoff but sealed after a newer one
/// (an outbox) is kept, so that the chain left is whole.
pub(crate) fn purge_through<S: Dialect>(origin: &str, cutoff_us: i64, sql: &mut S) {
    sql.push("SELECT min(bound) - 1 FROM (SELECT min(seq) AS bound FROM ");
    sql.push(TABLE);
    sql.push(" WHERE origin = ");
    sql.bind(Bind::Text(origin));
    sql.push(" AND seq IS NOT NULL AND ");
    sql.push(S::TIME);
    sql.push(" >= ");
    sql.bind(Bind::Time(cutoff_us));
    sql.push(" UNION ALL SELECT max(seq) FROM ");
    sql.push(TABLE);
    sql.push(" WHERE origin = ");
    sql.bind(Bind::Text(origin));
    sql.push(") AS bounds");
}

/// Deletes the `batch` rows of lowest `seq` of `origin`'s chain up to
/// `through_seq`.
pub(crate) fn delete_chained_batch<S: Dialect>(
    origin: &str,
    through_seq: i64,
    batch: i64,
    sql: &mut S,
) {
    sql.push("DELETE FROM ");
    sql.push(TABLE);
    sql.push(" WHERE id IN (SELECT id FROM ");
    sql.push(TABLE);
    sql.push(" WHERE origin = ");
    sql.bind(Bind::Text(origin));
    sql.push(" AND seq <= ");
    sql.bind(Bind::Int(through_seq));
    sql.push(" ORDER BY seq LIMIT ");
    sql.bind(Bind::Int(batch));
    sql.push(")");
}

/// Deletes `batch` unchained rows (written before the chain, schema
/// version 1: no origin, no `seq`) made before `cutoff_us`.
pub(crate) fn delete_unchained_batch<S: Dialect>(cutoff_us: i64, batch: i64, sql: &mut S) {
    sql.push("DELETE FROM ");
    sql.push(TABLE);
    sql.push(" WHERE id IN (SELECT id FROM ");
    sql.push(TABLE);
    sql.push(" WHERE origin IS NULL AND seq IS NULL AND ");
    sql.push(S::TIME);
    sql.push(" < ");
    sql.bind(Bind::Time(cutoff_us));
    sql.push(" LIMIT ");
    sql.bind(Bind::Int(batch));
    sql.push(")");
}

fn page_size_plus_one(query: &AuditQuery) -> i64 {
    i64::try_from(query.page_size()).map_or(i64::MAX, |size| size + 1)
}

/// ` WHERE ...` for every filter set in `query`, and its cursor when
/// `with_cursor`; nothing when none is set. Read from `source`: with the
/// changed paths, the time and the [`PATH_COLUMNS`] are theirs.
fn push_where<S: Dialect>(query: &AuditQuery, sql: &mut S, with_cursor: bool, source: Source) {
    let mut conditions = Conditions { sql, any: false };
    let on_paths = source != Source::Entries;
    let joined_path = on_paths.then(|| joined_path(query)).flatten();
    if let Some(path) = joined_path {
        let sql = conditions.next();
        sql.push(CHANGED_PATHS);
        sql.push(".path = ");
        sql.bind(Bind::Text(path));
    }
    let text_filters = [
        ("resource_type", &query.resource_type),
        ("resource_id", &query.resource_id),
        ("actor", &query.actor),
        ("organization_id", &query.organization_id),
        ("request_id", &query.request_id),
        ("origin", &query.origin),
    ];
    for (column, value) in text_filters {
        if let Some(value) = value {
            let sql = conditions.next();
            push_column(sql, column, on_paths);
            sql.push(" = ");
            sql.bind(Bind::Text(value));
        }
    }
    if !query.actions.is_empty() {
        push_actions(&query.actions, conditions.next(), on_paths);
    }
    if let Some(status) = query.status {
        push_status(status, conditions.next(), on_paths);
    }
    if let Some(flag) = query.flag {
        push_has_flag(flag, conditions.next(), on_paths);
    }
    let time = if on_paths { S::PATH_TIME } else { S::TIME };
    if let Some(since) = query.since {
        let sql = conditions.next();
        sql.push(time);
        sql.push(" >= ");
        sql.bind(Bind::Time(micros(since)));
    }
    if let Some(until) = query.until {
        let sql = conditions.next();
        sql.push(time);
        sql.push(" < ");
        sql.bind(Bind::Time(micros(until)));
    }
    let joined_kind = joined_path.map(|path| Condition::ChangedPath(path.to_owned()).kind());
    for kind in query.matching_kinds() {
        if Some(kind) == joined_kind {
            continue;
        }
        let sql = conditions.next();
        sql.push("(");
        let alternatives = query.matching.iter().filter(|c| c.kind() == kind);
        for (index, condition) in alternatives.enumerate() {
            if index > 0 {
                sql.push(" OR ");
            }
            push_condition(condition, sql, on_paths);
        }
        sql.push(")");
    }
    for condition in &query.excluding {
        // `IS NOT TRUE`: an entry without the value (NULL) is kept.
        let sql = conditions.next();
        sql.push("(");
        push_condition(condition, sql, on_paths);
        sql.push(") IS NOT TRUE");
    }
    if let (true, Some(cursor)) = (with_cursor, query.after) {
        let sql = conditions.next();
        sql.push("(");
        if joined_path.is_some() {
            sql.push(S::PATH_TIME);
            sql.push(", entry_id) < (");
        } else {
            sql.push(S::TIME);
            sql.push(", id) < (");
        }
        sql.bind(Bind::Time(cursor.time_us));
        sql.push(", ");
        sql.bind(Bind::Id(cursor.id));
        sql.push(")");
    }
}

/// `action = ?`, or `action IN (?, ...)` for more than one.
fn push_actions<S: Dialect>(actions: &[crate::model::action::Action], sql: &mut S, on_paths: bool) {
    push_column(sql, "action", on_paths);
    if let [action] = actions {
        sql.push(" = ");
        sql.bind(Bind::Text(action.as_str()));
        return;
    }
    sql.push(" IN (");
    for (index, action) in actions.iter().enumerate() {
        if index > 0 {
            sql.push(", ");
        }
        sql.bind(Bind::Text(action.as_str()));
    }
    sql.push(")");
}

/// The table of changed paths: one row per entry and path of its diff, and
/// per path above one, filled by a trigger (see the stores' `schema.rs`),
/// for `field:` searches.
pub(crate) const CHANGED_PATHS: &str = "audit_changed_paths";

/// The paths a diff's `key` records in the table of changed paths: each
/// path above it, cut before each `.` and `[` after its first character,
/// also inside a key's brackets (`members[id=3].role`: `members`,
/// `members[id=3]`), then itself. (PostgreSQL's trigger cuts them itself.)
#[cfg(feature = "sqlite")]
pub(crate) fn changed_paths(key: &str) -> impl Iterator<Item = &str> {
    key.char_indices()
        .skip(1)
        .filter(|&(_, c)| c == '.' || c == '[')
        .map(|(at, _)| &key[..at])
        .chain(std::iter::once(key))
}

/// Appends `column`, of the changed paths when `on_paths` and they copy
/// it ([`PATH_COLUMNS`]), else of the entries.
fn push_column<S: Dialect>(sql: &mut S, column: &str, on_paths: bool) {
    if on_paths && PATH_COLUMNS.contains(&column) {
        sql.push(CHANGED_PATHS);
        sql.push(".");
    }
    sql.push(column);
}

/// Appends one [`Condition`] as SQL; on the changed paths' copies of
/// [`PATH_COLUMNS`] when `on_paths`.
fn push_condition<S: Dialect>(condition: &Condition, sql: &mut S, on_paths: bool) {
    let text = |sql: &mut S, column: &str, value: &str| {
        push_column(sql, column, on_paths);
        sql.push(" = ");
        sql.bind(Bind::Text(value));
    };
    match condition {
        Condition::ResourceType(value) => text(sql, "resource_type", value),
        Condition::ResourceId(value) => text(sql, "resource_id", value),
        Condition::Action(action) => text(sql, "action", action.as_str()),
        Condition::Actor(value) => text(sql, "actor", value),
        Condition::Organization(value) => text(sql, "organization_id", value),
        Condition::RequestId(value) => text(sql, "request_id", value),
        Condition::Status(status) => push_status(*status, sql, on_paths),
        Condition::Flag(flag) => push_has_flag(*flag, sql, on_paths),
        Condition::ChangedPath(path) => {
            // The table holds each changed path and the paths above it.
            sql.push("id IN (SELECT entry_id FROM ");
            sql.push(CHANGED_PATHS);
            sql.push(" WHERE path = ");
            sql.bind(Bind::Text(path));
            sql.push(")");
        }
    }
}

fn push_status<S: Dialect>(status: crate::store::StatusFilter, sql: &mut S, on_paths: bool) {
    use crate::store::StatusFilter;
    push_column(sql, "status_code", on_paths);
    match status {
        StatusFilter::Code(code) => {
            sql.push(" = ");
            sql.bind(Bind::Int(i64::from(code)));
        }
        StatusFilter::Succeeded => sql.push(" < 400"),
        StatusFilter::Failed => sql.push(" >= 400"),
        StatusFilter::Uncommitted => sql.push(" IS NULL"),
    }
}

fn push_has_flag<S: Dialect>(flag: Flag, sql: &mut S, on_paths: bool) {
    let flags = if on_paths {
        "audit_changed_paths.flags"
    } else {
        "flags"
    };
    sql.push_has_flag(flags, &flag_name(flag));
}

/// Writes ` WHERE ` before the first condition and ` AND ` before the others.
struct Conditions<'a, S> {
    sql: &'a mut S,
    any: bool,
}

impl<S: Dialect> Conditions<'_, S> {
    fn next(&mut self) -> &mut S {
        self.sql.push(if self.any { " AND " } else { " WHERE " });
        self.any = true;
        self.sql
    }
}

/// The name a flag is stored under: its serialized name.
pub(crate) fn flag_name(flag: Flag) -> String {
    match serde_json::to_value(flag) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{flag:?}"),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::model::action::Action;
    use crate::store::{Cursor, StatusFilter};

    /// Records SQL with `?` placeholders and the values bound.
    #[derive(Default)]
    struct Recorder {
        text: String,
        binds: Vec<String>,
    }

    impl Dialect for Recorder {
        const TIME: &'static str = "time";

        fn push(&mut self, sql: &str) {
            self.text.push_str(sql);
        }

        fn bind(&mut self, value: Bind<'_>) {
            self.text.push('?');
            self.binds.push(format!("{value:?}"));
        }

        fn push_has_flag(&mut self, flags: &str, flag: &str) {
            self.text.push_str("has_flag(");
            self.text.push_str(flags);
            self.text.push_str(", ?)");
            self.binds.push(flag.to_owned());
        }
    }

    fn page(query: &AuditQuery) -> Recorder {
        let mut sql = Recorder::default();
        select_page(query, &mut sql);
        sql
    }

    #[test]
    fn no_filter_no_where() {
        let sql = page(&AuditQuery::new());
        assert_eq!(
            sql.text,
            "SELECT entry_json FROM audit_entries ORDER BY time DESC, id DESC LIMIT ?"
        );
        assert_eq!(sql.binds, ["Int(101)"]);
    }

    #[test]
    fn every_filter_is_a_bound_condition() {
        let query = AuditQuery::new()
            .resource_type("chat")
            .resource_id("42")
            .actions([Action::WRITE, Action::DELETE])
            .actor("ada")
            .organization("org")
            .request_id("req")
            .origin("api-2")
            .status(StatusFilter::Code(404))
            .flag(Flag::EmptyWriteDiff)
            .since(datetime!(1970-01-01 00:00:01 UTC))
            .until(datetime!(1970-01-01 00:00:02 UTC))
            .limit(10)
            .after(Cursor {
                time_us: 5,
                id: Uuid::nil(),
            });
        let sql = page(&query);
        assert_eq!(
            sql.text,
            "SELECT entry_json FROM audit_entries WHERE resource_type = ? AND resource_id = ? \
             AND actor = ? AND organization_id = ? AND request_id = ? AND origin = ? \
             AND action IN (?, ?) \
             AND status_code = ? AND has_flag(flags, ?) AND time >= ? AND time < ? \
             AND (time, id) < (?, ?) ORDER BY time DESC, id DESC LIMIT ?"
        );
        assert_eq!(
            sql.binds,
            [
                r#"Text("chat")"#,
                r#"Text("42")"#,
                r#"Text("ada")"#,
                r#"Text("org")"#,
                r#"Text("req")"#,
                r#"Text("api-2")"#,
                r#"Text("write")"#,
                r#"Text("delete")"#,
                "Int(404)",
                "empty_write_diff",
                "Time(1000000)",
                "Time(2000000)",
                "Time(5)",
                "Id(00000000-0000-0000-0000-000000000000)",
                "Int(11)",
            ]
        );
    }

    #[test]
    fn hostile_values_never_reach_the_sql_text() {
        let hostile = "x' OR 1=1; DROP TABLE audit_entries; --\0\u{202e}";
        let query = AuditQuery::new()
            .resource_type(hostile)
            .resource_id(hostile)
            .actor(hostile)
            .organization(hostile)
            .request_id(hostile);
        let sql = page(&query);
        assert!(!sql.text.contains('\''), "{}", sql.text);
        assert!(!sql.text.contains("OR 1=1"), "{}", sql.text);
        assert_eq!(sql.binds.len(), 6);
    }

    #[test]
    fn count_ignores_the_cursor_and_reads_one_past_the_cap() {
        let query = AuditQuery::new().actor("ada").after(Cursor {
            time_us: 1,
            id: Uuid::nil(),
        });
        let mut sql = Recorder::default();
        select_count(&query, 2000, &mut sql);
        assert_eq!(
            sql.text,
            "SELECT count(*) FROM (SELECT 1 FROM audit_entries WHERE actor = ? LIMIT ?) AS matching"
        );
        assert_eq!(sql.binds, [r#"Text("ada")"#, "Int(2001)"]);
    }

    #[test]
    fn one_field_term_pages_from_the_changed_paths_in_order() {
        let query = AuditQuery::new()
            .matching(Condition::ChangedPath("settings".into()))
            .matching(Condition::Action(Action::WRITE))
            .excluding(Condition::Actor("bot".into()))
            .after(Cursor {
                time_us: 5,
                id: Uuid::nil(),
            });
        let sql = page(&query);
        assert_eq!(
            sql.text,
            "SELECT entry_json FROM audit_changed_paths JOIN audit_entries \
             ON audit_entries.id = audit_changed_paths.entry_id \
             WHERE audit_changed_paths.path = ? AND (audit_changed_paths.action = ?) \
             AND (actor = ?) IS NOT TRUE \
             AND (entry_time_us, entry_id) < (?, ?) ORDER BY entry_time_us DESC, entry_id DESC LIMIT ?"
        );
        // Two field terms are alternatives: each an `IN` of the changed paths.
        let query = AuditQuery::new()
            .matching(Condition::ChangedPath("a".into()))
            .matching(Condition::ChangedPath("b".into()));
        assert_eq!(
            page(&query).text,
            "SELECT entry_json FROM audit_entries WHERE (id IN (SELECT entry_id FROM \
             audit_changed_paths WHERE path = ?) OR id IN (SELECT entry_id FROM \
             audit_changed_paths WHERE path = ?)) ORDER BY time DESC, id DESC LIMIT ?"
        );
    }

    #[test]
    fn a_field_term_filters_type_action_and_time_on_the_changed_paths() {
        let query = AuditQuery::new()
            .matching(Condition::ChangedPath("ttl".into()))
            .resource_type("template")
            .matching(Condition::Action(Action::CREATE))
            .matching(Condition::Action(Action::DELETE))
            .excluding(Condition::ResourceType("chat".into()))
            .since(datetime!(1970-01-01 00:00:01 UTC));
        assert_eq!(
            page(&query).text,
            "SELECT entry_json FROM audit_changed_paths JOIN audit_entries \
             ON audit_entries.id = audit_changed_paths.entry_id \
             WHERE audit_changed_paths.path = ? AND audit_changed_paths.resource_type = ? \
             AND entry_time_us >= ? \
             AND (audit_changed_paths.action = ? OR audit_changed_paths.action = ?) \
             AND (audit_changed_paths.resource_type = ?) IS NOT TRUE \
             ORDER BY entry_time_us DESC, entry_id DESC LIMIT ?"
        );
        // The count needs no entry: it reads the changed paths alone.
        let mut sql = Recorder::default();
        select_count(&query, 2000, &mut sql);
        assert_eq!(
            sql.text,
            "SELECT count(*) FROM (SELECT 1 FROM audit_changed_paths \
             WHERE audit_changed_paths.path = ? AND audit_changed_paths.resource_type = ? \
             AND entry_time_us >= ? \
             AND (audit_changed_paths.action = ? OR audit_changed_paths.action = ?) \
             AND (audit_changed_paths.resource_type = ?) IS NOT TRUE LIMIT ?) AS matching"
        );
        // So do the status and the flags, which the changed paths hold too.
        let mut sql = Recorder::default();
        let anomalies = AuditQuery::new()
            .matching(Condition::ChangedPath("ttl".into()))
            .status(StatusFilter::Uncommitted)
            .excluding(Condition::Status(StatusFilter::Code(404)))
            .matching(Condition::Flag(Flag::EmptyWriteDiff));
        select_count(&anomalies, 2000, &mut sql);
        assert_eq!(
            sql.text,
            "SELECT count(*) FROM (SELECT 1 FROM audit_changed_paths \
             WHERE audit_changed_paths.path = ? AND audit_changed_paths.status_code IS NULL \
             AND (has_flag(audit_changed_paths.flags, ?)) \
             AND (audit_changed_paths.status_code = ?) IS NOT TRUE LIMIT ?) AS matching"
        );
        // Any other filter, or a second field term excluded, joins the entries.
        for query in [
            query.clone().organization("org-1"),
            query.clone().matching(Condition::Actor("ada".into())),
            query.clone().excluding(Condition::Actor("ada".into())),
            query.excluding(Condition::ChangedPath("title".into())),
        ] {
            let mut sql = Recorder::default();
            select_count(&query, 2000, &mut sql);
            assert!(
                sql.text.starts_with(
                    "SELECT count(*) FROM (SELECT 1 FROM audit_changed_paths JOIN audit_entries "
                ),
                "{}",
                sql.text
            );
        }
        // Without a field term, the entries' own columns.
        let sql = page(
            &AuditQuery::new()
                .resource_type("chat")
                .action(Action::WRITE),
        );
        assert_eq!(
            sql.text,
            "SELECT entry_json FROM audit_entries WHERE resource_type = ? AND action = ? \
             ORDER BY time DESC, id DESC LIMIT ?"
        );
    }

    #[test]
    fn status_classes_need_no_value() {
        for (status, condition) in [
            (StatusFilter::Succeeded, "status_code < 400"),
            (StatusFilter::Failed, "status_code >= 400"),
            (StatusFilter::Uncommitted, "status_code IS NULL"),
        ] {
            let sql = page(&AuditQuery::new().status(status));
            assert!(
                sql.text.contains(&format!(" WHERE {condition} ORDER")),
                "{}",
                sql.text
            );
            assert_eq!(sql.binds.len(), 1);
        }
    }
}
