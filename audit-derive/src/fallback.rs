//! The stub impl emitted beside the errors of a struct the derive rejected,
//! so that code using the struct as `Auditable` does not add errors of its own.

use proc_macro2::TokenStream;
use quote::quote;

use crate::expand;
use crate::model::Stub;

pub(crate) fn impl_auditable(stub: &Stub<'_>) -> TokenStream {
    let krate = &stub.head.krate;
    let private = quote!(#krate::__private);
    let ident = stub.head.ident;
    let (impl_generics, ty_generics, where_clause) = stub.head.generics.split_for_impl();
    let actions = expand::actions(&private, &stub.schema);
    let actions = quote!({
        const __AUDIT_ACTIONS: &'static [#krate::Action] = #actions;
        __AUDIT_ACTIONS
    });
    let schema = expand::schema(krate, &private, &stub.schema, &actions);
    if let Some(remote) = &stub.remote
        && stub.head.generics.params.is_empty()
    {
        // Code auditing the remote type reads the mirror's impl for it.
        return quote! {
            const _: () = {
                #[automatically_derived]
                impl #krate::Audited<#ident> for #remote {
                    const AUDIT_SCHEMA: &'static #krate::Schema = #schema;

                    fn audit_resource_id(&self) -> #private::String {
                        #private::String::new()
                    }

                    fn audit_resource_target(&self) -> #private::String {
                        #private::String::new()
                    }

                    fn audit_resource_link(&self) -> ::core::option::Option<#private::String> {
                        ::core::option::Option::None
                    }

                    fn audit_organization_id(&self) -> ::core::option::Option<#private::String> {
                        ::core::option::Option::None
                    }

                    fn audit_diff_into(
                        _: &mut #krate::Diff,
                        _: &#private::Path<'_>,
                        _: &Self,
                        _: &Self,
                    ) {
                    }
                }
            };
        };
    }
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::AuditFields for #ident #ty_generics #where_clause {
                const SCHEMA: &'static #krate::Schema = #schema;

                fn diff_into(
                    _: &mut #krate::Diff,
                    _: &#private::Path<'_>,
                    _: &Self,
                    _: &Self,
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
