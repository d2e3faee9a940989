use audit_core::Auditable;

#[derive(Auditable)]
#[audit(org = organization, target = titel)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(ignore)]
    organization_id: u64,
    #[audit(track)]
    title: String,
}

fn main() {}
