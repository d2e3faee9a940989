// A nested field is never recorded as text: its `Display` may show the
// fields it classifies secret. Not as the target (named, or by default as a
// `name`), nor in the link.
use audit_core::Auditable;
use std::fmt;

#[derive(Auditable)]
#[audit(embedded)]
struct PersonName {
    #[audit(track)]
    short: String,
    #[audit(secret)]
    legal: String,
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.short, self.legal)
    }
}

#[derive(Auditable)]
#[audit(target = name, link = "/patients/{name}")]
struct Patient {
    #[audit(track)]
    id: u64,
    #[audit(nested)]
    name: PersonName,
}

fn main() {}
