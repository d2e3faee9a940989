// Two fields cannot share a diff key.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    name: String,
    #[audit(track, rename = "name")]
    display_name: String,
}

fn main() {}
