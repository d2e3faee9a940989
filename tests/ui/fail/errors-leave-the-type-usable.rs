// After an error, a stub impl keeps the type usable: only the real error shows.
use audit_core::{AuditFields, Auditable};

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    title: String,
}

fn main() {
    let chat = Chat { id: 1, title: String::new() };
    let _ = audit_core::diff(&chat, &chat);
    let _ = Chat::SCHEMA.fields;
    let _ = chat.resource_id();
}
