//! The Markdown rendering: a section per resource, a table row per field.

use std::fmt::{self, Display, Formatter};

use crate::model::action::Action;
use crate::model::schema::{FieldClass, FieldSchema, FieldShape, Schema, SentenceCondition};

const INTRODUCTION: &str = "\
# Audit log reference

<!-- Generated from the #[audit(...)] attributes by audit_core::docs: do not edit by hand. -->

Every resource written to the audit log: the actions recorded for it, whether
each entry names an organization, and for every field what a change records.

- `track`: a change is recorded with the old and the new value.
- `secret`: a change is recorded, never the values.
- `ignore`: a change is not recorded.
";

/// Explains the sentences, after the legends of the classes.
const SENTENCE_LEGEND: &str = "
Each entry says what happened in one sentence, its `description`: those of
each resource are listed with it, `{actor}` standing for who did it (a
background job's name followed by \"automatically\", or \"someone\") and
`{target}` for the resource's name. A request answered with a status of 400 or
more says instead \"{actor} unsuccessfully attempted to {action} {noun}
{target}\", and an entry whose request was never confirmed ends
\"(not confirmed)\".
";

/// Explains the schema fingerprints, after the legends.
const FINGERPRINT_LEGEND: &str = "
Each resource's schema fingerprint hashes its classification (the resource
type, every field's key, class and type, and the classification of the
structs nested in it). Every entry records it as `schema_fingerprint`: an
entry whose fingerprint is not the one below was written by another
classification.
";

/// Explains the rows of nested fields, in documents that have any.
const NESTED_LEGEND: &str = "\
- `nested`: the fields of an embedded struct, each with its own class, are
  listed under it (`settings.theme`); `per entry` records each map or set
  entry under its key (`labels.*`), and a list keyed by a field records each
  element under its key (`members[id=*]`).
";

/// Explains fingerprinted secrets, in documents that have any.
const SECRET_FINGERPRINT_LEGEND: &str = "\
- `secret, fingerprinted`: a change is recorded with keyed fingerprints of the
  old and the new value (`old_hmac`, `new_hmac`: HMAC-SHA256 bound to the
  resource and the field, with the key's id in `hmac_key`), never the values:
  a secret set back to an earlier value shows an earlier fingerprint, a
  rotated one a new fingerprint. `audit hash` computes a known value's
  fingerprint. Limit: whoever holds the fingerprint key can test guesses, so
  a low-entropy secret (a PIN, a short code, an enum) can be brute-forced by
  them; only high-entropy values (tokens, keys) should be fingerprinted.
";

/// `schemas`, already sorted, as a Markdown document.
pub(super) fn render(schemas: &[&Schema]) -> String {
    Document(schemas).to_string()
}

struct Document<'a>(&'a [&'a Schema]);

impl Display for Document<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(INTRODUCTION)?;
        if self.0.iter().any(|schema| has_depth(schema.fields)) {
            f.write_str(NESTED_LEGEND)?;
        }
        if self
            .0
            .iter()
            .any(|schema| has_secret_fingerprint(schema.fields))
        {
            f.write_str(SECRET_FINGERPRINT_LEGEND)?;
        }
        f.write_str(SENTENCE_LEGEND)?;
        f.write_str(FINGERPRINT_LEGEND)?;
        if self.0.is_empty() {
            f.write_str("\nNo resource is audited.\n")?;
        }
        for schema in self.0 {
            section(f, schema)?;
        }
        Ok(())
    }
}

fn section(f: &mut Formatter<'_>, schema: &Schema) -> fmt::Result {
    writeln!(f)?;
    writeln!(f, "## {}", Code(schema.resource_type))?;
    writeln!(f)?;
    if let Some(doc) = schema.doc {
        writeln!(f, "{}", Doc(doc))?;
        writeln!(f)?;
    }
    writeln!(f, "- Rust type: {}", Code(schema.rust_name))?;
    writeln!(
        f,
        "- Schema fingerprint: {}",
        Code(&crate::model::schema::fingerprint::compute(schema))
    )?;
    f.write_str("- Actions: ")?;
    if schema.actions.is_empty() {
        f.write_str("none")?;
    }
    for (i, action) in schema.actions.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}", Code(action.as_str()))?;
    }
    writeln!(f)?;
    let organization = if schema.requires_org {
        "required"
    } else {
        "not required"
    };
    writeln!(f, "- Organization: {organization}")?;
    match (schema.link, schema.link_with) {
        (Some(link), _) => writeln!(f, "- Link template: {}", Code(link))?,
        (None, Some(function)) => writeln!(f, "- Link: made by {}", Code(function))?,
        (None, None) => writeln!(f, "- Link template: none")?,
    }
    if let Some(reason) = schema.partial {
        writeln!(
            f,
            "- Field coverage: **not checked** at compile time: {}",
            Cell(reason)
        )?;
    }
    if schema.kind.is_resource() && !schema.actions.is_empty() {
        writeln!(f, "- Noun: {}", schema.noun)?;
        sentences(f, schema)?;
    }
    writeln!(f)?;
    if schema.fields.is_empty() {
        return writeln!(f, "No fields.");
    }
    writeln!(f, "| Field | Class | Reason | Description |")?;
    writeln!(f, "| --- | --- | --- | --- |")?;
    rows(f, schema.fields, "")
}

/// The sentence of each action, and after `write` those of its fields.
fn sentences(f: &mut Formatter<'_>, schema: &Schema) -> fmt::Result {
    writeln!(f)?;
    writeln!(f, "| Entry | Sentence |")?;
    writeln!(f, "| --- | --- |")?;
    for (action, past) in schema.actions.iter().zip(schema.past_forms) {
        let sentence = format!("{{actor}} {past} {} {{target}}", schema.noun);
        writeln!(f, "| {} | {} |", Code(action.as_str()), Cell(&sentence))?;
        if *action != Action::WRITE {
            continue;
        }
        for sentence in schema.sentences {
            let field = Code(sentence.field);
            let when = match sentence.when {
                SentenceCondition::Equals(value) => format!("to {}", Code(value)),
                SentenceCondition::Added => "adding elements only".to_owned(),
                SentenceCondition::Removed => "removing elements only".to_owned(),
                SentenceCondition::Changed if schema.sentences_of(sentence.field).count() > 1 => {
                    "otherwise".to_owned()
                }
                SentenceCondition::Changed => "any change".to_owned(),
            };
            let text = format!("{{actor}} {}", sentence.says.replace("{noun}", schema.noun));
            writeln!(
                f,
                "| {} changing {field} alone, {when} | {} |",
                Code(action.as_str()),
                Cell(&text)
            )?;
        }
    }
    Ok(())
}

/// Whether any field is nested or recorded per entry.
fn has_depth(fields: &[FieldSchema]) -> bool {
    fields
        .iter()
        .any(|field| field.class == FieldClass::Nested || !field.shape.is_value())
}

/// Whether any field, at any depth, is a fingerprinted secret.
fn has_secret_fingerprint(fields: &[FieldSchema]) -> bool {
    fields.iter().any(|field| {
        field.secret_fingerprint
            || field
                .nested
                .is_some_and(|schema| has_secret_fingerprint(schema.fields))
    })
}

/// A row per field, keyed under `prefix`, and under each nested field the
/// rows of its struct's fields.
fn rows(f: &mut Formatter<'_>, fields: &[FieldSchema], prefix: &str) -> fmt::Result {
    for field in fields {
        let key = match field.shape {
            FieldShape::Entries => format!("{prefix}{}.*", field.name),
            FieldShape::Keyed { key } => format!("{prefix}{}[{key}=*]", field.name),
            FieldShape::Value | FieldShape::Optional => format!("{prefix}{}", field.name),
        };
        let class = match (field.class, field.shape) {
            (FieldClass::Nested, shape) => {
                let inner = field
                    .nested
                    .map_or(field.rust_type, |schema| schema.rust_name);
                let inner = Code(inner);
                match shape {
                    FieldShape::Optional => format!("nested, optional ({inner})"),
                    FieldShape::Entries => format!("nested, per entry ({inner})"),
                    FieldShape::Keyed { key } => {
                        format!("nested ({inner}), keyed by {}", Code(key))
                    }
                    FieldShape::Value => format!("nested ({inner})"),
                }
            }
            (class, FieldShape::Entries) => format!("{}, per entry", class.as_str()),
            (FieldClass::Secret, _) if field.secret_fingerprint => {
                "secret, fingerprinted".to_owned()
            }
            (class, _) => class.as_str().to_owned(),
        };
        writeln!(
            f,
            "| {} | {} | {} | {} |",
            Cell(&Code(&key).to_string()),
            Cell(&class),
            Cell(field.reason.unwrap_or_default()),
            Cell(field.doc.unwrap_or_default()),
        )?;
        if let (FieldClass::Nested, Some(schema)) = (field.class, field.nested) {
            rows(f, schema.fields, &format!("{key}."))?;
        }
    }
    Ok(())
}

/// A doc comment as a block under a resource's `##` heading: its headings
/// two levels down, so that a rustdoc `# Examples` does not become the
/// document's title, and the lines rustdoc hides in Rust code blocks
/// (`# use ...`) left out, as rustdoc leaves them out.
struct Doc<'a>(&'a str);

impl Display for Doc<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        // The open fence, and whether it holds Rust.
        let mut fence: Option<(&str, bool)> = None;
        let mut first = true;
        for line in self.0.lines() {
            let trimmed = line.trim_start();
            let shown = match fence {
                Some((open, rust)) => {
                    if trimmed.starts_with(open) && trimmed[open.len()..].trim().is_empty() {
                        fence = None;
                        Some(line.to_owned())
                    } else if rust {
                        rust_line(line)
                    } else {
                        Some(line.to_owned())
                    }
                }
                None => {
                    if let Some(open) = fence_of(trimmed) {
                        fence = Some((open, is_rust(&trimmed[open.len()..])));
                        Some(line.to_owned())
                    } else if trimmed.starts_with('#') && heading_level(trimmed) > 0 {
                        Some(format!("##{trimmed}"))
                    } else {
                        Some(line.to_owned())
                    }
                }
            };
            if let Some(shown) = shown {
                if !first {
                    f.write_str("\n")?;
                }
                f.write_str(&shown)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// The fence a line opens: three or more backticks or tildes.
fn fence_of(line: &str) -> Option<&str> {
    for mark in ['`', '~'] {
        let count = line.chars().take_while(|&c| c == mark).count();
        if count >= 3 {
            return Some(&line[..count]);
        }
    }
    None
}

/// Whether a code block's info string makes it Rust for rustdoc: empty, or
/// only `rust` and rustdoc's attributes.
fn is_rust(info: &str) -> bool {
    info.split([',', ' ', '\t'])
        .filter(|word| !word.is_empty())
        .all(|word| {
            matches!(
                word,
                "rust" | "ignore" | "no_run" | "should_panic" | "compile_fail" | "test_harness"
            ) || word.starts_with("edition")
                || word.starts_with("ignore-")
        })
}

/// The ATX heading level of a line that starts with `#`, or 0.
fn heading_level(line: &str) -> usize {
    let level = line.chars().take_while(|&c| c == '#').count();
    let rest = &line[level..];
    if level <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
        level
    } else {
        0
    }
}

/// A line of a Rust code block as rustdoc shows it: `None` when hidden
/// (`# ` or a lone `#`), and `##` for a literal `#`.
fn rust_line(line: &str) -> Option<String> {
    let indent = &line[..line.len() - line.trim_start().len()];
    let trimmed = line.trim_start();
    if trimmed == "#" || trimmed.starts_with("# ") {
        return None;
    }
    if let Some(rest) = trimmed.strip_prefix("##") {
        return Some(format!("{indent}#{rest}"));
    }
    Some(line.to_owned())
}

/// Inline code on one line, fenced with more backticks than the text holds in
/// a row, so that a backtick in a diff key cannot end the span early.
struct Code<'a>(&'a str);

impl Display for Code<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut longest = 0;
        let mut run = 0;
        for c in text.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let fence = "`".repeat(longest + 1);
        let pad = if text.starts_with('`') || text.ends_with('`') {
            " "
        } else {
            ""
        };
        f.write_str(&fence)?;
        f.write_str(pad)?;
        // A line break would end the heading, list item or table row.
        for (i, line) in text.split(['\n', '\r']).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(line)?;
        }
        f.write_str(pad)?;
        f.write_str(&fence)
    }
}

/// Text in a table cell: lines of a paragraph joined by spaces, as Markdown
/// would join them, paragraphs by `<br><br>`, and `|` escaped, so that the
/// text stays in its cell and the table stays a table.
struct Cell<'a>(&'a str);

impl Display for Cell<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut written = false;
        let mut blank_before = false;
        for line in self.0.lines().map(str::trim) {
            if line.is_empty() {
                blank_before = true;
                continue;
            }
            if written {
                f.write_str(if blank_before { "<br><br>" } else { " " })?;
            }
            for (i, piece) in line.split('|').enumerate() {
                if i > 0 {
                    f.write_str("\\|")?;
                }
                f.write_str(piece)?;
            }
            written = true;
            blank_before = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Cell, Code, Doc};

    #[test]
    fn docs_keep_their_headings_below_the_section_and_hide_doctest_lines() {
        let doc = "A chat.\n\n# Examples\n\n```\n# use chat::Chat;\n##[derive(Debug)]\nlet chat = Chat::new();\n#\n```\n\n```text\n# kept\n```\n\n#hashtag\n## Notes";
        assert_eq!(
            Doc(doc).to_string(),
            "A chat.\n\n### Examples\n\n```\n#[derive(Debug)]\nlet chat = Chat::new();\n```\n\n```text\n# kept\n```\n\n#hashtag\n#### Notes"
        );
    }

    #[test]
    fn cells_stay_on_one_line_and_in_their_column() {
        let cases = [
            ("", ""),
            ("plain", "plain"),
            ("a | b", "a \\| b"),
            ("wrapped\nline", "wrapped line"),
            ("  indented\r\n  and\r\nCRLF  ", "indented and CRLF"),
            ("one\n\ntwo\n\n\nthree", "one<br><br>two<br><br>three"),
            (
                "\n\nleading and trailing blanks\n\n",
                "leading and trailing blanks",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Cell(text).to_string(), expected, "{text:?}");
        }
    }

    #[test]
    fn code_spans_outlast_the_backticks_they_hold() {
        let cases = [
            ("id", "`id`"),
            ("a`b", "``a`b``"),
            ("``x", "``` ``x ```"),
            ("line\nbreak", "`line break`"),
            ("a|b", "`a|b`"),
        ];
        for (text, expected) in cases {
            assert_eq!(Code(text).to_string(), expected, "{text:?}");
        }
    }
}
