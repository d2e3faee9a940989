// `crate = "..."` is a path to `audit_core`.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(crate = "audit core")]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
