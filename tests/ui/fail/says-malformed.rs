// Every malformed sentence is reported, and reading goes on.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, says(true "archived"))]
    a: bool,
    #[audit(track, says(true = archived))]
    b: bool,
    #[audit(track, says(true = "archived {noun"))]
    c: bool,
    #[audit(track, says(true = "archived }"))]
    d: bool,
    #[audit(track, says(true = "  "))]
    e: bool,
    #[audit(track, says(true = "archived", true = "archived again"))]
    f: bool,
    #[audit(track, says())]
    g: bool,
    #[audit(track, says = "archived")]
    h: bool,
    #[audit(track, says(changed = "archived {noun|chat|chats}"))]
    i: bool,
}

fn main() {}
