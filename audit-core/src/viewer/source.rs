//! What the page reads: a SQLite store or file, a PostgreSQL store, or a
//! JSON-lines file, each read the same way.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

use crate::entry::AuditEntry;
use crate::store::facts::{CountAndMenus, ResourceFact};
use crate::store::{AuditQuery, CappedCount, Cursor, Page, StoreError};

/// How many exported lines wait for the client at most: the export's
/// memory does not grow with the number of entries.
const EXPORT_BUFFER: usize = 256;

/// Where the auditors' page reads entries from; what
/// [`router`](crate::viewer::router) takes.
///
/// Made from a store the application already writes to
/// (`ViewerSource::from(Arc<SqliteStore>)`, `ViewerSource::from(&PostgresStore)`),
/// or, read-only, from a SQLite file ([`sqlite_file`](ViewerSource::sqlite_file)),
/// a PostgreSQL pool ([`postgres`](ViewerSource::postgres)) or a JSON-lines
/// file ([`json_lines`](ViewerSource::json_lines)). The page only reads.
///
/// Each page of a SQL store runs at most 3 statements, whatever its length:
/// the page, the capped count (with the menus' distinct values, read once a
/// minute), and the deleted marks and secret fingerprints of all its
/// resources.
#[derive(Clone)]
pub struct ViewerSource {
    inner: Arc<Inner>,
    statements: Arc<AtomicU64>,
}

enum Inner {
    #[cfg(feature = "sqlite")]
    SqliteStore(Arc<crate::store::sqlite::SqliteStore>),
    #[cfg(feature = "sqlite")]
    SqliteFile(SqliteFile),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    JsonLines(PathBuf),
}

impl ViewerSource {
    fn new(inner: Inner) -> Self {
        ViewerSource {
            inner: Arc::new(inner),
            statements: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A JSON-lines audit log, read again at each request (so that it may
    /// grow meanwhile); its exports are its lines as written. Lines that
    /// are not entries are left out.
    pub fn json_lines(path: impl Into<PathBuf>) -> Self {
        ViewerSource::new(Inner::JsonLines(path.into()))
    }

    /// A SQLite store's file, opened read-only: no migration, no writer.
    /// A table made before the search indexes existed is read without them
    /// (slower), and `field:` searches on it fail until a store opens it.
    #[cfg(feature = "sqlite")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
    pub fn sqlite_file(path: impl Into<PathBuf>) -> Self {
        ViewerSource::new(Inner::SqliteFile(SqliteFile {
            path: path.into(),
            idle: std::sync::Mutex::new(Vec::new()),
        }))
    }

    /// A PostgreSQL database, through `pool`; the page only reads.
    #[cfg(feature = "postgres")]
    #[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
    pub fn postgres(pool: sqlx::PgPool) -> Self {
        ViewerSource::new(Inner::Postgres(pool))
    }

    /// How many SQL statements the page has run on this source (and its
    /// clones): what the tests of "at most 3 statements a page" count.
    #[doc(hidden)]
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    #[cfg(feature = "sql")]
    fn statement(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
    }

    /// One page of entries, newest first.
    pub(crate) async fn page(&self, query: &AuditQuery) -> Result<Page, StoreError> {
        match &*self.inner {
            #[cfg(feature = "sqlite")]
            Inner::SqliteStore(store) => {
                self.statement();
                let query = query.clone();
                store
                    .read_with(move |conn| crate::store::sqlite::query(conn, &query))
                    .await
            }
            #[cfg(feature = "sqlite")]
            Inner::SqliteFile(_) => {
                self.statement();
                let query = query.clone();
                self.on_sqlite_file(move |conn| crate::store::sqlite::query(conn, &query))
                    .await
            }
            #[cfg(feature = "postgres")]
            Inner::Postgres(pool) => {
                self.statement();
                crate::store::postgres::query(pool, query).await
            }
            Inner::JsonLines(path) => {
                let (path, query) = (path.clone(), query.clone());
                blocking(move || json_lines_page(&path, &query)).await
            }
        }
    }

    /// The capped count of `query`, and the menus' values when `menus`.
    pub(crate) async fn count_and_menus(
        &self,
        query: &AuditQuery,
        cap: u64,
        menus: bool,
    ) -> Result<CountAndMenus, StoreError> {
        match &*self.inner {
            #[cfg(feature = "sqlite")]
            Inner::SqliteStore(store) => {
                self.statement();
                let query = query.clone();
                store
                    .read_with(move |conn| {
                        crate::store::sqlite::count_and_menus(conn, &query, cap, menus)
                    })
                    .await
            }
            #[cfg(feature = "sqlite")]
            Inner::SqliteFile(_) => {
                self.statement();
                let query = query.clone();
                self.on_sqlite_file(move |conn| {
                    crate::store::sqlite::count_and_menus(conn, &query, cap, menus)
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Inner::Postgres(pool) => {
                self.statement();
                crate::store::postgres::count_and_menus(pool, query, cap, menus).await
            }
            Inner::JsonLines(path) => {
                let (path, query) = (path.clone(), query.clone());
                blocking(move || json_lines_count(&path, &query, cap, menus)).await
            }
        }
    }

    /// The successful deletes of `resources`, and their entries with
    /// secret fingerprints.
    pub(crate) async fn facts(
        &self,
        resources: Vec<(String, String)>,
    ) -> Result<Vec<ResourceFact>, StoreError> {
        if resources.is_empty() {
            return Ok(Vec::new());
        }
        match &*self.inner {
            #[cfg(feature = "sqlite")]
            Inner::SqliteStore(store) => {
                self.statement();
                store
                    .read_with(move |conn| {
                        crate::store::sqlite::resource_facts(conn, &borrowed(&resources))
                    })
                    .await
            }
            #[cfg(feature = "sqlite")]
            Inner::SqliteFile(_) => {
                self.statement();
                self.on_sqlite_file(move |conn| {
                    crate::store::sqlite::resource_facts(conn, &borrowed(&resources))
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Inner::Postgres(pool) => {
                self.statement();
                crate::store::postgres::resource_facts(pool, &borrowed(&resources)).await
            }
            Inner::JsonLines(path) => {
                let path = path.clone();
                blocking(move || json_lines_facts(&path, &resources)).await
            }
        }
    }

    /// Every entry `query` selects, as stored, in chain order (file order
    /// for a JSON-lines file), through a bounded channel: a line each, or
    /// the error that stopped the export.
    pub(crate) fn export(&self, query: AuditQuery) -> mpsc::Receiver<Result<String, StoreError>> {
        let (sender, receiver) = mpsc::channel(EXPORT_BUFFER);
        let source = self.clone();
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(pool) => {
                self.statement();
                let pool = pool.clone();
                tokio::spawn(async move {
                    let result =
                        crate::store::postgres::for_each_stored(&pool, &query, &sender).await;
                    if let Err(error) = result {
                        drop(sender.send(Err(error)).await);
                    }
                });
            }
            _ => {
                tokio::task::spawn_blocking(move || {
                    let each = |line: &str| sender.blocking_send(Ok(line.to_owned())).is_ok();
                    if let Err(error) = source.blocking_export(&query, each) {
                        drop(sender.blocking_send(Err(error)));
                    }
                });
            }
        }
        receiver
    }

    /// The export of the sources read on a thread.
    fn blocking_export(
        &self,
        query: &AuditQuery,
        mut each: impl FnMut(&str) -> bool,
    ) -> Result<(), StoreError> {
        match &*self.inner {
            #[cfg(feature = "sqlite")]
            Inner::SqliteStore(store) => {
                self.statement();
                store.blocking_read_with(|conn| {
                    crate::store::sqlite::for_each_stored(conn, query, each)
                })
            }
            #[cfg(feature = "sqlite")]
            Inner::SqliteFile(file) => {
                self.statement();
                file.run(|conn| crate::store::sqlite::for_each_stored(conn, query, each))
            }
            #[cfg(feature = "postgres")]
            Inner::Postgres(_) => Ok(()),
            Inner::JsonLines(path) => for_each_line(path, |line, entry| {
                if query.selects(entry) {
                    each(line)
                } else {
                    true
                }
            }),
        }
    }

    #[cfg(feature = "sqlite")]
    async fn on_sqlite_file<T: Send + 'static>(
        &self,
        job: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let source = self.clone();
        blocking(move || match &*source.inner {
            Inner::SqliteFile(file) => file.run(job),
            _ => Err(StoreError::database(std::io::Error::other(
                "not a SQLite file",
            ))),
        })
        .await
    }
}

#[cfg(feature = "sql")]
fn borrowed(resources: &[(String, String)]) -> Vec<(&str, &str)> {
    resources
        .iter()
        .map(|(resource_type, resource_id)| (resource_type.as_str(), resource_id.as_str()))
        .collect()
}

impl std::fmt::Debug for ViewerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &*self.inner {
            #[cfg(feature = "sqlite")]
            Inner::SqliteStore(_) => "SqliteStore",
            #[cfg(feature = "sqlite")]
            Inner::SqliteFile(_) => "SqliteFile",
            #[cfg(feature = "postgres")]
            Inner::Postgres(_) => "Postgres",
            Inner::JsonLines(_) => "JsonLines",
        };
        f.debug_struct("ViewerSource")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
impl From<Arc<crate::store::sqlite::SqliteStore>> for ViewerSource {
    fn from(store: Arc<crate::store::sqlite::SqliteStore>) -> Self {
        ViewerSource::new(Inner::SqliteStore(store))
    }
}

#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
impl From<crate::store::sqlite::SqliteStore> for ViewerSource {
    fn from(store: crate::store::sqlite::SqliteStore) -> Self {
        ViewerSource::from(Arc::new(store))
    }
}

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
impl From<&crate::store::postgres::PostgresStore> for ViewerSource {
    fn from(store: &crate::store::postgres::PostgresStore) -> Self {
        ViewerSource::postgres(store.pool().clone())
    }
}

/// Read-only connections to a SQLite file, kept while idle.
#[cfg(feature = "sqlite")]
struct SqliteFile {
    path: PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
}

#[cfg(feature = "sqlite")]
impl SqliteFile {
    fn run<T>(
        &self,
        job: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        use std::sync::PoisonError;
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = if let Some(conn) = idle {
            conn
        } else {
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = rusqlite::Connection::open_with_flags(&self.path, flags)
                .map_err(StoreError::database)?;
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(StoreError::database)?;
            conn
        };
        let result = job(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < 4 {
            idle.push(conn);
        }
        result
    }
}

/// Runs `job` on tokio's blocking threads.
async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|error| StoreError::Thread(std::io::Error::other(error)))?
}

/// Calls `each` with every line of the JSON-lines file at `path` that is
/// an entry, and the entry, until it returns `false`.
fn for_each_line(
    path: &std::path::Path,
    mut each: impl FnMut(&str, &AuditEntry) -> bool,
) -> Result<(), StoreError> {
    let file = File::open(path).map_err(StoreError::database)?;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    loop {
        line.clear();
        let read = reader.read_line(&mut line).map_err(StoreError::database)?;
        if read == 0 {
            return Ok(());
        }
        let text = line.trim_end_matches(['\n', '\r']);
        // Not an entry (a rotation record, a partial line): left out.
        if let Ok(entry) = serde_json::from_str::<AuditEntry>(text)
            && !each(text, &entry)
        {
            return Ok(());
        }
    }
}

/// An entry ordered by its place in the page's order.
struct Newest(Cursor, AuditEntry);

impl PartialEq for Newest {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Newest {}
impl PartialOrd for Newest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Newest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

/// The page of a JSON-lines file: its newest matching entries before the
/// cursor, kept in a heap of the page's size.
fn json_lines_page(path: &std::path::Path, query: &AuditQuery) -> Result<Page, StoreError> {
    let size = query.page_size() + 1;
    let mut heap: BinaryHeap<Reverse<Newest>> = BinaryHeap::new();
    for_each_line(path, |_, entry| {
        let key = Cursor::of(entry);
        if query.selects(entry) && query.after.is_none_or(|after| key < after) {
            heap.push(Reverse(Newest(key, entry.clone())));
            if heap.len() > size {
                heap.pop();
            }
        }
        true
    })?;
    let mut entries: Vec<Newest> = heap.into_iter().map(|Reverse(entry)| entry).collect();
    entries.sort_by(|a, b| b.cmp(a));
    let rows = entries.into_iter().map(|Newest(_, entry)| entry).collect();
    Ok(page_of(rows, query.page_size()))
}

fn page_of(mut rows: Vec<AuditEntry>, page_size: usize) -> Page {
    let next_cursor = if rows.len() > page_size {
        rows.truncate(page_size);
        rows.last().map(Cursor::of)
    } else {
        None
    };
    Page {
        entries: rows,
        next_cursor,
    }
}

fn json_lines_count(
    path: &std::path::Path,
    query: &AuditQuery,
    cap: u64,
    menus: bool,
) -> Result<CountAndMenus, StoreError> {
    let mut counted = 0u64;
    let mut resource_types = std::collections::BTreeSet::new();
    let mut actions = std::collections::BTreeSet::new();
    for_each_line(path, |_, entry| {
        if query.selects(entry) {
            counted += 1;
        }
        if menus {
            resource_types.insert(entry.resource_type.to_string());
            actions.insert(entry.action.as_str().to_owned());
        }
        menus || counted <= cap
    })?;
    Ok(CountAndMenus {
        count: CappedCount::new(counted, cap),
        resource_types: resource_types.into_iter().collect(),
        actions: actions.into_iter().collect(),
    })
}

fn json_lines_facts(
    path: &std::path::Path,
    resources: &[(String, String)],
) -> Result<Vec<ResourceFact>, StoreError> {
    let wanted: std::collections::HashSet<(&str, &str)> = resources
        .iter()
        .map(|(resource_type, resource_id)| (resource_type.as_str(), resource_id.as_str()))
        .collect();
    let mut facts = Vec::new();
    for_each_line(path, |_, entry| {
        if wanted.contains(&(&*entry.resource_type, entry.resource_id.as_str())) {
            let deleted =
                entry.action == "delete" && entry.status_code.is_some_and(|status| status < 400);
            let fingerprinted = entry
                .diff
                .iter()
                .any(|change| change.secret_fingerprint().is_some());
            if deleted || fingerprinted {
                facts.push(ResourceFact {
                    resource_type: entry.resource_type.to_string(),
                    resource_id: entry.resource_id.clone(),
                    time_us: Cursor::of(entry).time_us,
                    action: entry.action.as_str().to_owned(),
                    diff: serde_json::to_string(&entry.diff).unwrap_or_default(),
                });
            }
        }
        true
    })?;
    Ok(facts)
}
