// `entries` goes with `track` or `secret`.
use std::collections::BTreeMap;

use audit_core::Auditable;

#[derive(Auditable)]
struct Project {
    #[audit(track)]
    id: u64,
    #[audit(ignore, entries)]
    labels: BTreeMap<String, String>,
}

fn main() {}
