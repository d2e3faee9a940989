//! Writes the `Auditable` impl from the checked [`Model`].

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{DeriveInput, LitByteStr, Path};

use crate::error_store::ErrorStore;
use crate::fallback;
use crate::generics;
use crate::model::{Checked, Class, Field, Link, LinkPiece, Model, Recorded, Schema, Target};
use crate::valid;

/// The impl of `Auditable` for `input`, or its errors and a stub impl.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut store = ErrorStore::new();
    let checked = valid::check(&store.sink(), input);
    let errors = store.into_error().map(syn::Error::into_compile_error);
    let expanded = match checked {
        Checked::Accepted(model) => impl_auditable(&model),
        Checked::Rejected(stub) => fallback::impl_auditable(&stub),
    };
    quote!(#errors #expanded)
}

fn impl_auditable(model: &Model<'_>) -> TokenStream {
    let krate = &model.head.krate;
    let private = quote!(#krate::__private);
    let ident = model.head.ident;
    let generics = generics::with_bounds(model);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let schema = schema(krate, &model.schema);
    let resource = &model.resource;
    let resource_id = display(&resource.id, &private);
    let resource_target = match &resource.target {
        Target::Field(field) => display(field, &private),
        Target::With(path) => quote_spanned!(path.span()=> #path(self)),
    };
    let resource_link = match &resource.link {
        None => quote!(::core::option::Option::None),
        Some(Link::With(path)) => quote_spanned!(path.span()=> #path(self)),
        Some(Link::Template(pieces)) => link_template(pieces, &private),
    };
    let organization_id = match &resource.org {
        None => quote!(::core::option::Option::None),
        Some(field) if field.optional.is_some() => {
            let member = field.member;
            quote!(#private::display_option(::core::option::Option::as_ref(&self.#member)))
        }
        Some(field) => {
            let display = display(field, &private);
            quote!(::core::option::Option::Some(#display))
        }
    };
    let diff_fields = model
        .schema
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
    let ty = field.ty;
    let member = field.member;
    let key = &field.key;
    let function = match (field.class, &field.serialize_with) {
        (Class::Ignore, _) => return None,
        (Class::Track, Some(serialize_with)) => {
            // Serialized as serde serializes the field, so that the diff
            // records the value the struct's own JSON holds.
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
        (Class::Track, None) => quote!(track),
        (Class::Secret, _) => quote!(secret),
    };
    // Spanned at the type, so that a type lacking `PartialEq` or `Serialize`
    // is reported there.
    let call = quote_spanned!(ty.span()=> #private::#function::<#ty>);
    Some(quote! {
        #call(&mut __audit_diff, #key, &__audit_old.#member, &__audit_new.#member);
    })
}

/// `self.field` as text, spanned at the field's type for a missing `Display`.
fn display(field: &Recorded<'_>, private: &TokenStream) -> TokenStream {
    let ty = field.ty;
    let member = field.member;
    let display = quote_spanned!(ty.span()=> #private::display::<#ty>);
    quote!(#display(&self.#member))
}

fn link_template(pieces: &[LinkPiece<'_>], private: &TokenStream) -> TokenStream {
    let pushes = pieces.iter().map(|piece| match piece {
        LinkPiece::Text(text) => quote!(__audit_link.push_str(#text);),
        LinkPiece::Field(field) => {
            let member = field.member;
            let ty = field.displayed_ty();
            let push = quote_spanned!(ty.span()=> #private::push_display::<#ty>);
            if field.optional.is_some() {
                // A resource whose placeholder field is `None` has no link.
                quote! {
                    match ::core::option::Option::as_ref(&self.#member) {
                        ::core::option::Option::Some(__audit_value) => #push(&mut __audit_link, __audit_value),
                        ::core::option::Option::None => return ::core::option::Option::None,
                    }
                }
            } else {
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

/// The `const` expression of `schema`, a `&'static Schema`: the one place
/// generated code builds a schema, for the real impl and the stub alike.
pub(crate) fn schema(krate: &Path, schema: &Schema<'_>) -> TokenStream {
    let private = quote!(#krate::__private);
    let Schema {
        rust_name,
        resource_type,
        doc,
        actions,
        requires_org,
        link,
        link_with,
        fields,
    } = schema;
    let doc = option_str(doc.as_deref());
    let link = option_str(link.as_deref());
    let link_with = option_str(link_with.as_deref());
    // One array or byte string per attribute, of literals only: see
    // `__private::fields`.
    let names = fields.iter().map(|field| &field.key);
    let rust_names = fields.iter().map(|field| &field.rust_name);
    let rust_types = fields.iter().map(|field| &field.type_text);
    let reasons = fields
        .iter()
        .map(|field| field.reason.as_deref().unwrap_or_default());
    let docs = fields
        .iter()
        .map(|field| field.doc.as_deref().unwrap_or_default());
    let classes = byte_string(fields.iter().map(|field| field.class.code()));
    let has_reason = byte_string(fields.iter().map(|field| flag(field.reason.is_some())));
    let has_doc = byte_string(fields.iter().map(|field| flag(field.doc.is_some())));
    quote! {
        &#private::schema(
            #rust_name,
            #resource_type,
            #doc,
            // An item of its own: an `Action` has a destructor, so an array
            // of them is not promoted to `'static` as a function argument.
            {
                const __AUDIT_ACTIONS: &'static [#krate::Action] = &[
                    #(#krate::Action::from_static(#actions)),*
                ];
                __AUDIT_ACTIONS
            },
            #requires_org,
            #link,
            #link_with,
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

/// The byte `__private::fields` reads as "has one": `b'y'`, else `b'n'`.
fn flag(set: bool) -> u8 {
    if set { b'y' } else { b'n' }
}

fn byte_string(bytes: impl Iterator<Item = u8>) -> LitByteStr {
    LitByteStr::new(&bytes.collect::<Vec<u8>>(), Span::call_site())
}

fn option_str(value: Option<&str>) -> TokenStream {
    if let Some(value) = value {
        quote!(::core::option::Option::Some(#value))
    } else {
        quote!(::core::option::Option::None)
    }
}
