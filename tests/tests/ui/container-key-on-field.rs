use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track, id)]
    id: u64,
}

fn main() {}
