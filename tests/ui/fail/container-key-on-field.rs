// Struct keys (`id`, `org`, `link`, ...) belong on the struct, not on a field.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track, id)]
    id: u64,
    #[audit(ignore, org)]
    organization_id: u64,
    #[audit(track, link = "/chats/{id}")]
    title: String,
}

fn main() {}
