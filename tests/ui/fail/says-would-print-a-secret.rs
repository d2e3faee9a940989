// `{old}` and `{new}` on a secret would print it; a secret's sentence says
// only that it changed.
use audit_core::Auditable;

#[derive(Auditable)]
struct ApiKey {
    #[audit(track)]
    id: u64,
    #[audit(secret = "grants access", says(changed = "rotated {noun} {target} from {old} to {new}"))]
    token: String,
}

fn main() {}
