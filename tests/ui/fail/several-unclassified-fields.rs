// Every unclassified field is reported, not only the first.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    title: String,
    #[audit(track)]
    archived: bool,
    pin_order: i32,
    owner_id: u64,
}

fn main() {}
