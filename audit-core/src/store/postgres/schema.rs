//! The PostgreSQL table, created and migrated under a schema version.

use sqlx::{PgConnection, PgPool};

use crate::store::StoreError;
use crate::store::chain::FromVersion1;
use crate::store::sql::PATH_COLUMNS;

/// The schema version this audit-core writes.
pub(crate) const VERSION: i32 = 3;

/// `MIGRATIONS[n]` takes the schema from version `n` to `n + 1`; the last
/// step, to version 3, is [`migrate_to_origins`], which reads the table.
const MIGRATIONS: [&str; 2] = [
    r#"
CREATE TABLE audit_schema_version (version integer NOT NULL);
CREATE TABLE audit_entries (
    id uuid PRIMARY KEY,                      -- a UUID v7
    "time" timestamptz NOT NULL,
    actor text,
    organization_id text,
    ip inet,
    user_agent text,
    resource_type text NOT NULL,              -- text, not an enum: a new resource needs no migration
    resource_id text NOT NULL,
    resource_target text NOT NULL,
    resource_link text,
    action text NOT NULL,
    diff jsonb NOT NULL,
    status_code integer CHECK (status_code BETWEEN 0 AND 65535), -- NULL: uncommitted
    additional_fields jsonb NOT NULL,
    request_id text,
    flags text[] NOT NULL DEFAULT '{}',
    entry_json text NOT NULL                  -- the entry exactly as exported
);
CREATE INDEX audit_entries_time ON audit_entries ("time" DESC, id DESC);
CREATE INDEX audit_entries_resource ON audit_entries (resource_type, resource_id, "time" DESC, id DESC);
CREATE INDEX audit_entries_actor ON audit_entries (actor, "time" DESC, id DESC) WHERE actor IS NOT NULL;
CREATE INDEX audit_entries_organization ON audit_entries (organization_id, "time" DESC, id DESC) WHERE organization_id IS NOT NULL;
CREATE INDEX audit_entries_request ON audit_entries (request_id, "time" DESC, id DESC) WHERE request_id IS NOT NULL;
"#,
    // Version 2: the hash chain. Rows of version 1 stay unchained (no seq).
    r"
ALTER TABLE audit_entries ADD COLUMN seq bigint; -- the entry's place in the hash chain, from 1
CREATE UNIQUE INDEX audit_entries_seq ON audit_entries (seq);
",
];

/// Serializes migrations of concurrent processes: the transaction-scoped
/// advisory lock `audit` (as ASCII bytes).
const MIGRATION_LOCK: i64 = 0x0061_7564_6974;

/// Creates or migrates the table, in a transaction of its own: whether it
/// migrated it from version 1, whose rows have no chain, for the store to
/// record them in its own.
pub(crate) async fn migrate(pool: &PgPool, version_1: FromVersion1) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.map_err(StoreError::database)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::database)?;
    let from_version_1 = migrate_in_transaction(&mut tx, version_1).await?;
    create_search_indexes(&mut tx).await?;
    tx.commit().await.map_err(StoreError::database)?;
    Ok(from_version_1)
}

async fn migrate_in_transaction(
    conn: &mut PgConnection,
    version_1: FromVersion1,
) -> Result<bool, StoreError> {
    let found = if table_exists(conn, "audit_schema_version").await? {
        let version: Option<i32> =
            sqlx::query_scalar("SELECT max(version) FROM audit_schema_version")
                .fetch_one(&mut *conn)
                .await
                .map_err(StoreError::database)?;
        Some(version.ok_or(StoreError::SchemaVersion {
            found: None,
            supported: VERSION.into(),
        })?)
    } else if table_exists(conn, "audit_entries").await? {
        return Err(StoreError::SchemaVersion {
            found: None,
            supported: VERSION.into(),
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
                supported: VERSION.into(),
            });
        }
        Some(version) if (1..VERSION).contains(&version) => version,
        Some(version) => {
            return Err(StoreError::SchemaVersion {
                found: Some(version.into()),
                supported: VERSION.into(),
            });
        }
    };
    for migration in MIGRATIONS.iter().skip(usize::try_from(from).unwrap_or(0)) {
        sqlx::raw_sql(*migration)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::database)?;
    }
    migrate_to_origins(conn).await?;
    sqlx::query("DELETE FROM audit_schema_version")
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database)?;
    sqlx::query("INSERT INTO audit_schema_version (version) VALUES ($1)")
        .bind(VERSION)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database)?;
    Ok(from == 1)
}

/// Version 3: many origins, each a chain of its own, and rows sealed after
/// they commit. Each row names its writer's `origin`; `seq` is unique within
/// an origin. A row with an origin and no `seq` is committed but not sealed
/// yet; a row with neither was written by version 1 (unchained). The rows a
/// version-2 store chained are one chain, whose origin its first row names
/// (or, once purged, its latest purge record): they are given that origin.
const ORIGINS: [&str; 5] = [
    "ALTER TABLE audit_entries ADD COLUMN origin text", // the writer's origin; NULL: unchained (version 1)
    "DROP INDEX audit_entries_seq",
    "CREATE UNIQUE INDEX audit_entries_origin_seq ON audit_entries (origin, seq)",
    // What the sealer reads: the committed rows of each origin not chained yet.
    "CREATE INDEX audit_entries_unsealed ON audit_entries (origin, \"time\", id) \
     WHERE seq IS NULL AND origin IS NOT NULL",
    "CREATE INDEX audit_entries_origin ON audit_entries (origin, \"time\" DESC, id DESC)",
];

/// Takes the table to version 3 (see [`ORIGINS`]).
async fn migrate_to_origins(conn: &mut PgConnection) -> Result<(), StoreError> {
    let first: Option<String> = sqlx::query_scalar(
        "SELECT entry_json FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::database)?;
    let purged: Option<String> = sqlx::query_scalar(
        "SELECT resource_id FROM audit_entries WHERE seq IS NOT NULL AND action = 'purge' \
         AND resource_type = 'audit_log' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::database)?;
    let origin = crate::store::chain::version_2_origin(first.as_deref(), purged);
    for statement in ORIGINS {
        sqlx::raw_sql(statement)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::database)?;
    }
    sqlx::query("UPDATE audit_entries SET origin = $1 WHERE seq IS NOT NULL")
        .bind(origin)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database)?;
    Ok(())
}

/// The indexes the auditors' searches page from, beside the table's own
/// (which all end with time and id, the page's order): resource type
/// alone, with action, and action alone; failed entries; and the changed
/// paths of every entry and each path above them (`settings.theme` also
/// records `settings`, cut before each `.` and `[`, as the SQLite store
/// does) in a table of their own that triggers keep, for `field:`, with
/// the entry's resource type, action, status and flags in its key's index
/// (`INCLUDE`), so that a `field:` search with these filters reads that
/// index alone, in the page's order, and never an entry per row, however
/// rare the combination. (An index per filter would read only the rows
/// that match, but would cost every insert an index entry per path.)
///
/// The indexes are made with `IF NOT EXISTS` on every open, apart from the
/// schema's versioned migrations, so that a table of any version gets them;
/// the table of changed paths and its triggers, once, when it is missing
/// or lacks the copied columns (made before them).
const SEARCH_INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS audit_entries_type ON audit_entries (resource_type, "time" DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_type_action ON audit_entries (resource_type, action, "time" DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_action ON audit_entries (action, "time" DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_failed ON audit_entries ("time" DESC, id DESC) WHERE status_code >= 400;
"#;

/// The table of changed paths and its triggers' functions, made once with
/// the table. A store made before the table held the type and action has
/// its table dropped first and made again, and the functions replaced: the
/// triggers that call them stay.
const CHANGED_PATHS: &str = r#"
CREATE TABLE audit_changed_paths (
    path text NOT NULL,                -- a key of the entry's diff, or a path above one: `settings`
    entry_time timestamptz NOT NULL,   -- audit_entries."time"
    entry_id uuid NOT NULL,            -- audit_entries.id
    resource_type text NOT NULL,       -- audit_entries.resource_type
    action text NOT NULL,              -- audit_entries.action
    status_code integer,               -- audit_entries.status_code
    flags text[] NOT NULL,             -- audit_entries.flags
    PRIMARY KEY (path, entry_time, entry_id) INCLUDE (resource_type, action, status_code, flags)
);
CREATE OR REPLACE FUNCTION audit_changed_paths_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_changed_paths (path, entry_time, entry_id, resource_type, action,
        status_code, flags)
        SELECT key, NEW."time", NEW.id, NEW.resource_type, NEW.action, NEW.status_code,
            NEW.flags FROM (
        SELECT key FROM jsonb_object_keys(NEW.diff) AS key
        UNION SELECT left(key, cut - 1) FROM jsonb_object_keys(NEW.diff) AS key,
            generate_series(2, length(key)) AS cut WHERE substr(key, cut, 1) IN ('.', '[')
        ) AS prefixes
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION audit_changed_paths_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM audit_changed_paths
        WHERE entry_id = OLD.id AND entry_time = OLD."time" AND path IN (
        SELECT key FROM jsonb_object_keys(OLD.diff) AS key
        UNION SELECT left(key, cut - 1) FROM jsonb_object_keys(OLD.diff) AS key,
            generate_series(2, length(key)) AS cut WHERE substr(key, cut, 1) IN ('.', '[')
        );
    RETURN NULL;
END $$;
"#;

/// The triggers that keep the table of changed paths, made with it.
const CHANGED_PATHS_TRIGGERS: &str = r"
CREATE TRIGGER audit_changed_paths_insert AFTER INSERT ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_changed_paths_insert();
CREATE TRIGGER audit_changed_paths_delete AFTER DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_changed_paths_delete();
";

/// `SELECT` the rows of the table of changed paths that the entries `e`
/// make, as the insert trigger makes them: each key of an entry's diff and
/// each path above one, with the entry's columns. A literal, for `concat!`.
macro_rules! entry_paths {
    () => {
        r#"
SELECT prefix, e."time", e.id, e.resource_type, e.action, e.status_code, e.flags
FROM audit_entries e, LATERAL (
    SELECT key AS prefix FROM jsonb_object_keys(e.diff) AS key
    UNION SELECT left(key, cut - 1) FROM jsonb_object_keys(e.diff) AS key,
        generate_series(2, length(key)) AS cut WHERE substr(key, cut, 1) IN ('.', '[')
) AS prefixes"#
    };
}
pub(crate) use entry_paths;

/// Fills the changed paths of the entries stored before the table existed.
const BACKFILL_CHANGED_PATHS: &str = concat!(
    "INSERT INTO audit_changed_paths (path, entry_time, entry_id, resource_type, action, \
     status_code, flags)",
    entry_paths!(),
    r#" ORDER BY prefix, e."time", e.id ON CONFLICT DO NOTHING;"#
);

/// Creates the [`SEARCH_INDEXES`] that are missing, and fills the table of
/// changed paths when it is new, or made again because it was made before
/// it held the columns it copies from the entries; in the order of its
/// key, which leaves the key's index compact.
async fn create_search_indexes(conn: &mut PgConnection) -> Result<(), StoreError> {
    let exists = table_exists(conn, "audit_changed_paths").await?;
    let mut outdated = false;
    if exists {
        for column in PATH_COLUMNS {
            outdated |= !column_exists(conn, "audit_changed_paths", column).await?;
        }
    }
    sqlx::raw_sql(SEARCH_INDEXES)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database)?;
    sqlx::raw_sql(crate::store::chain::APPENDED_ORIGINS)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::database)?;
    if outdated {
        sqlx::raw_sql("DROP TABLE audit_changed_paths")
            .execute(&mut *conn)
            .await
            .map_err(StoreError::database)?;
    }
    let made = match (exists, outdated) {
        (false, _) => [
            CHANGED_PATHS,
            CHANGED_PATHS_TRIGGERS,
            BACKFILL_CHANGED_PATHS,
        ]
        .as_slice(),
        (true, true) => [CHANGED_PATHS, BACKFILL_CHANGED_PATHS].as_slice(),
        (true, false) => [].as_slice(),
    };
    for statements in made {
        sqlx::raw_sql(*statements)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::database)?;
    }
    Ok(())
}

/// Whether `name` is a table on the connection's search path.
async fn table_exists(conn: &mut PgConnection, name: &str) -> Result<bool, StoreError> {
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(name)
        .fetch_one(conn)
        .await
        .map_err(StoreError::database)
}

/// Whether the table `table`, on the connection's search path, has the
/// column `column`.
async fn column_exists(
    conn: &mut PgConnection,
    table: &str,
    column: &str,
) -> Result<bool, StoreError> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) \
         AND attname = $2 AND NOT attisdropped)",
    )
    .bind(table)
    .bind(column)
    .fetch_one(conn)
    .await
    .map_err(StoreError::database)
}
