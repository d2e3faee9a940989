// A resource type and a diff key are not empty.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(resource = "")]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, rename = "")]
    archived: bool,
}

fn main() {}
