//! `docs::registered()` finds every derived type linked into the binary:
//! this crate's, generic ones, and those of another crate of the workspace.

// Linked so that its types are registered; nothing else here names it.
use audit_examples as _;

use audit_core::{AuditFields, Auditable, Schema, docs};

#[derive(Auditable)]
struct Local {
    #[audit(track)]
    id: u64,
}

#[derive(Auditable)]
#[allow(dead_code)] // Ignored fields are never read.
struct Generic<'a, T, const N: usize> {
    #[audit(track)]
    id: u64,
    #[audit(ignore = "a borrowed buffer")]
    buffer: &'a [T; N],
}

fn find(schemas: &[&'static Schema], rust_name: &str) -> Vec<&'static Schema> {
    schemas
        .iter()
        .copied()
        .filter(|schema| schema.rust_name == rust_name)
        .collect()
}

#[test]
fn types_of_another_crate_are_registered() {
    let schemas = docs::registered();
    let chat = find(&schemas, "Chat");
    assert_eq!(chat.len(), 1, "{schemas:#?}");
    assert_eq!(chat[0], audit_examples::chat::Chat::SCHEMA);
    assert_eq!(chat[0].resource_type, "chat");
}

#[test]
fn local_and_generic_types_are_registered_once() {
    let schemas = docs::registered();
    assert_eq!(find(&schemas, "Local"), [Local::SCHEMA]);
    assert_eq!(
        find(&schemas, "Generic"),
        [Generic::<'static, u8, 4>::SCHEMA]
    );
}

#[test]
fn a_type_in_a_function_body_is_registered() {
    #[derive(Auditable)]
    struct InsideTest {
        #[audit(track)]
        id: u64,
    }

    assert_eq!(
        find(&docs::registered(), "InsideTest"),
        [InsideTest::SCHEMA]
    );
}

#[test]
fn registered_schemas_are_sorted_by_resource_type() {
    let types: Vec<&str> = docs::registered()
        .iter()
        .map(|schema| schema.resource_type)
        .collect();
    assert_eq!(
        types,
        ["chat", "generic", "inside_test", "local", "workspace"]
    );
}
