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
