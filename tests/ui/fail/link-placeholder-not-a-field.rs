// A link placeholder names a field of the struct.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(link = "/orgs/{org_id}/chats/{id}")]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(ignore)]
    organization_id: u64,
}

fn main() {}
