// `partial` excuses a mirror from naming every remote field, and goes with `remote` only.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(partial = "fields are private")]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
