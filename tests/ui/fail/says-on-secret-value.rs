// A sentence chosen by a secret's value would reveal the value, and one
// chosen by a nested struct's value would compare its secrets.
use audit_core::Auditable;

#[derive(Clone, PartialEq, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(secret)]
    token: String,
}

#[derive(Auditable)]
struct Account {
    #[audit(track)]
    id: u64,
    #[audit(secret, says(true = "flagged {noun} {target}"))]
    flagged_for_fraud: bool,
    #[audit(nested, says(Settings { token: String::new() } = "reset the settings of {noun} {target}"))]
    settings: Settings,
}

fn main() {}
