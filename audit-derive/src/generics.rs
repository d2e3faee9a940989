//! The bounds a generic struct's impl needs: each type parameter is bounded
//! only through the fields that use it, for the part each field plays.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens as _, quote};
use syn::{Generics, Type, WherePredicate};

use crate::model::{Class, Link, LinkPiece, Model, Shape, Target};

/// The struct's generics, with the bound each generic field type needs
/// added to the where clause; a type parameter used only by ignored fields
/// gets none.
pub(crate) fn with_bounds(model: &Model<'_>) -> Generics {
    let mut generics = model.head.generics.clone();
    let params: Vec<String> = generics
        .type_params()
        .map(|param| param.ident.to_string())
        .chain(generics.const_params().map(|param| param.ident.to_string()))
        .collect();
    if params.is_empty() {
        return generics;
    }
    let krate = &model.head.krate;
    let mut predicates: Vec<WherePredicate> = Vec::new();
    // A field recorded as the id, the target and a link placeholder is
    // bounded once.
    let mut seen: Vec<String> = Vec::new();
    let mut bound = |ty: &Type, bound: TokenStream| {
        let predicate: WherePredicate = syn::parse_quote!(#ty: #krate::__private::#bound);
        let text = predicate.to_token_stream().to_string();
        if mentions_any(ty.to_token_stream(), &params) && !seen.contains(&text) {
            seen.push(text);
            predicates.push(predicate);
        }
    };
    for field in &model.schema.fields {
        let entries = matches!(field.shape, Shape::Entries);
        match field.class {
            Class::Track if entries => bound(field.ty, quote!(TrackedEntries)),
            Class::Secret if entries => bound(field.ty, quote!(SecretEntries)),
            Class::Track if field.serialize_with.is_some() => {
                bound(field.ty, quote!(TrackedWithField));
            }
            Class::Track if field.canonical => bound(field.ty, quote!(CanonicalField)),
            Class::Track => bound(field.ty, quote!(TrackedField)),
            Class::Secret if field.fingerprinted() => bound(field.ty, quote!(FingerprintedField)),
            Class::Secret => bound(field.ty, quote!(SecretField)),
            Class::Nested if field.via.is_some() => {
                let via = &field.via;
                bound(field.ty, quote!(Audited<#via>));
            }
            Class::Nested if matches!(field.shape, Shape::Keyed { .. }) => {
                bound(field.ty, quote!(KeyedList));
            }
            Class::Nested => bound(field.ty, quote!(AuditFields)),
            Class::Ignore => {}
        }
    }
    let Some(resource) = &model.resource else {
        generics.make_where_clause().predicates.extend(predicates);
        return generics;
    };
    let mut displayed: Vec<&Type> = vec![resource.id.displayed_ty()];
    if let Target::Field(field) = &resource.target {
        displayed.push(field.displayed_ty());
    }
    if let Some(org) = &resource.org {
        displayed.push(org.displayed_ty());
    }
    if let Some(Link::Template(pieces)) = &resource.link {
        displayed.extend(pieces.iter().filter_map(|piece| match piece {
            LinkPiece::Field(field) => Some(field.displayed_ty()),
            LinkPiece::Text(_) => None,
        }));
    }
    for ty in displayed {
        bound(ty, quote!(DisplayField));
    }
    generics.make_where_clause().predicates.extend(predicates);
    generics
}

/// Whether `tokens` name any of `params`.
/// `tokens` with each of `lifetimes` (names without the `'`) replaced by
/// `'static`: a field type written outside the impl, where the struct's
/// lifetimes are not in scope. Whether a type holds an auditable one does
/// not depend on its lifetimes.
pub(crate) fn with_static_lifetimes(tokens: TokenStream, lifetimes: &[String]) -> TokenStream {
    let mut out = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(tt) = tokens.next() {
        match tt {
            TokenTree::Punct(punct) if punct.as_char() == '\'' => {
                let named = matches!(
                    tokens.peek(),
                    Some(TokenTree::Ident(ident)) if lifetimes.iter().any(|name| ident == name)
                );
                out.push(TokenTree::Punct(punct));
                if named && let Some(TokenTree::Ident(ident)) = tokens.next() {
                    out.push(TokenTree::Ident(proc_macro2::Ident::new(
                        "static",
                        ident.span(),
                    )));
                }
            }
            TokenTree::Group(group) => {
                let mut replaced = proc_macro2::Group::new(
                    group.delimiter(),
                    with_static_lifetimes(group.stream(), lifetimes),
                );
                replaced.set_span(group.span());
                out.push(TokenTree::Group(replaced));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

pub(crate) fn mentions_any(tokens: TokenStream, params: &[String]) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(ident) => params.iter().any(|param| ident == param),
        TokenTree::Group(group) => mentions_any(group.stream(), params),
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    })
}
