//! A typed view of the derive input: the struct, its fields and their attributes.

use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Type};

use crate::attr;
use crate::error_store::ErrorSink;

/// The item being derived.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    pub(crate) attrs: attr::Container,
    /// `None` when the item is not a struct with named fields, which has
    /// been reported.
    pub(crate) fields: Option<Vec<Field<'a>>>,
}

/// One named field.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: attr::Field,
    /// The name in Rust, without a raw identifier's `r#`.
    pub(crate) rust_name: String,
}

impl<'a> Container<'a> {
    /// Reads `input`, reporting every malformed attribute and an item that
    /// is not a struct with named fields.
    pub(crate) fn from_ast(sink: &ErrorSink<'_>, input: &'a DeriveInput) -> Self {
        let attrs = attr::Container::from_ast(sink, &input.attrs);
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => Some(fields.named.iter().collect::<Vec<_>>()),
                Fields::Unit => Some(Vec::new()),
                Fields::Unnamed(fields) => {
                    sink.error_spanned_by(
                        fields,
                        format!(
                            "`#[derive(Auditable)]` needs named fields: every field is classified and recorded under its name; write `struct {} {{ field: Type, ... }}`",
                            input.ident
                        ),
                    );
                    None
                }
            },
            Data::Enum(data) => {
                sink.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Auditable)]` works on structs only; audit the struct that holds this enum and classify the enum field there",
                );
                None
            }
            Data::Union(data) => {
                sink.error_spanned_by(
                    data.union_token,
                    "`#[derive(Auditable)]` works on structs only, not unions: a union's fields cannot be compared",
                );
                None
            }
        };
        let fields = fields.map(|fields| {
            fields
                .into_iter()
                .filter_map(|field| {
                    let ident = field.ident.as_ref()?;
                    Some(Field {
                        ident,
                        ty: &field.ty,
                        attrs: attr::Field::from_ast(sink, ident, &field.attrs),
                        rust_name: ident.unraw().to_string(),
                    })
                })
                .collect()
        });
        Container {
            ident: &input.ident,
            generics: &input.generics,
            attrs,
            fields,
        }
    }
}

impl Field<'_> {
    pub(crate) fn is_secret(&self) -> bool {
        self.attrs
            .classification
            .as_ref()
            .is_some_and(|classification| classification.class == crate::model::Class::Secret)
    }

    pub(crate) fn is_nested(&self) -> bool {
        self.attrs
            .classification
            .as_ref()
            .is_some_and(|classification| classification.class == crate::model::Class::Nested)
    }
}
