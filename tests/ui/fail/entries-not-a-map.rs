// `entries` works on maps and sets only.
use audit_core::Auditable;

#[derive(Auditable)]
struct Project {
    #[audit(track)]
    id: u64,
    #[audit(track, entries)]
    labels: Vec<String>,
}

fn main() {}
