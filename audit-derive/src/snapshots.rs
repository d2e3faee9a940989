//! The code the derive writes, checked in: each fixture under
//! `tests/expand/valid` and `tests/expand/invalid` is expanded, pretty-printed,
//! and compared with the `.expanded.rs` file beside it, so that a reviewer
//! reads the generated code in the repository and a change to it shows in the
//! diff. `SNAPSHOTS=overwrite cargo test -p audit-derive` rewrites the files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use quote::ToTokens as _;

use crate::expand;

const OVERWRITE_VARIABLE: &str = "SNAPSHOTS";

#[test]
fn valid_expansions_match_their_snapshots() {
    check_dir("valid", false);
}

#[test]
fn invalid_expansions_match_their_snapshots() {
    check_dir("invalid", true);
}

fn check_dir(dir: &str, invalid: bool) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expand")
        .join(dir);
    let overwrite = env::var(OVERWRITE_VARIABLE).is_ok_and(|value| value == "overwrite");
    let mut stale = String::new();
    let fixtures = fixtures(&dir);
    assert!(!fixtures.is_empty(), "no fixture in {}", dir.display());
    for fixture in fixtures {
        let expanded = expand_file(&fixture);
        assert_eq!(
            expanded.contains("compile_error!"),
            invalid,
            "{}: a fixture under invalid/ is rejected, one under valid/ accepted",
            fixture.display(),
        );
        let snapshot = fixture.with_extension("expanded.rs");
        let checked_in = fs::read_to_string(&snapshot).unwrap_or_default();
        if checked_in == expanded {
            continue;
        }
        if overwrite {
            fs::write(&snapshot, &expanded).unwrap();
        } else {
            let diff = similar::TextDiff::from_lines(&checked_in, &expanded);
            let _ = writeln!(
                stale,
                "{} is stale:\n{}",
                snapshot.display(),
                diff.unified_diff()
                    .context_radius(3)
                    .header("checked in", "expanded"),
            );
        }
    }
    assert!(
        stale.is_empty(),
        "{stale}\nif the new expansion is right, rewrite the snapshots: \
         {OVERWRITE_VARIABLE}=overwrite cargo test -p audit-derive"
    );
}

/// The fixtures in `dir`, sorted; a snapshot without its fixture fails.
fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut fixtures = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if let Some(stem) = name.strip_suffix(".expanded.rs") {
            assert!(
                dir.join(format!("{stem}.rs")).exists(),
                "{} has no fixture; remove it",
                path.display()
            );
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            fixtures.push(path);
        }
    }
    fixtures.sort();
    fixtures
}

/// The derive's output for every `#[derive(Auditable)]` item of `fixture`.
fn expand_file(fixture: &Path) -> String {
    let source = fs::read_to_string(fixture).unwrap();
    let first_line = source.lines().next().unwrap_or_default();
    assert!(
        first_line.starts_with("// "),
        "{}: a fixture starts with a `//` comment saying what it shows",
        fixture.display()
    );
    let file = syn::parse_file(&source).unwrap();
    let mut expanded = proc_macro2::TokenStream::new();
    for item in &file.items {
        let attrs = match item {
            syn::Item::Struct(item) => &item.attrs,
            syn::Item::Enum(item) => &item.attrs,
            syn::Item::Union(item) => &item.attrs,
            _ => continue,
        };
        if derives_auditable(attrs) {
            let input: syn::DeriveInput = syn::parse2(item.to_token_stream()).unwrap();
            expanded.extend(expand::derive(&input));
        }
    }
    let name = fixture.file_name().unwrap().to_str().unwrap();
    let expanded: syn::File = syn::parse2(expanded).unwrap();
    format!(
        "// The expansion of {name}; rewritten by `{OVERWRITE_VARIABLE}=overwrite cargo test -p audit-derive`.\n{}",
        prettyplease::unparse(&expanded)
    )
}

fn derives_auditable(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let mut found = false;
        if attr.path().is_ident("derive") {
            attr.parse_nested_meta(|meta| {
                found |= meta.path.is_ident("Auditable");
                Ok(())
            })
            .unwrap();
        }
        found
    })
}
