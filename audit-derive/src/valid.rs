//! Checks what the attributes say against the struct: every field is
//! classified, diff keys are unique, and `id`, `target`, `org` and the link
//! placeholders name fields that may be recorded as text.

use syn::ext::IdentExt as _;
use syn::{Ident, LitStr, Path};

use crate::ast::{Container, Field};
use crate::attr::{self, Class, edit_distance};
use crate::case::snake_case;
use crate::ctxt::Ctxt;
use crate::link::{self, Piece};
use crate::symbol::{DEFAULT_TARGETS, ID};

/// The fields and functions the resource's id, target, organization and link
/// come from, as checked.
pub(crate) struct Resource<'c, 'a> {
    pub(crate) id: &'c Field<'a>,
    pub(crate) target: Target<'c, 'a>,
    pub(crate) org: Option<&'c Field<'a>>,
    pub(crate) link: Option<Link<'c, 'a>>,
}

pub(crate) enum Target<'c, 'a> {
    Field(&'c Field<'a>),
    With(&'c Path),
}

pub(crate) enum Link<'c, 'a> {
    Template(Vec<LinkPiece<'c, 'a>>),
    With(&'c Path),
}

pub(crate) enum LinkPiece<'c, 'a> {
    Text(String),
    Field(&'c Field<'a>),
}

/// Reports every problem of `cont` and returns the resource's parts as far
/// as they could be resolved; they are used only when nothing was reported.
pub(crate) fn check<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>) -> Option<Resource<'c, 'a>> {
    check_classified(cx, cont);
    check_unique_keys(cx, cont);
    for field in &cont.fields {
        check_modifiers(cx, field);
        check_serialized(cx, field);
    }
    if let Some(embedded) = &cont.attrs.embedded {
        check_embedded(cx, cont, embedded);
        return None;
    }
    let id = id_field(cx, cont);
    let target = target(cx, cont);
    let org = cont
        .attrs
        .org
        .as_ref()
        .and_then(|org| named_field(cx, cont, org, "org", "the organization"));
    let link = link(cx, cont);
    let id = id?;
    Some(Resource {
        id,
        target: target.unwrap_or(Target::Field(id)),
        org,
        link,
    })
}

fn check_classified(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        if field.attrs.classification.is_none() && !field.attrs.malformed {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "field `{}` of `{}` is not classified for the audit log; add `#[audit(track)]` to record its changes, `#[audit(secret)]` to record only that it changed, or `#[audit(ignore = \"why\")]` to leave it out",
                    field.rust_name, cont.ident,
                ),
            );
        }
    }
}

/// `entries` goes with `track` or `secret`, `key` with `nested`.
fn check_modifiers(cx: &Ctxt, field: &Field<'_>) {
    let class = field.class();
    if let Some(entries) = &field.attrs.entries
        && !matches!(class, Some(Class::Track | Class::Secret))
    {
        cx.error_spanned_by(
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
    if let Some(key) = &field.attrs.key
        && class != Some(Class::Nested)
    {
        cx.error_spanned_by(
            key,
            format!(
                "`key` matches the elements of a list of embedded structs, and goes with `nested`: `#[audit(nested, key = {key})]`"
            ),
        );
    }
    if class == Some(Class::Nested)
        && field.attrs.key.is_none()
        && last_segment(field.ty).is_some_and(|name| name == "Vec")
    {
        cx.error_spanned_by(
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
fn check_serialized(cx: &Ctxt, field: &Field<'_>) {
    if let (Some(skip), Some(Class::Track)) = (&field.attrs.serde_skip, field.class()) {
        cx.error_spanned_by(
            skip,
            format!(
                "field `{}` is left out of the struct's JSON by `#[serde({})]`, but `#[audit(track)]` records its value; choose what the audit log does with it: `#[audit(ignore = \"why\")]` to leave it out too, or `#[audit(secret)]` to record only that it changed",
                field.rust_name,
                skip.get_ident().map(ToString::to_string).unwrap_or_default(),
            ),
        );
    }
}

/// An embedded struct is no resource: it takes no resource attribute, and
/// its keys must read unambiguously inside a dotted path.
fn check_embedded(cx: &Ctxt, cont: &Container<'_>, embedded: &Ident) {
    let attrs = &cont.attrs;
    let resource_keys: [(&str, Option<&dyn quote::ToTokens>); 6] = [
        ("resource", attrs.resource.as_ref().map(|v| v as _)),
        ("id", attrs.id.as_ref().map(|v| v as _)),
        ("org", attrs.org.as_ref().map(|v| v as _)),
        (
            "target",
            attrs.target.as_ref().map(|target| match target {
                attr::Target::Field(ident) => ident as &dyn quote::ToTokens,
                attr::Target::With(path) => path as _,
            }),
        ),
        (
            "link",
            attrs.link.as_ref().map(|link| match link {
                attr::Link::Template(lit) => lit as &dyn quote::ToTokens,
                attr::Link::With(path) => path as _,
            }),
        ),
        (
            "actions",
            attrs
                .actions
                .as_ref()
                .and_then(|actions| actions.first())
                .map(|(ident, _)| ident as _),
        ),
    ];
    for (key, value) in resource_keys {
        if let Some(value) = value {
            cx.error_spanned_by(
                value,
                format!(
                    "`{key}` describes a resource, and `#[audit({embedded})]` makes `{}` part of one, recorded under the field that nests it: remove `{key}`, or remove `{embedded}` to audit `{}` as a resource of its own",
                    cont.ident, cont.ident,
                ),
            );
        }
    }
    for field in &cont.fields {
        if field.key.contains(['.', '[', '\'']) {
            let message = format!(
                "the diff key `{}` of a field of an embedded struct is part of a dotted path (`settings.{}`), where `.`, `[` and `'` would make it ambiguous; rename it with `#[audit(rename = \"key\")]`",
                field.key, field.key,
            );
            match (&field.attrs.rename, field.attrs.serde_rename_span) {
                (Some(rename), _) => cx.error_spanned_by(rename, message),
                (None, Some(span)) => cx.syn_error(syn::Error::new(span, message)),
                (None, None) => cx.error_spanned_by(field.ident, message),
            }
        }
    }
}

/// The last path segment of `ty`'s name: `Vec` for `std::vec::Vec<T>`.
pub(crate) fn last_segment(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn check_unique_keys(cx: &Ctxt, cont: &Container<'_>) {
    for (i, field) in cont.fields.iter().enumerate() {
        if let Some(first) = cont.fields[..i].iter().find(|f| f.key == field.key) {
            let message = format!(
                "field `{}` has the diff key `{}`, which field `{}` has already; give one of them another with `#[audit(rename = \"key\")]`",
                field.rust_name, field.key, first.rust_name,
            );
            match &field.attrs.rename {
                Some(rename) => cx.error_spanned_by(rename, message),
                None => cx.error_spanned_by(field.ident, message),
            }
        }
    }
}

fn id_field<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>) -> Option<&'c Field<'a>> {
    if let Some(id) = &cont.attrs.id {
        return named_field(cx, cont, id, "id", "the resource id")
            .and_then(|field| optional_id(cx, field));
    }
    let Some(field) = cont.field(ID) else {
        cx.error_spanned_by(cont.ident, missing_id_message(cont));
        return None;
    };
    if field.is_secret() {
        cx.error_spanned_by(
            field.ident,
            recorded_secret_message(field, "the resource id"),
        );
        return None;
    }
    optional_id(cx, field)
}

/// The id is recorded in every entry, so it must always be there.
fn optional_id<'c, 'a>(cx: &Ctxt, field: &'c Field<'a>) -> Option<&'c Field<'a>> {
    if last_segment(field.ty).is_some_and(|name| name == "Option") {
        cx.error_spanned_by(
            field.ty,
            format!(
                "the resource id is recorded in every entry, but `{}` is an `Option`, which has no text when it is `None`; audit the resource once it has its id (make the field non-optional, `{}`), or name a field that always has a value with `#[audit(id = field)]`",
                field.rust_name,
                crate::expand::option_inner(field.ty).map_or_else(String::new, |inner| {
                    format!("{}: {}", field.rust_name, quote::ToTokens::to_token_stream(inner))
                }),
            ),
        );
        return None;
    }
    Some(field)
}

fn missing_id_message(cont: &Container<'_>) -> String {
    let name = cont.ident.unraw();
    if cont.fields.is_empty() {
        return format!(
            "`{name}` has no fields, so nothing identifies the resource; add one, as in `#[audit(track)] id: u64`"
        );
    }
    // `chat_id` in `Chat`, else the only field that ends in `_id`.
    let own_id = format!("{}_id", snake_case(&name.to_string()));
    let ids: Vec<&Field<'_>> = cont
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
            cont.field_list(),
        ),
    }
}

/// `None` when the target is the id (the default), or when it was reported.
fn target<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>) -> Option<Target<'c, 'a>> {
    match &cont.attrs.target {
        Some(attr::Target::Field(ident)) => {
            named_field(cx, cont, ident, "target", "the resource target").map(Target::Field)
        }
        Some(attr::Target::With(path)) => Some(Target::With(path)),
        // A secret or ignored `title` is never the default target: its value
        // would leak into every entry.
        None => DEFAULT_TARGETS
            .iter()
            .filter_map(|name| cont.field(name))
            .find(|field| matches!(field.class(), Some(Class::Track | Class::Nested)))
            .map(Target::Field),
    }
}

/// `None` when the resource has no link, or when its template was reported.
fn link<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>) -> Option<Link<'c, 'a>> {
    let template = match &cont.attrs.link {
        None => return None,
        Some(attr::Link::With(path)) => return Some(Link::With(path)),
        Some(attr::Link::Template(template)) => template,
    };
    let pieces = match link::parse(&template.value()) {
        Ok(pieces) => pieces,
        Err(message) => {
            cx.error_spanned_by(template, message);
            return None;
        }
    };
    let mut resolved = Vec::with_capacity(pieces.len());
    let mut ok = true;
    for piece in pieces {
        match piece {
            Piece::Text(text) => resolved.push(LinkPiece::Text(text)),
            Piece::Field(name) => match placeholder_field(cx, cont, template, &name) {
                Some(field) => resolved.push(LinkPiece::Field(field)),
                None => ok = false,
            },
        }
    }
    ok.then_some(Link::Template(resolved))
}

fn placeholder_field<'c, 'a>(
    cx: &Ctxt,
    cont: &'c Container<'a>,
    template: &LitStr,
    name: &str,
) -> Option<&'c Field<'a>> {
    let Some(field) = cont.field(name) else {
        cx.error_spanned_by(
            template,
            format!(
                "link placeholder `{{{name}}}` is not a field of `{}`; {}",
                cont.ident,
                cont.field_list(),
            ),
        );
        return None;
    };
    if field.is_secret() {
        cx.error_spanned_by(template, recorded_secret_message(field, "the link"));
        return None;
    }
    Some(field)
}

/// The field `key = ident` names, which must exist and not be secret.
fn named_field<'c, 'a>(
    cx: &Ctxt,
    cont: &'c Container<'a>,
    ident: &Ident,
    key: &str,
    recorded_as: &str,
) -> Option<&'c Field<'a>> {
    let Some(field) = cont.field(&ident.to_string()) else {
        let name = ident.unraw().to_string();
        // `organization` for `organization_id`, `titel` for `title`.
        let suggestion = cont
            .fields
            .iter()
            .map(|field| (edit_distance(&name, &field.rust_name), field))
            .filter(|(distance, field)| {
                *distance <= 2
                    || field.rust_name.starts_with(&name)
                    || name.starts_with(&field.rust_name)
            })
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, field)| format!("did you mean `{}`? ", field.ident))
            .unwrap_or_default();
        cx.error_spanned_by(
            ident,
            format!(
                "`{key} = {ident}` names no field of `{}`; {suggestion}{}",
                cont.ident,
                cont.field_list(),
            ),
        );
        return None;
    };
    if field.is_secret() {
        cx.error_spanned_by(ident, recorded_secret_message(field, recorded_as));
        return None;
    }
    Some(field)
}

fn recorded_secret_message(field: &Field<'_>, recorded_as: &str) -> String {
    format!(
        "field `{}` is `#[audit(secret)]`, but {recorded_as} is recorded in every entry and would reveal it; name another field, or classify this one `track` or `ignore`",
        field.rust_name,
    )
}
