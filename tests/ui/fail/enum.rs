// The derive works on structs only, not enums.
use audit_core::Auditable;

#[derive(Auditable)]
enum ChatStatus {
    Waiting,
    Running,
}

fn main() {}
