// A struct without fields has nothing to identify the resource by.
use audit_core::Auditable;

#[derive(Auditable)]
struct Settings {}

#[derive(Auditable)]
struct Marker;

fn main() {}
