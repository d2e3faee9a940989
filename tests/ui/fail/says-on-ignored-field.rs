// An ignored field's changes are never recorded, so never the only change.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(ignore = "a cache", says(changed = "refreshed {noun} {target}"))]
    last_seen: u64,
}

fn main() {}
