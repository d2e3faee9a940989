// Diff keys follow serde: rename_all, a field's rename, a raw identifier, and
// `#[audit(rename)]` over all of them.
#[derive(Serialize, Auditable)]
#[serde(rename_all = "camelCase")]
struct Document {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    pin_order: i32,
    #[serde(rename = "kind")]
    #[audit(track)]
    r#type: String,
    #[audit(track)]
    r#loop: bool,
    #[serde(rename(serialize = "ownerKey", deserialize = "owner"))]
    #[audit(track, rename = "owner")]
    owner_id: u64,
}
