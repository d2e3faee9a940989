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
