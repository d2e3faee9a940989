//! The SQL stores the commands read: `sqlite:PATH` and `postgres://…`.
//!
//! A store is opened to read only: never migrated, and never written to. A
//! PostgreSQL URL says how to connect, TLS included, as it does for
//! `PostgresStore::connect`: `sslmode`, `sslrootcert`, `sslcert` and
//! `sslkey`, or the `PGSSLMODE`, `PGSSLROOTCERT`, ... environment variables.

use std::collections::BTreeMap;
use std::path::PathBuf;

use audit_core::chain::Digest;
use audit_core::store::{AuditQuery, Page, StoreError, StoreReport};
use rusqlite::{Connection, OpenFlags};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

/// Where a command reads entries from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Location {
    /// A JSON-lines file.
    File(PathBuf),
    /// A SQLite store's database file, given as `sqlite:PATH`.
    Sqlite(PathBuf),
    /// A PostgreSQL store's database, given as a `postgres://` or
    /// `postgresql://` URL, with its TLS parameters if any.
    Postgres(String),
}

impl Location {
    /// `sqlite:PATH`, a PostgreSQL URL, or else a file's path (write
    /// `./sqlite:x` for a file of that name).
    pub(crate) fn parse(text: &str) -> Location {
        if let Some(path) = text.strip_prefix("sqlite:") {
            Location::Sqlite(PathBuf::from(path))
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_owned())
        } else {
            Location::File(PathBuf::from(text))
        }
    }
}

/// An open store.
pub(crate) enum Store {
    Sqlite(Connection),
    Postgres {
        pool: PgPool,
        runtime: tokio::runtime::Runtime,
    },
}

impl Store {
    /// Opens the store at `location`, to read; `None` for a file.
    pub(crate) fn open(location: &Location) -> Result<Option<Store>, String> {
        match location {
            Location::File(_) => Ok(None),
            Location::Sqlite(path) => {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(path, flags)
                    .map_err(|error| format!("sqlite:{}: {error}", path.display()))?;
                Ok(Some(Store::Sqlite(conn)))
            }
            Location::Postgres(url) => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|error| format!("cannot start a runtime: {error}"))?;
                let pool = runtime
                    .block_on(PgPoolOptions::new().max_connections(1).connect(url))
                    .map_err(|error| format!("{}: {error}", redact(url)))?;
                Ok(Some(Store::Postgres { pool, runtime }))
            }
        }
    }

    /// The store's origins, each a chain of its own.
    pub(crate) fn origins(&self) -> Result<Vec<String>, String> {
        let origins = match self {
            Store::Sqlite(conn) => audit_core::sqlite::origins(conn),
            Store::Postgres { pool, runtime } => {
                runtime.block_on(audit_core::postgres::origins(pool))
            }
        };
        origins.map_err(|error| describe(&error))
    }

    /// Verifies the chain of `origin`.
    pub(crate) fn verify(
        &self,
        origin: &str,
        heads: &BTreeMap<u64, Digest>,
    ) -> Result<StoreReport, String> {
        let report = match self {
            Store::Sqlite(conn) => audit_core::sqlite::verify_chain(conn, origin, heads),
            Store::Postgres { pool, runtime } => {
                runtime.block_on(audit_core::postgres::verify_chain(pool, origin, heads))
            }
        };
        report.map_err(|error| describe(&error))
    }

    /// One page of the entries `query` selects.
    pub(crate) fn query(&self, query: &AuditQuery) -> Result<Page, String> {
        let page = match self {
            Store::Sqlite(conn) => audit_core::sqlite::query(conn, query),
            Store::Postgres { pool, runtime } => {
                runtime.block_on(audit_core::postgres::query(pool, query))
            }
        };
        page.map_err(|error| describe(&error))
    }
}

/// A store error, with a hint when the table has no chain yet.
fn describe(error: &StoreError) -> String {
    let text = error.to_string();
    if text.contains("origin")
        && (text.contains("no such column") || text.contains("does not exist"))
    {
        format!(
            "{text}: the store is of an older schema (version 2, one chain); open it once with this audit-core to migrate it"
        )
    } else if text.contains("seq")
        && (text.contains("no such column") || text.contains("does not exist"))
    {
        format!(
            "{text}: the store has no hash chain yet (schema version 1); open it once with this audit-core to migrate it"
        )
    } else {
        text
    }
}

/// `url` without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Location, redact};

    #[test]
    fn locations() {
        assert_eq!(
            Location::parse("sqlite:audit.db"),
            Location::Sqlite("audit.db".into())
        );
        assert_eq!(
            Location::parse("postgres://u@h/db"),
            Location::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            Location::parse("./sqlite:x"),
            Location::File("./sqlite:x".into())
        );
    }

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
