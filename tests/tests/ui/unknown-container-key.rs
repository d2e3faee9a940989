use audit_core::Auditable;

#[derive(Auditable)]
#[audit(resouce = "chat", track)]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
