// Every mistake in a struct is reported in one build: an unknown key, an
// action not in snake_case, a link placeholder that is no field, two classes
// on a field, a missing id.
#[derive(Auditable)]
#[audit(resorce = "chat", actions(create, Share), link = "/chats/{uuid}")]
struct Chat<T> {
    #[audit(track)]
    chat_id: u64,
    #[audit(track, secret)]
    title: T,
}
