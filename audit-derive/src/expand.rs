//! Writes the `AuditFields` and `Auditable` impls from the checked [`Model`].

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{DeriveInput, LitByteStr, Path};

use crate::error_store::ErrorStore;
use crate::fallback;
use crate::generics;
use crate::model::{
    Checked, Class, Field, Link, LinkPiece, Model, Recorded, Remote, Resource, Schema, Sentence,
    Shape, Target, When,
};
use crate::ty;
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
    let private = private_alias();
    let use_private = use_private_alias(krate);
    let ident = model.head.ident;
    let generics = generics::with_bounds(model);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let schema = schema(krate, &private, &model.schema, &quote!(Self::ACTIONS));
    let actions = actions(&private, &model.schema);
    let fields = &model.schema.fields;
    if let (Some(remote), Some(resource)) = (&model.remote, &model.resource) {
        return impl_remote(model, remote, resource);
    }
    let diff_fields = fields
        .iter()
        .filter_map(|field| field_statement(field, &private, Types::Named));
    let probes = probes(fields, &private);
    let key_checks = key_checks(fields, krate, &private);
    let nested_checks = nested_checks(fields, &private);
    let auditable = model.resource.as_ref().map(|resource| {
        let methods = resource_methods(resource, &private, Types::Named);
        let sentence_matches = sentence_matches(&model.schema.sentences, &private, Types::Named);
        quote! {
            #private::register_schema!(__AuditSchema<()>);

            #[automatically_derived]
            impl #impl_generics #krate::Auditable for #ident #ty_generics #where_clause {
                #methods

                #sentence_matches
            }
        }
    });
    // The methods are `#[inline]`, as those of the standard derives are: a
    // crate then generates machine code for the diffs it calls, as for the
    // `Serialize` impls it uses, rather than for every audited struct it
    // declares. See docs/performance.md.
    quote! {
        const _: () = {
            #use_private

            // Outside the impl, so that it names none of the struct's
            // generics and a generic struct is registered too, once.
            #nested_checks

            // Associated consts of a generic type of its own, named through
            // a `const fn`: evaluated only where a build uses them, never by
            // `cargo check`; see `__private::SchemaOf`.
            #[allow(dead_code)]
            struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);

            impl<T: ?::core::marker::Sized> #private::SchemaOf for __AuditSchema<T> {
                const ACTIONS: &'static [#krate::Action] = #actions;
                const SCHEMA: &'static #krate::Schema = #schema;
            }

            #probes

            #key_checks

            #[automatically_derived]
            impl #impl_generics #private::ContainsAudited for #ident #ty_generics #where_clause {}

            #[automatically_derived]
            impl #impl_generics #krate::AuditFields for #ident #ty_generics #where_clause {
                const SCHEMA: &'static #krate::Schema = #private::schema_of::<__AuditSchema<()>>();

                #[inline]
                fn diff_into(
                    __audit_diff: &mut #krate::Diff,
                    __audit_path: &#private::Path<'_>,
                    __audit_old: &Self,
                    __audit_new: &Self,
                ) {
                    #(#diff_fields)*
                }
            }

            #auditable
        };
    }
}

/// The `Audited<Mirror>` impl for the type a mirror audits, read from its
/// values, beside the checks that the mirror names every field of that type
/// (unless `partial`) with its type.
fn impl_remote(model: &Model<'_>, remote: &Remote, resource: &Resource<'_>) -> TokenStream {
    let krate = &model.head.krate;
    let private = private_alias();
    let use_private = use_private_alias(krate);
    let mirror = model.head.ident;
    let path = &remote.path;
    let schema = schema(krate, &private, &model.schema, &quote!(Self::ACTIONS));
    let actions = actions(&private, &model.schema);
    let fields = &model.schema.fields;
    let diff_fields = fields
        .iter()
        .filter_map(|field| field_statement(field, &private, Types::Inferred));
    let probes = probes(fields, &private);
    let key_checks = key_checks(fields, krate, &private);
    let nested_checks = nested_checks(fields, &private);
    let methods = resource_methods(resource, &private, Types::Inferred);
    let sentence_matches = sentence_matches(&model.schema.sentences, &private, Types::Inferred);
    let members: Vec<&syn::Ident> = fields.iter().map(|field| field.member).collect();
    // Spanned at `remote = path`, so that a field the mirror does not name
    // is reported there: "pattern does not mention field `owner_id`".
    let rest = remote.partial.then(|| quote!(..));
    let coverage = quote_spanned! {path.span()=>
        let #path { #(#members: _,)* #rest } = __audit_value;
    };
    // Spanned at the mirror's type of each field, where a type that is not
    // the remote field's is reported.
    let field_types = fields.iter().map(|field| {
        let (ty, member) = (field.ty, field.member);
        quote_spanned!(ty.span()=> let _: &#ty = &__audit_value.#member;)
    });
    let bindings: Vec<syn::Ident> = (0..fields.len())
        .map(|i| quote::format_ident!("__audit_field_{}", i))
        .collect();
    quote! {
        const _: () = {
            #use_private

            #nested_checks

            // Associated consts of a generic type of its own, named through
            // a `const fn`: evaluated only where a build uses them, never by
            // `cargo check`; see `__private::SchemaOf`.
            #[allow(dead_code)]
            struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);

            impl<T: ?::core::marker::Sized> #private::SchemaOf for __AuditSchema<T> {
                const ACTIONS: &'static [#krate::Action] = #actions;
                const SCHEMA: &'static #krate::Schema = #schema;
            }

            #probes

            #key_checks

            #private::register_schema!(__AuditSchema<()>);

            // Never called: the build checks the mirror against `#path`.
            const _: fn(&#path) = |__audit_value| {
                #coverage
                #(#field_types)*
            };

            // Never called: reads the mirror's fields, which exist to be
            // checked against `#path`, so that none is reported as unused.
            const _: fn(&#mirror) = |__audit_mirror| {
                let #mirror { #(#members: #bindings),* } = __audit_mirror;
                let _ = (#(#bindings,)*);
            };

            #[automatically_derived]
            impl #private::ContainsAudited<#mirror> for #path {}

            #[automatically_derived]
            impl #krate::Audited<#mirror> for #path {
                const AUDIT_SCHEMA: &'static #krate::Schema = #private::schema_of::<__AuditSchema<()>>();

                #methods

                #sentence_matches

                #[inline]
                fn audit_diff_into(
                    __audit_diff: &mut #krate::Diff,
                    __audit_path: &#private::Path<'_>,
                    __audit_old: &Self,
                    __audit_new: &Self,
                ) {
                    #(#diff_fields)*
                }
            }
        };
    }
}

/// How the generated code inside its `const _` block names the crate's
/// `__private` module: one identifier, imported once by
/// [`use_private_alias`], rather than a path of four tokens at each of the
/// fifty-odd places a struct's expansion names it, which rustc parses and
/// resolves each time (docs/performance.md).
fn private_alias() -> TokenStream {
    quote!(__audit_private)
}

/// The import of [`private_alias`], first in the `const _` block.
fn use_private_alias(krate: &Path) -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use #krate::__private as __audit_private;
    }
}

/// Whether generated calls name each field's type, or leave it to be
/// inferred from the value: a mirror's field types are checked against the
/// remote type's once, and inferred elsewhere, so that a mismatch is
/// reported once.
#[derive(Clone, Copy)]
enum Types {
    Named,
    Inferred,
}

impl Types {
    /// `ty`, or `_` spanned at it.
    fn of(self, ty: &syn::Type) -> TokenStream {
        match self {
            Types::Named => quote!(#ty),
            Types::Inferred => quote_spanned!(ty.span()=> _),
        }
    }
}

/// The resource functions of `Auditable`, or of `Audited` for a mirror.
fn resource_methods(resource: &Resource<'_>, private: &TokenStream, types: Types) -> TokenStream {
    let resource_id = display(&resource.id, private, types);
    let resource_target = match &resource.target {
        Target::Field(field) => display(field, private, types),
        Target::With(path) => quote_spanned!(path.span()=> #path(self)),
    };
    let resource_link = match &resource.link {
        None => quote!(::core::option::Option::None),
        Some(Link::With(path)) => quote_spanned!(path.span()=> #path(self)),
        Some(Link::Template(pieces)) => link_template(pieces, private, types),
    };
    let organization_id = match &resource.org {
        None => quote!(::core::option::Option::None),
        Some(field) if field.optional.is_some() => {
            let member = field.member;
            quote!(#private::display_option(::core::option::Option::as_ref(&self.#member)))
        }
        Some(field) => {
            let display = display(field, private, types);
            quote!(::core::option::Option::Some(#display))
        }
    };
    let (id, target, link, org) = match types {
        Types::Named => (
            quote!(resource_id),
            quote!(resource_target),
            quote!(resource_link),
            quote!(organization_id),
        ),
        Types::Inferred => (
            quote!(audit_resource_id),
            quote!(audit_resource_target),
            quote!(audit_resource_link),
            quote!(audit_organization_id),
        ),
    };
    quote! {
        #[inline]
        fn #id(&self) -> #private::String {
            #resource_id
        }

        #[inline]
        fn #target(&self) -> #private::String {
            #resource_target
        }

        #[inline]
        fn #link(&self) -> ::core::option::Option<#private::String> {
            #resource_link
        }

        #[inline]
        fn #org(&self) -> ::core::option::Option<#private::String> {
            #organization_id
        }
    }
}

/// Whether the value condition of the schema's sentence `index` holds for
/// the new value: `self.archived == true`, spanned at the condition, so that
/// a value of another type than the field's is reported there. Only for a
/// resource with value conditions; the trait's default says `false`.
fn sentence_matches(
    sentences: &[Sentence<'_>],
    private: &TokenStream,
    types: Types,
) -> Option<TokenStream> {
    let arms: Vec<TokenStream> = sentences
        .iter()
        .enumerate()
        .filter_map(|(index, sentence)| {
            let When::Equals { value, .. } = &sentence.when else {
                return None;
            };
            let member = sentence.member;
            Some(quote_spanned! {value.span()=>
                #index => #private::SentenceValue::is(&(#value), &self.#member),
            })
        })
        .collect();
    if arms.is_empty() {
        return None;
    }
    let name = match types {
        Types::Named => quote!(sentence_matches),
        Types::Inferred => quote!(audit_sentence_matches),
    };
    Some(quote! {
        #[inline]
        fn #name(&self, __audit_sentence: usize) -> bool {
            match __audit_sentence {
                #(#arms)*
                _ => false,
            }
        }
    })
}

/// For the tracked fields, a build-time check that no type they hold is
/// auditable, which would be serialized whole, its secret and ignored
/// fields included. A `const` per type held (`Uuid` for `Option<Uuid>`,
/// each member of a tuple, the keys and values of a map: the types the derive does
/// not look into), spanned at its first appearance and naming every field
/// that holds it, so that every such type is reported; one per type rather
/// than per field or per field type, because each `const` costs the build
/// more than the rest of a field (docs/performance.md). The standard
/// containers are known by name, as [`ty::holds_no_struct`] knows them. A
/// type naming the struct's generics cannot be checked here, outside the
/// impl: the probe's documented limit. A primitive or `String` holds no
/// struct and is not checked.
fn probes(fields: &[Field<'_>], private: &TokenStream) -> TokenStream {
    // The fields holding each type, by the type as written, in order of
    // first appearance: within one struct, the same text names the same type.
    let mut held: Vec<(&syn::Type, String, Vec<&str>)> = Vec::new();
    for field in fields
        .iter()
        .filter(|field| field.probe() && !ty::holds_no_struct(field.ty))
    {
        let Some(checked) = field.checked_ty.as_deref() else {
            continue;
        };
        for leaf in ty::probed_leaves(checked) {
            // Most fields hold themselves: their text is known.
            let text = if std::ptr::eq(leaf, checked) {
                field.type_text.clone()
            } else {
                ty::type_text(leaf)
            };
            match held.iter_mut().find(|(_, known, _)| *known == text) {
                Some((_, _, names)) => {
                    if names.last() != Some(&field.rust_name.as_str()) {
                        names.push(&field.rust_name);
                    }
                }
                None => held.push((leaf, text, vec![&field.rust_name])),
            }
        }
    }
    held.iter()
        .map(|(ty, text, names)| {
            let message = match names.as_slice() {
                [name] => format!(
                    "the tracked field `{name}` holds the type `{text}`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking the field whole would record its secret and ignored fields; classify the field `#[audit(nested)]` (with `key = field` for a list)",
                ),
                [first @ .., last] => format!(
                    "the tracked fields `{}` and `{last}` hold the type `{text}`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking them whole would record its secret and ignored fields; classify each field `#[audit(nested)]` (with `key = field` for a list)",
                    first.join("`, `"),
                ),
                [] => String::new(),
            };
            quote_spanned! {ty.span()=>
                const _: () = {
                    #[allow(unused_imports)]
                    use #private::NotAudited as _;
                    ::core::assert!(!#private::Probe::<#ty, _>::AUDITED, #message);
                };
            }
        })
        .collect()
}

/// For each keyed list whose element type can be named here, a build-time
/// check that its key is a tracked field of the element, spanned at the
/// `key = field`: a secret or ignored key would write its value into the
/// path of every change. A type naming the struct's generics cannot be
/// checked outside the impl.
fn key_checks(fields: &[Field<'_>], krate: &Path, private: &TokenStream) -> TokenStream {
    fields
        .iter()
        .filter_map(|field| match (&field.shape, field.checked_ty.as_deref()) {
            (Shape::Keyed { key, name }, Some(ty)) => Some((field, key, name, ty)),
            _ => None,
        })
        .map(|(field, key, name, ty)| {
            let message = format!(
                "the list `{list}` is keyed by `{name}`, which is not a tracked field of its elements: the key's value is written into the path of every change (`{list_key}[{name}=...]`), so a secret or ignored one would be recorded; key the list by a tracked field, or classify `{name}` `#[audit(track)]`",
                list = field.rust_name,
                list_key = field.key,
            );
            quote_spanned! {key.span()=>
                const _: () = ::core::assert!(
                    #private::key_is_tracked(
                        <<#ty as #private::KeyedList>::Element as #krate::AuditFields>::SCHEMA,
                        #name,
                    ),
                    #message,
                );
            }
        })
        .collect()
}

/// For the nested fields whose type can be named here, the one check that
/// it is auditable, spanned at the type; their other uses go through
/// `__private::Nest`, whose fallback (imported here) reports nothing, so
/// that a type that is not auditable is reported once.
fn nested_checks(fields: &[Field<'_>], private: &TokenStream) -> TokenStream {
    let checked: Vec<&Field<'_>> = fields.iter().filter(|field| field.nested_once()).collect();
    if checked.is_empty() {
        return TokenStream::new();
    }
    let asserts = checked.iter().map(|field| {
        let ty = field.ty;
        quote_spanned!(ty.span()=> const _: () = #private::assert_nested::<#ty>();)
    });
    quote! {
        #[allow(unused_imports)]
        use #private::NotNested as _;
        #(#asserts)*
    }
}

/// The comparison of one field, which also records it while the diff
/// records a value that exists on one side only (`record_all` walks
/// `diff_into`); nothing for an ignored field, which is never read.
fn field_statement(field: &Field<'_>, private: &TokenStream, types: Types) -> Option<TokenStream> {
    let written_ty = field.ty;
    let ty = &types.of(written_ty);
    let member = field.member;
    let key = &field.key;
    let values = quote!(&__audit_old.#member, &__audit_new.#member,);
    let entries = matches!(field.shape, Shape::Entries);
    let function = match field.class {
        Class::Ignore => return None,
        Class::Nested => {
            if let Some(via) = &field.via {
                let call = quote_spanned!(written_ty.span()=> #private::nested_via::<#ty, #via>);
                return Some(quote!(#call(__audit_diff, __audit_path, #key, #values);));
            }
            if let Shape::Keyed {
                key: key_field,
                name,
            } = &field.shape
            {
                let call = quote_spanned!(written_ty.span()=> #private::keyed::<#ty, _, _>);
                // The key is read by a closure spanned at the key, so that a
                // missing field is reported there.
                let read_key = quote_spanned!(key_field.span()=> |__audit_element| &__audit_element.#key_field);
                return Some(
                    quote!(#call(__audit_diff, __audit_path, #key, #name, #values #read_key);),
                );
            }
            if field.nested_once() {
                let call =
                    quote_spanned!(written_ty.span()=> #private::Nest::<#written_ty>::nested);
                return Some(quote!(#call(__audit_diff, __audit_path, #key, #values);));
            }
            quote!(nested)
        }
        Class::Secret if field.fingerprinted() => quote!(secret_fingerprinted),
        Class::Track if entries => quote!(track_entries),
        Class::Secret if entries => quote!(secret_entries),
        Class::Track if field.serialize_with.is_some() => {
            // Serialized as serde serializes the field, so that the diff
            // records the value the struct's own JSON holds.
            let serialize_with = &field.serialize_with;
            let call = quote_spanned!(written_ty.span()=> #private::track_with::<#ty, _>);
            return Some(quote! {
                #call(
                    __audit_diff, __audit_path, #key, #values
                    |__audit_value: &#ty, __audit_serializer| #serialize_with(__audit_value, __audit_serializer),
                );
            });
        }
        Class::Track if field.sets_shape.is_some() => {
            let shape = &field.sets_shape;
            let call = quote_spanned!(written_ty.span()=> #private::track_sorting_sets::<#ty>);
            return Some(quote!(#call(__audit_diff, __audit_path, #key, #values #shape);));
        }
        Class::Track if field.canonical => quote!(track_canonical),
        // Compared out of line unless the comparison is an instruction or two.
        Class::Track if !ty::is_cheap_to_compare(written_ty) => quote!(track_outlined),
        Class::Secret if !ty::is_cheap_to_compare(written_ty) => quote!(secret_outlined),
        Class::Track => quote!(track),
        Class::Secret => quote!(secret),
    };
    // Spanned at the type, so that a type lacking a trait the field's class
    // needs is reported there.
    let call = quote_spanned!(written_ty.span()=> #private::#function::<#ty>);
    Some(quote! {
        #call(__audit_diff, __audit_path, #key, #values);
    })
}

/// `self.field` as text, spanned at the field's type for a missing `Display`.
fn display(field: &Recorded<'_>, private: &TokenStream, types: Types) -> TokenStream {
    let written_ty = field.ty;
    let ty = types.of(written_ty);
    let member = field.member;
    let display = quote_spanned!(written_ty.span()=> #private::display::<#ty>);
    quote!(#display(&self.#member))
}

fn link_template(pieces: &[LinkPiece<'_>], private: &TokenStream, types: Types) -> TokenStream {
    let pushes = pieces.iter().map(|piece| match piece {
        LinkPiece::Text(text) => quote!(__audit_link.push_str(#text);),
        LinkPiece::Field(field) => {
            let member = field.member;
            let written_ty = field.displayed_ty();
            let ty = types.of(written_ty);
            let push = quote_spanned!(written_ty.span()=> #private::push_link_segment::<#ty>);
            // A value that is a dot segment gives no link: see
            // `__private::push_link_segment`.
            if field.optional.is_some() {
                // A resource whose placeholder field is `None` has no link.
                quote! {
                    match ::core::option::Option::as_ref(&self.#member) {
                        ::core::option::Option::Some(__audit_value) => #push(&mut __audit_link, __audit_value)?,
                        ::core::option::Option::None => return ::core::option::Option::None,
                    }
                }
            } else {
                quote!(#push(&mut __audit_link, &self.#member)?;)
            }
        }
    });
    // Room for the text and a UUID per placeholder, so that the link is
    // one allocation.
    let capacity: usize = pieces
        .iter()
        .map(|piece| match piece {
            LinkPiece::Text(text) => text.len(),
            LinkPiece::Field(_) => 40,
        })
        .sum();
    quote! {{
        let mut __audit_link = #private::String::with_capacity(#capacity);
        #(#pushes)*
        ::core::option::Option::Some(__audit_link)
    }}
}

/// The `const` expression of `schema`, a `&'static Schema`: the one place
/// generated code builds a schema, for the real impl and the stub alike.
/// `actions` is the expression of the schema's actions: see [`actions`].
pub(crate) fn schema(
    krate: &Path,
    private: &TokenStream,
    schema: &Schema<'_>,
    actions: &TokenStream,
) -> TokenStream {
    let Schema {
        rust_name,
        resource_type,
        doc,
        actions: _,
        past_forms,
        noun,
        sentences,
        requires_org,
        link,
        link_with,
        embedded,
        partial,
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
    let classes = byte_string(fields.iter().map(Field::class_code));
    let shapes = byte_string(fields.iter().map(|field| field.shape.code()));
    let keys = fields.iter().map(|field| match &field.shape {
        Shape::Keyed { name, .. } => name.as_str(),
        Shape::Value | Shape::Optional | Shape::Entries => "",
    });
    // A nested field's schema, by the trait its type implements; a
    // recursive or generic one is documented without it.
    let nested = fields
        .iter()
        .filter(|field| field.class == Class::Nested && field.nested_schema)
        .map(|field| {
            let ty = field.ty;
            if let Some(via) = &field.via {
                quote_spanned!(ty.span()=> <#ty as #krate::Audited<#via>>::AUDIT_SCHEMA)
            } else if matches!(field.shape, Shape::Keyed { .. }) {
                quote_spanned!(ty.span()=> <<#ty as #private::KeyedList>::Element as #krate::AuditFields>::SCHEMA)
            } else if field.nested_once() {
                quote_spanned!(ty.span()=> #private::Nest::<#ty>::SCHEMA)
            } else {
                quote_spanned!(ty.span()=> <#ty as #krate::AuditFields>::SCHEMA)
            }
        });
    let kind = if *embedded {
        quote!(#krate::SchemaKind::Embedded)
    } else {
        quote!(#krate::SchemaKind::Resource)
    };
    let fingerprinted = byte_string(fields.iter().map(|field| flag(field.fingerprinted())));
    let has_reason = byte_string(fields.iter().map(|field| flag(field.reason.is_some())));
    let has_doc = byte_string(fields.iter().map(|field| flag(field.doc.is_some())));
    let partial = option_str(partial.as_deref());
    let sentences = sentences_literal(private, sentences);
    quote! {
        &#private::schema(#private::SchemaParts {
            rust_name: #rust_name,
            resource_type: #resource_type,
            doc: #doc,
            actions: #actions,
            past_forms: &[#(#past_forms),*],
            noun: #noun,
            sentences: #sentences,
            requires_org: #requires_org,
            link: #link,
            link_with: #link_with,
            fields: &#private::fields(
                [#(#names),*],
                [#(#rust_names),*],
                [#(#rust_types),*],
                #classes,
                #fingerprinted,
                [#(#reasons),*],
                #has_reason,
                [#(#docs),*],
                #has_doc,
                #shapes,
                [#(#keys),*],
                &[#(#nested),*],
            ),
            kind: #kind,
            partial: #partial,
        })
    }
}

/// The schema's actions, `&[...]`: a const of its own, since an `Action` has
/// a destructor, so that an array of them is not promoted to `'static` in a
/// struct literal.
pub(crate) fn actions(private: &TokenStream, schema: &Schema<'_>) -> TokenStream {
    let actions = &schema.actions;
    quote!(&[#(#private::action(#actions)),*])
}

/// The schema's `says(...)` sentences: `&[]` when there are none, which
/// costs the const evaluator nothing, else one array or byte string per
/// member, as for the fields.
fn sentences_literal(private: &TokenStream, sentences: &[Sentence<'_>]) -> TokenStream {
    if sentences.is_empty() {
        return quote!(&[]);
    }
    let keys = sentences.iter().map(|sentence| &sentence.key);
    let conditions = byte_string(sentences.iter().map(|sentence| sentence.when.code()));
    let values = sentences.iter().map(|sentence| match &sentence.when {
        When::Equals { text, .. } => text.as_str(),
        When::Added | When::Removed | When::Changed => "",
    });
    let texts = sentences.iter().map(|sentence| &sentence.text);
    quote! {
        &#private::sentences(
            [#(#keys),*],
            #conditions,
            [#(#values),*],
            [#(#texts),*],
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
