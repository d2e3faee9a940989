//! Writes the `Auditable` impl.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{
    DeriveInput, GenericArgument, Generics, LitByteStr, LitStr, Path, PathArguments, Type,
    WherePredicate,
};

use crate::ast::{Container, Field};
use crate::attr::Class;
use crate::case::snake_case;
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::symbol::DEFAULT_ACTIONS;
use crate::valid::{self, Link, LinkPiece, Resource, Target};

/// The impl of `Auditable` for `input`, or its errors and a stub impl.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let cont = Container::from_ast(&cx, input);
    let resource = cont.as_ref().and_then(|cont| valid::check(&cx, cont));
    let krate = cont
        .as_ref()
        .and_then(|cont| cont.attrs.krate.clone())
        .unwrap_or_else(|| syn::parse_quote!(::audit_core));
    let embedded = cont
        .as_ref()
        .is_some_and(|cont| cont.attrs.embedded.is_some());
    match (cx.check(), &cont, resource) {
        (Ok(()), Some(cont), resource) if resource.is_some() || embedded => {
            impl_auditable(cont, resource.as_ref(), &krate)
        }
        (result, _, _) => {
            let errors = result.err().map(syn::Error::into_compile_error);
            let stub = fallback::impl_auditable(input, &krate);
            quote!(#errors #stub)
        }
    }
}

/// `AuditFields` for every struct, and `Auditable` for a `resource` (an
/// embedded struct has none).
fn impl_auditable(
    cont: &Container<'_>,
    resource: Option<&Resource<'_, '_>>,
    krate: &Path,
) -> TokenStream {
    let private = quote!(#krate::__private);
    let ident = cont.ident;
    let generics = with_bounds(cont, resource, &private);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let schema = schema(cont, krate, &private);
    let diff_fields = cont
        .fields
        .iter()
        .filter_map(|field| diff_field(field, &private, Side::Diff));
    let record_fields = cont
        .fields
        .iter()
        .filter_map(|field| diff_field(field, &private, Side::Record));
    let probes = cont
        .fields
        .iter()
        .filter_map(|field| probe(cont, field, &private));
    let auditable = resource.map(|resource| {
        let resource_id = display_field(resource.id, &private);
        let resource_target = match &resource.target {
            Target::Field(field) => display_field(field, &private),
            Target::With(path) => quote_spanned!(path.span()=> #path(self)),
        };
        let resource_link = match &resource.link {
            None => quote!(::core::option::Option::None),
            Some(Link::With(path)) => quote_spanned!(path.span()=> #path(self)),
            Some(Link::Template(pieces)) => link_template(pieces, &private),
        };
        let organization_id = match resource.org {
            None => quote!(::core::option::Option::None),
            Some(field) => {
                let member = field.ident;
                if option_inner(field.ty).is_some() {
                    quote!(#private::display_option(::core::option::Option::as_ref(&self.#member)))
                } else {
                    let display = display_field(field, &private);
                    quote!(::core::option::Option::Some(#display))
                }
            }
        };
        quote! {
            #private::register_schema!(__AUDIT_SCHEMA);

            #[automatically_derived]
            impl #impl_generics #krate::Auditable for #ident #ty_generics #where_clause {
                #[inline]
                fn resource_id(&self) -> #private::String {
                    #resource_id
                }

                #[inline]
                fn resource_target(&self) -> #private::String {
                    #resource_target
                }

                #[inline]
                fn resource_link(&self) -> ::core::option::Option<#private::String> {
                    #resource_link
                }

                #[inline]
                fn organization_id(&self) -> ::core::option::Option<#private::String> {
                    #organization_id
                }
            }
        }
    });
    // The methods are `#[inline]`, as those of the standard derives are: a
    // crate then generates machine code for the diffs it calls, as for the
    // `Serialize` impls it uses, rather than for every audited struct it
    // declares. See docs/performance.md.
    quote! {
        const _: () = {
            // Outside the impl, so that it names none of the struct's
            // generics and a generic struct is registered too, once.
            const __AUDIT_SCHEMA: &'static #krate::Schema = #schema;

            #(#probes)*

            #[automatically_derived]
            impl #impl_generics #private::ContainsAudited for #ident #ty_generics #where_clause {}

            #[automatically_derived]
            impl #impl_generics #krate::AuditFields for #ident #ty_generics #where_clause {
                const FIELDS: &'static #krate::Schema = __AUDIT_SCHEMA;

                #[inline]
                fn diff_into(
                    __audit_diff: &mut #krate::Diff,
                    __audit_path: &#private::Path<'_>,
                    __audit_old: &Self,
                    __audit_new: &Self,
                ) {
                    #(#diff_fields)*
                }

                #[inline]
                fn record_all(
                    __audit_diff: &mut #krate::Diff,
                    __audit_path: &#private::Path<'_>,
                    __audit_value: &Self,
                    __audit_record: #private::Record,
                ) {
                    #(#record_fields)*
                }
            }

            #auditable
        };
    }
}

/// For a tracked field, a build-time check that its type contains no
/// auditable struct, which would be serialized whole, its secret and
/// ignored fields included. A type naming the struct's generics cannot be
/// checked here, outside the impl: the probe's documented limit.
fn probe(cont: &Container<'_>, field: &Field<'_>, private: &TokenStream) -> Option<TokenStream> {
    if field.class()? != Class::Track || names_generics(cont, field.ty) {
        return None;
    }
    let ty = field.ty;
    let message = format!(
        "the tracked field `{}` has type `{}`, which holds a type that derives `Auditable`: tracking it whole would record its secret and ignored fields; classify the field `#[audit(nested)]` (with `key = field` for a list)",
        field.rust_name,
        type_text(ty),
    );
    Some(quote_spanned! {ty.span()=>
        const _: () = {
            #[allow(unused_imports)]
            use #private::NotAudited as _;
            ::core::assert!(!#private::Probe::<#ty>::AUDITED, #message);
        };
    })
}

/// Which method a field's statement is for.
#[derive(Clone, Copy)]
enum Side {
    /// `diff_into`: compare the old and the new value.
    Diff,
    /// `record_all`: record the one value there is.
    Record,
}

/// The comparison (or the recording) of one field; nothing for an ignored
/// field, which is never read.
fn diff_field(field: &Field<'_>, private: &TokenStream, side: Side) -> Option<TokenStream> {
    let class = field.class()?;
    let ty = field.ty;
    let member = field.ident;
    let key = &field.key;
    let (values, record) = match side {
        Side::Diff => (
            quote!(&__audit_old.#member, &__audit_new.#member,),
            quote!(),
        ),
        Side::Record => (quote!(&__audit_value.#member,), quote!(__audit_record,)),
    };
    let entries = field.attrs.entries.is_some();
    let canonical = class == Class::Track && !entries && is_hashed(ty);
    let function = match (class, side) {
        (Class::Ignore, _) => return None,
        (Class::Secret, Side::Record) if !entries => {
            return Some(
                quote!(#private::record_secret(__audit_diff, __audit_path, #key, __audit_record);),
            );
        }
        (Class::Nested, _) => {
            if let Some(key_field) = &field.attrs.key {
                let key_name = key_field.unraw().to_string();
                let function = match side {
                    Side::Diff => quote!(keyed),
                    Side::Record => quote!(record_keyed),
                };
                let call = quote_spanned!(ty.span()=> #private::#function::<#ty, _>);
                // The key is read by a closure spanned at the key, so that a
                // missing field is reported there.
                let read_key = quote_spanned!(key_field.span()=> |__audit_element| &__audit_element.#key_field);
                let args = match side {
                    Side::Diff => {
                        quote!(__audit_diff, __audit_path, #key, #key_name, #values #read_key)
                    }
                    Side::Record => {
                        quote!(__audit_diff, __audit_path, #key, #key_name, #values __audit_record, #read_key)
                    }
                };
                return Some(quote!(#call(#args);));
            }
            match side {
                Side::Diff => quote!(nested),
                Side::Record => quote!(record_nested),
            }
        }
        (Class::Track, Side::Diff) if entries => quote!(track_entries),
        (Class::Track, Side::Record) if entries => quote!(record_track_entries),
        (Class::Secret, Side::Diff) if entries => quote!(secret_entries),
        (Class::Secret, Side::Record) => quote!(record_secret_entries),
        (Class::Track, Side::Diff) if canonical => quote!(track_canonical),
        (Class::Track, Side::Record) if canonical => quote!(record_track_canonical),
        (Class::Track, Side::Diff) => quote!(track),
        (Class::Track, Side::Record) => quote!(record_track),
        (Class::Secret, Side::Diff) => quote!(secret),
    };
    let args = quote!(__audit_diff, __audit_path, #key, #values #record);
    if let (Class::Track, Some(serialize_with), false) =
        (class, &field.attrs.serialize_with, entries)
    {
        // Serialized as serde serializes the field, so that the diff records
        // the value the struct's own JSON holds.
        let function = match side {
            Side::Diff => quote!(track_with),
            Side::Record => quote!(record_track_with),
        };
        let call = quote_spanned!(ty.span()=> #private::#function::<#ty, _>);
        return Some(quote! {
            #call(
                #args
                |__audit_value: &#ty, __audit_serializer| #serialize_with(__audit_value, __audit_serializer),
            );
        });
    }
    // Spanned at the type, so that a type lacking `PartialEq` or `Serialize`
    // is reported there.
    let call = quote_spanned!(ty.span()=> #private::#function::<#ty>);
    Some(quote! {
        #call(#args);
    })
}

/// Whether `ty` is written as a `HashSet` or `HashMap`, or an `Option` of
/// one: a value whose iteration order is random, recorded sorted.
fn is_hashed(ty: &Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    valid::last_segment(ty).is_some_and(|name| name == "HashSet" || name == "HashMap")
}

/// `self.field` as text, spanned at the field's type for a missing `Display`.
fn display_field(field: &Field<'_>, private: &TokenStream) -> TokenStream {
    let ty = field.ty;
    let member = field.ident;
    let display = quote_spanned!(ty.span()=> #private::display::<#ty>);
    quote!(#display(&self.#member))
}

fn link_template(pieces: &[LinkPiece<'_, '_>], private: &TokenStream) -> TokenStream {
    let pushes = pieces.iter().map(|piece| match piece {
        LinkPiece::Text(text) => quote!(__audit_link.push_str(#text);),
        LinkPiece::Field(field) => {
            let member = field.ident;
            if let Some(inner) = option_inner(field.ty) {
                // A resource whose placeholder field is `None` has no link.
                let push = quote_spanned!(inner.span()=> #private::push_link_segment::<#inner>);
                quote! {
                    match ::core::option::Option::as_ref(&self.#member) {
                        ::core::option::Option::Some(__audit_value) => #push(&mut __audit_link, __audit_value),
                        ::core::option::Option::None => return ::core::option::Option::None,
                    }
                }
            } else {
                let ty = field.ty;
                let push = quote_spanned!(ty.span()=> #private::push_link_segment::<#ty>);
                quote!(#push(&mut __audit_link, &self.#member);)
            }
        }
    });
    quote! {{
        let mut __audit_link = #private::String::new();
        #(#pushes)*
        ::core::option::Option::Some(__audit_link)
    }}
}

/// The `const` description of the struct and its fields.
// One literal per attribute of every field, built in one pass; split when
// this file moves to the validated model of the derive refactor.
#[allow(clippy::too_many_lines)]
fn schema(cont: &Container<'_>, krate: &Path, private: &TokenStream) -> TokenStream {
    let rust_name = cont.ident.unraw().to_string();
    let resource_type = cont
        .attrs
        .resource
        .as_ref()
        .map_or_else(|| snake_case(&rust_name), LitStr::value);
    let doc = option_str(cont.attrs.doc.as_deref());
    let embedded = cont.attrs.embedded.is_some();
    let actions: Vec<TokenStream> = match &cont.attrs.actions {
        _ if embedded => Vec::new(),
        Some(actions) => actions
            .iter()
            .map(|(_, variant)| action_variant(krate, variant))
            .collect(),
        None => DEFAULT_ACTIONS
            .iter()
            .map(|name| action_variant(krate, name))
            .collect(),
    };
    let requires_org = cont.attrs.org.is_some();
    let link = match &cont.attrs.link {
        Some(crate::attr::Link::Template(template)) => option_str(Some(&template.value())),
        Some(crate::attr::Link::With(_)) | None => option_str(None),
    };
    let kind = if embedded { b'e' } else { b'r' };
    // One array or byte string per attribute, of literals only: see
    // `__private::fields`.
    let names = cont.fields.iter().map(|field| &field.key);
    let rust_names = cont.fields.iter().map(|field| &field.rust_name);
    let rust_types = cont.fields.iter().map(|field| type_text(field.ty));
    let mut classes = Vec::new();
    let mut reasons = Vec::new();
    let mut has_reason = Vec::new();
    let mut docs = Vec::new();
    let mut has_doc = Vec::new();
    let mut shapes = Vec::new();
    let mut keys = Vec::new();
    let mut nested = Vec::new();
    for field in &cont.fields {
        let ty = field.ty;
        classes.push(match field.class() {
            Some(Class::Track) | None => b't',
            Some(Class::Ignore) => b'i',
            Some(Class::Secret) => b's',
            // A recursive struct's schema would contain itself, and one
            // naming the struct's generics cannot be written outside the
            // impl: such nested fields are documented without their schema.
            Some(Class::Nested)
                if names_generics(cont, ty) || mentions_self(ty.to_token_stream(), cont.ident) =>
            {
                b'g'
            }
            Some(Class::Nested) => {
                nested.push(if field.attrs.key.is_some() {
                    quote_spanned!(ty.span()=> <<#ty as #private::KeyedList>::Element as #krate::AuditFields>::FIELDS)
                } else {
                    quote_spanned!(ty.span()=> <#ty as #krate::AuditFields>::FIELDS)
                });
                b'n'
            }
        });
        shapes.push(shape(field));
        keys.push(
            field
                .attrs
                .key
                .as_ref()
                .map(|key| key.unraw().to_string())
                .unwrap_or_default(),
        );
        let reason = field
            .attrs
            .classification
            .as_ref()
            .and_then(|c| c.reason.as_ref());
        reasons.push(reason.map_or_else(String::new, LitStr::value));
        has_reason.push(if reason.is_some() { b'y' } else { b'n' });
        docs.push(field.attrs.doc.as_deref().unwrap_or_default());
        has_doc.push(if field.attrs.doc.is_some() {
            b'y'
        } else {
            b'n'
        });
    }
    let [classes, has_reason, has_doc, shapes] = [classes, has_reason, has_doc, shapes]
        .map(|bytes| LitByteStr::new(&bytes, Span::call_site()));
    quote! {
        &#private::schema(
            #rust_name,
            #resource_type,
            #doc,
            // A const item, so that the slice of `Action`s (which have drop
            // glue) lives for `'static` instead of being a dropped temporary.
            {
                const ACTIONS: &[#krate::Action] = &[#(#actions),*];
                ACTIONS
            },
            #requires_org,
            #link,
            &#private::fields(
                [#(#names),*],
                [#(#rust_names),*],
                [#(#rust_types),*],
                #classes,
                [#(#reasons),*],
                #has_reason,
                [#(#docs),*],
                #has_doc,
                #shapes,
                [#(#keys),*],
                &[#(#nested),*],
            ),
            #kind,
            "",
            false,
        )
    }
}

/// The byte `__private::fields` reads as the field's shape.
fn shape(field: &Field<'_>) -> u8 {
    let ty = field.ty;
    let map = valid::last_segment(option_inner(ty).unwrap_or(ty))
        .is_some_and(|name| name.ends_with("Map"));
    match (field.class(), &field.attrs.key) {
        (Some(Class::Nested), Some(_)) => b'k',
        (Some(Class::Nested), None) if map => b'e',
        (Some(Class::Nested), None) if option_inner(ty).is_some() => b'o',
        _ if field.attrs.entries.is_some() => b'e',
        _ => b'v',
    }
}

/// Whether `tokens` name `ident` or `Self`: a field of a recursive struct.
fn mentions_self(tokens: TokenStream, ident: &syn::Ident) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(name) => name == *ident || name == "Self",
        proc_macro2::TokenTree::Group(group) => mentions_self(group.stream(), ident),
        proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Literal(_) => false,
    })
}

/// Whether `ty` names a generic parameter or lifetime of the struct, so that
/// it cannot be written outside the impl.
fn names_generics(cont: &Container<'_>, ty: &Type) -> bool {
    let mut params = generic_params(cont);
    params.extend(
        cont.generics
            .lifetimes()
            .map(|param| param.lifetime.ident.to_string()),
    );
    mentions_any(ty.to_token_stream(), &params)
}

/// The names of the struct's type and const parameters.
fn generic_params(cont: &Container<'_>) -> Vec<String> {
    cont.generics
        .type_params()
        .map(|param| param.ident.to_string())
        .chain(
            cont.generics
                .const_params()
                .map(|param| param.ident.to_string()),
        )
        .collect()
}

fn action_variant(krate: &Path, name: &str) -> TokenStream {
    quote!(#krate::Action::from_static(#name))
}

fn option_str(value: Option<&str>) -> TokenStream {
    if let Some(value) = value {
        quote!(::core::option::Option::Some(#value))
    } else {
        quote!(::core::option::Option::None)
    }
}

/// The struct's generics, with the bounds each generic field type needs for
/// its part added to the where clause; a type parameter used only by ignored
/// fields gets none.
fn with_bounds(
    cont: &Container<'_>,
    resource: Option<&Resource<'_, '_>>,
    private: &TokenStream,
) -> Generics {
    let mut generics = cont.generics.clone();
    let params = generic_params(cont);
    if params.is_empty() {
        return generics;
    }
    let mut predicates: Vec<WherePredicate> = Vec::new();
    let mut bound = |ty: &Type, bound: TokenStream| {
        if mentions_any(ty.to_token_stream(), &params) {
            predicates.push(syn::parse_quote!(#ty: #private::#bound));
        }
    };
    for field in &cont.fields {
        match field.class() {
            Some(Class::Track) if field.attrs.entries.is_some() => {
                bound(field.ty, quote!(TrackedEntries));
            }
            Some(Class::Secret) if field.attrs.entries.is_some() => {
                bound(field.ty, quote!(SecretEntries));
            }
            Some(Class::Track) if field.attrs.serialize_with.is_some() => {
                bound(field.ty, quote!(TrackedWithField));
            }
            Some(Class::Track) => bound(field.ty, quote!(TrackedField)),
            Some(Class::Secret) => bound(field.ty, quote!(SecretField)),
            Some(Class::Nested) if field.attrs.key.is_some() => bound(field.ty, quote!(KeyedList)),
            Some(Class::Nested) => bound(field.ty, quote!(AuditFields)),
            Some(Class::Ignore) | None => {}
        }
    }
    let Some(resource) = resource else {
        generics.make_where_clause().predicates.extend(predicates);
        return generics;
    };
    let mut displayed: Vec<&Type> = vec![resource.id.ty];
    if let Target::Field(field) = &resource.target {
        displayed.push(field.ty);
    }
    if let Some(org) = resource.org {
        displayed.push(option_inner(org.ty).unwrap_or(org.ty));
    }
    if let Some(Link::Template(pieces)) = &resource.link {
        displayed.extend(pieces.iter().filter_map(|piece| match piece {
            LinkPiece::Field(field) => Some(option_inner(field.ty).unwrap_or(field.ty)),
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
fn mentions_any(tokens: TokenStream, params: &[String]) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(ident) => params.iter().any(|param| ident == param),
        proc_macro2::TokenTree::Group(group) => mentions_any(group.stream(), params),
        proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Literal(_) => false,
    })
}

/// `T` of a type written `Option<T>` (or with a path to `Option`).
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// A type as a person writes it: `Option<Vec<Uuid>>`, not `Option < Vec < Uuid > >`.
fn type_text(ty: &Type) -> String {
    let mut text = ty.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        ("[ ", "["),
        (" ]", "]"),
        ("( ", "("),
        (" )", ")"),
        (" ;", ";"),
    ] {
        text = text.replace(from, to);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::type_text;

    #[test]
    fn types_read_as_written() {
        let cases: [(syn::Type, &str); 5] = [
            (
                syn::parse_quote!(Option<OffsetDateTime>),
                "Option<OffsetDateTime>",
            ),
            (
                syn::parse_quote!(BTreeMap<String, String>),
                "BTreeMap<String, String>",
            ),
            (
                syn::parse_quote!(std::vec::Vec<uuid::Uuid>),
                "std::vec::Vec<uuid::Uuid>",
            ),
            (syn::parse_quote!(&'a [u8; 4]), "&'a [u8; 4]"),
            (syn::parse_quote!((u8, bool)), "(u8, bool)"),
        ];
        for (ty, expected) in cases {
            assert_eq!(type_text(&ty), expected);
        }
    }
}
