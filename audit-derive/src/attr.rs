//! Reads the `#[audit(...)]`, `#[serde(...)]` and doc attributes of the
//! struct and of its fields. Every malformed attribute is reported to the
//! [`Ctxt`] and parsing goes on, so that one build shows every mistake.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Path, Token};

use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::symbol::{
    ACTION_NAMES, ACTIONS, AUDIT, CLASS_SYNONYMS, CONTAINER_KEYS, CRATE, DOC, FIELD_KEYS, ID,
    IGNORE, LINK, LINK_WITH, ORG, RENAME, RENAME_ALL, RESOURCE, SECRET, SERDE, SERIALIZE, TARGET,
    TARGET_WITH, TRACK,
};

/// The class of a field, as `audit_core::FieldClass` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Track,
    Ignore,
    Secret,
}

impl Class {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Class::Track => TRACK,
            Class::Ignore => IGNORE,
            Class::Secret => SECRET,
        }
    }
}

/// A field's `#[audit(track | ignore | secret [= "reason"])]`.
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
    /// The declared actions, each with its `Action` variant name.
    pub(crate) actions: Option<Vec<(Ident, &'static str)>>,
    pub(crate) krate: Option<Path>,
    /// serde's `rename_all`.
    pub(crate) rename_all: Option<RenameRule>,
    pub(crate) doc: Option<String>,
}

/// The attributes of a field.
#[derive(Default)]
pub(crate) struct Field {
    pub(crate) classification: Option<Classification>,
    /// `#[audit(rename = "key")]`
    pub(crate) rename: Option<LitStr>,
    /// `#[serde(rename = "key")]`
    pub(crate) serde_rename: Option<String>,
    pub(crate) doc: Option<String>,
    /// Whether an `#[audit]` attribute of this field was malformed: the field
    /// is then not also reported as unclassified.
    pub(crate) malformed: bool,
}

impl Container {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut container = Container {
            doc: doc_comment(attrs),
            ..Container::default()
        };
        for attr in attrs {
            if attr.path().is_ident(AUDIT) {
                let parsed = require_list(attr, "arguments: `#[audit(resource = \"chat\", ...)]`")
                    .and_then(|()| attr.parse_nested_meta(|meta| container.parse_key(cx, &meta)));
                if let Err(error) = parsed {
                    cx.syn_error(error);
                }
            } else if attr.path().is_ident(SERDE) {
                // serde reports its own errors; read what it accepts, skip the rest.
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident(RENAME_ALL) {
                        if let Some(rule) = serde_name(&meta)? {
                            container.rename_all = RenameRule::from_name(&rule);
                        }
                        Ok(())
                    } else {
                        skip_value(&meta)
                    }
                });
            }
        }
        container
    }

    fn parse_key(&mut self, cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let key = &meta.path;
        if key.is_ident(RESOURCE) {
            let value = string_value(meta, "#[audit(resource = \"chat\")]")?;
            if value.value().is_empty() {
                cx.error_spanned_by(&value, "the resource type must not be empty");
            }
            set(cx, key, &mut self.resource, value);
        } else if key.is_ident(ID) {
            let field = field_name(meta, "#[audit(id = field)]")?;
            set(cx, key, &mut self.id, field);
        } else if key.is_ident(TARGET) || key.is_ident(TARGET_WITH) {
            let target = if key.is_ident(TARGET) {
                Target::Field(field_name(meta, "#[audit(target = field)]")?)
            } else {
                Target::With(function_path(meta, "#[audit(target_with = path::to_fn)]")?)
            };
            set_one_of(cx, key, &mut self.target, target, (TARGET, TARGET_WITH));
        } else if key.is_ident(LINK) || key.is_ident(LINK_WITH) {
            let link = if key.is_ident(LINK) {
                Link::Template(string_value(meta, "#[audit(link = \"/chats/{id}\")]")?)
            } else {
                Link::With(function_path(meta, "#[audit(link_with = path::to_fn)]")?)
            };
            set_one_of(cx, key, &mut self.link, link, (LINK, LINK_WITH));
        } else if key.is_ident(ORG) {
            let field = field_name(meta, "#[audit(org = field)]")?;
            set(cx, key, &mut self.org, field);
        } else if key.is_ident(ACTIONS) {
            let actions = parse_actions(cx, meta)?;
            set(cx, key, &mut self.actions, actions);
        } else if key.is_ident(CRATE) {
            let path = string_value(meta, "#[audit(crate = \"path::to::audit_core\")]")?;
            let path = path.parse::<Path>()?;
            set(cx, key, &mut self.krate, path);
        } else {
            unknown_key(cx, meta, "struct", CONTAINER_KEYS)?;
        }
        Ok(())
    }
}

impl Field {
    pub(crate) fn from_ast(cx: &Ctxt, field_name: &Ident, attrs: &[Attribute]) -> Self {
        let mut field = Field {
            doc: doc_comment(attrs),
            ..Field::default()
        };
        for attr in attrs {
            if attr.path().is_ident(AUDIT) {
                let errors_before = cx.error_count();
                let parsed = require_list(attr, "a classification: `#[audit(track)]`, `#[audit(ignore = \"why\")]` or `#[audit(secret)]`")
                    .and_then(|()| {
                        attr.parse_nested_meta(|meta| field.parse_key(cx, field_name, &meta))
                    });
                if let Err(error) = parsed {
                    cx.syn_error(error);
                }
                field.malformed |= cx.error_count() > errors_before;
            } else if attr.path().is_ident(SERDE) {
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident(RENAME) {
                        if let Some(name) = serde_name(&meta)? {
                            field.serde_rename = Some(name);
                        }
                        Ok(())
                    } else {
                        skip_value(&meta)
                    }
                });
            }
        }
        field
    }

    fn parse_key(
        &mut self,
        cx: &Ctxt,
        field_name: &Ident,
        meta: &ParseNestedMeta<'_>,
    ) -> syn::Result<()> {
        let class = if meta.path.is_ident(TRACK) {
            Class::Track
        } else if meta.path.is_ident(IGNORE) {
            Class::Ignore
        } else if meta.path.is_ident(SECRET) {
            Class::Secret
        } else if meta.path.is_ident(RENAME) {
            let key = string_value(meta, "#[audit(rename = \"key\")]")?;
            set(cx, &meta.path, &mut self.rename, key);
            return Ok(());
        } else {
            return unknown_key(cx, meta, "field", FIELD_KEYS);
        };
        let keyword = meta.path.require_ident()?.clone();
        let reason = if meta.input.peek(Token![=]) {
            let example = format!("#[audit({} = \"why\")]", class.keyword());
            let reason = string_value(meta, &example)?;
            if reason.value().trim().is_empty() {
                cx.error_spanned_by(
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
                        "field `{field_name}` is classified both `{}` and `{}`; a field takes exactly one of `track`, `ignore` and `secret`",
                        first.class.keyword(),
                        class.keyword(),
                    )
                };
                cx.error_spanned_by(keyword, message);
            }
            None => {
                self.classification = Some(Classification { class, reason });
            }
        }
        Ok(())
    }
}

/// `#[audit]` and `#[audit = ...]` take no arguments; say what to write.
fn require_list(attr: &Attribute, expected: &str) -> syn::Result<()> {
    match &attr.meta {
        Meta::List(_) => Ok(()),
        Meta::Path(_) | Meta::NameValue(_) => Err(syn::Error::new_spanned(
            attr,
            format!("`#[audit]` needs {expected}"),
        )),
    }
}

/// Records `value` in `slot`, reporting a duplicate key.
fn set<T>(cx: &Ctxt, key: &Path, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        cx.error_spanned_by(
            key,
            format!("duplicate audit attribute `{}`; keep one", path_text(key)),
        );
    } else {
        *slot = Some(value);
    }
}

/// Records `value` in `slot`, which either of two keys sets.
fn set_one_of<T>(cx: &Ctxt, key: &Path, slot: &mut Option<T>, value: T, keys: (&str, &str)) {
    if slot.is_some() {
        cx.error_spanned_by(
            key,
            format!(
                "`{}` and `{}` set the same thing; keep exactly one of them, once",
                keys.0, keys.1
            ),
        );
    } else {
        *slot = Some(value);
    }
}

/// Reports a key the attribute does not take, suggesting the nearest valid
/// one, and skips its value so that the keys after it are still read.
fn unknown_key(cx: &Ctxt, meta: &ParseNestedMeta<'_>, on: &str, valid: &[&str]) -> syn::Result<()> {
    let name = path_text(&meta.path);
    let list = valid
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let synonym = CLASS_SYNONYMS
        .iter()
        .find(|(synonym, _)| on == "field" && *synonym == name)
        .map(|(_, class)| *class);
    let suggestion = valid
        .iter()
        .map(|key| (edit_distance(&name, key), *key))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, key)| key)
        .or(synonym)
        .map(|key| format!("did you mean `{key}`? "))
        .unwrap_or_default();
    let mut message =
        format!("unknown audit attribute `{name}` on a {on}; {suggestion}expected one of {list}");
    if on == "field" && CONTAINER_KEYS.contains(&name.as_str()) {
        message = format!(
            "`{name}` belongs on the struct, not on a field: `#[audit({name} = ...)]` above `struct`"
        );
    } else if on == "struct" && FIELD_KEYS.contains(&name.as_str()) {
        message = format!(
            "`{name}` classifies a field: write `#[audit({name})]` on each field, not on the struct"
        );
    }
    cx.error_spanned_by(&meta.path, message);
    skip_value(meta)
}

/// Consumes whatever follows a key up to the next `,`.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    skip_until_comma(meta.input)
}

fn skip_until_comma(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// `key = "text"`.
fn string_value(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<LitStr> {
    let key = path_text(&meta.path);
    let Ok(input) = meta.value() else {
        return Err(meta.error(format!("`{key}` takes a string: `{example}`")));
    };
    let expr: Expr = input.parse()?;
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(lit),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` takes a string literal: `{example}`"),
        )),
    }
}

/// `key = field_name`.
fn field_name(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Ident> {
    let key = path_text(&meta.path);
    let input = meta
        .value()
        .map_err(|_| meta.error(format!("`{key}` names a field: `{example}`")))?;
    let tokens: TokenStream = input.fork().parse()?;
    match input.parse::<Ident>() {
        Ok(ident) if input.is_empty() || input.peek(Token![,]) => Ok(ident),
        _ => {
            skip_until_comma(input)?;
            Err(syn::Error::new_spanned(
                first_segment(tokens),
                format!("`{key}` names a field, without quotes: `{example}`"),
            ))
        }
    }
}

/// `key = path::to::function`.
fn function_path(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Path> {
    let key = path_text(&meta.path);
    let input = meta
        .value()
        .map_err(|_| meta.error(format!("`{key}` names a function: `{example}`")))?;
    input.parse::<Path>().map_err(|error| {
        syn::Error::new(
            error.span(),
            format!("`{key}` names a function, without quotes: `{example}`"),
        )
    })
}

/// The tokens of a value up to the next comma, where an error about it points.
fn first_segment(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .take_while(|tt| !matches!(tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ','))
        .collect()
}

/// `actions(create, write, ...)`.
fn parse_actions(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<(Ident, &'static str)>> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(
            meta.error("`actions` takes a list: `#[audit(actions(create, write, delete))]`")
        );
    }
    let mut actions: Vec<(Ident, &'static str)> = Vec::new();
    meta.parse_nested_meta(|action| {
        let ident = action.path.require_ident()?;
        let name = ident.to_string();
        match ACTION_NAMES.iter().find(|(snake, _)| *snake == name) {
            Some(_) if actions.iter().any(|(seen, _)| *seen == name) => {
                cx.error_spanned_by(ident, format!("action `{name}` is listed twice"));
            }
            Some((_, variant)) => actions.push((ident.clone(), variant)),
            None => {
                let list = ACTION_NAMES
                    .iter()
                    .map(|(snake, _)| format!("`{snake}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.error_spanned_by(
                    ident,
                    format!("unknown action `{name}`; expected one of {list}"),
                );
            }
        }
        Ok(())
    })?;
    Ok(actions)
}

/// serde's `rename = "x"`, `rename(serialize = "x")` and the same for `rename_all`.
fn serde_name(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    if meta.input.peek(Token![=]) {
        let lit: LitStr = meta.value()?.parse()?;
        return Ok(Some(lit.value()));
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(SERIALIZE) {
            let lit: LitStr = inner.value()?.parse()?;
            name = Some(lit.value());
            Ok(())
        } else {
            skip_value(&inner)
        }
    })?;
    Ok(name)
}

/// The doc comment in `attrs`, one leading space of each line removed.
fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident(DOC))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(lit), ..
                }) => Some(lit.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|text| {
            // `split`, not `lines`: an empty `///` line is a paragraph break.
            text.split('\n')
                .map(|line| line.strip_prefix(' ').unwrap_or(line).trim_end().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let doc = lines.join("\n");
    let doc = doc.trim_matches('\n');
    (!doc.is_empty()).then(|| doc.to_owned())
}

fn path_text(path: &Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The Levenshtein distance between `a` and `b`, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("trak", "track"), 1);
        assert_eq!(edit_distance("secert", "secret"), 2);
        assert_eq!(edit_distance("track", "track"), 0);
        assert_eq!(edit_distance("", "id"), 2);
    }
}
