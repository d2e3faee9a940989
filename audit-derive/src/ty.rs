//! What the derive reads from a field's type: its text, its shape (an
//! `Option`, a map, a hashed collection), and whether it can hold a struct.

use quote::ToTokens as _;
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

/// Whether `ty` is written as a primitive or `String`, which holds no
/// auditable struct.
pub(crate) fn is_scalar(ty: &Type) -> bool {
    const SCALARS: &[&str] = &[
        "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
        "i128", "isize", "f32", "f64", "String",
    ];
    let Type::Path(path) = ty else { return false };
    path.qself.is_none()
        && path
            .path
            .get_ident()
            .is_some_and(|ident| SCALARS.iter().any(|s| ident == s))
}

/// Whether `ty` is written as a primitive, `String`, or an `Option` of one:
/// a type whose comparison is a few instructions, inlined where it is diffed.
pub(crate) fn is_cheap_to_compare(ty: &Type) -> bool {
    is_scalar(ty) || option_inner(ty).is_some_and(is_scalar)
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
    if path.qself.is_some() || !CONTAINERS.iter().any(|name| last.ident == name) {
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

/// A type as a person writes it: `Option<Vec<Uuid>>`, not `Option < Vec < Uuid > >`.
pub(crate) fn type_text(ty: &Type) -> String {
    let mut text = ty.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        ("[ ", "["),
        (" ]", "]"),
        ("( ", "("),
        (" )", ")"),
        (" ;", ";"),
    ] {
        text = text.replace(from, to);
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

#[cfg(test)]
mod tests {
    use super::{option_inner, type_text};

    #[test]
    fn types_read_as_written() {
        let cases: [(syn::Type, &str); 5] = [
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
}
