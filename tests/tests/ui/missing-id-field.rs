use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    chat_id: u64,
    #[audit(track)]
    archived: bool,
}

fn main() {}
