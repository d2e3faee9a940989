// The derive needs named fields: a tuple struct is rejected.
use audit_core::Auditable;

#[derive(Auditable)]
struct ChatId(#[audit(track)] u64);

fn main() {}
