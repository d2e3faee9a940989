// An action is a snake_case name; the error says how to write it.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(actions(create, Archive, shareNow, _pin, _2fa))]
struct Chat {
    #[audit(track)]
    id: u64,
}

fn main() {}
