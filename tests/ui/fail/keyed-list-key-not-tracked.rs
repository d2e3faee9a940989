// A keyed list's key is a tracked field of its elements: its value is written into every path.
use audit_core::Auditable;

#[derive(PartialEq, Auditable)]
#[audit(embedded)]
struct Session {
    #[audit(secret = "signs the user in")]
    token: String,
    #[audit(ignore = "internal")]
    slot: u32,
    #[audit(track)]
    id: u64,
    #[audit(track)]
    device: String,
}

#[derive(Auditable)]
struct User {
    #[audit(track)]
    id: u64,
    #[audit(nested, key = token)]
    sessions: Vec<Session>,
    #[audit(nested, key = slot)]
    by_slot: Vec<Session>,
    #[audit(nested, key = id)]
    fine: Vec<Session>,
}

fn main() {}
