// `added` and `removed` count a collection's elements; a field recorded as
// one value has old and new values instead, and a collection no value.
use audit_core::Auditable;
use std::collections::BTreeMap;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, says(added = "named {noun} {target}"))]
    name: String,
    #[audit(track, says(changed = "renamed {noun} after {added} edits"))]
    title: String,
    #[audit(track, entries, says(true = "labelled {noun}", changed = "relabelled {noun} from {old}"))]
    labels: BTreeMap<String, String>,
}

fn main() {}
