// A tracked field's type implements `Serialize`; the error points at the type.
use audit_core::Auditable;

#[derive(PartialEq)]
struct Status;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    status: Status,
}

fn main() {}
