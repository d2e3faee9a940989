// A secret field is never recorded as text: not as the target, nor in the link.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(target = title, link = "/chats/{title}")]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(secret)]
    title: String,
}

fn main() {}
