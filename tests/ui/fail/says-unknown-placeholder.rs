// A sentence names only the placeholders there are; a typo gets a suggestion.
use audit_core::Auditable;

#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, says(true = "archived {noun} {tagret}"))]
    archived: bool,
    #[audit(track, says(changed = "moved {noun} to {folder}"))]
    folder: String,
}

fn main() {}
