use audit_core::Auditable;

#[derive(Auditable)]
struct Settings {}

#[derive(Auditable)]
struct Marker;

fn main() {}
