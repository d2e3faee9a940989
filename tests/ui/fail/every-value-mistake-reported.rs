// Every mistake in one attribute is reported in one build, not only the first.
use audit_core::Auditable;

#[derive(Auditable)]
#[audit(id = "id", target = chat.title, org = 5, link = 5, actions = "create")]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    title: String,
}

fn main() {}
