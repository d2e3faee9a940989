// An unknown key on the struct is an error that suggests the nearest valid one.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(resouce = "chat")]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
