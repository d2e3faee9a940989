//! Reads the `#[audit(...)]`, `#[serde(...)]` and doc attributes of the
//! struct and of its fields. Every malformed attribute is reported to the
//! [`Ctxt`] and parsing goes on, so that one build shows every mistake.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens as _;
use syn::ext::IdentExt as _;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, ExprLit, ExprPath, Ident, Lit, LitStr, Meta, MetaList, Path, Token};

use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::symbol::{
    ACTIONS, AUDIT, CLASS_SYNONYMS, CONTAINER_KEYS, CRATE, DOC, FIELD_KEYS, ID, IGNORE, LINK,
    LINK_WITH, ORG, RENAME, RENAME_ALL, RESOURCE, SECRET, SERDE, SERIALIZE, SERIALIZE_WITH, TARGET,
    TARGET_WITH, TRACK, WITH,
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
    pub(crate) actions: Option<Vec<(Ident, String)>>,
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
    /// The function serde serializes the field with: `#[serde(serialize_with
    /// = "path")]`, or `path::serialize` for `#[serde(with = "path")]`.
    pub(crate) serialize_with: Option<ExprPath>,
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
                let expected = "arguments: `#[audit(resource = \"chat\", ...)]`";
                if let Some(list) = audit_list(cx, attr, expected) {
                    parse_entries(cx, list, None, |meta| container.parse_key(cx, meta));
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
                cx.error_spanned_by(
                    &value,
                    "the resource type must not be empty; write one, as in `#[audit(resource = \"chat\")]`, or remove `resource` to use the struct's name in snake_case",
                );
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
            let example = "#[audit(crate = \"path::to::audit_core\")]";
            let path = string_value(meta, example)?
                .parse::<Path>()
                .map_err(|error| {
                    syn::Error::new(error.span(), format!("`crate` takes a path: `{example}`"))
                })?;
            set(cx, key, &mut self.krate, path);
        } else {
            unknown_key(cx, meta, None)?;
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
                let expected = "a classification: `#[audit(track)]`, `#[audit(ignore = \"why\")]` or `#[audit(secret)]`";
                match audit_list(cx, attr, expected) {
                    Some(list) if list.tokens.is_empty() => {
                        cx.error_spanned_by(
                            attr,
                            format!("`#[audit()]` is empty; it needs {expected}"),
                        );
                    }
                    Some(list) => {
                        parse_entries(cx, list, Some(field_name), |meta| {
                            field.parse_key(cx, field_name, meta)
                        });
                    }
                    None => {}
                }
                field.malformed |= cx.error_count() > errors_before;
            } else if attr.path().is_ident(SERDE) {
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident(RENAME) {
                        if let Some(name) = serde_name(&meta)? {
                            field.serde_rename = Some(name);
                        }
                    } else if meta.path.is_ident(WITH) {
                        if let Some(mut module) = serde_path(&meta)? {
                            let serialize = Ident::new(SERIALIZE, module.span());
                            module.path.segments.push(serialize.into());
                            field.serialize_with = Some(module);
                        }
                    } else if meta.path.is_ident(SERIALIZE_WITH) {
                        if let Some(path) = serde_path(&meta)? {
                            field.serialize_with = Some(path);
                        }
                    } else {
                        skip_value(&meta)?;
                    }
                    Ok(())
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
            if key.value().is_empty() {
                cx.error_spanned_by(&key, "the diff key must not be empty; write one, as in `#[audit(rename = \"key\")]`, or remove `rename` to use the field's serde name");
            }
            set(cx, &meta.path, &mut self.rename, key);
            return Ok(());
        } else {
            return unknown_key(cx, meta, Some(field_name));
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
                        "field `{field_name}` is classified both `{}` and `{}`; keep the one you mean: a field takes exactly one of `track`, `ignore` and `secret`",
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

/// The list of `#[audit(...)]`; `#[audit]` and `#[audit = ...]` are
/// reported, saying what to write.
fn audit_list<'a>(cx: &Ctxt, attr: &'a Attribute, expected: &str) -> Option<&'a MetaList> {
    match &attr.meta {
        Meta::List(list) => Some(list),
        Meta::Path(_) | Meta::NameValue(_) => {
            cx.error_spanned_by(attr, format!("`#[audit]` needs {expected}"));
            None
        }
    }
}

/// Reads the comma-separated entries of `#[audit(...)]`, on the field
/// `field` or on the struct, calling `parse_key` for each.
///
/// Unlike syn's `parse_nested_meta`, which stops at the first mistake, every
/// malformed entry is reported and skipped, so that one build shows every
/// mistake in the attribute.
fn parse_entries(
    cx: &Ctxt,
    list: &MetaList,
    field: Option<&Ident>,
    mut parse_key: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    // The delimiter is kept, so that an error at the end points at the `)`.
    let list = MetaList {
        tokens: keyed_entries(cx, list.tokens.clone(), field),
        ..list.clone()
    };
    let parsed = list.parse_args_with(syn::meta::parser(|meta| {
        if let Err(error) = parse_key(&meta) {
            cx.syn_error(error);
        } else if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
            cx.syn_error(unexpected_after_key(&meta));
        }
        skip_value(&meta)
    }));
    if let Err(error) = parsed {
        cx.syn_error(error);
    }
}

/// The entries of `tokens` that start with a key, reporting the others: a
/// quoted key (`#[audit("track")]`), a reason without its class, a stray `,`.
fn keyed_entries(cx: &Ctxt, tokens: TokenStream, field: Option<&Ident>) -> TokenStream {
    let is_comma = |token: &TokenTree| matches!(token, TokenTree::Punct(p) if p.as_char() == ',');
    let mut kept = TokenStream::new();
    let mut tokens = tokens.into_iter().peekable();
    loop {
        let mut entry: Vec<TokenTree> = Vec::new();
        while let Some(token) = tokens.next_if(|token| !is_comma(token)) {
            entry.push(token);
        }
        let comma = tokens.next();
        match entry.first() {
            // A trailing comma ends the list; any other empty entry is a stray comma.
            None => {
                if let Some(comma) = &comma {
                    cx.error_spanned_by(comma, "unexpected `,`; remove it");
                }
            }
            // A key, or `::path`, which is reported as an unknown key.
            Some(TokenTree::Ident(_)) => kept.extend(entry.into_iter().chain(comma.clone())),
            Some(TokenTree::Punct(p)) if p.as_char() == ':' => {
                kept.extend(entry.into_iter().chain(comma.clone()));
            }
            Some(first) => cx.error_spanned_by(first, unkeyed_entry_message(first, field)),
        }
        if comma.is_none() {
            return kept;
        }
    }
}

fn unkeyed_entry_message(first: &TokenTree, field: Option<&Ident>) -> String {
    let keys = if field.is_some() {
        FIELD_KEYS
    } else {
        CONTAINER_KEYS
    };
    let text = match first {
        TokenTree::Literal(_) => first_string(first.clone().into()),
        _ => None,
    };
    match text {
        Some(key) if keys.contains(&key.as_str()) => {
            format!("audit attributes are written without quotes: `#[audit({key})]`")
        }
        Some(reason) if field.is_some() => format!(
            "a reason follows its class: `#[audit(ignore = {reason:?})]`, `#[audit(track = ...)]` or `#[audit(secret = ...)]`"
        ),
        Some(_) => format!(
            "audit attributes are written without quotes; expected one of {}",
            key_list(keys)
        ),
        None => format!("expected an audit attribute: one of {}", key_list(keys)),
    }
}

/// The error for what follows a key where a `,` or the end was expected.
fn unexpected_after_key(meta: &ParseNestedMeta<'_>) -> syn::Error {
    let key = path_text(&meta.path);
    let rest: TokenStream = meta
        .input
        .fork()
        .parse::<TokenStream>()
        .map(first_segment)
        .unwrap_or_default();
    let is_class = [TRACK, IGNORE, SECRET].contains(&key.as_str());
    let message = match rest.clone().into_iter().next() {
        // `ignore("why")`, `ignore: "why"`
        Some(TokenTree::Group(_) | TokenTree::Punct(_)) if is_class => {
            let reason = first_string(rest.clone()).unwrap_or_else(|| "why".to_owned());
            format!("`{key}` takes its reason after `=`: `#[audit({key} = {reason:?})]`")
        }
        Some(TokenTree::Ident(next)) => format!(
            "expected `,` between `{key}` and `{next}`; audit attributes are separated by commas"
        ),
        Some(TokenTree::Literal(_)) if is_class => format!(
            "unexpected `{rest}`; a reason is one string literal: `#[audit({key} = \"why\")]`"
        ),
        _ => format!("unexpected `{rest}` after `{key}`; audit attributes are separated by commas"),
    };
    syn::Error::new_spanned(rest, message)
}

/// The first string literal in `tokens`, looking into groups.
fn first_string(tokens: TokenStream) -> Option<String> {
    tokens.into_iter().find_map(|token| match token {
        TokenTree::Group(group) => first_string(group.stream()),
        TokenTree::Literal(literal) => syn::parse2::<LitStr>(literal.into_token_stream())
            .ok()
            .map(|lit| lit.value()),
        TokenTree::Ident(_) | TokenTree::Punct(_) => None,
    })
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

/// Reports a key that `#[audit(...)]` on the field `field`, or on the
/// struct, does not take, suggesting the nearest valid one, and skips its
/// value so that the keys after it are still read.
fn unknown_key(cx: &Ctxt, meta: &ParseNestedMeta<'_>, field: Option<&Ident>) -> syn::Result<()> {
    let (on, valid) = match field {
        Some(_) => ("field", FIELD_KEYS),
        None => ("struct", CONTAINER_KEYS),
    };
    let name = path_text(&meta.path);
    let list = key_list(valid);
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
    if let (Some(field), true) = (field, CONTAINER_KEYS.contains(&name.as_str())) {
        let value = if [ID, TARGET, ORG].contains(&name.as_str()) {
            field.unraw().to_string()
        } else {
            "...".to_owned()
        };
        message = if name == ID && value == ID {
            "`id` belongs on the struct, not on a field, and a field named `id` is the resource id already: remove it".to_owned()
        } else {
            format!(
                "`{name}` belongs on the struct, not on a field: write `#[audit({name} = {value})]` above `struct`"
            )
        };
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
fn parse_actions(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<(Ident, String)>> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(
            meta.error("`actions` takes a list: `#[audit(actions(create, write, delete))]`")
        );
    }
    let mut actions: Vec<(Ident, String)> = Vec::new();
    meta.parse_nested_meta(|action| {
        let ident = action.path.require_ident()?;
        let name = ident.to_string();
        if actions.iter().any(|(seen, _)| *seen == name) {
            cx.error_spanned_by(
                ident,
                format!("action `{name}` is listed twice; remove one"),
            );
        } else {
            actions.push((ident.clone(), name));
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

/// `valid` as "`a`, `b`, `c`".
fn key_list(valid: &[&str]) -> String {
    valid
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The path in serde's `with = "path"` and `serialize_with = "path"`; `None`
/// when serde would reject it, which serde reports.
fn serde_path(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<ExprPath>> {
    let lit: LitStr = meta.value()?.parse()?;
    Ok(lit.parse::<ExprPath>().ok())
}

fn path_text(path: &Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The Levenshtein distance between `a` and `b`, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
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
