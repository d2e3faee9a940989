// A mirror names every field of its remote type: a field added upstream fails the build, naming it.
use audit_core::Auditable;

mod entity {
    pub struct Model {
        pub id: u64,
        pub title: String,
        pub owner_id: u64,
    }
}

#[derive(Auditable)]
#[audit(remote = entity::Model)]
struct ChatAudit {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    title: String,
}

fn main() {}
