//! The SQLite table, created and migrated under a schema version.

use rusqlite::{Connection, OptionalExtension as _};

use crate::store::StoreError;
pub(crate) use crate::store::chain::FromVersion1;
use crate::store::sql::PATH_COLUMNS;

/// The schema version this audit-core writes.
pub(crate) const VERSION: i64 = 3;

/// `MIGRATIONS[n]` takes the schema from version `n` to `n + 1`; the last
/// step, to version 3, is [`migrate_to_origins`], which reads the table.
const MIGRATIONS: [&str; 2] = [
    r"
CREATE TABLE audit_schema_version (version INTEGER NOT NULL) STRICT;
CREATE TABLE audit_entries (
    id BLOB PRIMARY KEY CHECK (length(id) = 16), -- a UUID v7, 16 bytes
    time_us INTEGER NOT NULL,                    -- microseconds since the Unix epoch, UTC
    actor TEXT,
    organization_id TEXT,
    ip TEXT,
    user_agent TEXT,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    resource_target TEXT NOT NULL,
    resource_link TEXT,
    action TEXT NOT NULL,
    diff TEXT NOT NULL CHECK (json_valid(diff)),
    status_code INTEGER,                         -- NULL: uncommitted
    additional_fields TEXT NOT NULL CHECK (json_valid(additional_fields)),
    request_id TEXT,
    flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags)),
    entry_json TEXT NOT NULL                     -- the entry exactly as exported
) STRICT;
CREATE INDEX audit_entries_time ON audit_entries (time_us DESC, id DESC);
CREATE INDEX audit_entries_resource ON audit_entries (resource_type, resource_id, time_us DESC, id DESC);
CREATE INDEX audit_entries_actor ON audit_entries (actor, time_us DESC, id DESC) WHERE actor IS NOT NULL;
CREATE INDEX audit_entries_organization ON audit_entries (organization_id, time_us DESC, id DESC) WHERE organization_id IS NOT NULL;
CREATE INDEX audit_entries_request ON audit_entries (request_id, time_us DESC, id DESC) WHERE request_id IS NOT NULL;
",
    // Version 2: the hash chain. Rows of version 1 stay unchained (no seq).
    r"
ALTER TABLE audit_entries ADD COLUMN seq INTEGER; -- the entry's place in the hash chain, from 1
CREATE UNIQUE INDEX audit_entries_seq ON audit_entries (seq);
",
];

/// Creates or migrates the table on `conn`, in a transaction of its own, or
/// in a savepoint of the caller's: whether it migrated it from version 1,
/// whose rows have no chain, for the store to record them in its own.
pub(crate) fn migrate(conn: &Connection, version_1: FromVersion1) -> Result<bool, StoreError> {
    // Outside a transaction, take the write lock first, so that two
    // processes opening a new database do not both create the table.
    let own = conn.is_autocommit();
    conn.execute_batch(if own {
        "BEGIN IMMEDIATE"
    } else {
        "SAVEPOINT audit_migrate"
    })
    .map_err(StoreError::database)?;
    let migrated = migrate_in_transaction(conn, version_1)
        .and_then(|from_1| create_search_indexes(conn).map(|()| from_1));
    let end = match (&migrated, own) {
        (Ok(_), true) => "COMMIT",
        (Ok(_), false) => "RELEASE audit_migrate",
        (Err(_), true) => "ROLLBACK",
        (Err(_), false) => "ROLLBACK TO audit_migrate; RELEASE audit_migrate",
    };
    let ended = conn.execute_batch(end).map_err(StoreError::database);
    let from_version_1 = migrated?;
    ended.map(|()| from_version_1)
}

fn migrate_in_transaction(conn: &Connection, version_1: FromVersion1) -> Result<bool, StoreError> {
    let found = if table_exists(conn, "audit_schema_version")? {
        conn.query_row("SELECT max(version) FROM audit_schema_version", [], |row| {
            row.get::<_, Option<i64>>(0)
        })
        .map_err(StoreError::database)?
        .ok_or(StoreError::SchemaVersion {
            found: None,
            supported: VERSION,
        })
        .map(Some)?
    } else if table_exists(conn, "audit_entries")? {
        return Err(StoreError::SchemaVersion {
            found: None,
            supported: VERSION,
        });
    } else {
        None
    };
    let from = match found {
        None => 0,
        Some(VERSION) => return Ok(false),
        Some(1) if version_1 == FromVersion1::Refused => {
            return Err(StoreError::SchemaVersion {
                found: Some(1),
                supported: VERSION,
            });
        }
        Some(version) if (1..VERSION).contains(&version) => version,
        Some(version) => {
            return Err(StoreError::SchemaVersion {
                found: Some(version),
                supported: VERSION,
            });
        }
    };
    for migration in MIGRATIONS.iter().skip(usize::try_from(from).unwrap_or(0)) {
        conn.execute_batch(migration)
            .map_err(StoreError::database)?;
    }
    migrate_to_origins(conn)?;
    conn.execute("DELETE FROM audit_schema_version", [])
        .and_then(|_| {
            conn.execute(
                "INSERT INTO audit_schema_version (version) VALUES (?1)",
                [VERSION],
            )
        })
        .map_err(StoreError::database)?;
    Ok(from == 1)
}

/// Version 3: many origins, each a chain of its own. Each row names its
/// writer's `origin`, and `seq` is unique within an origin; a row with
/// neither was written by version 1 (unchained). The rows a version-2 store
/// chained are one chain, whose origin its first row names (or, once purged,
/// its latest purge record): they are given that origin.
const ORIGINS: &str = r"
ALTER TABLE audit_entries ADD COLUMN origin TEXT; -- the writer's origin; NULL: unchained (version 1)
DROP INDEX audit_entries_seq;
CREATE UNIQUE INDEX audit_entries_origin_seq ON audit_entries (origin, seq);
CREATE INDEX audit_entries_origin ON audit_entries (origin, time_us DESC, id DESC);
";

/// Takes the table to version 3 (see [`ORIGINS`]).
fn migrate_to_origins(conn: &Connection) -> Result<(), StoreError> {
    let first: Option<String> = conn
        .query_row(
            "SELECT entry_json FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(StoreError::database)?;
    let purged: Option<String> = conn
        .query_row(
            "SELECT resource_id FROM audit_entries WHERE seq IS NOT NULL AND action = 'purge' \
             AND resource_type = 'audit_log' ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(StoreError::database)?;
    let origin = crate::store::chain::version_2_origin(first.as_deref(), purged);
    conn.execute_batch(ORIGINS).map_err(StoreError::database)?;
    conn.execute(
        "UPDATE audit_entries SET origin = ?1 WHERE seq IS NOT NULL",
        [origin],
    )
    .map_err(StoreError::database)?;
    Ok(())
}

/// The indexes the auditors' searches page from, beside the table's own
/// (which all end with time and id, the page's order):
/// - resource type alone (the table's own index has the resource id
///   second, which leaves a type's entries unordered by time), with action
///   (Coder's presets, `resource_type:workspace action:create`), and
///   action alone (the action menu);
/// - failed entries (`status:failed`), in a partial index;
/// - the changed paths of every entry and each path above them
///   (`settings.theme` also records `settings`), for `field:`, in a table
///   of their own, ordered by path then time: a `field:` page reads it in
///   order, joined to the entries. The store's inserts fill it (a row
///   inserted by other means has no paths); a trigger empties it of a
///   deleted entry's. Each row holds its entry's resource type, action,
///   status and flags too, so that a `field:` search with these filters
///   reads the path's rows alone, in the page's order, and never an entry
///   per row, however rare the combination. (An index per filter would
///   read only the rows that match, but would cost every insert an index
///   entry per path.)
///
/// A path is cut before each `.` and `[` (`members[id=3].role` records
/// `members`, `members[id=3]` and itself), also inside a key's brackets.
///
/// Made with `IF NOT EXISTS` on every open, apart from the schema's
/// versioned migrations: a table of any version gets them, and a missing
/// index is made again.
const SEARCH_INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS audit_entries_type ON audit_entries (resource_type, time_us DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_type_action ON audit_entries (resource_type, action, time_us DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_action ON audit_entries (action, time_us DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_failed ON audit_entries (time_us DESC, id DESC) WHERE status_code >= 400;
CREATE TABLE IF NOT EXISTS audit_changed_paths (
    path TEXT NOT NULL,              -- a key of the entry's diff, or a path above one: `settings`
    entry_time_us INTEGER NOT NULL,  -- audit_entries.time_us
    entry_id BLOB NOT NULL,          -- audit_entries.id
    resource_type TEXT NOT NULL,     -- audit_entries.resource_type
    action TEXT NOT NULL,            -- audit_entries.action
    status_code INTEGER,             -- audit_entries.status_code
    flags TEXT NOT NULL,             -- audit_entries.flags
    PRIMARY KEY (path, entry_time_us, entry_id)
) STRICT, WITHOUT ROWID;
-- The store's inserts record the paths themselves (`insert.rs`): cut in
-- Rust, they cost a fraction of what this trigger, which earlier versions
-- made, cost every insert.
-- A writer of an earlier version names none of the copied columns: its
-- `INSERT OR IGNORE` inserts nothing, and its entries have no paths, like
-- rows inserted by other means.
DROP TRIGGER IF EXISTS audit_changed_paths_insert;
CREATE TRIGGER IF NOT EXISTS audit_changed_paths_delete AFTER DELETE ON audit_entries BEGIN
    DELETE FROM audit_changed_paths
    WHERE entry_id = OLD.id AND entry_time_us = OLD.time_us AND path IN (
    SELECT prefix FROM (
        SELECT group_concat(segment.value, '') OVER (
                PARTITION BY changed.key ORDER BY segment.key
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prefix
        FROM json_each(OLD.diff) AS changed,
             json_each('[' || replace(replace(json_quote(changed.key), '.', '",".'), '[', '","[') || ']') AS segment
    ) WHERE prefix <> '');
END;
"#;

/// Fills the changed paths of the entries stored before the table existed.
const BACKFILL_CHANGED_PATHS: &str = r#"
INSERT OR IGNORE INTO audit_changed_paths (path, entry_time_us, entry_id, resource_type, action,
    status_code, flags)
    SELECT prefix, time_us, id, resource_type, action, status_code, flags FROM (
        SELECT audit_entries.time_us, audit_entries.id, audit_entries.resource_type,
            audit_entries.action, audit_entries.status_code, audit_entries.flags,
            group_concat(segment.value, '') OVER (
                PARTITION BY audit_entries.id, changed.key ORDER BY segment.key
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prefix
        FROM audit_entries, json_each(audit_entries.diff) AS changed,
             json_each('[' || replace(replace(json_quote(changed.key), '.', '",".'), '[', '","[') || ']') AS segment
    ) WHERE prefix <> '';
"#;

/// Creates the [`SEARCH_INDEXES`] that are missing, and fills the table of
/// changed paths when it is new, or made again because it was made before
/// it held the columns it copies from the entries (dropped first).
fn create_search_indexes(conn: &Connection) -> Result<(), StoreError> {
    let exists = table_exists(conn, "audit_changed_paths")?;
    let mut outdated = false;
    if exists {
        for column in PATH_COLUMNS {
            outdated |= !column_exists(conn, "audit_changed_paths", column)?;
        }
    }
    if outdated {
        conn.execute_batch("DROP TABLE audit_changed_paths")
            .map_err(StoreError::database)?;
    }
    conn.execute_batch(SEARCH_INDEXES)
        .map_err(StoreError::database)?;
    conn.execute_batch(crate::store::chain::APPENDED_ORIGINS)
        .map_err(StoreError::database)?;
    if !exists || outdated {
        conn.execute_batch(BACKFILL_CHANGED_PATHS)
            .map_err(StoreError::database)?;
    }
    Ok(())
}

/// Whether the table `table` has the column `column`.
fn column_exists(conn: &Connection, table: &str, column: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
    .map_err(StoreError::database)
}

fn table_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
    .map_err(StoreError::database)
}
