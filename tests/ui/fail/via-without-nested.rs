// `via = Mirror` nests a remote type through its mirror, and goes with `nested`, not with `key`.
use audit_core::Auditable;

mod remote {
    pub struct Model {
        pub id: u64,
    }
}

#[derive(Auditable)]
#[audit(remote = remote::Model)]
#[allow(dead_code)]
struct ModelAudit {
    #[audit(track)]
    id: u64,
}

#[derive(Auditable)]
struct Order {
    #[audit(track)]
    id: u64,
    #[audit(track, via = ModelAudit)]
    model: remote::Model,
    #[audit(nested, via = ModelAudit, key = id)]
    models: Vec<remote::Model>,
}

fn main() {}
