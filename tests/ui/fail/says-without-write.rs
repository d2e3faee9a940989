// A field's sentence is said for a `write`; a resource without one never says it.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions(create, delete))]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, says(true = "archived {noun} {target}"))]
    archived: bool,
}

fn main() {}
