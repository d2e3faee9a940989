//! The rules of audit-core's wings (see the layout note in `src/lib.rs` and the
//! second release's review, section 5), checked on the source: every
//! `crate::` path outside comments names the wing it depends on.
//!
//! 1. `model/`, `diff/` and `chain/` import nothing from `entry/`, `sink/`,
//!    `writer/`, `store/` or `axum/`.
//! 2. The entry itself (`entry/mod.rs`, `entry/context.rs`) never imports
//!    `sink/`; the guards beside it deliver to sinks, and `sink/` imports
//!    `entry/`.
//! 3. Nothing imports `private/` (what generated code calls); it imports
//!    `diff/` and `model/`, and beyond them only what generated code needs
//!    of the upper wings: an entry's sentence (`entry::sentence`,
//!    `AuditEntry`) and the schema registry (`docs::registry`).
//! 4. `writer/` knows no file and no SQL.
//! 5. Only `entry/context.rs` decides flags and commit rules.
//! 6. Internal code imports from the defining module, never through the
//!    root's re-exports (`crate::AuditEntry`).

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, as (path relative to `src/`, code without
/// comment lines).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let code = fs::read_to_string(&path)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            (name, code)
        })
        .collect()
}

/// The wings `code` names through `crate::` paths (and `$crate::` in macros).
fn wings_used(code: &str) -> Vec<String> {
    let mut wings = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !wings.contains(&name) {
            wings.push(name);
        }
    }
    wings
}

fn wing_of(file: &str) -> &str {
    file.split('/').next().unwrap().trim_end_matches(".rs")
}

fn violations(check: impl Fn(&str, &str) -> Option<String>) -> Vec<String> {
    sources()
        .iter()
        .filter_map(|(file, code)| check(file, code))
        .collect()
}

#[test]
fn the_lower_floors_import_nothing_from_the_upper_ones() {
    let found = violations(|file, code| {
        if !["model", "diff", "chain"].contains(&wing_of(file)) {
            return None;
        }
        let upper: Vec<_> = wings_used(code)
            .into_iter()
            .filter(|wing| ["entry", "sink", "writer", "store", "axum"].contains(&wing.as_str()))
            .collect();
        (!upper.is_empty()).then(|| format!("{file} imports {upper:?}"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_entry_never_imports_the_sinks() {
    let found = violations(|file, code| {
        let entry_itself = file == "entry/mod.rs" || file == "entry/context.rs";
        (entry_itself && wings_used(code).iter().any(|wing| wing == "sink"))
            .then(|| format!("{file} imports sink/"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn nothing_imports_what_generated_code_calls() {
    let found = violations(|file, code| {
        let uses_private = wings_used(code)
            .iter()
            .any(|wing| wing == "__private" || wing == "private");
        (wing_of(file) != "private" && uses_private).then(|| format!("{file} imports private/"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn what_generated_code_calls_imports_the_model_and_the_diff() {
    let allowed = [
        "crate::diff",
        "crate::model",
        "crate::private",
        "crate::entry::sentence::",
        "crate::entry::AuditEntry",
        "crate::docs::registry::",
        "crate::__audit_register_schema",
    ];
    let found = violations(|file, code| {
        if wing_of(file) != "private" {
            return None;
        }
        let others: Vec<_> = code
            .match_indices("crate::")
            .filter(|(at, _)| !code[..*at].ends_with('$'))
            .map(|(at, _)| &code[at..])
            .filter(|path| !allowed.iter().any(|allowed| path.starts_with(allowed)))
            .map(|path| path.lines().next().unwrap_or_default().to_owned())
            .collect();
        (!others.is_empty()).then(|| format!("{file} imports {others:?}"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_writer_knows_no_file_and_no_sql() {
    let found = violations(|file, code| {
        if wing_of(file) != "writer" {
            return None;
        }
        let knows = [
            "std::fs",
            "File",
            "rusqlite",
            "sqlx",
            "crate::store",
            "json_lines",
        ]
        .into_iter()
        .filter(|name| code.contains(name))
        .collect::<Vec<_>>();
        (!knows.is_empty()).then(|| format!("{file} knows {knows:?}"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn only_the_context_decides_flags() {
    let found = violations(|file, code| {
        // A query that filters on stored statuses (`status_code < 400`) reads
        // what was decided; `code < 400` and pushing a flag decide it.
        let decides = code.contains("flags.push(") || code.contains(" code < 400");
        (decides && file != "entry/context.rs").then(|| format!("{file} decides flags"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

/// The modules defined at the top of `src/`: the wings, and the few files
/// beside them.
fn top_modules() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    fs::read_dir(&src)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "lib")
        .collect()
}

/// The macros exported at the root (`#[macro_export]`), which are defined
/// there whatever file writes them.
fn exported_macros() -> Vec<String> {
    let mut names = Vec::new();
    for (_, code) in sources() {
        for (at, _) in code.match_indices("#[macro_export]") {
            let rest = &code[at..];
            if let Some(start) = rest.find("macro_rules!") {
                let name: String = rest[start + "macro_rules!".len()..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
    }
    names
}

#[test]
fn internal_code_imports_from_the_defining_module() {
    let mut modules = top_modules();
    modules.extend(exported_macros());
    assert!(
        modules.iter().any(|module| module == "entry"),
        "{modules:?}"
    );
    let found = violations(|file, code| {
        // `crate::Name`, `crate::{...}` and `crate::json_lines` (the root's
        // alias of `sink::json_lines`) go through the root; a path starts at
        // a module that defines what it names (or at an exported macro,
        // which the root defines). `$crate::__private` is how exported
        // macros reach `private/` from other crates.
        let through_root: Vec<_> = code
            .match_indices("crate::")
            .filter(|(at, _)| {
                let name: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '{')
                    .collect();
                !modules.contains(&name) && name != "__private"
            })
            .map(|(at, _)| code[at..].lines().next().unwrap_or_default().to_owned())
            .collect();
        (file != "lib.rs" && !through_root.is_empty()).then(|| format!("{file}: {through_root:?}"))
    });
    assert!(found.is_empty(), "{found:#?}");
}
