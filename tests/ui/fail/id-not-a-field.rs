// `id = field` names a field of the struct.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(id = chat_id)]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
