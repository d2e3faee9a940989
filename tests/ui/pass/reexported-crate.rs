//! `#[audit(crate = "...")]` reaches `audit_core` through a re-export.

mod platform {
    pub use audit_core as audit;
}

extern crate audit_core as renamed;

use platform::audit::Auditable;

#[derive(Auditable)]
#[audit(crate = "platform::audit")]
struct Thing {
    #[audit(track)]
    id: u64,
}

#[derive(renamed::Auditable)]
#[audit(crate = "renamed")]
struct Other {
    #[audit(track)]
    id: u64,
}

fn main() {
    assert_eq!(Thing { id: 1 }.resource_id(), "1");
    assert_eq!(Other { id: 2 }.resource_id(), "2");
}
