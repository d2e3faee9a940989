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
    match (cx.check(), &cont, resource) {
        (Ok(()), Some(cont), Some(resource)) => impl_auditable(cont, &resource, &krate),
        (result, _, _) => {
            let errors = result.err().map(syn::Error::into_compile_error);
            let stub = fallback::impl_auditable(input, &krate);
            quote!(#errors #stub)
        }
    }
}

fn impl_auditable(cont: &Container<'_>, resource: &Resource<'_, '_>, krate: &Path) -> TokenStream {
    let private = quote!(#krate::__private);
    let ident = cont.ident;
    let generics = with_bounds(cont, resource, &private);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let schema = schema(cont, krate, &private);
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
    let diff_fields = cont
        .fields
        .iter()
        .filter_map(|field| diff_field(field, &private));
    // The methods are `#[inline]`, as those of the standard derives are: a
    // crate then generates machine code for the diffs it calls, as for the
    // `Serialize` impls it uses, rather than for every audited struct it
    // declares. See docs/performance.md.
    quote! {
        const _: () = {
            // Outside the impl, so that it names none of the struct's
            // generics and a generic struct is registered too, once.
            const __AUDIT_SCHEMA: &'static #krate::Schema = #schema;

            #private::register_schema!(__AUDIT_SCHEMA);

            #[automatically_derived]
            impl #impl_generics #krate::Auditable for #ident #ty_generics #where_clause {
                const SCHEMA: &'static #krate::Schema = __AUDIT_SCHEMA;

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

                #[inline]
                fn diff(__audit_old: &Self, __audit_new: &Self) -> #krate::Diff {
                    let mut __audit_diff = #krate::Diff::new();
                    #(#diff_fields)*
                    __audit_diff
                }
            }
        };
    }
}

/// The comparison of one field; nothing for an ignored field, which is never read.
fn diff_field(field: &Field<'_>, private: &TokenStream) -> Option<TokenStream> {
    let function = match field.class()? {
        Class::Track => quote!(track),
        Class::Secret => quote!(secret),
        Class::Ignore => return None,
    };
    let ty = field.ty;
    let member = field.ident;
    let key = &field.key;
    if let (Class::Track, Some(serialize_with)) = (field.class()?, &field.attrs.serialize_with) {
        // Serialized as serde serializes the field, so that the diff records
        // the value the struct's own JSON holds.
        let call = quote_spanned!(ty.span()=> #private::track_with::<#ty, _>);
        return Some(quote! {
            #call(
                &mut __audit_diff,
                #key,
                &__audit_old.#member,
                &__audit_new.#member,
                |__audit_value: &#ty, __audit_serializer| #serialize_with(__audit_value, __audit_serializer),
            );
        });
    }
    // Spanned at the type, so that a type lacking `PartialEq` or `Serialize`
    // is reported there.
    let call = quote_spanned!(ty.span()=> #private::#function::<#ty>);
    Some(quote! {
        #call(&mut __audit_diff, #key, &__audit_old.#member, &__audit_new.#member);
    })
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
                let push = quote_spanned!(inner.span()=> #private::push_display::<#inner>);
                quote! {
                    match ::core::option::Option::as_ref(&self.#member) {
                        ::core::option::Option::Some(__audit_value) => #push(&mut __audit_link, __audit_value),
                        ::core::option::Option::None => return ::core::option::Option::None,
                    }
                }
            } else {
                let ty = field.ty;
                let push = quote_spanned!(ty.span()=> #private::push_display::<#ty>);
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
fn schema(cont: &Container<'_>, krate: &Path, private: &TokenStream) -> TokenStream {
    let rust_name = cont.ident.unraw().to_string();
    let resource_type = cont
        .attrs
        .resource
        .as_ref()
        .map_or_else(|| snake_case(&rust_name), LitStr::value);
    let doc = option_str(cont.attrs.doc.as_deref());
    let actions: Vec<TokenStream> = match &cont.attrs.actions {
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
    for field in &cont.fields {
        classes.push(match field.class() {
            Some(Class::Track) | None => b't',
            Some(Class::Ignore) => b'i',
            Some(Class::Secret) => b's',
        });
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
    let [classes, has_reason, has_doc] =
        [classes, has_reason, has_doc].map(|bytes| LitByteStr::new(&bytes, Span::call_site()));
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
            ),
        )
    }
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
    resource: &Resource<'_, '_>,
    private: &TokenStream,
) -> Generics {
    let mut generics = cont.generics.clone();
    let params: Vec<String> = cont
        .generics
        .type_params()
        .map(|param| param.ident.to_string())
        .chain(
            cont.generics
                .const_params()
                .map(|param| param.ident.to_string()),
        )
        .collect();
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
            Some(Class::Track) if field.attrs.serialize_with.is_some() => {
                bound(field.ty, quote!(TrackedWithField));
            }
            Some(Class::Track) => bound(field.ty, quote!(TrackedField)),
            Some(Class::Secret) => bound(field.ty, quote!(SecretField)),
            Some(Class::Ignore) | None => {}
        }
    }
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
fn option_inner(ty: &Type) -> Option<&Type> {
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
