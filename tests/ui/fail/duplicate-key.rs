// A key is given once.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(resource = "chat", resource = "conversation")]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, rename = "label", rename = "tag")]
    name: String,
}

fn main() {}
