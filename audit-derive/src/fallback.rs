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
            impl #impl_generics #krate::Auditable for #ident #ty_generics #where_clause {
                const SCHEMA: &'static #krate::Schema = &#private::schema(
                    #rust_name,
                    #rust_name,
                    ::core::option::Option::None,
                    &[],
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                    &[],
                );

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

                fn diff(_: &Self, _: &Self) -> #krate::Diff {
                    #krate::Diff::new()
                }
            }
        };
    }
}
