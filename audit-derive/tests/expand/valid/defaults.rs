// No container attribute: the id is `id`, the target `name`, the resource
// type the snake_case struct name, and the actions create, write and delete.
#[derive(Auditable)]
struct ApiKey {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    name: String,
    #[audit(ignore)]
    last_used_at: Option<u64>,
}
