//! The stub impl emitted beside the errors of a struct the derive rejected,
//! so that code using the struct as `Auditable` does not add errors of its own.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt as _;
use syn::{DeriveInput, Path};

pub(crate) fn impl_auditable(input: &DeriveInput, krate: &Path) -> TokenStream {
    let private = quote!(#krate::__private);
    let ident = &input.ident;
    let rust_name = ident.unraw().to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::AuditFields for #ident #ty_generics #where_clause {
                const FIELDS: &'static #krate::Schema = &#private::schema(
                    #rust_name,
                    #rust_name,
                    ::core::option::Option::None,
                    &[],
                    false,
                    ::core::option::Option::None,
                    &[],
                    b'r',
                    "",
                    false,
                );

                fn diff_into(
                    _: &mut #krate::Diff,
                    _: &#private::Path<'_>,
                    _: &Self,
                    _: &Self,
                ) {
                }

                fn record_all(
                    _: &mut #krate::Diff,
                    _: &#private::Path<'_>,
                    _: &Self,
                    _: #private::Record,
                ) {
                }
            }

            #[automatically_derived]
            impl #impl_generics #krate::Auditable for #ident #ty_generics #where_clause {

                fn resource_id(&self) -> #private::String {
                    #private::String::new()
                }

                fn resource_target(&self) -> #private::String {
                    #private::String::new()
                }

                fn resource_link(&self) -> ::core::option::Option<#private::String> {
                    ::core::option::Option::None
                }

                fn organization_id(&self) -> ::core::option::Option<#private::String> {
                    ::core::option::Option::None
                }
            }
        };
    }
}
