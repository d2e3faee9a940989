// A sentence chosen by a secret's value would reveal the value.
use audit_core::Auditable;

#[derive(Auditable)]
struct Account {
    #[audit(track)]
    id: u64,
    #[audit(secret, says(true = "flagged {noun} {target}"))]
    flagged_for_fraud: bool,
}

fn main() {}
