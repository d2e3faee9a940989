//! The resource functions: id, type, target, link and organization.

use audit_core::{AuditFields, Auditable};
use uuid::Uuid;

const CHAT_ID: Uuid = Uuid::from_u128(0x0192_5d3c_7a1b_7c4e_8f2a_1b2c_3d4e_5f60);
const ORG_ID: Uuid = Uuid::from_u128(0x0192_5d3c_0000_7000_8000_0000_0000_0001);

#[derive(Auditable)]
#[audit(resource = "chat", org = organization_id, link = "/orgs/{organization_id}/chats/{id}", target_with = short_id)]
struct Chat {
    #[audit(track)]
    id: Uuid,
    #[audit(ignore = "recorded as the organization")]
    organization_id: Uuid,
    #[audit(secret)]
    title: String,
}

fn short_id(chat: &Chat) -> String {
    chat.id.to_string()[..8].to_owned()
}

fn chat() -> Chat {
    Chat {
        id: CHAT_ID,
        organization_id: ORG_ID,
        title: "Quarterly numbers".into(),
    }
}

#[test]
fn chat_describes_itself() {
    let chat = chat();
    assert_eq!(chat.resource_type(), "chat");
    assert_eq!(chat.resource_id(), "01925d3c-7a1b-7c4e-8f2a-1b2c3d4e5f60");
    assert_eq!(chat.resource_target(), "01925d3c");
    assert_eq!(
        chat.resource_link().as_deref(),
        Some(
            "/orgs/01925d3c-0000-7000-8000-000000000001/chats/01925d3c-7a1b-7c4e-8f2a-1b2c3d4e5f60"
        )
    );
    assert_eq!(
        chat.organization_id().as_deref(),
        Some("01925d3c-0000-7000-8000-000000000001")
    );
    assert!(Chat::SCHEMA.requires_org);
}

/// The names the second release's `AuditFields` and `Audited` used still
/// build, deprecated, and answer what their new names answer.
#[test]
#[allow(deprecated)]
fn the_former_names_still_answer() {
    use audit_core::Audited;
    let chat = chat();
    assert_eq!(<Chat as AuditFields>::FIELDS, Chat::SCHEMA);
    assert_eq!(Audited::audit_id(&chat), chat.resource_id());
    assert_eq!(Audited::audit_target(&chat), "01925d3c");
    assert_eq!(Audited::audit_link(&chat), chat.resource_link());
    assert_eq!(Audited::audit_org(&chat), chat.organization_id());
}

/// The default resource type is the snake_case struct name, the default
/// target the `name` field, and there is no link or organization.
#[derive(Auditable)]
struct ApiKey {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    name: String,
    #[audit(track)]
    title: String,
}

#[test]
fn defaults_follow_the_struct() {
    let key = ApiKey {
        id: 9,
        name: "ci".into(),
        title: "CI key".into(),
    };
    assert_eq!(key.resource_type(), "api_key");
    assert_eq!(key.resource_id(), "9");
    assert_eq!(key.resource_target(), "ci");
    assert_eq!(key.resource_link(), None);
    assert_eq!(key.organization_id(), None);
    assert!(!ApiKey::SCHEMA.requires_org);
}

#[derive(Auditable)]
struct Document {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    title: String,
}

#[test]
fn title_is_the_target_when_there_is_no_name() {
    let doc = Document {
        id: 1,
        title: "Minutes".into(),
    };
    assert_eq!(doc.resource_target(), "Minutes");
}

/// A secret `title` is never the default target: the id is.
#[derive(Auditable)]
struct Note {
    #[audit(track)]
    id: u32,
    #[audit(secret)]
    title: String,
}

#[test]
fn secret_title_is_not_the_default_target() {
    let note = Note {
        id: 4,
        title: "Diagnosis".into(),
    };
    assert_eq!(note.resource_target(), "4");
}

/// A nested `name` is never the default target either: its `Display` may
/// show the fields it classifies secret.
#[derive(Auditable)]
#[audit(embedded)]
struct PersonName {
    #[audit(track)]
    short: String,
    #[audit(secret)]
    legal: String,
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.short, self.legal)
    }
}

#[derive(Auditable)]
struct Patient {
    #[audit(track)]
    id: u32,
    #[audit(nested)]
    name: PersonName,
}

#[test]
fn nested_name_is_not_the_default_target() {
    let patient = Patient {
        id: 9,
        name: PersonName {
            short: "J.".into(),
            legal: "Jane Q. Public".into(),
        },
    };
    assert_eq!(patient.resource_target(), "9");
}

/// `id`, `target`, `org` and `link_with` name other fields and functions.
#[derive(Auditable)]
#[audit(id = key, target = email, org = tenant, link_with = user_link)]
struct User {
    #[audit(track)]
    key: String,
    #[audit(track)]
    email: String,
    #[audit(track)]
    tenant: Option<u64>,
}

fn user_link(user: &User) -> Option<String> {
    user.tenant
        .map(|tenant| format!("/tenants/{tenant}/users/{}", user.key))
}

#[test]
fn named_fields_and_functions_are_used() {
    let mut user = User {
        key: "u-1".into(),
        email: "ada@example.com".into(),
        tenant: Some(3),
    };
    assert_eq!(user.resource_id(), "u-1");
    assert_eq!(user.resource_target(), "ada@example.com");
    assert_eq!(user.organization_id().as_deref(), Some("3"));
    assert_eq!(
        user.resource_link().as_deref(),
        Some("/tenants/3/users/u-1")
    );
    assert_eq!(User::SCHEMA.link, None);

    user.tenant = None;
    assert_eq!(user.organization_id(), None);
    assert_eq!(user.resource_link(), None);
}

/// Raw identifiers are named without `r#` in attributes and placeholders.
#[derive(Auditable)]
#[audit(id = r#type, link = "/kinds/{type}")]
struct Kind {
    #[audit(track)]
    r#type: String,
}

#[test]
fn raw_identifiers_are_named_without_prefix() {
    let kind = Kind {
        r#type: "widget".into(),
    };
    assert_eq!(kind.resource_id(), "widget");
    assert_eq!(kind.resource_link().as_deref(), Some("/kinds/widget"));
}

/// A link placeholder may name an optional field: a resource whose field is
/// `None` has no link, rather than a link with a hole in it.
#[derive(Auditable)]
#[audit(link = "/teams/{team}/invites/{id}")]
struct Invite {
    #[audit(track)]
    id: u32,
    #[audit(track)]
    team: Option<Uuid>,
}

#[test]
fn optional_placeholder_gives_no_link_when_none() {
    let mut invite = Invite {
        id: 5,
        team: Some(ORG_ID),
    };
    assert_eq!(
        invite.resource_link().as_deref(),
        Some("/teams/01925d3c-0000-7000-8000-000000000001/invites/5")
    );
    invite.team = None;
    assert_eq!(invite.resource_link(), None);
    assert_eq!(Invite::SCHEMA.link, Some("/teams/{team}/invites/{id}"));
}

/// A placeholder's value is one path segment: it cannot retarget the link.
#[test]
fn link_placeholders_are_percent_encoded() {
    #[derive(Auditable)]
    #[audit(link = "/projects/{slug}/items/{id}")]
    struct Project {
        #[audit(track)]
        id: u32,
        #[audit(track)]
        slug: String,
    }
    let project = Project {
        id: 7,
        slug: "../../admin?x#y z/é".into(),
    };
    assert_eq!(
        project.resource_link().as_deref(),
        Some("/projects/..%2F..%2Fadmin%3Fx%23y%20z%2F%C3%A9/items/7")
    );
}

/// A placeholder whose value is `.` or `..` would be a dot segment, which a
/// URL parser resolves (percent-encoded as `%2E` too): the resource has no
/// link then. Dots among other characters are text.
#[test]
fn a_dot_segment_placeholder_gives_no_link() {
    #[derive(Auditable)]
    #[audit(link = "/projects/{slug}/items/{id}")]
    struct Project {
        #[audit(track)]
        id: u32,
        #[audit(track)]
        slug: String,
    }
    let link = |slug: &str| {
        Project {
            id: 7,
            slug: slug.into(),
        }
        .resource_link()
    };
    assert_eq!(link(".."), None);
    assert_eq!(link("."), None);
    assert_eq!(link("...").as_deref(), Some("/projects/.../items/7"));
    assert_eq!(link("v1.2").as_deref(), Some("/projects/v1.2/items/7"));
}

/// An ignored `name` is never the default target: its value would be written
/// into every entry.
#[test]
fn default_target_skips_ignored_fields() {
    #[derive(Auditable)]
    struct Person {
        #[audit(track)]
        id: u32,
        #[audit(ignore = "personal data")]
        name: String,
        #[audit(track)]
        title: String,
    }
    let person = Person {
        id: 7,
        name: "Ada Lovelace".into(),
        title: "Countess".into(),
    };
    assert_eq!(person.resource_target(), "Countess");
    assert_eq!(person.name, "Ada Lovelace");
}
