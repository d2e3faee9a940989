// A field of an embedded struct cannot have a diff key with `.`, `[` or `'`: it is part of a path.
use audit_core::Auditable;

#[derive(serde::Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[serde(rename = "ui.theme")]
    #[audit(track)]
    theme: String,
    #[audit(track, rename = "lang[0]")]
    language: String,
}

fn main() {}
