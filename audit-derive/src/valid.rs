//! Checks what the attributes say against the struct, and decides every
//! default: the result is the [`Model`] the impl is written from.
//!
//! Every field must be classified and have a unique diff key; `id`,
//! `target`, `org` and the link placeholders must name fields that may be
//! recorded as text. Every problem is reported; the model is built only when
//! there was none.

use std::borrow::Cow;

use proc_macro2::TokenStream;
use quote::ToTokens as _;
use syn::ext::IdentExt as _;
use syn::{DeriveInput, Ident, LitStr, Type};

use crate::ast::{self, Container};
use crate::attr;
use crate::case::snake_case;
use crate::error_store::ErrorSink;
use crate::generics;
use crate::link::{self, Piece};
use crate::meta::path_text;
use crate::model::{
    self, Checked, Class, Head, Link, LinkPiece, Model, Recorded, Resource, Schema, SecretRecord,
    Shape, Stub, Target,
};
use crate::sentence;
use crate::suggest;
use crate::symbol::{DEFAULT_ACTIONS, DEFAULT_TARGETS, ID};
use crate::ty;

/// Reads and checks `input`, reporting every problem to `sink`: the model
/// when there was none, else what the stub impl needs.
pub(crate) fn check<'a>(sink: &ErrorSink<'_>, input: &'a DeriveInput) -> Checked<'a> {
    let cont = Container::from_ast(sink, input);
    let head = Head {
        krate: cont
            .attrs
            .krate
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(::audit_core)),
        ident: cont.ident,
        generics: cont.generics,
    };
    let rust_name = cont.ident.unraw().to_string();
    let remote_path = cont.attrs.remote.clone();
    let Some(fields) = &cont.fields else {
        return Checked::Rejected(stub(head, rust_name, remote_path));
    };
    let st = Struct {
        cont: &cont,
        fields,
    };
    check_classified(sink, &st);
    let keys: Vec<String> = fields.iter().map(|field| diff_key(&cont, field)).collect();
    check_unique_keys(sink, fields, &keys);
    for field in fields {
        check_modifiers(sink, field);
        check_serialized(sink, field);
        check_recursive_key(sink, &st, field);
    }
    let embedded = cont.attrs.embedded.is_some();
    let remote = remote(sink, &cont);
    let resource = if let Some(keyword) = &cont.attrs.embedded {
        check_embedded(sink, &st, keyword, &keys);
        None
    } else {
        let id = id_field(sink, &st);
        let target = target(sink, &st);
        let org = cont
            .attrs
            .org
            .as_ref()
            .and_then(|org| named_field(sink, &st, org, "org", "the organization"))
            .map(|field| recorded(field, true));
        let link = link(sink, &st);
        id.map(|id| Resource {
            id,
            target: target.unwrap_or(Target::Field(id)),
            org,
            link,
        })
    };
    let (actions, past_forms) = if embedded {
        (Vec::new(), Vec::new())
    } else {
        actions(sink, &cont)
    };
    let schema_fields: Vec<model::Field<'_>> = fields
        .iter()
        .zip(keys)
        .filter_map(|(field, key)| schema_field(&st, field, key))
        .collect();
    // Checked whatever else was reported, so that one build shows every mistake.
    let sentences = sentence::check(sink, cont.ident, fields, &schema_fields, &actions, embedded);
    if sink.has_errors() || (!embedded && resource.is_none()) {
        return Checked::Rejected(stub(head, rust_name, remote_path));
    }
    let resource_type = resource_type(&cont, &rust_name);
    let schema = Schema {
        noun: match &cont.attrs.noun {
            Some(noun) => noun.value(),
            None if embedded => String::new(),
            None => resource_type.replace('_', " "),
        },
        resource_type,
        doc: cont.attrs.doc.clone(),
        actions,
        past_forms,
        sentences,
        requires_org: resource.as_ref().is_some_and(|r| r.org.is_some()),
        link: match &cont.attrs.link {
            Some(attr::Link::Template(template)) => Some(template.value()),
            Some(attr::Link::With(_)) | None => None,
        },
        link_with: match &cont.attrs.link {
            Some(attr::Link::With(path)) => Some(path_text(path)),
            Some(attr::Link::Template(_)) | None => None,
        },
        embedded,
        partial: cont
            .attrs
            .partial
            .as_ref()
            .map(|(_, reason)| reason.value()),
        fields: schema_fields,
        rust_name,
    };
    Checked::Accepted(Model {
        head,
        schema,
        resource,
        remote,
    })
}

/// The model of a rejected struct: a schema that names it and says nothing else.
fn stub(head: Head<'_>, rust_name: String, remote: Option<syn::Path>) -> Stub<'_> {
    Stub {
        head,
        remote,
        schema: Schema {
            resource_type: snake_case(&rust_name),
            rust_name,
            doc: None,
            actions: Vec::new(),
            past_forms: Vec::new(),
            noun: String::new(),
            sentences: Vec::new(),
            requires_org: false,
            link: None,
            link_with: None,
            embedded: false,
            partial: None,
            fields: Vec::new(),
        },
    }
}

/// A struct with named fields.
struct Struct<'c, 'a> {
    cont: &'c Container<'a>,
    fields: &'c [ast::Field<'a>],
}

impl<'c, 'a> Struct<'c, 'a> {
    /// The field whose Rust name is `name` (raw or not).
    fn field(&self, name: &str) -> Option<&'c ast::Field<'a>> {
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.fields.iter().find(|field| field.rust_name == name)
    }

    /// The names of all fields, for error messages.
    fn field_list(&self) -> String {
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

fn resource_type(cont: &Container<'_>, rust_name: &str) -> String {
    cont.attrs
        .resource
        .as_ref()
        .map_or_else(|| snake_case(rust_name), LitStr::value)
}

/// The declared actions, else the defaults, and the past form of each: the
/// declared one, else the built-in one; an action with neither is reported.
fn actions(sink: &ErrorSink<'_>, cont: &Container<'_>) -> (Vec<String>, Vec<String>) {
    let Some(declared) = &cont.attrs.actions else {
        let names = DEFAULT_ACTIONS
            .iter()
            .map(|&name| name.to_owned())
            .collect();
        let pasts = DEFAULT_ACTIONS
            .iter()
            .map(|&name| sentence::builtin_past(name).unwrap_or_default().to_owned())
            .collect();
        return (names, pasts);
    };
    let mut names = Vec::new();
    let mut pasts = Vec::new();
    for (ident, past) in declared {
        let name = ident.unraw().to_string();
        match past.as_ref().map(LitStr::value) {
            Some(past) => pasts.push(past),
            None => match sentence::builtin_past(&name) {
                Some(past) => pasts.push(past.to_owned()),
                None => sink.error_spanned_by(
                    ident,
                    format!(
                        "action `{name}` has no built-in past form, which the sentences auditors read need; write it: `{name} = \"...\"`, as in `share = \"shared\"`"
                    ),
                ),
            },
        }
        names.push(name);
    }
    (names, pasts)
}

/// The key of `field` in the diff: `#[audit(rename)]`, else its serde name.
fn diff_key(cont: &Container<'_>, field: &ast::Field<'_>) -> String {
    match (&field.attrs.rename, &field.attrs.serde_rename) {
        (Some(rename), _) => rename.value(),
        (None, Some(serde_rename)) => serde_rename.clone(),
        (None, None) => match cont.attrs.rename_all {
            Some(rule) => rule.apply_to_field(&field.rust_name),
            None => field.rust_name.clone(),
        },
    }
}

/// `remote = path::Type` and `partial = "why"`: a mirror of a resource,
/// not generic; `partial` only on a mirror.
fn remote(sink: &ErrorSink<'_>, cont: &Container<'_>) -> Option<model::Remote> {
    let attrs = &cont.attrs;
    let Some(path) = &attrs.remote else {
        if let Some((key, _)) = &attrs.partial {
            sink.error_spanned_by(
                key,
                "`partial` lets the mirror of a remote type leave out fields it cannot name, and goes with `remote`: `#[audit(remote = path::to::Type, partial = \"why\")]`; remove it",
            );
        }
        return None;
    };
    if let Some(embedded) = &attrs.embedded {
        sink.error_spanned_by(
            embedded,
            "`remote` mirrors a resource, and `embedded` makes the struct part of one: a remote type can only be audited as a resource; remove `embedded`",
        );
    }
    if !cont.generics.params.is_empty() {
        sink.error_spanned_by(
            cont.generics,
            format!(
                "the mirror `{}` of a remote type cannot be generic: write it for one instance of the type",
                cont.ident,
            ),
        );
    }
    Some(model::Remote {
        path: path.clone(),
        partial: attrs.partial.is_some(),
    })
}

/// The model of a classified field; `None` for an unclassified one, which
/// has been reported.
fn schema_field<'a>(
    st: &Struct<'_, 'a>,
    field: &ast::Field<'a>,
    key: String,
) -> Option<model::Field<'a>> {
    let classification = field.attrs.classification.as_ref()?;
    let class = classification.class;
    let names_generics = names_generics(st.cont, field.ty);
    let shape = match (class, &field.attrs.key) {
        (Class::Nested, None) if field.attrs.via.is_some() => Shape::Value,
        (Class::Nested, Some(key)) => Shape::Keyed {
            key: key.clone(),
            name: key.unraw().to_string(),
        },
        (Class::Nested, None) if ty::is_map(field.ty) => Shape::Entries,
        (Class::Nested, None) if ty::option_inner(field.ty).is_some() => Shape::Optional,
        _ if field.attrs.entries.is_some() => Shape::Entries,
        _ => Shape::Value,
    };
    Some(model::Field {
        canonical: class == Class::Track
            && field.attrs.entries.is_none()
            && ty::is_hashed(field.ty)
            && ty::sets_shape(field.ty).is_none(),
        sets_shape: match class {
            Class::Track if field.attrs.entries.is_none() => ty::sets_shape(field.ty),
            Class::Track | Class::Ignore | Class::Secret | Class::Nested => None,
        },
        nested_schema: class == Class::Nested
            && !names_generics
            && !mentions_self(field.ty, st.cont.ident),
        names_generics,
        // Only what is checked outside the impl: a tracked field, a keyed list.
        checked_ty: match (class, &field.attrs.key) {
            (_, Some(_)) if mentions_self(field.ty, st.cont.ident) => None,
            (Class::Track, _) | (_, Some(_)) => checked_ty(st.cont, field.ty),
            _ => None,
        },
        shape,
        secret_record: if class == Class::Secret
            && field.attrs.fingerprint.is_some()
            && field.attrs.entries.is_none()
        {
            SecretRecord::Fingerprinted
        } else {
            SecretRecord::Plain
        },
        via: field.attrs.via.clone(),
        member: field.ident,
        ty: field.ty,
        key,
        rust_name: field.rust_name.clone(),
        type_text: ty::type_text(field.ty),
        class,
        reason: classification.reason.as_ref().map(LitStr::value),
        doc: field.attrs.doc.clone(),
        // Only a tracked field's value is serialized.
        serialize_with: match class {
            Class::Track if field.attrs.entries.is_none() => field.attrs.serialize_with.clone(),
            Class::Track | Class::Ignore | Class::Secret | Class::Nested => None,
        },
    })
}

/// `field` recorded as text; an `Option` field only when `Some`, if
/// `optional` is allowed where it is recorded.
fn recorded<'a>(field: &ast::Field<'a>, optional: bool) -> Recorded<'a> {
    Recorded {
        member: field.ident,
        ty: field.ty,
        optional: if optional {
            ty::option_inner(field.ty)
        } else {
            None
        },
    }
}

fn check_classified(sink: &ErrorSink<'_>, st: &Struct<'_, '_>) {
    for field in st.fields {
        if field.attrs.classification.is_none() && !field.attrs.malformed {
            sink.error_spanned_by(
                field.ident,
                format!(
                    "field `{}` of `{}` is not classified for the audit log; add `#[audit(track)]` to record its changes, `#[audit(secret)]` to record only that it changed, or `#[audit(ignore = \"why\")]` to leave it out",
                    field.rust_name, st.cont.ident,
                ),
            );
        }
    }
}

fn check_unique_keys(sink: &ErrorSink<'_>, fields: &[ast::Field<'_>], keys: &[String]) {
    for (i, (field, key)) in fields.iter().zip(keys).enumerate() {
        if let Some(first) = keys[..i].iter().position(|seen| seen == key) {
            let message = format!(
                "field `{}` has the diff key `{key}`, which field `{}` has already; give one of them another with `#[audit(rename = \"key\")]`",
                field.rust_name, fields[first].rust_name,
            );
            match &field.attrs.rename {
                Some(rename) => sink.error_spanned_by(rename, message),
                None => sink.error_spanned_by(field.ident, message),
            }
        }
    }
}

fn id_field<'a>(sink: &ErrorSink<'_>, st: &Struct<'_, 'a>) -> Option<Recorded<'a>> {
    if let Some(id) = &st.cont.attrs.id {
        return named_field(sink, st, id, "id", "the resource id")
            .and_then(|field| optional_id(sink, field))
            .map(|f| recorded(f, false));
    }
    let Some(field) = st.field(ID) else {
        sink.error_spanned_by(st.cont.ident, missing_id_message(st));
        return None;
    };
    if field.is_secret() {
        sink.error_spanned_by(
            field.ident,
            recorded_secret_message(field, "the resource id"),
        );
        return None;
    }
    optional_id(sink, field).map(|field| recorded(field, false))
}

/// The id is recorded in every entry, so it must always be there.
fn optional_id<'c, 'a>(
    sink: &ErrorSink<'_>,
    field: &'c ast::Field<'a>,
) -> Option<&'c ast::Field<'a>> {
    let Some(inner) = ty::option_inner(field.ty) else {
        return Some(field);
    };
    sink.error_spanned_by(
        field.ty,
        format!(
            "the resource id is recorded in every entry, but `{}` is an `Option`, which has no text when it is `None`; audit the resource once it has its id (make the field non-optional, `{}: {}`), or name a field that always has a value with `#[audit(id = field)]`",
            field.rust_name,
            field.rust_name,
            ty::type_text(inner),
        ),
    );
    None
}

fn missing_id_message(st: &Struct<'_, '_>) -> String {
    let name = st.cont.ident.unraw();
    if st.fields.is_empty() {
        return format!(
            "`{name}` has no fields, so nothing identifies the resource; add one, as in `#[audit(track)] id: u64`"
        );
    }
    // `chat_id` in `Chat`, else the only field that ends in `_id`.
    let own_id = format!("{}_id", snake_case(&name.to_string()));
    let ids: Vec<&ast::Field<'_>> = st
        .fields
        .iter()
        .filter(|field| field.rust_name.ends_with("_id"))
        .collect();
    let candidate = ids
        .iter()
        .find(|field| field.rust_name == own_id)
        .or(if ids.len() == 1 { ids.first() } else { None });
    match candidate {
        Some(field) => format!(
            "`{name}` has no field named `id`; name the field that identifies the resource: `#[audit(id = {})]`",
            field.ident,
        ),
        None => format!(
            "`{name}` has no field named `id`; name the field that identifies the resource with `#[audit(id = field)]` ({})",
            st.field_list(),
        ),
    }
}

/// `None` when the target is the id (the default), or when it was reported.
fn target<'a>(sink: &ErrorSink<'_>, st: &Struct<'_, 'a>) -> Option<Target<'a>> {
    match &st.cont.attrs.target {
        Some(attr::Target::Field(ident)) => {
            named_field(sink, st, ident, "target", "the resource target")
                .map(|field| Target::Field(recorded(field, false)))
        }
        Some(attr::Target::With(path)) => Some(Target::With(path.clone())),
        // Only a tracked `name` or `title` is the default target: a secret
        // or ignored one's value would leak into every entry, and a nested
        // one's `Display` may show its secret fields.
        None => DEFAULT_TARGETS
            .iter()
            .filter_map(|name| st.field(name))
            .find(|field| {
                field
                    .attrs
                    .classification
                    .as_ref()
                    .is_some_and(|c| c.class == Class::Track)
            })
            .map(|field| Target::Field(recorded(field, false))),
    }
}

/// `None` when the resource has no link, or when its template was reported.
fn link<'a>(sink: &ErrorSink<'_>, st: &Struct<'_, 'a>) -> Option<Link<'a>> {
    let template = match &st.cont.attrs.link {
        None => return None,
        Some(attr::Link::With(path)) => return Some(Link::With(path.clone())),
        Some(attr::Link::Template(template)) => template,
    };
    let pieces = match link::parse(&template.value()) {
        Ok(pieces) => pieces,
        Err(message) => {
            sink.error_spanned_by(template, message);
            return None;
        }
    };
    let link_sink = sink.new_child();
    let resolved = pieces
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Text(text) => Some(LinkPiece::Text(text)),
            Piece::Field(name) => placeholder_field(&link_sink, st, template, &name)
                .map(|field| LinkPiece::Field(recorded(field, true))),
        })
        .collect();
    (!link_sink.has_errors()).then_some(Link::Template(resolved))
}

fn placeholder_field<'c, 'a>(
    sink: &ErrorSink<'_>,
    st: &Struct<'c, 'a>,
    template: &LitStr,
    name: &str,
) -> Option<&'c ast::Field<'a>> {
    let Some(field) = st.field(name) else {
        sink.error_spanned_by(
            template,
            format!(
                "link placeholder `{{{name}}}` is not a field of `{}`; {}",
                st.cont.ident,
                st.field_list(),
            ),
        );
        return None;
    };
    if field.is_secret() {
        sink.error_spanned_by(template, recorded_secret_message(field, "the link"));
        return None;
    }
    if field.is_nested() {
        sink.error_spanned_by(template, recorded_nested_message(field, "the link"));
        return None;
    }
    Some(field)
}

/// The field `key = ident` names, which must exist and not be secret.
fn named_field<'c, 'a>(
    sink: &ErrorSink<'_>,
    st: &Struct<'c, 'a>,
    ident: &Ident,
    key: &str,
    recorded_as: &str,
) -> Option<&'c ast::Field<'a>> {
    let Some(field) = st.field(&ident.to_string()) else {
        let name = ident.unraw().to_string();
        let names = st.fields.iter().map(|field| field.rust_name.as_str());
        let suggestion = suggest::field(&name, names)
            .and_then(|rust_name| st.field(rust_name))
            .map(|field| field.ident.to_string());
        sink.error_spanned_by(
            ident,
            format!(
                "`{key} = {ident}` names no field of `{}`; {}{}",
                st.cont.ident,
                suggest::did_you_mean(suggestion.as_deref()),
                st.field_list(),
            ),
        );
        return None;
    };
    if field.is_secret() {
        sink.error_spanned_by(ident, recorded_secret_message(field, recorded_as));
        return None;
    }
    if field.is_nested() {
        sink.error_spanned_by(ident, recorded_nested_message(field, recorded_as));
        return None;
    }
    Some(field)
}

fn recorded_nested_message(field: &ast::Field<'_>, recorded_as: &str) -> String {
    format!(
        "field `{}` is `#[audit(nested)]`: its fields are classified one by one, but {recorded_as} is recorded whole in every entry, as its `Display` writes it, which may show the secret ones; name a tracked field",
        field.rust_name,
    )
}

fn recorded_secret_message(field: &ast::Field<'_>, recorded_as: &str) -> String {
    format!(
        "field `{}` is `#[audit(secret)]`, but {recorded_as} is recorded in every entry and would reveal it; name another field, or classify this one `track` or `ignore`",
        field.rust_name,
    )
}

/// A keyed list of the struct itself (a tree) is keyed by one of the
/// struct's own fields, which must be tracked: the check the derive writes
/// for other lists names the elements' schema, which here is being written.
fn check_recursive_key(sink: &ErrorSink<'_>, st: &Struct<'_, '_>, field: &ast::Field<'_>) {
    let Some(key) = &field.attrs.key else {
        return;
    };
    if !mentions_self(field.ty, st.cont.ident) {
        return;
    }
    let name = key.unraw().to_string();
    let tracked = st.field(&name).is_some_and(|keyed| {
        keyed
            .attrs
            .classification
            .as_ref()
            .is_some_and(|c| c.class == Class::Track)
    });
    if !tracked {
        sink.error_spanned_by(
            key,
            format!(
                "the list `{list}` is keyed by `{name}`, which is not a tracked field of its elements: the key's value is written into the path of every change (`{list}[{name}=...]`), so a secret or ignored one would be recorded; key the list by a tracked field, or classify `{name}` `#[audit(track)]`",
                list = field.rust_name,
            ),
        );
    }
}

/// `entries` goes with `track` or `secret`, `key` with `nested`, and a list
/// of nested structs needs a key.
fn check_modifiers(sink: &ErrorSink<'_>, field: &ast::Field<'_>) {
    let class = field.attrs.classification.as_ref().map(|c| c.class);
    if let Some(entries) = &field.attrs.entries
        && !matches!(class, Some(Class::Track | Class::Secret))
    {
        sink.error_spanned_by(
            entries,
            format!(
                "`entries` records a map or set of plain values entry by entry, and goes with `track` or `secret`: `#[audit(track, entries)]`; {}",
                if class == Some(Class::Nested) {
                    "a map of embedded structs is recorded per entry by `#[audit(nested)]` alone"
                } else {
                    "an ignored field is never read"
                }
            ),
        );
    }
    if let Some(fingerprint) = &field.attrs.fingerprint {
        if class == Some(Class::Secret) && field.attrs.entries.is_some() {
            sink.error_spanned_by(
                fingerprint,
                "`fingerprint` records keyed fingerprints of a secret recorded as one value, not of a map's entries: remove `entries` to fingerprint the whole map, or remove `fingerprint`",
            );
        } else if class != Some(Class::Secret) {
            sink.error_spanned_by(
                fingerprint,
                format!(
                    "`fingerprint` only applies to a secret field: it records keyed fingerprints of the secret's values; write `#[audit(secret = \"why\", fingerprint)]`, or remove `fingerprint`{}",
                    match class {
                        Some(Class::Track) => ": a tracked field records its values already",
                        Some(Class::Nested) => ": classify the nested struct's secret fields `fingerprint` instead",
                        _ => "",
                    }
                ),
            );
        }
    }
    if let Some(key) = &field.attrs.key
        && class != Some(Class::Nested)
    {
        sink.error_spanned_by(
            key,
            format!(
                "`key` matches the elements of a list of embedded structs, and goes with `nested`: `#[audit(nested, key = {key})]`"
            ),
        );
    }
    if let Some(via) = &field.attrs.via {
        if class != Some(Class::Nested) {
            sink.error_spanned_by(
                via,
                "`via` names the mirror a remote type is audited through, and goes with `nested`: `#[audit(nested, via = Mirror)]`",
            );
        } else if let Some(key) = &field.attrs.key {
            sink.error_spanned_by(
                key,
                "`via` diffs one value of a remote type through its mirror, and a keyed list of remote values is not supported: remove `key`",
            );
        }
    }
    if class == Some(Class::Nested)
        && field.attrs.via.is_none()
        && field.attrs.key.is_none()
        && ty::last_segment(field.ty).is_some_and(|name| name == "Vec")
    {
        sink.error_spanned_by(
            field.ty,
            format!(
                "a list of embedded structs is diffed element by element, matched by a key field of theirs: write `#[audit(nested, key = id)]` on `{}`, naming that field; or `#[audit(track)]` to record the list as one value",
                field.rust_name
            ),
        );
    }
}

/// A tracked field must be one serde writes: otherwise the audit log would
/// hold a value the struct's own JSON leaves out.
fn check_serialized(sink: &ErrorSink<'_>, field: &ast::Field<'_>) {
    let class = field.attrs.classification.as_ref().map(|c| c.class);
    if let (Some(skip), Some(Class::Track)) = (&field.attrs.serde_skip, class) {
        sink.error_spanned_by(
            skip,
            format!(
                "field `{}` is left out of the struct's JSON by `#[serde({})]`, but `#[audit(track)]` records its value; choose what the audit log does with it: `#[audit(ignore = \"why\")]` to leave it out too, or `#[audit(secret)]` to record only that it changed",
                field.rust_name,
                meta_text(skip),
            ),
        );
    }
}

fn meta_text(path: &syn::Path) -> String {
    path.get_ident()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// An embedded struct is no resource: it takes no resource attribute, and
/// its keys must read unambiguously inside a dotted path.
fn check_embedded(sink: &ErrorSink<'_>, st: &Struct<'_, '_>, keyword: &Ident, keys: &[String]) {
    let attrs = &st.cont.attrs;
    let ident = st.cont.ident;
    let mut resource_keys: Vec<(&str, TokenStream)> = Vec::new();
    if let Some(value) = &attrs.resource {
        resource_keys.push(("resource", value.to_token_stream()));
    }
    if let Some(value) = &attrs.id {
        resource_keys.push(("id", value.to_token_stream()));
    }
    if let Some(value) = &attrs.org {
        resource_keys.push(("org", value.to_token_stream()));
    }
    match &attrs.target {
        Some(attr::Target::Field(value)) => resource_keys.push(("target", value.to_token_stream())),
        Some(attr::Target::With(value)) => {
            resource_keys.push(("target_with", value.to_token_stream()));
        }
        None => {}
    }
    match &attrs.link {
        Some(attr::Link::Template(value)) => resource_keys.push(("link", value.to_token_stream())),
        Some(attr::Link::With(value)) => resource_keys.push(("link_with", value.to_token_stream())),
        None => {}
    }
    if let Some((first, _)) = attrs.actions.as_ref().and_then(|actions| actions.first()) {
        resource_keys.push(("actions", first.to_token_stream()));
    }
    if let Some(value) = &attrs.noun {
        resource_keys.push(("noun", value.to_token_stream()));
    }
    for (key, value) in resource_keys {
        sink.error_spanned_by(
            value,
            format!(
                "`{key}` describes a resource, and `#[audit({keyword})]` makes `{ident}` part of one, recorded under the field that nests it: remove `{key}`, or remove `{keyword}` to audit `{ident}` as a resource of its own",
            ),
        );
    }
    for (field, key) in st.fields.iter().zip(keys) {
        if key.contains(['.', '[', '\'']) {
            let message = format!(
                "the diff key `{key}` of a field of an embedded struct is part of a dotted path (`settings.{key}`), where `.`, `[` and `'` would make it ambiguous; rename it with `#[audit(rename = \"key\")]`",
            );
            match (&field.attrs.rename, field.attrs.serde_rename_span) {
                (Some(rename), _) => sink.error_spanned_by(rename, message),
                (None, Some(span)) => sink.push(syn::Error::new(span, message)),
                (None, None) => sink.error_spanned_by(field.ident, message),
            }
        }
    }
}

/// Whether `ty` names `ident` or `Self`: a field of a recursive struct.
fn mentions_self(ty: &Type, ident: &Ident) -> bool {
    generics::mentions_any(
        ty.to_token_stream(),
        &[ident.to_string(), "Self".to_owned()],
    )
}

/// `ty` as the checks outside the impl name it: the struct's lifetimes made
/// `'static`; `None` when it names a type or const parameter.
fn checked_ty<'a>(cont: &Container<'_>, ty: &'a Type) -> Option<Cow<'a, Type>> {
    // Most structs are not generic: their field types are written as they are.
    if cont.generics.params.is_empty() {
        return Some(Cow::Borrowed(ty));
    }
    let params: Vec<String> = cont
        .generics
        .type_params()
        .map(|param| param.ident.to_string())
        .chain(cont.generics.const_params().map(|p| p.ident.to_string()))
        .collect();
    if generics::mentions_any(ty.to_token_stream(), &params) {
        return None;
    }
    let lifetimes: Vec<String> = cont
        .generics
        .lifetimes()
        .map(|p| p.lifetime.ident.to_string())
        .collect();
    if lifetimes.is_empty() {
        return Some(Cow::Borrowed(ty));
    }
    syn::parse2(generics::with_static_lifetimes(
        ty.to_token_stream(),
        &lifetimes,
    ))
    .ok()
    .map(Cow::Owned)
}

/// Whether `ty` names a type or const parameter or a lifetime of the
/// struct, so that it cannot be written outside the impl.
fn names_generics(cont: &Container<'_>, ty: &Type) -> bool {
    let params: Vec<String> = cont
        .generics
        .type_params()
        .map(|param| param.ident.to_string())
        .chain(cont.generics.const_params().map(|p| p.ident.to_string()))
        .chain(
            cont.generics
                .lifetimes()
                .map(|p| p.lifetime.ident.to_string()),
        )
        .collect();
    generics::mentions_any(ty.to_token_stream(), &params)
}
