// An unknown key on a field is an error that suggests the nearest valid one.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(trak)]
    archived: bool,
    #[audit(secert)]
    title: String,
    #[audit(skip)]
    status: u8,
}

fn main() {}
