//! Generated code names everything by absolute path.
#![no_implicit_prelude]

#[derive(::audit_core::Auditable)]
#[audit(org = org, link = "/things/{id}")]
struct Thing {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    org: u64,
    #[audit(secret)]
    name: ::std::string::String,
}

fn main() {
    let thing = Thing { id: 1, org: 2, name: ::std::string::String::new() };
    let _ = <Thing as ::audit_core::Auditable>::diff(&thing, &thing);
}
