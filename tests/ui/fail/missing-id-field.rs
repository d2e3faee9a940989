// Without a field named `id`, `id = field` names the one that identifies the resource.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    chat_id: u64,
    #[audit(track)]
    owner_id: u64,
}

#[derive(Auditable)]
struct Membership {
    #[audit(track)]
    user_id: u64,
    #[audit(track)]
    group_id: u64,
}

#[derive(Auditable)]
struct Label {
    #[audit(track)]
    key: String,
    #[audit(track)]
    value: String,
}

fn main() {}
