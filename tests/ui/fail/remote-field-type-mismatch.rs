// A mirror's field has the remote field's type: a mismatch is reported at the mirror's type.
use audit_core::Auditable;

mod entity {
    pub struct Model {
        pub id: u64,
        pub title: String,
    }
}

#[derive(Auditable)]
#[audit(remote = entity::Model)]
struct ChatAudit {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    title: String,
}

fn main() {}
