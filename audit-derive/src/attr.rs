//! This derive's attributes: `#[audit(...)]` on the struct and on its
//! fields, and what it reads of `#[serde(...)]` and doc comments. Every
//! malformed attribute is reported and reading goes on, so that one build
//! shows every mistake; `meta` does the error-recovering reading.

use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt as _;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, ExprPath, Ident, LitStr, Path, Token};

use crate::case::{self, RenameRule};
use crate::error_store::ErrorSink;
use crate::meta::{self, EntryErrors};
use crate::model::Class;
use crate::suggest;
use crate::symbol::{
    ACTIONS, ADDED, AUDIT, CHANGED, CONTAINER_KEYS, CRATE, EMBEDDED, ENTRIES, FIELD_KEYS,
    FINGERPRINT, ID, IGNORE, KEY, LINK, LINK_WITH, NESTED, NOUN, ORG, PARTIAL, REMOTE, REMOVED,
    RENAME, RENAME_ALL, RESOURCE, SAYS, SECRET, SERDE, SERIALIZE, SERIALIZE_WITH, SKIP,
    SKIP_SERIALIZING, TARGET, TARGET_WITH, TRACK, VIA, WITH,
};

/// A field's `#[audit(track | ignore | secret [= "reason"] | nested)]`.
pub(crate) struct Classification {
    pub(crate) class: Class,
    pub(crate) reason: Option<LitStr>,
}

/// The human-readable target of a resource.
pub(crate) enum Target {
    /// `target = field`
    Field(Ident),
    /// `target_with = path`
    With(Path),
}

/// The link to a resource.
pub(crate) enum Link {
    /// `link = "/chats/{id}"`
    Template(LitStr),
    /// `link_with = path`
    With(Path),
}

/// The attributes of the struct.
#[derive(Default)]
pub(crate) struct Container {
    pub(crate) resource: Option<LitStr>,
    pub(crate) id: Option<Ident>,
    pub(crate) target: Option<Target>,
    pub(crate) link: Option<Link>,
    pub(crate) org: Option<Ident>,
    /// The declared actions, each a snake_case name, none twice, with the
    /// past form written after it (`share = "shared"`).
    pub(crate) actions: Option<Vec<(Ident, Option<LitStr>)>>,
    /// `#[audit(noun = "chat")]`
    pub(crate) noun: Option<LitStr>,
    pub(crate) krate: Option<Path>,
    /// serde's `rename_all`.
    pub(crate) rename_all: Option<RenameRule>,
    pub(crate) doc: Option<String>,
    /// `#[audit(embedded)]`
    pub(crate) embedded: Option<Ident>,
    /// `#[audit(remote = path::Type)]`
    pub(crate) remote: Option<Path>,
    /// `#[audit(partial = "why coverage cannot be checked")]`, with its key.
    pub(crate) partial: Option<(Ident, LitStr)>,
}

/// A field's `says(when = "sentence", ...)`.
pub(crate) struct Says {
    /// The `says` keyword, where errors about the whole list point.
    pub(crate) keyword: Ident,
    pub(crate) sentences: Vec<Saying>,
}

/// One `when = "sentence"` of `says(...)`.
pub(crate) struct Saying {
    pub(crate) when: When,
    pub(crate) sentence: LitStr,
}

/// The condition of a sentence.
pub(crate) enum When {
    /// `true`, `Status::Active`, `3`: the new value equals it.
    Equals(Expr),
    /// `added`: elements were added to a collection, and nothing else changed.
    Added(Ident),
    /// `removed`: elements were removed, and nothing else changed.
    Removed(Ident),
    /// `changed`: any change to the field.
    Changed(Ident),
}

/// The attributes of a field.
#[derive(Default)]
pub(crate) struct Field {
    pub(crate) classification: Option<Classification>,
    /// `#[audit(rename = "key")]`
    pub(crate) rename: Option<LitStr>,
    /// `#[serde(rename = "key")]`
    pub(crate) serde_rename: Option<String>,
    /// Where the `#[serde(rename)]` is written.
    pub(crate) serde_rename_span: Option<proc_macro2::Span>,
    /// `#[serde(skip)]` or `#[serde(skip_serializing)]`.
    pub(crate) serde_skip: Option<Path>,
    /// The `entries` modifier.
    pub(crate) entries: Option<Ident>,
    /// The `fingerprint` modifier of a secret.
    pub(crate) fingerprint: Option<Ident>,
    /// `key = field`, the key of a keyed list's elements.
    pub(crate) key: Option<Ident>,
    /// `via = Mirror`: a nested field of a remote type, through its mirror.
    pub(crate) via: Option<syn::Path>,
    /// The function serde serializes the field with: `#[serde(serialize_with
    /// = "path")]`, or `path::serialize` for `#[serde(with = "path")]`.
    pub(crate) serialize_with: Option<ExprPath>,
    pub(crate) doc: Option<String>,
    /// `says(...)`: the sentences of a change to this field alone.
    pub(crate) says: Option<Says>,
    /// Whether an `#[audit]` attribute of this field was reported as
    /// malformed: the field is then not also reported as unclassified.
    pub(crate) malformed: bool,
}

impl Container {
    pub(crate) fn from_ast(sink: &ErrorSink<'_>, attrs: &[Attribute]) -> Self {
        let mut container = Container {
            doc: meta::doc_comment(attrs),
            ..Container::default()
        };
        for attr in attrs {
            if attr.path().is_ident(AUDIT) {
                let expected = "arguments: `#[audit(resource = \"chat\", ...)]`";
                if let Some(list) = meta::list(sink, attr, expected) {
                    meta::parse_entries(sink, list, &On::Struct, |entry| {
                        container.parse_key(sink, entry)
                    });
                }
            } else if attr.path().is_ident(SERDE) {
                // serde reports its own errors; read what it accepts, skip the rest.
                let _ = attr.parse_nested_meta(|entry| {
                    if entry.path.is_ident(RENAME_ALL) {
                        if let Some(rule) = meta::serde_name(&entry)? {
                            container.rename_all = RenameRule::from_name(&rule);
                        }
                        Ok(())
                    } else {
                        meta::skip_value(&entry)
                    }
                });
            }
        }
        container
    }

    fn parse_key(&mut self, sink: &ErrorSink<'_>, entry: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let key = &entry.path;
        if key.is_ident(RESOURCE) {
            let value = meta::string_value(entry, "#[audit(resource = \"chat\")]")?;
            if value.value().is_empty() {
                sink.error_spanned_by(
                    &value,
                    "the resource type must not be empty; write one, as in `#[audit(resource = \"chat\")]`, or remove `resource` to use the struct's name in snake_case",
                );
            }
            meta::set(sink, key, &mut self.resource, value);
        } else if key.is_ident(ID) {
            let field = meta::field_name(entry, "#[audit(id = field)]")?;
            meta::set(sink, key, &mut self.id, field);
        } else if key.is_ident(TARGET) || key.is_ident(TARGET_WITH) {
            let target = if key.is_ident(TARGET) {
                Target::Field(meta::field_name(entry, "#[audit(target = field)]")?)
            } else {
                Target::With(meta::function_path(
                    entry,
                    "#[audit(target_with = path::to_fn)]",
                )?)
            };
            meta::set_one_of(sink, key, &mut self.target, target, (TARGET, TARGET_WITH));
        } else if key.is_ident(LINK) || key.is_ident(LINK_WITH) {
            let link = if key.is_ident(LINK) {
                Link::Template(meta::string_value(
                    entry,
                    "#[audit(link = \"/chats/{id}\")]",
                )?)
            } else {
                Link::With(meta::function_path(
                    entry,
                    "#[audit(link_with = path::to_fn)]",
                )?)
            };
            meta::set_one_of(sink, key, &mut self.link, link, (LINK, LINK_WITH));
        } else if key.is_ident(ORG) {
            let field = meta::field_name(entry, "#[audit(org = field)]")?;
            meta::set(sink, key, &mut self.org, field);
        } else if key.is_ident(ACTIONS) {
            let actions = parse_actions(sink, entry)?;
            meta::set(sink, key, &mut self.actions, actions);
        } else if key.is_ident(NOUN) {
            let value = meta::string_value(entry, "#[audit(noun = \"chat\")]")?;
            if value.value().trim().is_empty() {
                sink.error_spanned_by(
                    &value,
                    "the noun must not be empty; write the word sentences name the resource with, as in `#[audit(noun = \"chat\")]`, or remove `noun` to use the resource type with `_` as spaces",
                );
            }
            meta::set(sink, key, &mut self.noun, value);
        } else if key.is_ident(EMBEDDED) {
            let ident = key.require_ident()?.clone();
            meta::set(sink, key, &mut self.embedded, ident);
        } else if key.is_ident(REMOTE) {
            let path = meta::type_path(entry, "#[audit(remote = path::to::Type)]")?;
            meta::set(sink, key, &mut self.remote, path);
        } else if key.is_ident(PARTIAL) {
            let ident = key.require_ident()?.clone();
            let reason = meta::string_value(
                entry,
                "#[audit(remote = path::to::Type, partial = \"why coverage cannot be checked\")]",
            )?;
            if reason.value().trim().is_empty() {
                sink.error_spanned_by(
                    &reason,
                    "`partial` needs the reason the mirror's field coverage cannot be checked, which the docs show: `partial = \"its fields are private\"`",
                );
            }
            meta::set(sink, key, &mut self.partial, (ident, reason));
        } else if key.is_ident(CRATE) {
            let example = "#[audit(crate = \"path::to::audit_core\")]";
            let path = meta::string_value(entry, example)?
                .parse::<Path>()
                .map_err(|error| {
                    syn::Error::new(error.span(), format!("`crate` takes a path: `{example}`"))
                })?;
            meta::set(sink, key, &mut self.krate, path);
        } else {
            unknown_key(sink, entry, &On::Struct)?;
        }
        Ok(())
    }
}

impl Field {
    pub(crate) fn from_ast(sink: &ErrorSink<'_>, field_name: &Ident, attrs: &[Attribute]) -> Self {
        let mut field = Field {
            doc: meta::doc_comment(attrs),
            ..Field::default()
        };
        let on = On::Field(field_name);
        for attr in attrs {
            if attr.path().is_ident(AUDIT) {
                let attr_sink = sink.new_child();
                let expected = "a classification: `#[audit(track)]`, `#[audit(ignore = \"why\")]` or `#[audit(secret)]`";
                match meta::list(&attr_sink, attr, expected) {
                    Some(list) if list.tokens.is_empty() => {
                        attr_sink.error_spanned_by(
                            attr,
                            format!("`#[audit()]` is empty; it needs {expected}"),
                        );
                    }
                    Some(list) => {
                        meta::parse_entries(&attr_sink, list, &on, |entry| {
                            field.parse_key(&attr_sink, field_name, entry)
                        });
                    }
                    None => {}
                }
                field.malformed |= attr_sink.has_errors();
            } else if attr.path().is_ident(SERDE) {
                let _ = attr.parse_nested_meta(|entry| {
                    if entry.path.is_ident(RENAME) {
                        let span = entry.path.span();
                        if let Some(name) = meta::serde_name(&entry)? {
                            field.serde_rename = Some(name);
                            field.serde_rename_span = Some(span);
                        }
                    } else if entry.path.is_ident(SKIP) || entry.path.is_ident(SKIP_SERIALIZING) {
                        field.serde_skip = Some(entry.path.clone());
                    } else if entry.path.is_ident(WITH) {
                        if let Some(mut module) = meta::serde_path(&entry)? {
                            let serialize = Ident::new(SERIALIZE, module.span());
                            module.path.segments.push(serialize.into());
                            field.serialize_with = Some(module);
                        }
                    } else if entry.path.is_ident(SERIALIZE_WITH) {
                        if let Some(path) = meta::serde_path(&entry)? {
                            field.serialize_with = Some(path);
                        }
                    } else {
                        meta::skip_value(&entry)?;
                    }
                    Ok(())
                });
            }
        }
        field
    }

    fn parse_key(
        &mut self,
        sink: &ErrorSink<'_>,
        field_name: &Ident,
        entry: &ParseNestedMeta<'_>,
    ) -> syn::Result<()> {
        let class = if entry.path.is_ident(TRACK) {
            Class::Track
        } else if entry.path.is_ident(IGNORE) {
            Class::Ignore
        } else if entry.path.is_ident(SECRET) {
            Class::Secret
        } else if entry.path.is_ident(NESTED) {
            Class::Nested
        } else if entry.path.is_ident(ENTRIES) {
            let ident = entry.path.require_ident()?.clone();
            meta::set(sink, &entry.path, &mut self.entries, ident);
            return Ok(());
        } else if entry.path.is_ident(FINGERPRINT) {
            let ident = entry.path.require_ident()?.clone();
            if entry.input.peek(Token![=]) {
                return Err(entry.error(
                    "`fingerprint` takes no value: the application installs the key once, with `audit_core::secret_fingerprint::install`; write `#[audit(secret = \"why\", fingerprint)]`",
                ));
            }
            meta::set(sink, &entry.path, &mut self.fingerprint, ident);
            return Ok(());
        } else if entry.path.is_ident(KEY) {
            let field = meta::field_name(entry, "#[audit(nested, key = id)]")?;
            meta::set(sink, &entry.path, &mut self.key, field);
            return Ok(());
        } else if entry.path.is_ident(VIA) {
            let mirror = meta::type_path(entry, "#[audit(nested, via = Mirror)]")?;
            meta::set(sink, &entry.path, &mut self.via, mirror);
            return Ok(());
        } else if entry.path.is_ident(SAYS) {
            let says = parse_says(sink, entry)?;
            meta::set(sink, &entry.path, &mut self.says, says);
            return Ok(());
        } else if entry.path.is_ident(RENAME) {
            let key = meta::string_value(entry, "#[audit(rename = \"key\")]")?;
            if key.value().is_empty() {
                sink.error_spanned_by(&key, "the diff key must not be empty; write one, as in `#[audit(rename = \"key\")]`, or remove `rename` to use the field's serde name");
            }
            meta::set(sink, &entry.path, &mut self.rename, key);
            return Ok(());
        } else {
            return unknown_key(sink, entry, &On::Field(field_name));
        };
        let keyword = entry.path.require_ident()?.clone();
        let reason = if entry.input.peek(Token![=]) && class == Class::Nested {
            return Err(entry.error(
                "`nested` takes no reason: the nested struct's fields carry their own classes; write `#[audit(nested)]`",
            ));
        } else if entry.input.peek(Token![=]) {
            let example = format!("#[audit({} = \"why\")]", class.keyword());
            let reason = meta::string_value(entry, &example)?;
            if reason.value().trim().is_empty() {
                sink.error_spanned_by(
                    &reason,
                    format!(
                        "the reason is empty; write why, or drop it: `#[audit({})]`",
                        class.keyword()
                    ),
                );
            }
            Some(reason)
        } else {
            None
        };
        match &self.classification {
            Some(first) => {
                let message = if first.class == class {
                    format!(
                        "field `{field_name}` is classified `{}` twice; remove one",
                        class.keyword()
                    )
                } else {
                    format!(
                        "field `{field_name}` is classified both `{}` and `{}`; keep the one you mean: a field takes exactly one of `track`, `ignore`, `secret` and `nested`",
                        first.class.keyword(),
                        class.keyword(),
                    )
                };
                sink.error_spanned_by(keyword, message);
            }
            None => {
                self.classification = Some(Classification { class, reason });
            }
        }
        Ok(())
    }
}

/// `actions(create, share = "shared", ...)`: snake_case names, none
/// twice, each with its past form when it has no built-in one.
fn parse_actions(
    sink: &ErrorSink<'_>,
    entry: &ParseNestedMeta<'_>,
) -> syn::Result<Vec<(Ident, Option<LitStr>)>> {
    let example = "#[audit(actions(create, write, share = \"shared\"))]";
    let list = group(entry, "actions", example)?;
    let list_sink = sink.new_child();
    let mut actions: Vec<(Ident, Option<LitStr>)> = Vec::new();
    for (tokens, _) in meta::entries(&list_sink, list.stream()) {
        let (ident, past) = match tokens.as_slice() {
            [TokenTree::Ident(ident)] => (ident, None),
            [TokenTree::Ident(ident), TokenTree::Punct(eq), past @ ..] if eq.as_char() == '=' => {
                let past: TokenStream = past.iter().cloned().collect();
                match syn::parse2::<LitStr>(past.clone()) {
                    Ok(past) if past.value().trim().is_empty() => {
                        list_sink.error_spanned_by(
                            &past,
                            format!("the past form of `{ident}` is empty; write the words a sentence says, as in `share = \"shared\"`"),
                        );
                        continue;
                    }
                    Ok(past) => (ident, Some(past)),
                    Err(_) => {
                        list_sink.error_spanned_by(
                            past,
                            format!("the past form of `{ident}` is a string literal, as sentences print it: `{ident} = \"...\"`, as in `share = \"shared\"`"),
                        );
                        continue;
                    }
                }
            }
            _ => {
                let tokens: TokenStream = tokens.into_iter().collect();
                let message = match syn::parse2::<LitStr>(tokens.clone()) {
                    Ok(name) => format!("write the action without quotes: `{}`", name.value()),
                    Err(_) => format!(
                        "an action is a snake_case name, with its past form after `=` when it has no built-in one: `{example}`"
                    ),
                };
                list_sink.error_spanned_by(tokens, message);
                continue;
            }
        };
        let name = ident.unraw().to_string();
        if !case::is_snake_case(&name) {
            list_sink.error_spanned_by(ident, not_snake_case_message(&name));
        } else if actions.iter().any(|(seen, _)| seen.unraw() == name) {
            list_sink.error_spanned_by(
                ident,
                format!("action `{name}` is listed twice; remove one"),
            );
        } else {
            actions.push((ident.clone(), past));
        }
    }
    if actions.is_empty() && !list_sink.has_errors() {
        list_sink.error_spanned_by(
            TokenTree::Group(list),
            format!(
                "`actions()` lists no action; list those the resource is audited for, as in `{example}`, or remove it for the default `create, write, delete`"
            ),
        );
    }
    Ok(actions)
}

/// The parenthesized list after `key`.
fn group(entry: &ParseNestedMeta<'_>, key: &str, example: &str) -> syn::Result<proc_macro2::Group> {
    if entry.input.peek(syn::token::Paren)
        && let TokenTree::Group(list) = entry.input.parse::<TokenTree>()?
    {
        return Ok(list);
    }
    Err(entry.error(format!("`{key}` takes a list: `{example}`")))
}

/// `says(true = "archived {noun} {target}", added = "...", ...)`.
fn parse_says(sink: &ErrorSink<'_>, entry: &ParseNestedMeta<'_>) -> syn::Result<Says> {
    let example = "#[audit(track, says(true = \"archived {noun} {target}\"))]";
    let keyword = entry.path.require_ident()?.clone();
    let list = group(entry, SAYS, example)?;
    let list_sink = sink.new_child();
    let mut sentences = Vec::new();
    for (tokens, _) in meta::entries(&list_sink, list.stream()) {
        let eq = tokens.iter().position(
            |token| matches!(token, TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone),
        );
        let Some(eq) = eq.filter(|&eq| eq > 0) else {
            let tokens: TokenStream = tokens.into_iter().collect();
            list_sink.error_spanned_by(
                tokens,
                format!("a sentence is `condition = \"sentence\"`, the condition a value (`true`, `Status::Active`) or `added`, `removed` or `changed`: `{example}`"),
            );
            continue;
        };
        let condition: TokenStream = tokens[..eq].iter().cloned().collect();
        let sentence: TokenStream = tokens[eq + 1..].iter().cloned().collect();
        let Ok(sentence) = syn::parse2::<LitStr>(sentence.clone()) else {
            list_sink.error_spanned_by(
                sentence,
                format!("a sentence is one string literal: `{example}`"),
            );
            continue;
        };
        let when = match tokens[..eq] {
            [TokenTree::Ident(ref ident)] if ident == ADDED => When::Added(ident.clone()),
            [TokenTree::Ident(ref ident)] if ident == REMOVED => When::Removed(ident.clone()),
            [TokenTree::Ident(ref ident)] if ident == CHANGED => When::Changed(ident.clone()),
            _ => {
                let Ok(value) = syn::parse2::<Expr>(condition.clone()) else {
                    list_sink.error_spanned_by(
                        condition,
                        "a condition is a value the field is compared with (`true`, `Status::Active`, `3`), or `added`, `removed` or `changed`",
                    );
                    continue;
                };
                When::Equals(value)
            }
        };
        sentences.push(Saying { when, sentence });
    }
    if sentences.is_empty() && !list_sink.has_errors() {
        list_sink.error_spanned_by(
            TokenTree::Group(list),
            format!("`says()` lists no sentence; write one, as in `{example}`, or remove it"),
        );
    }
    Ok(Says { keyword, sentences })
}

fn not_snake_case_message(name: &str) -> String {
    let snake = case::snake_case(name);
    let snake = snake.trim_start_matches('_');
    if case::is_snake_case(snake) {
        format!("action `{name}` is not snake_case; write `{snake}`")
    } else {
        format!(
            "action `{name}` is not snake_case: an action name is a lowercase ASCII letter, then lowercase letters, digits and `_`, as in `share` or `request_access`"
        )
    }
}

/// Where an `#[audit(...)]` attribute is: on the struct, or on a field.
enum On<'a> {
    Struct,
    Field(&'a Ident),
}

impl On<'_> {
    fn keys(&self) -> &'static [&'static str] {
        match self {
            On::Struct => CONTAINER_KEYS,
            On::Field(_) => FIELD_KEYS,
        }
    }
}

impl EntryErrors for On<'_> {
    fn unkeyed_entry(&self, first: &TokenTree) -> String {
        let keys = self.keys();
        let text = match first {
            TokenTree::Literal(_) => meta::first_string(first.clone().into()),
            _ => None,
        };
        match text {
            Some(key) if keys.contains(&key.as_str()) => {
                format!("audit attributes are written without quotes: `#[audit({key})]`")
            }
            Some(reason) if matches!(self, On::Field(_)) => format!(
                "a reason follows its class: `#[audit(ignore = {reason:?})]`, `#[audit(track = ...)]` or `#[audit(secret = ...)]`"
            ),
            Some(_) => format!(
                "audit attributes are written without quotes; expected one of {}",
                meta::key_list(keys)
            ),
            None => format!(
                "expected an audit attribute: one of {}",
                meta::key_list(keys)
            ),
        }
    }

    fn unexpected_after_key(&self, key: &str, rest: &TokenStream) -> String {
        let is_class = [TRACK, IGNORE, SECRET].contains(&key);
        match rest.clone().into_iter().next() {
            // `ignore("why")`, `ignore: "why"`
            Some(TokenTree::Group(_) | TokenTree::Punct(_)) if is_class => {
                let reason = meta::first_string(rest.clone()).unwrap_or_else(|| "why".to_owned());
                format!("`{key}` takes its reason after `=`: `#[audit({key} = {reason:?})]`")
            }
            Some(TokenTree::Ident(next)) => format!(
                "expected `,` between `{key}` and `{next}`; audit attributes are separated by commas"
            ),
            Some(TokenTree::Literal(_)) if is_class => format!(
                "unexpected `{rest}`; a reason is one string literal: `#[audit({key} = \"why\")]`"
            ),
            _ => format!(
                "unexpected `{rest}` after `{key}`; audit attributes are separated by commas"
            ),
        }
    }
}

/// Reports a key that `#[audit(...)]` does not take where it is, suggesting
/// the nearest valid one, and skips its value so that the keys after it are
/// still read.
fn unknown_key(sink: &ErrorSink<'_>, entry: &ParseNestedMeta<'_>, on: &On<'_>) -> syn::Result<()> {
    let name = meta::path_text(&entry.path);
    let message = match on {
        On::Field(field) if CONTAINER_KEYS.contains(&name.as_str()) => {
            let value = if [ID, TARGET, ORG].contains(&name.as_str()) {
                field.unraw().to_string()
            } else {
                "...".to_owned()
            };
            if name == ID && value == ID {
                "`id` belongs on the struct, not on a field, and a field named `id` is the resource id already: remove it".to_owned()
            } else {
                format!(
                    "`{name}` belongs on the struct, not on a field: write `#[audit({name} = {value})]` above `struct`"
                )
            }
        }
        On::Struct if name == RENAME => "`rename` sets a field's diff key: write `#[audit(rename = \"key\")]` on the field, not on the struct".to_owned(),
        On::Struct if FIELD_KEYS.contains(&name.as_str()) => format!(
            "`{name}` classifies a field: write `#[audit({name})]` on each field, not on the struct"
        ),
        _ => {
            let (place, is_field) = match on {
                On::Struct => ("struct", false),
                On::Field(_) => ("field", true),
            };
            let valid = on.keys();
            let suggestion = suggest::did_you_mean(suggest::key(&name, valid, is_field));
            format!(
                "unknown audit attribute `{name}` on a {place}; {suggestion}expected one of {}",
                meta::key_list(valid)
            )
        }
    };
    sink.error_spanned_by(&entry.path, message);
    meta::skip_value(entry)
}
