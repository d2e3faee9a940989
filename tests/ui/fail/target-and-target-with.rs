// `target` and `target_with`, like `link` and `link_with`, are alternatives: give one.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(target = name, target_with = chat_target, link = "/chats/{id}", link_with = chat_link)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    name: String,
}

fn chat_target(chat: &Chat) -> String {
    chat.name.clone()
}

fn chat_link(chat: &Chat) -> Option<String> {
    Some(format!("/chats/{}", chat.id))
}

fn main() {}
