// A secret field's type implements `PartialEq`; the error points at the type.
use audit_core::Auditable;

struct Token;

#[derive(Auditable)]
struct Session {
    #[audit(track)]
    id: u64,
    #[audit(secret)]
    token: Token,
}

fn main() {}
