// The derive works on structs only, not unions.
use audit_core::Auditable;

#[derive(Auditable)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
