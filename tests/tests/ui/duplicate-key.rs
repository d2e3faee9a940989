use audit_core::Auditable;

#[derive(Auditable)]
#[audit(resource = "chat", resource = "conversation", target = name, target_with = chat_target)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, rename = "label", rename = "tag")]
    name: String,
}

fn chat_target(chat: &Chat) -> String {
    chat.name.clone()
}

fn main() {}
