// Every malformed placeholder is reported, with the struct's other mistakes.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, says(true = "archived {noun"))]
    c: bool,
    #[audit(track, says(true = "archived }"))]
    d: bool,
    #[audit(track, says(true = "  "))]
    e: bool,
    #[audit(track, says(true = "archived", true = "archived again"))]
    f: bool,
    #[audit(track, says(changed = "archived {noun|chat|chats}"))]
    i: bool,
    #[audit(track, says(changed = "archived {} and {{braces}}"))]
    j: bool,
    unclassified: bool,
}

fn main() {}
