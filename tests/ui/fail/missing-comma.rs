// Audit attributes are separated by commas.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(resource = "chat" link = "/chats/{id}")]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track rename = "is_archived")]
    archived: bool,
    #[audit(secret = "may contain" "sensitive content")]
    title: String,
}

fn main() {}
