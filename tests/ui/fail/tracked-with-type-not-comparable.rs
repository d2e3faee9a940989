// A tracked field serialized `with` a function still implements `PartialEq`.
use audit_core::Auditable;

struct Deadline;

fn as_text<S: serde::Serializer>(_: &Deadline, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("soon")
}

#[derive(serde::Serialize, Auditable)]
struct Task {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    #[serde(serialize_with = "as_text")]
    deadline: Deadline,
}

fn main() {}
