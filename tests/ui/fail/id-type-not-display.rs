// The id field's type implements `Display`; the error points at the type.
use audit_core::Auditable;

#[derive(PartialEq, serde::Serialize)]
struct ChatId(u64);

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: ChatId,
}

fn main() {}
