// A target and a link written by functions of the struct.
#[derive(Auditable)]
#[audit(target_with = short_id, link_with = crate::links::workspace)]
struct Workspace {
    #[audit(track)]
    id: Uuid,
    #[audit(secret)]
    title: String,
}
