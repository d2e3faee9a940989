//! `docs/audit-logs.md`, the auditors' reference to the examples' resources,
//! is current: this test fails when a field, class, reason or doc comment
//! changed and the file was not regenerated with `AUDIT_DOCS_UPDATE=overwrite cargo test`.

// The crate documented. This binary defines no auditable type of its own, so
// the registry holds exactly the examples' resources.
use audit_examples as _;

use std::path::Path;

use audit_core::docs;

#[test]
fn audit_logs_md_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("docs/audit-logs.md");
    docs::check(path, &docs::markdown(&docs::registered())).unwrap();
}
