use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions(create, archive, create))]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
