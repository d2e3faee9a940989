// A stray comma in an attribute list is an error; a trailing one is not.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(, resource = "chat")]
struct Chat {
    #[audit(track,, rename = "chat_id")]
    id: u64,
    #[audit(track,)]
    archived: bool,
}

fn main() {}
