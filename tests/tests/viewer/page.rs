//! The page, its JSON and its exports, on every source.

use std::sync::Arc;

use audit_core::AuditSink as _;
use audit_core::sqlite::SqliteStore;
use audit_core::viewer::{CONTENT_SECURITY_POLICY, ViewerSource, router};

use crate::fixtures::{get, log, serve};

/// A SQLite store holding the fixtures' log.
fn sqlite_store(dir: &tempfile::TempDir) -> Arc<SqliteStore> {
    let store = SqliteStore::open(dir.path().join("audit.db")).unwrap();
    for entry in log() {
        store.export(entry).unwrap();
    }
    store.flush().unwrap();
    Arc::new(store)
}

#[tokio::test]
async fn smoke() {
    let dir = tempfile::tempdir().unwrap();
    let base = serve(router(sqlite_store(&dir))).await;
    let (status, _, body) = get(&base).await;
    println!("{status}\n{body}");
    let (status, _, body) = get(&format!("{base}/export.csv")).await;
    println!("{status}\n{body}");
    let (status, _, body) = get(&format!("{base}/entries?limit=2")).await;
    println!("{status}\n{body}");
    let _ = (CONTENT_SECURITY_POLICY, ViewerSource::json_lines("x"));
}
