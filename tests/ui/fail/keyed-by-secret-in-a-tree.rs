// A tree (a keyed list of the struct itself), and a list whose elements
// borrow, are keyed by a tracked field like any list: the key is written
// into the path of every change.
use audit_core::Auditable;

#[derive(Clone, PartialEq, serde::Serialize, Auditable)]
#[audit(resource = "node")]
struct Node {
    #[audit(track)]
    id: u64,
    #[audit(secret)]
    password: String,
    #[audit(nested, key = password)]
    children: Vec<Node>,
}

#[derive(Clone, PartialEq, serde::Serialize, Auditable)]
#[audit(embedded)]
struct Member<'a> {
    #[audit(track)]
    name: &'a str,
    #[audit(secret)]
    invite_token: &'a str,
}

#[derive(Clone, PartialEq, serde::Serialize, Auditable)]
#[audit(resource = "team")]
struct TeamView<'a> {
    #[audit(track)]
    id: u64,
    #[audit(nested, key = invite_token)]
    members: Vec<Member<'a>>,
}

fn main() {}
