//! The documentation rendered from the attributes: exact Markdown and JSON,
//! their order, and cells that stay in their table.

use audit_core::{AuditFields, Auditable, docs};

/// A user's API key.
///
/// Shown once, when it is created.
#[derive(Auditable)]
#[allow(dead_code)] // Ignored fields are never read.
#[audit(org = org_id, link = "/keys/{id}", actions(create, delete))]
struct ApiKey {
    #[audit(track)]
    id: u64,
    /// The organization | tenant
    /// that owns the key.
    #[audit(ignore = "recorded as the entry's organization")]
    org_id: u64,
    /// The hash of the key.
    ///
    /// Never shown.
    #[audit(secret = "grants access | keep it out of the log")]
    hashed_secret: String,
    #[audit(track, rename = "expires")]
    expires_at: Option<u64>,
}

/// A chat whose changes to one field have sentences of their own.
#[derive(Auditable)]
#[audit(noun = "chat", actions(create, write, archive))]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track, says(true = "archived {noun} {target}", changed = "unarchived {noun} {target}"))]
    archived: bool,
    #[audit(secret, says(changed = "rotated the key of {noun} {target}"))]
    key: String,
}

#[derive(Auditable)]
#[audit(resource = "account", actions(write))]
struct UserAccount {
    /// The account's number.
    #[audit(track = "who the account is")]
    id: u64,
}

const INTRODUCTION: &str = "\
# Audit log reference

<!-- Generated from the #[audit(...)] attributes by audit_core::docs: do not edit by hand. -->

Every resource written to the audit log: the actions recorded for it, whether
each entry names an organization, and for every field what a change records.

- `track`: a change is recorded with the old and the new value.
- `secret`: a change is recorded, never the values.
- `ignore`: a change is not recorded.

Each entry says what happened in one sentence, its `description`: those of
each resource are listed with it, `{actor}` standing for who did it (a
background job's name followed by \"automatically\", or \"someone\") and
`{target}` for the resource's name. A request answered with a status of 400 or
more says instead \"{actor} unsuccessfully attempted to {action} {noun}
{target}\", and an entry whose request was never confirmed ends
\"(not confirmed)\".

Each resource's schema fingerprint hashes its classification (the resource
type, every field's key, class and type, and the classification of the
structs nested in it). Every entry records it as `schema_fingerprint`: an
entry whose fingerprint is not the one below was written by another
classification.
";

#[test]
fn markdown_has_a_section_per_resource_sorted_by_resource_type() {
    // Listed out of order and twice: rendered in order, once.
    let markdown = docs::markdown(&[ApiKey::SCHEMA, UserAccount::SCHEMA, ApiKey::SCHEMA]);
    let expected = INTRODUCTION.to_owned()
        + "
## `account`

- Rust type: `UserAccount`
- Schema fingerprint: `sha256:667cd052c298a4513194540f50fa5570`
- Actions: `write`
- Organization: not required
- Link template: none
- Noun: account

| Entry | Sentence |
| --- | --- |
| `write` | {actor} updated account {target} |

| Field | Class | Reason | Description |
| --- | --- | --- | --- |
| `id` | track | who the account is | The account's number. |

## `api_key`

A user's API key.

Shown once, when it is created.

- Rust type: `ApiKey`
- Schema fingerprint: `sha256:a83aff23708a0a04f6f5906aee0fcb42`
- Actions: `create`, `delete`
- Organization: required
- Link template: `/keys/{id}`
- Noun: api key

| Entry | Sentence |
| --- | --- |
| `create` | {actor} created api key {target} |
| `delete` | {actor} deleted api key {target} |

| Field | Class | Reason | Description |
| --- | --- | --- | --- |
| `id` | track |  |  |
| `org_id` | ignore | recorded as the entry's organization | The organization \\| tenant that owns the key. |
| `hashed_secret` | secret | grants access \\| keep it out of the log | The hash of the key.<br><br>Never shown. |
| `expires` | track |  |  |
";
    assert_eq!(markdown, expected);
}

#[test]
fn every_table_row_has_the_cells_of_its_header() {
    let markdown = docs::markdown(&[ApiKey::SCHEMA, UserAccount::SCHEMA, Chat::SCHEMA]);
    let unescaped_pipes = |row: &str| {
        row.char_indices()
            .filter(|&(i, c)| c == '|' && !row[..i].ends_with('\\'))
            .count()
    };
    let (mut fields, mut sentences) = (0, 0);
    let mut header = 0;
    for (index, row) in markdown.lines().enumerate() {
        if !row.starts_with('|') {
            header = 0;
            continue;
        }
        if header == 0 {
            header = unescaped_pipes(row);
        }
        assert_eq!(unescaped_pipes(row), header, "line {index}: {row}");
        match header {
            5 => fields += 1,
            3 => sentences += 1,
            _ => panic!("a table of {header} pipes: {row}"),
        }
    }
    // A header and a rule per table, and a row per field or sentence.
    assert_eq!(fields, 3 * 2 + 1 + 4 + 3);
    assert_eq!(sentences, 3 * 2 + 1 + 2 + 6);
}

#[test]
fn every_sentence_is_listed_with_its_resource_one_word_changing_the_document() {
    let markdown = docs::markdown(&[Chat::SCHEMA]);
    let section = &markdown[markdown.find("## `chat`").unwrap()..];
    assert!(
        section.contains(
            "\
- Noun: chat

| Entry | Sentence |
| --- | --- |
| `create` | {actor} created chat {target} |
| `write` | {actor} updated chat {target} |
| `write` changing `archived` alone, to `true` | {actor} archived chat {target} |
| `write` changing `archived` alone, otherwise | {actor} unarchived chat {target} |
| `write` changing `key` alone, any change | {actor} rotated the key of chat {target} |
| `archive` | {actor} archived chat {target} |
"
        ),
        "{section}"
    );
    // The drift check catches one word changed in one sentence.
    if std::env::var_os(docs::UPDATE_ENV).is_none() {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs-sentences.md");
        std::fs::write(
            &path,
            markdown.replace("rotated the key", "rotated the token"),
        )
        .unwrap();
        let error = docs::check(&path, &markdown).unwrap_err().to_string();
        assert!(error.contains("-| `write` changing `key` alone, any change | {actor} rotated the token of chat {target} |"), "{error}");
        std::fs::write(&path, &markdown).unwrap();
        docs::check(&path, &markdown).unwrap();
    }
    let json = docs::json(&[Chat::SCHEMA]).unwrap();
    assert!(
        json.contains(
            r#"    "sentences": [
      {
        "field": "archived",
        "when": {
          "equals": "true"
        },
        "says": "archived {noun} {target}"
      },"#
        ),
        "{json}"
    );
}

#[test]
fn no_resource_renders_the_introduction_alone() {
    assert_eq!(
        docs::markdown(&[]),
        INTRODUCTION.to_owned() + "\nNo resource is audited.\n"
    );
}

#[test]
fn a_secret_field_is_never_shown_as_tracked() {
    let markdown = docs::markdown(&[ApiKey::SCHEMA]);
    let row = markdown
        .lines()
        .find(|line| line.starts_with("| `hashed_secret` |"))
        .unwrap();
    assert!(row.starts_with("| `hashed_secret` | secret |"), "{row}");
}

#[test]
fn json_is_the_sorted_schemas_pretty_with_a_final_newline() {
    let json = docs::json(&[ApiKey::SCHEMA, UserAccount::SCHEMA, ApiKey::SCHEMA]).unwrap();
    let expected = r#"[
  {
    "rust_name": "UserAccount",
    "resource_type": "account",
    "doc": null,
    "actions": [
      "write"
    ],
    "past_forms": [
      "updated"
    ],
    "noun": "account",
    "requires_org": false,
    "link": null,
    "fields": [
      {
        "name": "id",
        "rust_name": "id",
        "rust_type": "u64",
        "class": "track",
        "reason": "who the account is",
        "doc": "The account's number."
      }
    ],
    "schema_fingerprint": "sha256:667cd052c298a4513194540f50fa5570"
  },
  {
    "rust_name": "ApiKey",
    "resource_type": "api_key",
    "doc": "A user's API key.\n\nShown once, when it is created.",
    "actions": [
      "create",
      "delete"
    ],
    "past_forms": [
      "created",
      "deleted"
    ],
    "noun": "api key",
    "requires_org": true,
    "link": "/keys/{id}",
    "fields": [
      {
        "name": "id",
        "rust_name": "id",
        "rust_type": "u64",
        "class": "track",
        "reason": null,
        "doc": null
      },
      {
        "name": "org_id",
        "rust_name": "org_id",
        "rust_type": "u64",
        "class": "ignore",
        "reason": "recorded as the entry's organization",
        "doc": "The organization | tenant\nthat owns the key."
      },
      {
        "name": "hashed_secret",
        "rust_name": "hashed_secret",
        "rust_type": "String",
        "class": "secret",
        "reason": "grants access | keep it out of the log",
        "doc": "The hash of the key.\n\nNever shown."
      },
      {
        "name": "expires",
        "rust_name": "expires_at",
        "rust_type": "Option<u64>",
        "class": "track",
        "reason": null,
        "doc": null
      }
    ],
    "schema_fingerprint": "sha256:a83aff23708a0a04f6f5906aee0fcb42"
  }
]
"#;
    assert_eq!(json, expected);
    assert_eq!(docs::json(&[]).unwrap(), "[]\n");
}

mod other {
    /// Another resource named like one above, in another module.
    #[derive(audit_core::Auditable)]
    #[audit(resource = "account")]
    pub(crate) struct UserAccount {
        #[audit(track)]
        id: u64,
    }
}

#[test]
fn resources_sharing_a_name_have_an_order_of_their_own() {
    let forward = docs::markdown(&[UserAccount::SCHEMA, other::UserAccount::SCHEMA]);
    let backward = docs::markdown(&[other::UserAccount::SCHEMA, UserAccount::SCHEMA]);
    assert_eq!(forward, backward);
    assert_eq!(forward.matches("- Rust type: `UserAccount`").count(), 2);
}

/// A chat whose link is computed.
///
/// # Examples
///
/// ```
/// # use my_crate::Chat;
/// let chat = Chat::default();
/// ```
#[derive(Auditable)]
#[audit(link_with = links::chat_link)]
struct LinkedChat {
    #[audit(track)]
    id: u64,
}

mod links {
    pub(crate) fn chat_link(chat: &super::LinkedChat) -> Option<String> {
        (chat.id != 0).then(|| format!("/c/{}", chat.id))
    }
}

#[test]
fn link_with_is_named_and_doc_comments_stay_inside_their_section() {
    let markdown = docs::markdown(&[LinkedChat::SCHEMA]);
    assert!(
        markdown.ends_with(
            "\
## `linked_chat`

A chat whose link is computed.

### Examples

```
let chat = Chat::default();
```

- Rust type: `LinkedChat`
- Schema fingerprint: `sha256:e25cbdece40c314a6e2f43afbfe3297f`
- Actions: `create`, `write`, `delete`
- Organization: not required
- Link: made by `links::chat_link`
- Noun: linked chat

| Entry | Sentence |
| --- | --- |
| `create` | {actor} created linked chat {target} |
| `write` | {actor} updated linked chat {target} |
| `delete` | {actor} deleted linked chat {target} |

| Field | Class | Reason | Description |
| --- | --- | --- | --- |
| `id` | track |  |  |
"
        ),
        "{markdown}"
    );
}

#[test]
fn the_fingerprint_changes_with_the_classification_only() {
    mod before {
        /// Documented.
        #[derive(audit_core::Auditable)]
        pub(crate) struct Token {
            #[audit(track)]
            pub(crate) id: u64,
            #[audit(secret = "grants access")]
            pub(crate) value: String,
        }
    }
    mod reworded {
        /// Documented otherwise, with other reasons and actions.
        #[derive(audit_core::Auditable)]
        #[audit(actions(create), link = "/t/{id}")]
        pub(crate) struct Token {
            /// The id.
            #[audit(track = "names it")]
            pub(crate) id: u64,
            #[audit(secret = "lets anyone in")]
            pub(crate) value: String,
        }
    }
    mod reclassified {
        #[derive(audit_core::Auditable)]
        pub(crate) struct Token {
            #[audit(track)]
            pub(crate) id: u64,
            #[audit(track)]
            pub(crate) value: String,
        }
    }
    assert_eq!(
        before::Token::SCHEMA.fingerprint(),
        reworded::Token::SCHEMA.fingerprint()
    );
    assert_ne!(
        before::Token::SCHEMA.fingerprint(),
        reclassified::Token::SCHEMA.fingerprint()
    );
}

#[test]
fn the_fingerprint_covers_nested_classifications() {
    mod before {
        #[derive(audit_core::Auditable)]
        #[audit(embedded)]
        pub(crate) struct Settings {
            #[audit(track)]
            pub(crate) theme: String,
            #[audit(secret)]
            pub(crate) api_token: String,
        }
        #[derive(audit_core::Auditable)]
        pub(crate) struct Team {
            #[audit(track)]
            pub(crate) id: u64,
            #[audit(nested)]
            pub(crate) settings: Settings,
        }
    }
    mod after {
        #[derive(audit_core::Auditable)]
        #[audit(embedded)]
        pub(crate) struct Settings {
            #[audit(track)]
            pub(crate) theme: String,
            // Only this changed, inside the nested struct.
            #[audit(track)]
            pub(crate) api_token: String,
        }
        #[derive(audit_core::Auditable)]
        pub(crate) struct Team {
            #[audit(track)]
            pub(crate) id: u64,
            #[audit(nested)]
            pub(crate) settings: Settings,
        }
    }
    let text = before::Team::SCHEMA.canonical_text();
    let settings = <before::Settings as audit_core::AuditFields>::SCHEMA.fingerprint();
    assert_eq!(
        text,
        format!(
            "audit-schema/1\nresource team\nid\ttrack\tu64\nsettings\tnested\tSettings\t{settings}\n"
        )
    );
    assert_ne!(
        before::Team::SCHEMA.fingerprint(),
        after::Team::SCHEMA.fingerprint()
    );
}

#[test]
fn fingerprinted_secrets_are_shown_as_such_with_the_limit() {
    mod plain {
        #[derive(audit_core::Auditable)]
        pub(crate) struct Hook {
            #[audit(track)]
            pub(crate) id: u64,
            #[audit(secret = "signs events")]
            pub(crate) secret: String,
        }
    }
    mod fingerprinted {
        #[derive(audit_core::Auditable)]
        #[audit(embedded)]
        pub(crate) struct Signing {
            #[audit(secret = "signs events", fingerprint)]
            pub(crate) secret: String,
        }
        #[derive(audit_core::Auditable)]
        pub(crate) struct Hook {
            #[audit(track)]
            pub(crate) id: u64,
            #[audit(secret = "signs events", fingerprint)]
            pub(crate) secret: String,
            #[audit(nested)]
            pub(crate) signing: Signing,
        }
    }
    let markdown = docs::markdown(&[fingerprinted::Hook::SCHEMA]);
    assert!(
        markdown.contains("| `secret` | secret, fingerprinted | signs events |  |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `signing.secret` | secret, fingerprinted | signs events |  |\n"),
        "{markdown}"
    );
    assert!(markdown.contains("a low-entropy secret"), "{markdown}");
    let json: serde_json::Value =
        serde_json::from_str(&docs::json(&[fingerprinted::Hook::SCHEMA]).unwrap()).unwrap();
    let fields = &json[0]["fields"];
    assert_eq!(fields[1]["secret_fingerprint"], true, "{json}");
    assert_eq!(fields[2]["nested"]["fields"][0]["secret_fingerprint"], true);
    assert!(fields[0].get("secret_fingerprint").is_none());

    // Documents without one carry no legend, and the plain secret's row and
    // JSON are as before.
    let plain_markdown = docs::markdown(&[plain::Hook::SCHEMA]);
    assert!(
        !plain_markdown.contains("fingerprinted"),
        "{plain_markdown}"
    );
    assert!(plain_markdown.contains("| `secret` | secret | signs events |  |\n"));
    // Fingerprinting a secret changes the classification's fingerprint.
    assert_ne!(
        plain::Hook::SCHEMA.fingerprint(),
        fingerprinted::Hook::SCHEMA.fingerprint()
    );
}
