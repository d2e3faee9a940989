// An embedded struct is not a resource: it takes no `id`, `link` or other resource attribute.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(embedded, id = key, link = "/settings/{key}")]
struct Settings {
    #[audit(track)]
    key: u64,
}

fn main() {}
