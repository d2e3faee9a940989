// An embedded struct's changes are said by the resource's field that nests it.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(embedded, noun = "settings")]
struct Settings {
    #[audit(track, says(changed = "changed the theme"))]
    theme: String,
}

fn main() {}
