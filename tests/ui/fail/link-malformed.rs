// A link template's placeholders are written `{field}`.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(link = "/chats/{id")]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
