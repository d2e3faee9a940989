// The resource id is recorded in every entry: it cannot be an `Option`.
use audit_core::Auditable;

#[derive(Auditable)]
struct Draft {
    #[audit(track)]
    id: Option<u64>,
}

fn main() {}
