//! Types you cannot annotate: a mirror struct with `#[audit(remote = ..)]`
//! classifies each field of a type from another crate or module, and the
//! foreign values are diffed and audited directly, as exact JSON.

use audit_core::{Action, AuditRequest, Audited, BackgroundAudit, MemorySink, docs};
use audit_tests_renamed::foreign::{Invoice, Session};
use serde_json::json;

/// Mirrors another crate's `Invoice`, field by field.
#[derive(audit_core::Auditable)]
#[audit(remote = audit_tests_renamed::foreign::Invoice, resource = "invoice",
        target = customer, link = "/invoices/{id}", actions(create, write, delete))]
struct InvoiceAudit {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    customer: String,
    #[audit(track)]
    amount_cents: i64,
    #[audit(secret = "a card credential")]
    card_token: String,
    #[audit(ignore = "bookkeeping")]
    updated_at: u64,
}

/// Mirrors a `#[non_exhaustive]` type, which no pattern can cover.
#[derive(audit_core::Auditable)]
#[audit(remote = Session, partial = "`Session` is `#[non_exhaustive]`")]
struct SessionAudit {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    user: String,
}

/// A type of this crate whose fields are private to its module, as a
/// generated type's may be: the mirror names those it can see.
mod generated {
    #[derive(Clone)]
    pub(crate) struct Token {
        pub(crate) id: u32,
        pub(crate) scope: String,
        hash: String,
    }

    impl Token {
        pub(crate) fn new(id: u32, scope: &str, hash: &str) -> Self {
            Token {
                id,
                scope: scope.to_owned(),
                hash: hash.to_owned(),
            }
        }

        pub(crate) fn hash(&self) -> &str {
            &self.hash
        }
    }
}

#[derive(audit_core::Auditable)]
#[audit(remote = generated::Token, partial = "`hash` is private to `generated`")]
struct TokenAudit {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    scope: String,
}

fn invoice(amount_cents: i64, card_token: &str) -> Invoice {
    Invoice {
        id: 7,
        customer: "ACME".into(),
        amount_cents,
        card_token: card_token.into(),
        updated_at: 1,
    }
}

#[test]
fn a_foreign_value_is_diffed_directly_by_its_mirrors_classes() {
    let old = invoice(100, "tok-1");
    let new = Invoice {
        updated_at: 2,
        ..invoice(250, "tok-2")
    };
    assert_eq!(
        serde_json::to_value(audit_core::diff(&old, &new)).unwrap(),
        json!({
            "amount_cents": {"old": 100, "new": 250, "secret": false},
            "card_token": {"secret": true},
        }),
    );
    assert!(
        audit_core::diff(
            &old,
            &Invoice {
                updated_at: 9,
                ..old.clone()
            }
        )
        .is_empty()
    );
}

#[test]
fn the_resource_functions_read_the_foreign_value() {
    let value = invoice(100, "tok-1");
    assert_eq!(value.audit_resource_id(), "7");
    assert_eq!(value.audit_resource_target(), "ACME");
    assert_eq!(value.audit_resource_link().as_deref(), Some("/invoices/7"));
    assert_eq!(value.audit_organization_id(), None);
    let schema = <Invoice as Audited<InvoiceAudit>>::AUDIT_SCHEMA;
    assert_eq!(schema.resource_type, "invoice");
    assert_eq!(schema.rust_name, "InvoiceAudit");
    assert_eq!(schema.partial, None);
}

#[test]
fn a_request_audits_a_foreign_value() {
    let sink = MemorySink::new();
    let mut audit = AuditRequest::new(&sink, Action::WRITE).actor("ada");
    audit.set_old(invoice(100, "tok-1"));
    audit.set_new(invoice(100, "tok-2"));
    audit.commit(200).unwrap();
    let entry = sink.last().unwrap();
    assert_eq!(
        (entry.resource_type.as_ref(), entry.resource_id.as_str()),
        ("invoice", "7")
    );
    assert_eq!(entry.resource_link.as_deref(), Some("/invoices/7"));
    assert_eq!(
        serde_json::to_value(&entry.diff).unwrap(),
        json!({"card_token": {"secret": true}}),
    );
    assert!(entry.flags.is_empty(), "{:?}", entry.flags);
    assert_eq!(sink.entries_of(&invoice(0, "")).len(), 1);
}

#[test]
fn create_and_delete_of_a_foreign_value_record_its_fields() {
    let sink = MemorySink::new();
    let job = BackgroundAudit::new(&sink, "billing");
    job.export(Action::CREATE, None, Some(&invoice(100, "tok-1")))
        .unwrap();
    job.export(Action::DELETE, Some(&invoice(100, "tok-1")), None)
        .unwrap();
    let entries = sink.entries();
    assert_eq!(
        serde_json::to_value(&entries[0].diff).unwrap(),
        json!({
            "id": {"new": 7, "secret": false},
            "customer": {"new": "ACME", "secret": false},
            "amount_cents": {"new": 100, "secret": false},
            "card_token": {"secret": true},
        }),
    );
    assert_eq!(
        serde_json::to_value(&entries[1].diff).unwrap(),
        json!({
            "id": {"old": 7, "secret": false},
            "customer": {"old": "ACME", "secret": false},
            "amount_cents": {"old": 100, "secret": false},
            "card_token": {"secret": true},
        }),
    );
}

#[test]
fn a_partial_mirror_diffs_the_fields_it_names() {
    let old = Session::new(1, "ada", "key-1");
    let new = Session::new(1, "grace", "key-2");
    assert_eq!(
        serde_json::to_value(audit_core::diff(&old, &new)).unwrap(),
        json!({"user": {"old": "ada", "new": "grace", "secret": false}}),
    );
    let old = generated::Token::new(3, "read", "h1");
    let new = generated::Token::new(3, "write", "h2");
    assert_ne!(old.hash(), new.hash());
    assert_eq!(
        serde_json::to_value(audit_core::diff(&old, &new)).unwrap(),
        json!({"scope": {"old": "read", "new": "write", "secret": false}}),
    );
}

#[test]
fn the_docs_mark_a_partial_mirror_unchecked() {
    let schema = <Session as Audited<SessionAudit>>::AUDIT_SCHEMA;
    assert_eq!(schema.partial, Some("`Session` is `#[non_exhaustive]`"));
    let markdown = docs::markdown(&[schema]);
    assert!(
        markdown.contains(
            "- Field coverage: **not checked** at compile time: `Session` is `#[non_exhaustive]`\n"
        ),
        "{markdown}"
    );
    assert_eq!(
        serde_json::to_value(schema).unwrap()["partial"],
        json!("`Session` is `#[non_exhaustive]`"),
    );
    let checked = docs::markdown(&[<Invoice as Audited<InvoiceAudit>>::AUDIT_SCHEMA]);
    assert!(!checked.contains("Field coverage"), "{checked}");
}

/// A field of a remote type is nested through its mirror,
/// `#[audit(nested, via = Mirror)]`, keeping each field's class: what to
/// write instead of tracking it whole, which is a build error.
#[test]
fn a_remote_type_nests_through_its_mirror() {
    #[derive(audit_core::Auditable)]
    struct Order {
        #[audit(track)]
        id: u32,
        #[audit(nested, via = InvoiceAudit)]
        invoice: Invoice,
    }

    let invoice = |customer: &str, card_token: &str, updated_at: u64| Invoice {
        id: 3,
        customer: customer.into(),
        amount_cents: 500,
        card_token: card_token.into(),
        updated_at,
    };
    let old = Order {
        id: 1,
        invoice: invoice("Ada", "tok-1", 1),
    };
    let new = Order {
        id: 1,
        invoice: invoice("Grace", "tok-2", 2),
    };
    assert_eq!(
        serde_json::to_value(audit_core::diff(&old, &new)).unwrap(),
        json!({
            "invoice.customer": {"old": "Ada", "new": "Grace", "secret": false},
            "invoice.card_token": {"secret": true},
        })
    );
    assert_eq!(
        serde_json::to_string(&audit_core::Auditable::created(&new)).unwrap(),
        r#"{"id":{"new":1,"secret":false},"invoice.id":{"new":3,"secret":false},"invoice.customer":{"new":"Grace","secret":false},"invoice.amount_cents":{"new":500,"secret":false},"invoice.card_token":{"secret":true}}"#
    );
    let schema = <Order as audit_core::AuditFields>::SCHEMA;
    let nested = schema.field("invoice").unwrap().nested.unwrap();
    assert_eq!(nested.resource_type, "invoice");
}
