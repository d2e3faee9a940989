// `actions()` lists at least one action; leaving it out gives the defaults.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions())]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
