// `org = field` names a field of the struct.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(org = organization)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(ignore)]
    organization_id: u64,
    #[audit(track)]
    title: String,
}

fn main() {}
