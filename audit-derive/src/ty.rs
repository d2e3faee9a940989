//! What the derive reads from a field's type: its text, its shape (an
//! `Option`, a map, a hashed collection), and whether it can hold a struct.

use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type};

/// `T` of a type written `Option<T>` (or with a path to `Option`).
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
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

/// Whether `ty` is written as a primitive, `String` or `str`, which hold no
/// auditable struct.
pub(crate) fn is_scalar(ty: &Type) -> bool {
    const SCALARS: &[&str] = &[
        "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
        "i128", "isize", "f32", "f64", "String", "str",
    ];
    let Type::Path(path) = ty else { return false };
    path.qself.is_none()
        && path
            .path
            .get_ident()
            .is_some_and(|ident| is_one_of(ident, SCALARS))
}

/// Whether `ty` is written as a primitive other than `String`, or an
/// `Option` of one: a type whose comparison is an instruction or two,
/// inlined where it is diffed. A `String`'s comparison, inlined into every
/// field of every struct, made the optimized bodies the largest part of a
/// release build's cost (see docs/performance.md).
pub(crate) fn is_cheap_to_compare(ty: &Type) -> bool {
    let primitive = |ty: &Type| is_scalar(ty) && !is_string(ty);
    primitive(ty) || option_inner(ty).is_some_and(primitive)
}

/// Whether `ty` is written `String`.
fn is_string(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.qself.is_none() && path.path.is_ident("String"))
}

/// Whether `ty` is written as a primitive, `String`, or a standard container
/// (`Option`, `Vec`, `VecDeque`, `Box`, `BTreeMap`, `BTreeSet`, `HashMap`,
/// `HashSet`) of such types only, `Option<Vec<String>>` say: none can hold
/// an auditable struct, so no probe is written for them.
pub(crate) fn holds_no_struct(ty: &Type) -> bool {
    const CONTAINERS: &[&str] = &[
        "Option", "Vec", "VecDeque", "Box", "BTreeMap", "BTreeSet", "HashMap", "HashSet",
    ];
    if is_scalar(ty) {
        return true;
    }
    let Type::Path(path) = ty else { return false };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if path.qself.is_some() || !is_one_of(&last.ident, CONTAINERS) {
        return false;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    !args.args.is_empty()
        && args.args.iter().all(|arg| match arg {
            GenericArgument::Type(inner) => holds_no_struct(inner),
            _ => false,
        })
}

/// The types `ty` holds that the derive does not look into: `ty` itself,
/// unless it is a tuple, an array, a slice, a reference or a standard
/// container, whose members are looked into instead
/// (`Option<(u8, Settings)>` holds `Settings`), leaving out primitives and
/// `String`: what the tracked field's probes ask about. A container is
/// known by its name, as [`holds_no_struct`] knows it; a type of the
/// user's is not looked into, and a type alias of a container is probed
/// whole, which `ContainsAudited`'s impls for the containers see through.
pub(crate) fn probed_leaves(ty: &Type) -> Vec<&Type> {
    const CONTAINERS: &[&str] = &[
        "Option",
        "Result",
        "Box",
        "Rc",
        "Arc",
        "Cow",
        "Vec",
        "VecDeque",
        "LinkedList",
        "BinaryHeap",
        "BTreeSet",
        "HashSet",
        "BTreeMap",
        "HashMap",
        "Cell",
        "RefCell",
        "Mutex",
        "RwLock",
        "OnceCell",
        "OnceLock",
        "Reverse",
        "Wrapping",
        "Saturating",
        "Pin",
        "Bound",
        "Range",
        "RangeInclusive",
        "RangeFrom",
        "RangeTo",
        "RangeToInclusive",
    ];
    let mut leaves = Vec::new();
    let mut pending = vec![ty];
    while let Some(ty) = pending.pop() {
        if is_scalar(ty) {
            continue;
        }
        match ty {
            Type::Path(path) if path.qself.is_none() => {
                let container = path
                    .path
                    .segments
                    .last()
                    .and_then(|last| match &last.arguments {
                        PathArguments::AngleBracketed(args)
                            if is_one_of(&last.ident, CONTAINERS) =>
                        {
                            Some(args)
                        }
                        _ => None,
                    });
                match container {
                    Some(args) => {
                        pending.extend(args.args.iter().rev().filter_map(|arg| match arg {
                            GenericArgument::Type(ty) => Some(ty),
                            _ => None,
                        }));
                    }
                    None => leaves.push(ty),
                }
            }
            Type::Tuple(tuple) => pending.extend(tuple.elems.iter().rev()),
            Type::Array(array) => pending.push(&array.elem),
            Type::Slice(slice) => pending.push(&slice.elem),
            Type::Reference(reference) => pending.push(&reference.elem),
            Type::Paren(paren) => pending.push(&paren.elem),
            Type::Group(group) => pending.push(&group.elem),
            _ => leaves.push(ty),
        }
    }
    leaves
}

/// Whether `ident` is one of `names`. Its text is asked once: in a proc
/// macro each `Ident == str` asks the compiler for the text again.
fn is_one_of(ident: &syn::Ident, names: &[&str]) -> bool {
    let text = ident.to_string();
    names.contains(&text.as_str())
}

/// A type as a person writes it: `Option<Vec<Uuid>>`, not `Option < Vec < Uuid > >`.
pub(crate) fn type_text(ty: &Type) -> String {
    tokens_text(ty)
}

/// `tokens` as a person writes them: `Status::Active`, not `Status :: Active`.
/// One pass over rustc's text, dropping a space after `::`, `<`, `&`, `[`
/// and `(`, and before `::`, `<`, `>`, `,`, `]`, `)` and `;`.
pub(crate) fn tokens_text(tokens: &impl ToTokens) -> String {
    let spaced = tokens.to_token_stream().to_string();
    let mut text = String::with_capacity(spaced.len());
    for (index, c) in spaced.char_indices() {
        if c == ' ' {
            let after = &spaced[index + 1..];
            let joins_previous = ["::", "<", "&", "[", "("]
                .iter()
                .any(|end| text.ends_with(end));
            let joins_next = ["::", "<", ">", ",", "]", ")", ";"]
                .iter()
                .any(|start| after.starts_with(start));
            if joins_previous || joins_next {
                continue;
            }
        }
        text.push(c);
    }
    text
}

/// The last path segment of `ty`'s name: `Vec` for `std::vec::Vec<T>`.
pub(crate) fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Whether `ty` is written as a map (`BTreeMap`, `HashMap`), or an `Option`
/// of one.
pub(crate) fn is_map(ty: &Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    last_segment(ty).is_some_and(|name| name.ends_with("Map"))
}

/// Whether `ty` is written as a `HashSet` or `HashMap`, or an `Option` of
/// one: a value whose iteration order is random, recorded sorted.
pub(crate) fn is_hashed(ty: &Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    last_segment(ty).is_some_and(|name| name == "HashSet" || name == "HashMap")
}

/// For a type with a hashed set below its top (`BTreeMap<String,
/// HashSet<String>>`), its shape as `__private::track_sorting_sets` reads it,
/// so that the set is recorded sorted: `s(..)` a hashed set or a
/// `BinaryHeap`, `l(..)` a list, `m(..)` a map's values, `o(..)` an `Option`
/// or a pointer, `t(..,..)` a tuple, `v` anything else. `None` for a type
/// with no such set, and for a `HashSet` or `HashMap` of plain values (or an
/// `Option` of one), which is recorded sorted as a whole. The shape is read
/// from the type as written: a set inside a type of the user's is not seen.
pub(crate) fn sets_shape(ty: &Type) -> Option<String> {
    let mut shape = String::new();
    write_shape(ty, &mut shape);
    let sets = shape.matches('s').count();
    let top_set = shape.trim_start_matches("o(").starts_with('s');
    (sets > 1 || (sets == 1 && !top_set)).then_some(shape)
}

fn write_shape(ty: &Type, shape: &mut String) {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                shape.push('v');
                return;
            };
            let args: Vec<&Type> = match &last.arguments {
                PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .filter_map(|arg| match arg {
                        GenericArgument::Type(ty) => Some(ty),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let name = last.ident.to_string();
            let (kind, inner) = match (name.as_str(), args.as_slice()) {
                ("HashSet" | "BinaryHeap", [element, ..]) => ('s', *element),
                ("Vec" | "VecDeque" | "LinkedList" | "BTreeSet", [element, ..]) => ('l', *element),
                ("HashMap" | "BTreeMap", [_, value, ..]) => ('m', *value),
                ("Option" | "Box" | "Rc" | "Arc" | "Cow" | "Reverse" | "Wrapping", [inner]) => {
                    ('o', *inner)
                }
                _ => {
                    shape.push('v');
                    return;
                }
            };
            shape.push(kind);
            shape.push('(');
            write_shape(inner, shape);
            shape.push(')');
        }
        Type::Array(array) => {
            shape.push_str("l(");
            write_shape(&array.elem, shape);
            shape.push(')');
        }
        Type::Slice(slice) => {
            shape.push_str("l(");
            write_shape(&slice.elem, shape);
            shape.push(')');
        }
        Type::Tuple(tuple) if !tuple.elems.is_empty() => {
            shape.push_str("t(");
            for (index, member) in tuple.elems.iter().enumerate() {
                if index > 0 {
                    shape.push(',');
                }
                write_shape(member, shape);
            }
            shape.push(')');
        }
        Type::Reference(reference) => write_shape(&reference.elem, shape),
        Type::Paren(paren) => write_shape(&paren.elem, shape),
        Type::Group(group) => write_shape(&group.elem, shape),
        _ => shape.push('v'),
    }
}

#[cfg(test)]
mod tests {
    use super::{option_inner, sets_shape, type_text};

    #[test]
    fn types_read_as_written() {
        let cases: [(syn::Type, &str); 8] = [
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
            (
                syn::parse_quote!(HashMap<(u8, u8), Vec<Option<String>>>),
                "HashMap<(u8, u8), Vec<Option<String>>>",
            ),
            (syn::parse_quote!(&'static [String]), "&'static [String]"),
            (
                syn::parse_quote!(<T as Trait>::Assoc),
                "<T as Trait>::Assoc",
            ),
        ];
        for (ty, expected) in cases {
            assert_eq!(type_text(&ty), expected);
        }
    }

    #[test]
    fn option_inner_reads_option_only() {
        let option: syn::Type = syn::parse_quote!(core::option::Option<u64>);
        assert_eq!(option_inner(&option).map(type_text).as_deref(), Some("u64"));
        let vec: syn::Type = syn::parse_quote!(Vec<u64>);
        assert!(option_inner(&vec).is_none());
    }

    #[test]
    fn sets_below_the_top_have_a_shape() {
        let cases: [(syn::Type, Option<&str>); 7] = [
            (
                syn::parse_quote!(BTreeMap<String, HashSet<String>>),
                Some("m(s(v))"),
            ),
            (
                syn::parse_quote!(HashMap<String, HashSet<u32>>),
                Some("m(s(v))"),
            ),
            (
                syn::parse_quote!(Vec<(u8, HashSet<u8>)>),
                Some("l(t(v,s(v)))"),
            ),
            (
                syn::parse_quote!(Option<Vec<HashSet<u8>>>),
                Some("o(l(s(v)))"),
            ),
            (syn::parse_quote!(HashSet<String>), None),
            (syn::parse_quote!(Option<HashMap<String, u8>>), None),
            (syn::parse_quote!(BTreeMap<String, Vec<u8>>), None),
        ];
        for (ty, expected) in cases {
            assert_eq!(sets_shape(&ty).as_deref(), expected, "{}", type_text(&ty));
        }
    }
}
