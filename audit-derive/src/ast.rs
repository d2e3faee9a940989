//! A typed view of the derive input: the struct, its fields and their attributes.

use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Type};

use crate::attr;
use crate::ctxt::Ctxt;

/// The struct being derived.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    pub(crate) attrs: attr::Container,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One named field.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: attr::Field,
    /// The name in Rust, without a raw identifier's `r#`.
    pub(crate) rust_name: String,
    /// The key in the diff: `#[audit(rename)]`, else the serde name.
    pub(crate) key: String,
}

impl<'a> Container<'a> {
    /// Reads `input`; `None` when it is not a struct with named fields, which
    /// has been reported.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::Container::from_ast(cx, &input.attrs);
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => fields.named.iter().collect::<Vec<_>>(),
                Fields::Unit => Vec::new(),
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        format!(
                            "`#[derive(Auditable)]` needs named fields: every field is classified and recorded under its name; write `struct {} {{ field: Type, ... }}`",
                            input.ident
                        ),
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Auditable)]` works on structs only; audit the struct that holds this enum and classify the enum field there",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Auditable)]` works on structs only, not unions: a union's fields cannot be compared",
                );
                return None;
            }
        };
        let fields = fields
            .into_iter()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                let field_attrs = attr::Field::from_ast(cx, ident, &field.attrs);
                let rust_name = ident.unraw().to_string();
                let key = match (&field_attrs.rename, &field_attrs.serde_rename) {
                    (Some(rename), _) => rename.value(),
                    (None, Some(serde_rename)) => serde_rename.clone(),
                    (None, None) => match attrs.rename_all {
                        Some(rule) => rule.apply_to_field(&rust_name),
                        None => rust_name.clone(),
                    },
                };
                Some(Field {
                    ident,
                    ty: &field.ty,
                    attrs: field_attrs,
                    rust_name,
                    key,
                })
            })
            .collect();
        Some(Container {
            ident: &input.ident,
            generics: &input.generics,
            attrs,
            fields,
        })
    }

    /// The field whose Rust name is `name` (raw or not).
    pub(crate) fn field(&self, name: &str) -> Option<&Field<'a>> {
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.fields.iter().find(|field| field.rust_name == name)
    }

    /// The names of all fields, for error messages.
    pub(crate) fn field_list(&self) -> String {
        if self.fields.is_empty() {
            return "it has no fields".to_owned();
        }
        let names: Vec<String> = self
            .fields
            .iter()
            .map(|f| format!("`{}`", f.rust_name))
            .collect();
        format!("its fields are {}", names.join(", "))
    }
}

impl Field<'_> {
    /// The field's class; `None` only for a field already reported.
    pub(crate) fn class(&self) -> Option<attr::Class> {
        self.attrs.classification.as_ref().map(|c| c.class)
    }

    pub(crate) fn is_secret(&self) -> bool {
        self.class() == Some(attr::Class::Secret)
    }
}
