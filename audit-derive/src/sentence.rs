//! Sentences: the past form of each action, and the placeholders of a
//! field's `says(...)` templates, checked here so that a sentence that would
//! print a secret, or name nothing, never builds. audit-core renders them
//! (`src/entry/sentence.rs`), with the same placeholders.

use syn::{Ident, LitStr};

use crate::ast;
use crate::attr;
use crate::error_store::ErrorSink;
use crate::model::{self, Class, Sentence, Shape, When};
use crate::suggest;
use crate::symbol::ADDED;
use crate::ty;

/// The past form of a common verb, as a sentence says it: `archive`
/// "archived", `login` "logged in". A verb not listed here is declared with
/// its past form, `actions(share = "shared")`: English past forms are
/// irregular (`stop` "stopped", `send` "sent", `run` "ran"), and a rule
/// that guessed would put a wrong word into an auditor's sentence where one
/// line of declaration puts the right one.
pub(crate) fn builtin_past(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "accept" => "accepted",
        "activate" => "activated",
        "add" => "added",
        "approve" => "approved",
        "archive" => "archived",
        "assign" => "assigned",
        "block" => "blocked",
        "cancel" => "cancelled",
        "close" => "closed",
        "connect" => "connected",
        "copy" => "copied",
        "create" => "created",
        "deactivate" => "deactivated",
        "delete" => "deleted",
        "deny" => "denied",
        "deploy" => "deployed",
        "disable" => "disabled",
        "disconnect" => "disconnected",
        "download" => "downloaded",
        "enable" => "enabled",
        "export" => "exported",
        "grant" => "granted",
        "import" => "imported",
        "invite" => "invited",
        "join" => "joined",
        "leave" => "left",
        "lock" => "locked",
        "login" => "logged in",
        "logout" => "logged out",
        "move" => "moved",
        "open" => "opened",
        "promote" => "promoted",
        "publish" => "published",
        "read" => "read",
        "register" => "registered",
        "reject" => "rejected",
        "remove" => "removed",
        "rename" => "renamed",
        "request" => "requested",
        "reset" => "reset",
        "restart" => "restarted",
        "restore" => "restored",
        "revoke" => "revoked",
        "rotate" => "rotated",
        "send" => "sent",
        "share" => "shared",
        "start" => "started",
        "stop" => "stopped",
        "submit" => "submitted",
        "suspend" => "suspended",
        "transfer" => "transferred",
        "unarchive" => "unarchived",
        "unassign" => "unassigned",
        "unblock" => "unblocked",
        "unlock" => "unlocked",
        "unpublish" => "unpublished",
        "unshare" => "unshared",
        "unsuspend" => "unsuspended",
        "update" | "write" => "updated",
        "upload" => "uploaded",
        "verify" => "verified",
        "view" => "viewed",
        _ => return None,
    })
}

/// The placeholders a sentence may name, in the order the docs list them.
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "actor", "noun", "target", "past", "action", "old", "new", "added", "removed",
];

/// A placeholder of a template: `{name}`, or `{name|one|many}`.
pub(crate) struct Placeholder {
    pub(crate) name: String,
    /// The singular and plural forms of `{added|user|users}`.
    pub(crate) plural: bool,
}

/// The placeholders of `template`, or what is wrong with it: an unclosed
/// `{`, a stray `}`, an empty or malformed placeholder. Braces are written
/// `{{` and `}}`.
pub(crate) fn placeholders(template: &str) -> Result<Vec<Placeholder>, String> {
    let mut found = Vec::new();
    let mut chars = template.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '{' if chars.next_if(|&(_, next)| next == '{').is_some() => {}
            '}' if chars.next_if(|&(_, next)| next == '}').is_some() => {}
            '}' => {
                return Err(
                    "a `}` closes no placeholder; write `}}` for a brace in the sentence"
                        .to_owned(),
                );
            }
            '{' => {
                let Some(len) = template[start + 1..].find('}') else {
                    return Err(format!(
                        "`{}` opens a placeholder that is never closed; write `{{{{` for a brace in the sentence",
                        &template[start..]
                    ));
                };
                let inner = &template[start + 1..start + 1 + len];
                for _ in 0..=inner.chars().count() {
                    chars.next();
                }
                found.push(placeholder(inner)?);
            }
            _ => {}
        }
    }
    Ok(found)
}

fn placeholder(inner: &str) -> Result<Placeholder, String> {
    let mut parts = inner.split('|');
    let name = parts.next().unwrap_or_default().trim().to_owned();
    let forms: Vec<&str> = parts.collect();
    if name.is_empty() {
        return Err(format!(
            "`{{{inner}}}` names no placeholder; write one of {}",
            list()
        ));
    }
    if forms.is_empty() {
        return Ok(Placeholder {
            name,
            plural: false,
        });
    }
    if forms.len() != 2 || forms.iter().any(|form| form.trim().is_empty()) {
        return Err(format!(
            "`{{{inner}}}` is not a plural form: write `{{{name}|user|users}}`, the word for one, then for several"
        ));
    }
    Ok(Placeholder { name, plural: true })
}

/// The placeholders, for messages: `{actor}`, `{noun}`, ...
pub(crate) fn list() -> String {
    let names: Vec<String> = PLACEHOLDERS
        .iter()
        .map(|name| format!("`{{{name}}}`"))
        .collect();
    names.join(", ")
}

/// The checked sentences of every field's `says(...)`, reporting each that
/// could never apply, would print a secret, or names a placeholder its field
/// cannot fill.
pub(crate) fn check<'a>(
    sink: &ErrorSink<'_>,
    struct_name: &Ident,
    ast_fields: &[ast::Field<'a>],
    fields: &[model::Field<'a>],
    actions: &[String],
    embedded: bool,
) -> Vec<Sentence<'a>> {
    let mut sentences = Vec::new();
    for ast_field in ast_fields {
        let Some(says) = &ast_field.attrs.says else {
            continue;
        };
        // An unclassified field has been reported.
        let Some(field) = fields.iter().find(|field| field.member == ast_field.ident) else {
            continue;
        };
        let name = &field.rust_name;
        let keyword = &says.keyword;
        if embedded {
            sink.error_spanned_by(
                keyword,
                format!("`says` describes a change to a resource's field, and `{struct_name}` is embedded: write the sentence on the field of the resource that nests it"),
            );
            continue;
        }
        if field.class == Class::Ignore {
            sink.error_spanned_by(
                keyword,
                format!("`says` on the ignored field `{name}` can never apply: its changes are never recorded, so they are never the only change; remove `says`, or classify the field `track`"),
            );
            continue;
        }
        if !actions.iter().any(|action| action == "write") {
            sink.error_spanned_by(
                keyword,
                format!("a field's sentence is said for a successful `write` that changes that field alone, and `{struct_name}` declares no `write` action: add `write` to `actions(...)`, or remove `says`"),
            );
            continue;
        }
        let collection = matches!(field.shape, Shape::Entries | Shape::Keyed { .. });
        let mut seen: Vec<String> = Vec::new();
        for saying in &says.sentences {
            let (when, condition) = match &saying.when {
                attr::When::Equals(value) => {
                    let text = ty::tokens_text(value);
                    if field.class == Class::Secret {
                        sink.error_spanned_by(
                            value,
                            format!("a sentence on the value of the secret field `{name}` would reveal it; a secret's sentence is `changed = \"...\"`, said whatever its value"),
                        );
                    } else if collection {
                        sink.error_spanned_by(
                            value,
                            format!("`{name}` is recorded per element, so its sentences are `added`, `removed` and `changed`, not a value"),
                        );
                    } else if field.class == Class::Nested {
                        sink.error_spanned_by(
                            value,
                            format!("a sentence on the value of the nested field `{name}` would compare its secret and ignored fields too, and could reveal them; a nested field's sentence is `changed = \"...\"`"),
                        );
                    }
                    (
                        When::Equals {
                            value: value.clone(),
                            text: text.clone(),
                        },
                        text,
                    )
                }
                attr::When::Added(ident) | attr::When::Removed(ident) => {
                    if !collection {
                        sink.error_spanned_by(
                            ident,
                            format!("`{ident}` counts the elements a keyed list or a per-entry map or set gained or lost, and `{name}` is recorded as one value: use a value, as in `true = \"...\"`, or `changed`"),
                        );
                    }
                    let when = if ident == ADDED {
                        When::Added
                    } else {
                        When::Removed
                    };
                    (when, ident.to_string())
                }
                attr::When::Changed(ident) => (When::Changed, ident.to_string()),
            };
            if seen.contains(&condition) {
                sink.error_spanned_by(
                    &saying.sentence,
                    format!("`{name}` has two sentences for `{condition}`; keep one"),
                );
            }
            seen.push(condition);
            check_template(sink, &saying.sentence, field, collection);
            sentences.push(Sentence {
                member: field.member,
                key: field.key.clone(),
                when,
                text: saying.sentence.value(),
            });
        }
    }
    sentences
}

/// Reports what is wrong with the placeholders of `sentence`, a sentence of
/// `field`.
fn check_template(
    sink: &ErrorSink<'_>,
    sentence: &LitStr,
    field: &model::Field<'_>,
    collection: bool,
) {
    let text = sentence.value();
    if text.trim().is_empty() {
        sink.error_spanned_by(sentence, "the sentence is empty; write what the change means, as in `\"archived {noun} {target}\"`");
        return;
    }
    let placeholders = match placeholders(&text) {
        Ok(placeholders) => placeholders,
        Err(message) => {
            sink.error_spanned_by(sentence, message);
            return;
        }
    };
    let name = &field.rust_name;
    for Placeholder {
        name: placeholder,
        plural,
    } in placeholders
    {
        let message = match placeholder.as_str() {
            _ if !PLACEHOLDERS.contains(&placeholder.as_str()) => format!(
                "unknown placeholder `{{{placeholder}}}` in a sentence; {}a sentence names {}",
                suggest::did_you_mean(suggest::key(&placeholder, PLACEHOLDERS, false)),
                list(),
            ),
            "old" | "new" if field.class == Class::Secret => format!(
                "`{{{placeholder}}}` would print a secret: `{name}` is secret, and its sentence may say only that it changed; remove `{{{placeholder}}}`"
            ),
            "old" | "new" if field.class == Class::Nested || collection => format!(
                "`{{{placeholder}}}` prints a value recorded whole, and `{name}` is recorded per {}: remove it{}",
                if collection { "element" } else { "field" },
                if collection {
                    ", or count the change with `{added}` or `{removed}`"
                } else {
                    ""
                },
            ),
            "added" | "removed" if !collection => format!(
                "`{{{placeholder}}}` counts the elements a keyed list or a per-entry map or set gained or lost, and `{name}` is recorded as one value{}",
                if field.class == Class::Track {
                    ": use `{old}` and `{new}`"
                } else {
                    ""
                },
            ),
            _ if plural && !matches!(placeholder.as_str(), "added" | "removed") => format!(
                "only `{{added|...}}` and `{{removed|...}}` take a singular and a plural form: write `{{{placeholder}}}`"
            ),
            _ => continue,
        };
        sink.error_spanned_by(sentence, message);
    }
}
