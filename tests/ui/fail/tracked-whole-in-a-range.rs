// A bound or a range of an auditable struct is tracked whole no more than
// the struct: written out, or through an alias.
use audit_core::Auditable;
use std::ops::{Bound, Range};

#[derive(Clone, PartialEq, PartialOrd, serde::Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(track)]
    theme: String,
    #[audit(secret)]
    api_token: String,
}

type Window = std::ops::RangeInclusive<Settings>;

#[derive(Clone, serde::Serialize, Auditable)]
#[audit(resource = "workspace")]
struct Workspace {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    floor: Bound<Settings>,
    #[audit(track)]
    span: Range<Settings>,
    #[audit(track)]
    window: Window,
}

fn main() {}
