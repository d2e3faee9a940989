use audit_core::Auditable;

#[derive(Auditable)]
struct ChatId(#[audit(track)] u64);

fn main() {}
