//! An error-recovering reader of `#[audit(key, key = value, ...)]` lists,
//! and readers of the values keys take.
//!
//! syn's `parse_nested_meta` stops at the first mistake. [`parse_entries`]
//! reports every malformed entry and goes on with the next, so that one build
//! shows every mistake in an attribute. What an entry means is for the caller
//! (`attr`), which also words the errors about entries that are not keys.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens as _;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Attribute, Expr, ExprLit, ExprPath, Ident, Lit, LitStr, Meta, MetaList, Path, Token};

use crate::error_store::ErrorSink;
use crate::symbol::{DOC, SERIALIZE};

/// How the caller words the errors about entries that are not `key` or
/// `key = value`.
pub(crate) trait EntryErrors {
    /// An entry that does not start with a key (`"track"`, `= "why"`);
    /// `first` is its first token.
    fn unkeyed_entry(&self, first: &TokenTree) -> String;

    /// `rest` follows the key `key` where a `,` or the end was expected.
    fn unexpected_after_key(&self, key: &str, rest: &TokenStream) -> String;
}

/// The list of `#[name(...)]`; `#[name]` and `#[name = ...]` are reported,
/// saying that it takes `expected`.
pub(crate) fn list<'a>(
    sink: &ErrorSink<'_>,
    attr: &'a Attribute,
    expected: &str,
) -> Option<&'a MetaList> {
    match &attr.meta {
        Meta::List(list) => Some(list),
        Meta::Path(_) | Meta::NameValue(_) => {
            let name = path_text(attr.path());
            sink.error_spanned_by(attr, format!("`#[{name}]` needs {expected}"));
            None
        }
    }
}

/// Reads the comma-separated entries of `list`, calling `parse_key` for
/// each; every malformed entry is reported and skipped.
pub(crate) fn parse_entries(
    sink: &ErrorSink<'_>,
    list: &MetaList,
    errors: &dyn EntryErrors,
    mut parse_key: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    // The delimiter is kept, so that an error at the end points at the `)`.
    let list = MetaList {
        tokens: keyed_entries(sink, list.tokens.clone(), errors),
        ..list.clone()
    };
    let parsed = list.parse_args_with(syn::meta::parser(|meta| {
        if let Err(error) = parse_key(&meta) {
            sink.push(error);
        } else if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
            let key = path_text(&meta.path);
            let rest = rest_of_entry(&meta);
            sink.error_spanned_by(&rest, errors.unexpected_after_key(&key, &rest));
        }
        skip_value(&meta)
    }));
    if let Err(error) = parsed {
        sink.push(error);
    }
}

/// The entries of `tokens` that start with a key, reporting the others: a
/// quoted key (`#[audit("track")]`), a reason without its class, a stray `,`.
fn keyed_entries(
    sink: &ErrorSink<'_>,
    tokens: TokenStream,
    errors: &dyn EntryErrors,
) -> TokenStream {
    let mut kept = TokenStream::new();
    for (entry, comma) in entries(sink, tokens) {
        match entry.first() {
            // A key, or `::path`, which the caller reports as an unknown key.
            Some(TokenTree::Ident(_)) => kept.extend(entry.into_iter().chain(comma)),
            Some(TokenTree::Punct(p)) if p.as_char() == ':' => {
                kept.extend(entry.into_iter().chain(comma));
            }
            Some(first) => sink.error_spanned_by(first, errors.unkeyed_entry(first)),
            None => {}
        }
    }
    kept
}

/// The comma-separated entries of `tokens`, each with the comma after it;
/// an empty entry other than after a trailing comma is reported as a stray
/// `,` and left out.
pub(crate) fn entries(
    sink: &ErrorSink<'_>,
    tokens: TokenStream,
) -> Vec<(Vec<TokenTree>, Option<TokenTree>)> {
    let is_comma = |token: &TokenTree| matches!(token, TokenTree::Punct(p) if p.as_char() == ',');
    let mut entries = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    loop {
        let mut entry: Vec<TokenTree> = Vec::new();
        while let Some(token) = tokens.next_if(|token| !is_comma(token)) {
            entry.push(token);
        }
        let comma = tokens.next();
        match (entry.is_empty(), &comma) {
            // A trailing comma, or the end.
            (true, None) => {}
            (true, Some(comma)) => sink.error_spanned_by(comma, "unexpected `,`; remove it"),
            (false, _) => entries.push((entry, comma.clone())),
        }
        if comma.is_none() {
            return entries;
        }
    }
}

/// What follows a key up to the next `,`, where an error about it points.
fn rest_of_entry(meta: &ParseNestedMeta<'_>) -> TokenStream {
    meta.input
        .fork()
        .parse::<TokenStream>()
        .map(first_segment)
        .unwrap_or_default()
}

/// The first string literal in `tokens`, looking into groups.
pub(crate) fn first_string(tokens: TokenStream) -> Option<String> {
    tokens.into_iter().find_map(|token| match token {
        TokenTree::Group(group) => first_string(group.stream()),
        TokenTree::Literal(literal) => syn::parse2::<LitStr>(literal.into_token_stream())
            .ok()
            .map(|lit| lit.value()),
        TokenTree::Ident(_) | TokenTree::Punct(_) => None,
    })
}

/// Records `value` in `slot`, reporting a duplicate key.
pub(crate) fn set<T>(sink: &ErrorSink<'_>, key: &Path, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        sink.error_spanned_by(
            key,
            format!("duplicate audit attribute `{}`; keep one", path_text(key)),
        );
    } else {
        *slot = Some(value);
    }
}

/// Records `value` in `slot`, which either of two keys sets.
pub(crate) fn set_one_of<T>(
    sink: &ErrorSink<'_>,
    key: &Path,
    slot: &mut Option<T>,
    value: T,
    keys: (&str, &str),
) {
    if slot.is_some() {
        sink.error_spanned_by(
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

/// Consumes whatever follows a key up to the next `,`.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    skip_until_comma(meta.input)
}

fn skip_until_comma(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// `key = "text"`.
pub(crate) fn string_value(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<LitStr> {
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
pub(crate) fn field_name(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Ident> {
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
pub(crate) fn function_path(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Path> {
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

/// The value of `key = path::to::Type`: a path to a type, without quotes
/// and without generic arguments.
pub(crate) fn type_path(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<Path> {
    let key = path_text(&meta.path);
    let input = meta
        .value()
        .map_err(|_| meta.error(format!("`{key}` names a type: `{example}`")))?;
    let path = input.parse::<Path>().map_err(|error| {
        syn::Error::new(
            error.span(),
            format!("`{key}` names a type, without quotes: `{example}`"),
        )
    })?;
    if let Some(segment) = path
        .segments
        .iter()
        .find(|segment| !segment.arguments.is_none())
    {
        return Err(syn::Error::new_spanned(
            &segment.arguments,
            format!(
                "`{key}` names a type without generic arguments: a generic type cannot be mirrored yet"
            ),
        ));
    }
    Ok(path)
}

/// The tokens of a value up to the next comma.
fn first_segment(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .take_while(|tt| !matches!(tt, TokenTree::Punct(p) if p.as_char() == ','))
        .collect()
}

/// serde's `rename = "x"`, `rename(serialize = "x")` and the same for `rename_all`.
pub(crate) fn serde_name(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
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

/// The path in serde's `with = "path"` and `serialize_with = "path"`; `None`
/// when serde would reject it, which serde reports.
pub(crate) fn serde_path(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<ExprPath>> {
    let lit: LitStr = meta.value()?.parse()?;
    Ok(lit.parse::<ExprPath>().ok())
}

/// The doc comment in `attrs`, one leading space of each line removed.
pub(crate) fn doc_comment(attrs: &[Attribute]) -> Option<String> {
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
pub(crate) fn key_list(valid: &[&str]) -> String {
    valid
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A path as written, without the spaces tokens print with: `links::chat`.
pub(crate) fn path_text(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}
