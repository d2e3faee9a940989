// A condition is compared with the field's value: its type must match.
use audit_core::Auditable;

#[derive(Clone, PartialEq, serde::Serialize)]
enum Status {
    Active,
}

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, says("yes" = "archived {noun} {target}"))]
    archived: bool,
    #[audit(track, says(Status::Active = "activated {noun} {target}", 3 = "..."))]
    status: Status,
}

fn main() {}
