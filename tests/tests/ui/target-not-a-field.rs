use audit_core::Auditable;

#[derive(Auditable)]
#[audit(target = name)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    title: String,
}

fn main() {}
