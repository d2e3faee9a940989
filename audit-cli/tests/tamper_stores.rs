//! The tamper suite on the SQL stores: a real store written by `SqliteStore`
//! or `PostgresStore`, a checkpoint of its head signed apart from it (by the
//! SQLite store's writer, and by hand for PostgreSQL, as an application
//! anchoring a store itself would), rows
//! tampered with as an attacker with write access to the database would,
//! and the real `audit verify` binary run on it. Each case asserts the exit
//! status and the row named. `audit query` is run on the same stores.
//!
//! PostgreSQL: `AUDIT_TEST_DATABASE_URL` when set, else a throwaway server
//! that `.ci/pg.sh` starts, and its TLS URL (`AUDIT_TEST_DATABASE_TLS_URL`,
//! see `audit_tests::postgres_server`); without a server, those tests pass
//! with a printed reason, except under `CI=true`, where a missing server
//! fails them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use audit_core::chain::Head;
use audit_core::chain::checkpoint::{CheckpointSigner, Checkpoints, FileCheckpointSink};
use audit_core::postgres::PostgresStore;
use audit_core::sqlite::SqliteStore;
use audit_core::{AuditSink, Auditable, BackgroundAudit};
use audit_tests::postgres_server::{
    UNRELATED_CA, server, tls_server, with_database, with_parameter,
};
use sqlx::{AssertSqlSafe, PgPool};

#[derive(Clone, serde::Serialize, Auditable)]
struct Chat {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    pin_order: i32,
}

/// With a space: any origin text must leave checkpoints that verify.
const ORIGIN: &str = "tamper store";

/// Ten entries about chat 7, as a background job writes them.
fn write_entries(sink: &dyn AuditSink) {
    for n in 0..10 {
        write_pin(sink, "pinner", n);
    }
    sink.flush().unwrap();
}

/// The background job `job` moving chat 7's pin from `n` to `n + 1`.
fn write_pin(sink: &dyn AuditSink, job: &str, n: i32) {
    BackgroundAudit::new(sink, job)
        .write(
            &Chat {
                id: 7,
                pin_order: n,
            },
            &Chat {
                id: 7,
                pin_order: n + 1,
            },
        )
        .unwrap();
}

/// A store with its checkpoint and key files, and how to tamper with it.
struct Fixture {
    dir: tempfile::TempDir,
    /// `sqlite:PATH` or a PostgreSQL URL.
    location: String,
    database: Database,
}

enum Database {
    Sqlite(PathBuf),
    Postgres(PgPool, tokio::runtime::Runtime),
}

fn signer() -> CheckpointSigner {
    CheckpointSigner::from_seed("tamper-store-test", [7; 32]).unwrap()
}

/// The checkpoints signed into `dir`'s `audit.checkpoints`.
fn checkpoints(dir: &Path) -> Checkpoints {
    Checkpoints::new(
        signer(),
        FileCheckpointSink::new(dir.join("audit.checkpoints")),
    )
}

impl Fixture {
    /// Signs a checkpoint of the store's head, as an application anchoring
    /// its store would, and writes the key.
    fn anchor(&self, head: Head) {
        checkpoints(self.dir.path()).make(ORIGIN, head).unwrap();
        self.write_key();
    }

    /// Writes the key the checkpoints verify with.
    fn write_key(&self) {
        std::fs::write(
            self.dir.path().join("audit.pub"),
            format!("{}\n", signer().verifier_key()),
        )
        .unwrap();
    }

    /// Runs `sql` on the store, as an attacker would.
    fn tamper(&self, sql: &str) {
        match &self.database {
            Database::Sqlite(path) => {
                rusqlite::Connection::open(path)
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
            Database::Postgres(pool, runtime) => {
                runtime
                    .block_on(sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(pool))
                    .unwrap();
            }
        }
    }

    /// An id for a forged row, in the store's column type.
    fn new_id(&self) -> &'static str {
        match self.database {
            Database::Sqlite(_) => "randomblob(16)",
            Database::Postgres(..) => "gen_random_uuid()",
        }
    }

    /// Opens the store as its service would, its writer signing checkpoints
    /// as the fixture's did, runs `sqlite` or `postgres` on it, and closes it.
    fn reopened<T>(
        &self,
        sqlite: impl FnOnce(&SqliteStore) -> T,
        postgres: impl FnOnce(&PostgresStore, &tokio::runtime::Runtime) -> T,
    ) -> T {
        match &self.database {
            Database::Sqlite(path) => {
                let store = SqliteStore::builder(path)
                    .origin(ORIGIN)
                    .checkpoints(checkpoints(self.dir.path()))
                    .open()
                    .unwrap();
                sqlite(&store)
            }
            Database::Postgres(pool, runtime) => {
                let store = runtime
                    .block_on(
                        PostgresStore::builder(pool.clone())
                            .origin(ORIGIN)
                            .checkpoints(checkpoints(self.dir.path()))
                            .open(),
                    )
                    .unwrap();
                let done = postgres(&store, runtime);
                drop(store);
                done
            }
        }
    }

    /// Purges the entries made before `cutoff` with the store's own
    /// `purge_before`: how many were deleted.
    fn purge(&self, cutoff: time::OffsetDateTime) -> u64 {
        self.reopened(
            |store| store.blocking_purge_before(cutoff).unwrap(),
            |store, runtime| runtime.block_on(store.purge_before(cutoff)).unwrap(),
        )
    }

    /// Purges every entry with the store's own `purge_before`, as whoever
    /// can write the store can, without the checkpoint key.
    fn purge_without_the_key(&self) -> u64 {
        let cutoff = time::OffsetDateTime::now_utc() + time::Duration::days(1);
        match &self.database {
            Database::Sqlite(path) => SqliteStore::builder(path)
                .origin(ORIGIN)
                .open()
                .unwrap()
                .blocking_purge_before(cutoff)
                .unwrap(),
            Database::Postgres(pool, runtime) => runtime.block_on(async {
                let store = PostgresStore::builder(pool.clone())
                    .origin(ORIGIN)
                    .open()
                    .await
                    .unwrap();
                store.purge_before(cutoff).await.unwrap()
            }),
        }
    }

    /// `audit verify` on the store, with the checkpoints when `anchored`:
    /// the exit status and what it printed.
    fn verify(&self, anchored: bool) -> (i32, String) {
        self.verify_with(anchored, &[])
    }

    /// [`verify`](Fixture::verify) with `extra` arguments.
    fn verify_with(&self, anchored: bool, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["verify".to_owned(), self.location.clone()];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        if anchored {
            args.extend([
                "--checkpoints".to_owned(),
                self.dir
                    .path()
                    .join("audit.checkpoints")
                    .display()
                    .to_string(),
                "--public-key".to_owned(),
                self.dir.path().join("audit.pub").display().to_string(),
            ]);
        }
        audit(&args)
    }
}

/// Runs the `audit` binary: its exit status and standard output, with
/// standard error appended.
fn audit<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_audit"))
        .args(args)
        .output()
        .unwrap();
    let mut text = String::from_utf8(output.stdout).unwrap();
    text.push_str(&String::from_utf8(output.stderr).unwrap());
    (output.status.code().unwrap(), text)
}

#[track_caller]
fn assert_broken(fixture: &Fixture, anchored: bool, expected: &[&str]) {
    let (status, out) = fixture.verify(anchored);
    assert_eq!(status, 1, "{out}");
    for part in expected {
        assert!(out.contains(part), "expected {part:?} in:\n{out}");
    }
    assert!(out.ends_with("INVALID\n"), "{out}");
}

/// Every tamper case, each on a fresh store made by `fresh`.
fn every_case(fresh: &dyn Fn() -> Fixture) {
    // Untouched: valid, with and without the checkpoint.
    let fixture = fresh();
    let (status, out) = fixture.verify(false);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains(&format!("origin {ORIGIN:?}")), "{out}");
    assert!(out.contains("10/10 links valid"), "{out}");
    assert!(out.ends_with("VALID: 10 entries\n"), "{out}");
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("Checkpoints: 1/1 signatures valid"), "{out}");
    assert!(
        out.contains("Unanchored: 0 entries after the latest checkpoint"),
        "{out}"
    );

    honest_entries_holding_nul(fresh);

    // One byte of a stored entry.
    let fixture = fresh();
    fixture.tamper(
        "UPDATE audit_entries SET entry_json = replace(entry_json, '\"write\"', '\"wrote\"') WHERE seq = 4",
    );
    assert_broken(
        &fixture,
        false,
        &[
            "BROKEN at row 4 (seq 4, id ",
            "row 5 records prev",
            "the row was modified",
        ],
    );

    columns_beside_the_chain(fresh);
    a_trigger_behind_its_back(fresh);

    // A row deleted.
    let fixture = fresh();
    fixture.tamper("DELETE FROM audit_entries WHERE seq = 5");
    assert_broken(
        &fixture,
        false,
        &[
            "BROKEN at row 5 (seq 6, id ",
            "expected seq 5: entry 5 was removed",
        ],
    );

    // A row inserted: a copy of entry 3 under a new id, at the end.
    let fixture = fresh();
    let columns = "time_or_time, actor, organization_id, ip, user_agent, resource_type, \
        resource_id, resource_target, resource_link, action, diff, status_code, \
        additional_fields, request_id, flags, entry_json";
    let columns = match fixture.database {
        Database::Sqlite(_) => columns.replace("time_or_time", "time_us"),
        Database::Postgres(..) => columns.replace("time_or_time", "\"time\""),
    };

    if let Database::Sqlite(_) = fixture.database {
        // A row with the store's origin and no seq: SQLite seals every row
        // as it inserts it, so it is no row waiting for a sealer.
        let fixture = fresh();
        fixture.tamper(&format!(
            "INSERT INTO audit_entries (id, seq, origin, {columns}) SELECT {}, NULL, origin, {columns} FROM audit_entries WHERE seq = 3",
            fixture.new_id()
        ));
        let (status, out) = fixture.verify(true);
        assert_eq!(status, 1, "{out}");
        assert!(out.contains("UNCHAINED: 1 rows have no seq"), "{out}");
        assert!(!out.contains("Unsealed"), "{out}");
    }
    fixture.tamper(&format!(
        "INSERT INTO audit_entries (id, seq, origin, {columns}) SELECT {}, 11, origin, {columns} FROM audit_entries WHERE seq = 3",
        fixture.new_id()
    ));
    assert_broken(
        &fixture,
        false,
        &["BROKEN at row 11 (seq 3, id ", "expected seq 11"],
    );

    // A row inserted without a seq, behind the chain's back.
    let fixture = fresh();
    fixture.tamper(&format!(
        "INSERT INTO audit_entries (id, seq, {columns}) SELECT {}, NULL, {columns} FROM audit_entries WHERE seq = 3",
        fixture.new_id()
    ));
    assert_broken(&fixture, false, &["UNCHAINED: 1 rows have no seq"]);
    rows_without_a_seq(fresh, &fixture, &columns);
    rows_out_of_their_origin(fresh, &columns);
    replicas(fresh);
    reorders_and_removals(fresh);
}

/// Rows out of their origin's chain: with a `seq` but no origin, and moved
/// to another origin.
fn rows_out_of_their_origin(fresh: &dyn Fn() -> Fixture, columns: &str) {
    // A row inserted with a seq but no origin: in no chain.
    let fixture = fresh();
    fixture.tamper(&format!(
        "INSERT INTO audit_entries (id, seq, {columns}) SELECT {}, 11, {columns} FROM audit_entries WHERE seq = 3",
        fixture.new_id()
    ));
    assert_broken(
        &fixture,
        false,
        &["ORPHANED: 1 rows have a seq but no origin: in no chain"],
    );

    // A row moved to another origin: it leaves a gap in its chain, and
    // starts a chain of its own that names the wrong origin.
    let fixture = fresh();
    fixture.tamper("UPDATE audit_entries SET origin = 'elsewhere' WHERE seq = 1");
    let (status, out) = fixture.verify(false);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("== origin \"elsewhere\""), "{out}");
    assert!(
        out.contains("the `origin` column says something else than the chained entry"),
        "{out}"
    );
    assert!(
        out.contains("MISSING START: the first row is seq 2"),
        "{out}"
    );
    assert!(
        out.ends_with("INVALID: an origin's chain does not verify\n"),
        "{out}"
    );
}

/// The tamper cases that edit a row's columns beside its intact chained
/// entry: queries on them would hide or misattribute the entry.
fn columns_beside_the_chain(fresh: &dyn Fn() -> Fixture) {
    // A query column edited beside an intact chained entry: a query on the
    // actor, the status or the time would hide or misattribute the entry.
    for (edit, column) in [
        ("actor = 'mallory'", "actor"),
        ("status_code = 500", "status_code"),
        ("resource_id = 'elsewhere'", "resource_id"),
        // The auditors' page reads the diff column to tell a secret set
        // back to an earlier value from one changed.
        ("diff = '{}'", "diff"),
        ("additional_fields = '{\"x\": 1}'", "additional_fields"),
    ] {
        let fixture = fresh();
        fixture.tamper(&format!("UPDATE audit_entries SET {edit} WHERE seq = 4"));
        assert_broken(
            &fixture,
            false,
            &[
                "BROKEN at row 4 (seq 4, id ",
                &format!("the `{column}` column says something else than the chained entry"),
            ],
        );
    }

    // The `seq` column renumbered, in order: a purge or an unchained record
    // placed by it would seem covered by a checkpoint it is not.
    let fixture = fresh();
    fixture.tamper("UPDATE audit_entries SET seq = seq + 100");
    assert_broken(
        &fixture,
        false,
        &[
            "BROKEN at row 1 (seq 101, id ",
            "the `seq` column says something else than the chained entry",
        ],
    );

    match fixture.database {
        Database::Sqlite(_) => sqlite_behind_its_back(fresh),
        Database::Postgres(..) => postgres_changed_paths(fresh),
    }
}

/// Honest entries holding NUL, which PostgreSQL's columns hold as U+FFFD:
/// they verify.
fn honest_entries_holding_nul(fresh: &dyn Fn() -> Fixture) {
    let fixture = fresh();
    let write = |store: &dyn AuditSink| {
        let mut request = audit_core::AuditRequest::new(store, audit_core::Action::WRITE)
            .actor("mal\0lory")
            .additional_field("note", "a\0b");
        request.set_old(Chat {
            id: 7,
            pin_order: 10,
        });
        request.set_new(Chat {
            id: 7,
            pin_order: 11,
        });
        request.commit(200).unwrap();
        write_pin(store, "pin\0ner", 11);
        store.flush().unwrap();
    };
    fixture.reopened(|store| write(store), |store, _| write(store));
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 0, "{out}");
    assert!(out.ends_with("VALID: 12 entries\n"), "{out}");
}

/// A trigger that drops the entries the service writes: the write fails,
/// loudly, and verify names the trigger.
fn a_trigger_behind_its_back(fresh: &dyn Fn() -> Fixture) {
    let fixture = fresh();
    fixture.tamper(match fixture.database {
        Database::Sqlite(_) => {
            "CREATE TRIGGER audit_drop BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(IGNORE); END"
        }
        Database::Postgres(..) => {
            "CREATE FUNCTION audit_drop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$; \
             CREATE TRIGGER audit_drop BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_drop()"
        }
    });
    let write = |store: &dyn AuditSink| {
        write_pin(store, "pinner", 10);
        store.flush()
    };
    let flushed = fixture.reopened(|store| write(store), |store, _| write(store));
    let error = flushed.unwrap_err().to_string();
    assert!(
        error.contains("a trigger the store did not make"),
        "{error}"
    );
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 2, "{out}");
    assert!(
        out.contains("audit: the audit store's database was edited behind its back: the database holds a trigger \"audit_drop\" on the audit tables that the store did not make"),
        "{out}"
    );
}

/// The changed paths `field:` searches read, in PostgreSQL: a path removed
/// hides the entry from them, and one added invents a change.
fn postgres_changed_paths(fresh: &dyn Fn() -> Fixture) {
    for (tamper, differing) in [
        (
            "DELETE FROM audit_changed_paths WHERE entry_id = (SELECT id FROM audit_entries WHERE seq = 4)",
            1,
        ),
        (
            "INSERT INTO audit_changed_paths (path, entry_time, entry_id, resource_type, action, status_code, flags) \
             SELECT 'owner_id', \"time\", id, resource_type, action, status_code, flags FROM audit_entries WHERE seq = 5",
            1,
        ),
    ] {
        let fixture = fresh();
        fixture.tamper(tamper);
        let (status, out) = fixture.verify(false);
        assert_eq!(status, 2, "{out}");
        assert!(
            out.contains(&format!(
                "audit: the audit store's database was edited behind its back: audit_changed_paths differs in {differing} rows from the paths the diffs of origin \"tamper store\" record, and holds 0 rows of no entry"
            )),
            "{out}"
        );
    }
}

/// The tamper cases only SQLite allows or needs: its indexes, its schema
/// objects and its text columns.
fn sqlite_behind_its_back(fresh: &dyn Fn() -> Fixture) {
    // An index rebuilt without a row, then declared whole again: queries
    // through it skip the row, which verification reads by another.
    let fixture = fresh();
    fixture.tamper(
        "DROP INDEX audit_entries_time; \
         CREATE INDEX audit_entries_time ON audit_entries (time_us DESC, id DESC) WHERE seq <> 4; \
         PRAGMA writable_schema = ON; \
         UPDATE sqlite_schema SET sql = 'CREATE INDEX audit_entries_time ON audit_entries (time_us DESC, id DESC)' \
         WHERE name = 'audit_entries_time'; \
         PRAGMA writable_schema = OFF;",
    );
    let (status, out) = fixture.verify(true);
    assert_ne!(status, 0, "{out}");
    assert!(
        out.contains("audit: the audit store's database was edited behind its back: SQLite's integrity check says \"wrong # of entries in index audit_entries_time\""),
        "{out}"
    );
    assert!(!out.contains("VALID"), "{out}");

    // The changed paths `field:` searches read: a path removed hides
    // the entry from them, and one added invents a change.
    let fixture = fresh();
    fixture.tamper("DELETE FROM audit_changed_paths WHERE entry_id = (SELECT id FROM audit_entries WHERE seq = 4)");
    assert_broken(
        &fixture,
        false,
        &[
            "BROKEN at row 4 (seq 4, id ",
            "the `audit_changed_paths` column says something else than the chained entry",
        ],
    );
    let fixture = fresh();
    fixture.tamper(
        "INSERT INTO audit_changed_paths (path, entry_time_us, entry_id, resource_type, action, status_code, flags) \
         SELECT 'owner_id', time_us, id, resource_type, action, status_code, flags FROM audit_entries WHERE seq = 5",
    );
    let (status, out) = fixture.verify(false);
    assert_ne!(status, 0, "{out}");
    assert!(
        out.contains("audit_changed_paths holds 11 rows for the entries of origin"),
        "{out}"
    );

    // A view in place of the changed paths, which `field:` searches read.
    let fixture = fresh();
    fixture.tamper(
        "ALTER TABLE audit_changed_paths RENAME TO saved_paths; \
         CREATE VIEW audit_changed_paths AS SELECT * FROM saved_paths WHERE path <> 'pin_order'",
    );
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 2, "{out}");
    assert!(
        out.contains("the database holds a view \"audit_changed_paths\" on the audit tables that the store did not make"),
        "{out}"
    );

    // Flags a search reads (a JSON object's values) that are no list.
    let fixture = fresh();
    fixture.tamper("UPDATE audit_entries SET flags = '{\"x\": \"uncommitted\"}' WHERE seq = 4");
    assert_broken(
        &fixture,
        false,
        &[
            "BROKEN at row 4 (seq 4, id ",
            "the `flags` column says something else than the chained entry",
        ],
    );
}

/// Rows without a `seq`: `fixture` has one inserted behind the store's
/// back, which `--allow-unchained` does not pass, nor does reopening the
/// store; the rows of a table of version 1 are recorded in the chain by the
/// open that migrates it, and pass.
fn rows_without_a_seq(fresh: &dyn Fn() -> Fixture, fixture: &Fixture, columns: &str) {
    // Allowing unchained rows does not pass it: it is not a row the store
    // recorded as written before it chained its entries.
    let (status, out) = fixture.verify_with(false, &["--allow-unchained"]);
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("UNCHAINED: 1 rows have no seq, and they are not the rows the store recorded"),
        "{out}"
    );

    // Reopening the store does not launder it: only a migration from
    // version 1 has rows to record.
    fixture.reopened(|_| (), |_, _| ());
    let (status, out) = fixture.verify_with(true, &["--allow-unchained"]);
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("UNCHAINED: 1 rows have no seq, and they are not the rows the store recorded"),
        "{out}"
    );

    // A table of version 1, written before the store chained its entries:
    // the open that migrates it records its rows in the chain at once, and
    // they pass with --allow-unchained, anchored by the checkpoint after
    // the record; a row inserted without a seq afterwards does not.
    let fixture = &fresh();
    let to_version_1 = match fixture.database {
        Database::Sqlite(_) => {
            "DROP INDEX audit_entries_origin_seq; DROP INDEX audit_entries_origin; \
             ALTER TABLE audit_entries DROP COLUMN seq; ALTER TABLE audit_entries DROP COLUMN origin; \
             UPDATE audit_schema_version SET version = 1;"
        }
        Database::Postgres(..) => {
            "DROP INDEX audit_entries_origin_seq; DROP INDEX audit_entries_unsealed; \
             DROP INDEX audit_entries_origin; \
             ALTER TABLE audit_entries DROP COLUMN seq, DROP COLUMN origin; \
             UPDATE audit_schema_version SET version = 1;"
        }
    };
    fixture.tamper(to_version_1);
    // Version 1 had no chain, so no checkpoints either.
    std::fs::remove_file(fixture.dir.path().join("audit.checkpoints")).unwrap();
    fixture.reopened(|_| (), |_, _| ());
    let (status, out) = fixture.verify_with(true, &["--allow-unchained"]);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("Unchained: 10 rows have no seq: the rows the store recorded"),
        "{out}"
    );
    let unchained_copy = format!(
        "INSERT INTO audit_entries (id, seq, origin, {columns}) SELECT {}, NULL, NULL, {columns} FROM audit_entries WHERE seq = 1",
        fixture.new_id()
    );
    fixture.tamper(&unchained_copy);
    let (status, out) = fixture.verify_with(true, &["--allow-unchained"]);
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains(
            "UNCHAINED: 11 rows have no seq, and they are not the rows the store recorded"
        ),
        "{out}"
    );
}

/// Two replicas of a service writing one store at once, each signing
/// checkpoints into the one checkpoint file: honest evidence verifies.
fn replicas(fresh: &dyn Fn() -> Fixture) {
    let fixture = fresh();
    let interleaved = |first: &dyn AuditSink, second: &dyn AuditSink| {
        for _ in 0..2 {
            for sink in [first, second] {
                write_entries(sink);
                sink.flush().unwrap();
            }
        }
    };
    fixture.reopened(
        |first| fixture.reopened(|second| interleaved(first, second), |_, _| ()),
        |first, _| fixture.reopened(|_| (), |second, _| interleaved(first, second)),
    );
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 0, "{out}");
    assert!(out.ends_with("VALID: 50 entries\n"), "{out}");
}

/// The tamper cases that move or remove rows.
fn reorders_and_removals(fresh: &dyn Fn() -> Fixture) {
    // Two rows' contents swapped.
    let fixture = fresh();
    fixture.tamper(
        "UPDATE audit_entries SET entry_json = CASE seq WHEN 3 THEN (SELECT entry_json FROM audit_entries WHERE seq = 6) \
         ELSE (SELECT entry_json FROM audit_entries WHERE seq = 3) END WHERE seq IN (3, 6)",
    );
    assert_broken(
        &fixture,
        false,
        &["BROKEN at row 3 (seq 6, id ", "expected seq 3"],
    );

    // Two rows' seq swapped.
    let fixture = fresh();
    fixture.tamper(
        "UPDATE audit_entries SET seq = -3 WHERE seq = 3; \
         UPDATE audit_entries SET seq = 3 WHERE seq = 6; \
         UPDATE audit_entries SET seq = 6 WHERE seq = -3;",
    );
    assert_broken(
        &fixture,
        false,
        &["BROKEN at row 3 (seq 6, id ", "expected seq 3"],
    );

    // The tail truncated: a shorter chain is a valid chain; the checkpoint
    // kept elsewhere catches it.
    let fixture = fresh();
    fixture.tamper("DELETE FROM audit_entries WHERE seq > 8");
    let (status, out) = fixture.verify(false);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("VALID: 8 entries"), "{out}");
    assert_broken(
        &fixture,
        true,
        &[
            "TRUNCATED at row 9 (seq 9)",
            "the log ends at seq 8, but a checkpoint commits to seq 10",
        ],
    );

    // The last entry edited and the chain's head recomputed by the
    // attacker: only the checkpoint catches it.
    let fixture = fresh();
    fixture.tamper(
        "UPDATE audit_entries SET entry_json = replace(entry_json, '\"write\"', '\"wrote\"') WHERE seq = 10",
    );
    assert_broken(
        &fixture,
        true,
        &["BROKEN at row 10 (seq 10, id ", "a checkpoint commits to"],
    );

    purges_and_missing_starts(fresh);
}

/// A retention purge leaves signed evidence of the chain's new start; rows
/// missing at the start without it fail, naming the first seq found.
fn purges_and_missing_starts(fresh: &dyn Fn() -> Fixture) {
    // Every row but the newest deleted.
    let fixture = fresh();
    fixture.tamper("DELETE FROM audit_entries WHERE seq <= 9");
    let missing = "MISSING START: the first row is seq 10, and no purge record accounts for entries 1-9: they were removed";
    assert_broken(&fixture, true, &[missing]);
    assert_broken(
        &fixture,
        false,
        &[&format!(
            "{missing}; without checkpoints, the start cannot be proven either way"
        )],
    );

    // A purge by whoever can write the store, without the checkpoint key:
    // the service's next checkpoint covers its record, but the key does not
    // sign it.
    let fixture = fresh();
    // (The newest row stays: the chain continues from it.)
    assert_eq!(fixture.purge_without_the_key(), 9);
    fixture.reopened(
        |store| write_entries(store),
        |store, _| write_entries(store),
    );
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("MISSING START: the first row is seq 10; the purge record at seq 11 says entries 1-9 were purged, but the checkpoint key does not sign it"),
        "{out}"
    );

    // A purge over an outbox: entries 1-10 and 12 were made before the
    // cutoff, but 12 was inserted after 11, made after it: the purge stops
    // at 11, records itself as seq 13, and the writer's checkpoint covers
    // the record.
    let fixture = fresh();
    let outbox = audit_core::MemorySink::new();
    write_entries(&outbox);
    let late = outbox.last().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let cutoff = time::OffsetDateTime::now_utc();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let write = |store: &dyn AuditSink| {
        write_pin(store, "pinner", 10);
        // Committed first (a PostgreSQL sealer chains what one pass finds
        // in time order).
        store.flush().unwrap();
        store.export(late.clone()).unwrap();
        store.flush().unwrap();
    };
    fixture.reopened(|store| write(store), |store, _| write(store));
    assert_eq!(fixture.purge(cutoff), 10);
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("Starts at seq 11: entries 1-10 were purged by retention, as the purge record at seq 13 says (10 rows), which a checkpoint covers"),
        "{out}"
    );
    assert!(out.ends_with("VALID: 3 entries\n"), "{out}");
    let (status, out) = fixture.verify(false);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("Unproven start: the first row is seq 11; the purge record at seq 13 says entries 1-10 were purged by retention, but without checkpoints nothing proves the start"),
        "{out}"
    );

    // A row's time edited into the past, so that the store's own purge
    // would delete it: refused, deleting nothing.
    let fixture = fresh();
    let (column, old) = match fixture.database {
        Database::Sqlite(_) => ("time_us", "0"),
        Database::Postgres(..) => ("\"time\"", "'epoch'"),
    };
    fixture.tamper(&format!(
        "UPDATE audit_entries SET {column} = {old} WHERE seq <= 8"
    ));
    let refused = fixture.reopened(
        |store| {
            store.blocking_purge_before(time::OffsetDateTime::from_unix_timestamp(86_400).unwrap())
        },
        |store, runtime| {
            runtime.block_on(
                store.purge_before(time::OffsetDateTime::from_unix_timestamp(86_400).unwrap()),
            )
        },
    );
    assert_eq!(
        refused.unwrap_err().to_string(),
        "the audit store's database was edited behind its back: the row seq 1 of origin \"tamper store\" says something else in its columns than its chained entry; the purge was refused, deleting nothing: run `audit verify`"
    );
    assert_broken(
        &fixture,
        false,
        &[
            "BROKEN at row 1 (seq 1, id ",
            "the `time` column says something else than the chained entry",
        ],
    );

    // A purge, then the rows up to the record's checkpoint removed.
    let fixture = fresh();
    fixture.tamper("DELETE FROM audit_entries WHERE seq <= 7");
    assert_broken(
        &fixture,
        true,
        &["MISSING START: the first row is seq 8, and no purge record accounts for entries 1-7"],
    );
}

/// A SQLite store of ten entries, anchored by the checkpoint its writer
/// signs on flush.
fn sqlite_fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = SqliteStore::builder(&path)
        .origin(ORIGIN)
        .checkpoints(checkpoints(dir.path()))
        .open()
        .unwrap();
    write_entries(&store);
    drop(store);
    let fixture = Fixture {
        location: format!("sqlite:{}", path.display()),
        dir,
        database: Database::Sqlite(path),
    };
    fixture.write_key();
    fixture
}

#[test]
fn every_tamper_is_caught_in_sqlite() {
    every_case(&sqlite_fixture);
}

#[test]
fn every_tamper_is_caught_in_postgres() {
    let Some(url) = server() else { return };
    let counter = std::sync::atomic::AtomicU32::new(0);
    every_case(&|| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        postgres_fixture(url, &format!("tamper_{}_{n}", std::process::id()))
    });
}

/// A PostgreSQL store of ten entries in a new database `name` on the server
/// at `url`, anchored by a checkpoint of its head.
fn postgres_fixture(url: &str, name: &str) -> Fixture {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let location = with_database(url, name);
    let pool = runtime.block_on(async {
        let admin = PgPool::connect(url).await.unwrap();
        // One statement each: neither runs in a transaction block.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::query(AssertSqlSafe(sql))
                .execute(&admin)
                .await
                .unwrap();
        }
        admin.close().await;
        PgPool::connect(&location).await.unwrap()
    });
    let store = runtime
        .block_on(PostgresStore::builder(pool.clone()).origin(ORIGIN).open())
        .unwrap();
    write_entries(&store);
    drop(store);
    let report = runtime
        .block_on(audit_core::postgres::verify_chain(
            &pool,
            ORIGIN,
            &BTreeMap::new(),
        ))
        .unwrap();
    let fixture = Fixture {
        dir: tempfile::tempdir().unwrap(),
        location,
        database: Database::Postgres(pool, runtime),
    };
    fixture.anchor(report.chain.head.unwrap());
    fixture
}

#[test]
fn verify_and_query_read_a_postgres_store_over_tls() {
    let Some(url) = tls_server() else { return };
    let fixture = postgres_fixture(url, &format!("tamper_tls_{}", std::process::id()));
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 0, "{out}");
    assert!(out.ends_with("VALID: 10 entries\n"), "{out}");
    let (status, out) = audit(&["query", &fixture.location, "--limit", "3"]);
    assert_eq!(status, 0, "{out}");
    assert_eq!(out.lines().count(), 4, "three and the next page: {out}");

    fixture.tamper("DELETE FROM audit_entries WHERE seq = 5");
    assert_broken(&fixture, true, &["expected seq 5: entry 5 was removed"]);

    // verify-full with a CA that did not sign the server's certificate.
    let untrusted = with_parameter(&fixture.location, "sslrootcert", UNRELATED_CA);
    let (status, out) = audit(&["verify", &untrusted]);
    assert_eq!(status, 2, "{out}");
    assert!(
        out.starts_with("audit: postgres")
            && out.contains("invalid peer certificate: UnknownIssuer"),
        "{out}"
    );
}

#[test]
fn query_prints_a_page_of_json_lines_and_the_next_cursor() {
    let fixture = sqlite_fixture();
    let (status, out) = audit(&[
        "query",
        &fixture.location,
        "--resource-type",
        "chat",
        "--resource-id",
        "7",
        "--action",
        "write",
        "--status",
        "succeeded",
        "--limit",
        "4",
    ]);
    assert_eq!(status, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["diff"]["pin_order"]["new"], 10, "newest first: {out}");
    let cursor = lines[4].strip_prefix("next page: --cursor ").unwrap();

    let (status, out) = audit(&[
        "query",
        &fixture.location,
        "--limit",
        "100",
        "--cursor",
        cursor,
    ]);
    assert_eq!(status, 0, "{out}");
    assert_eq!(out.lines().count(), 6, "the other six, no next page: {out}");

    let (status, out) = audit(&["query", &fixture.location, "--actor", "nobody"]);
    assert_eq!((status, out.as_str()), (0, ""));
    let (status, out) = audit(&["query", &fixture.location, "--since", "yesterday"]);
    assert_eq!(status, 2, "{out}");
    assert!(
        out.contains("--since yesterday: not an RFC 3339 time"),
        "{out}"
    );
}

#[test]
fn a_missing_store_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite:{}", dir.path().join("none.db").display());
    let (status, out) = audit(&["verify", &missing]);
    assert_eq!(status, 2, "{out}");
    assert!(out.starts_with("audit: sqlite:"), "{out}");
}

/// Two writers of one PostgreSQL store, each its own origin, and rows of one
/// committed but not sealed yet (no sealer runs): each origin verifies on
/// its own, the unsealed rows are reported and are not tampering, and a
/// query filters by origin.
#[test]
fn several_origins_verify_each_and_unsealed_rows_are_not_tampering() {
    let Some(url) = server() else { return };
    let fixture = postgres_fixture(url, &format!("origins_{}", std::process::id()));
    let Database::Postgres(pool, runtime) = &fixture.database else {
        unreachable!()
    };
    let store = runtime
        .block_on(PostgresStore::builder(pool.clone()).origin("api-2").open())
        .unwrap();
    write_entries(&store);
    drop(store);
    // No store is open: no sealer seals these.
    let entries: Vec<audit_core::AuditEntry> = {
        let sink = audit_core::MemorySink::new();
        write_entries(&sink);
        sink.entries().into_iter().take(2).collect()
    };
    runtime.block_on(async {
        let mut conn = pool.acquire().await.unwrap();
        audit_core::postgres::insert_entries_from(&mut conn, "api-3", entries)
            .await
            .unwrap();
    });

    let (status, out) = fixture.verify(false);
    assert_eq!(status, 0, "{out}");
    for part in [
        "== origin \"api-2\"\nChain audit-rs/chain/v1, origin \"api-2\"\n",
        "== origin \"api-3\"\nUnsealed: 2 rows of origin \"api-3\" are committed but not sealed yet, the oldest made ",
        "Entries: none\n",
        &format!("== origin {ORIGIN:?}\nChain audit-rs/chain/v1, origin {ORIGIN:?}\n"),
        "VALID: 10 entries\n",
    ] {
        assert!(out.contains(part), "expected {part:?} in:\n{out}");
    }
    assert!(
        out.ends_with("ALL VALID: 3 origins, 20 entries (2 rows not sealed yet)\n"),
        "{out}"
    );

    let (status, out) = audit(&["query", &fixture.location, "--origin", "api-3"]);
    assert_eq!(status, 0, "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
    let (status, out) = audit(&["query", &fixture.location, "--origin", "api-2"]);
    assert_eq!((status, out.lines().count()), (0, 10), "{out}");

    // One origin's chain broken: the store is invalid, and says which.
    fixture.tamper("DELETE FROM audit_entries WHERE origin = 'api-2' AND seq = 5");
    let (status, out) = fixture.verify(false);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("expected seq 5: entry 5 was removed"), "{out}");
    assert!(
        out.ends_with("INVALID: an origin's chain does not verify\n"),
        "{out}"
    );
}

/// Two instances of a service, each its own origin, writing one store at
/// once and signing checkpoints into one file: each origin's chain verifies
/// against its own checkpoints, and a tail cut from one of them is caught
/// by its checkpoint.
#[test]
fn several_origins_each_anchored_by_its_checkpoints() {
    let Some(url) = server() else { return };
    let fixture = postgres_fixture(url, &format!("anchored_origins_{}", std::process::id()));
    let Database::Postgres(pool, runtime) = &fixture.database else {
        unreachable!()
    };
    let open = |origin: &str| {
        runtime
            .block_on(
                PostgresStore::builder(pool.clone())
                    .origin(origin)
                    .checkpoints(checkpoints(fixture.dir.path()))
                    .open(),
            )
            .unwrap()
    };
    let (first, second) = (open("api-1"), open("api-2"));
    std::thread::scope(|scope| {
        scope.spawn(|| write_entries(&first));
        scope.spawn(|| write_entries(&second));
    });
    drop((first, second));

    let (status, out) = fixture.verify(true);
    assert_eq!(status, 0, "{out}");
    for origin in ["api-1", "api-2", ORIGIN] {
        assert!(
            out.contains(&format!(
                "== origin {origin:?}\nChain audit-rs/chain/v1, origin {origin:?}, key tamper-store-test+"
            )),
            "{origin}: {out}"
        );
    }
    assert_eq!(
        out.matches("Unanchored: 0 entries after the latest checkpoint")
            .count(),
        3,
        "{out}"
    );
    assert!(out.ends_with("ALL VALID: 3 origins, 30 entries\n"), "{out}");

    fixture.tamper("DELETE FROM audit_entries WHERE origin = 'api-2' AND seq > 8");
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("the log ends at seq 8, but a checkpoint commits to seq 10"),
        "{out}"
    );
    assert!(
        out.ends_with("INVALID: an origin's chain does not verify\n"),
        "{out}"
    );
    // Every row of one origin deleted: its checkpoints still name it.
    fixture.tamper("DELETE FROM audit_entries WHERE origin = 'api-1'");
    let (status, out) = fixture.verify(true);
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("== origin \"api-1\"\nChain audit-rs/chain/v1, origin \"api-1\""),
        "{out}"
    );
    assert!(
        out.contains("the log ends at seq 0, but a checkpoint commits to seq 10"),
        "{out}"
    );
}
