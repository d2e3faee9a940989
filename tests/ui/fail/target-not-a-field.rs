// `target = field` names a field of the struct.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(target = name)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    title: String,
}

// A near miss is suggested.
#[derive(Auditable)]
#[audit(target = titel)]
struct Document {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    title: String,
}

fn main() {}
