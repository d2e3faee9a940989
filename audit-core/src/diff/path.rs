//! Paths inside a resource: written as the diff descends ([`Path`]), read
//! back for machine consumers ([`PathSegments`]). One grammar, both ways:
//!
//! ```text
//! path     = name *( "." name / "[" quoted "]" / "[" name "=" value "]" )
//! name     = a field's diff key, or a plain map or set key: [A-Za-z_] *[A-Za-z0-9_-]
//! quoted   = "'" *( char / "\'" / "\\" ) "'" ; any other map or set key
//! value    = number / "true" / "false" / quoted  ; a keyed-list element's key
//! ```

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use crate::model::schema::FieldSchema;

/// Where a value sits inside the resource: a stack-linked list of segments,
/// built as the diff descends, so that a key is written out only for a
/// change that is recorded and the unchanged path allocates nothing.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    /// The resource itself.
    Root,
    /// A field, by its diff key.
    Field(&'static str),
    /// A map or set entry, by its key.
    Key(&'a dyn PathKey),
    /// An element of a keyed list: the key field and its value.
    Element(KeyField, &'a dyn PathKey),
}

/// The key field of a keyed list's elements: its Rust name, as the outer
/// derive names it (`key = id`), and the element's fields, where its diff
/// key (its serde name or `#[audit(rename)]`) is looked up when a path is
/// written out, so that the unchanged path does no lookup.
#[derive(Clone, Copy)]
pub(crate) struct KeyField {
    pub(crate) rust_name: &'static str,
    pub(crate) fields: &'static [FieldSchema],
}

impl KeyField {
    /// The key field's diff key; its Rust name if the element has no such
    /// field (which the derive does not let through).
    fn diff_key(self) -> &'static str {
        self.fields
            .iter()
            .find(|field| field.rust_name == self.rust_name)
            .map_or(self.rust_name, |field| field.name)
    }
}

impl<'a> Path<'a> {
    /// The resource itself; its fields are the top-level keys.
    pub const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    /// The field `name` under `self`.
    #[must_use]
    pub const fn field(&'a self, name: &'static str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    /// The diff key of this path: a top-level field's `&'static` name, or
    /// the dotted path written out.
    pub(crate) fn key(&self) -> Cow<'static, str> {
        if let (Some(Path { parent: None, .. }) | None, Segment::Field(name)) =
            (self.parent, self.segment)
        {
            return Cow::Borrowed(name);
        }
        // Room for most paths, so that writing one allocates once.
        let mut key = String::with_capacity(48);
        self.write(&mut key);
        Cow::Owned(key)
    }

    /// The entry `key` of the map or set at `self`.
    pub(crate) fn entry(&'a self, key: &'a dyn PathKey) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The element of the keyed list at `self` whose `field` is `key`.
    pub(crate) fn element(&'a self, field: KeyField, key: &'a dyn PathKey) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Element(field, key),
        }
    }

    fn write(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.write(out);
        }
        match self.segment {
            Segment::Root => {}
            Segment::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Key(key) => {
                let text = key.key_text();
                if is_plain(&text.text) {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&text.text);
                } else {
                    out.push('[');
                    push_quoted(out, &text.text);
                    out.push(']');
                }
            }
            Segment::Element(field, key) => {
                let text = key.key_text();
                out.push('[');
                out.push_str(field.diff_key());
                out.push('=');
                if text.is_string {
                    push_quoted(out, &text.text);
                } else {
                    out.push_str(&text.text);
                }
                out.push(']');
            }
        }
    }
}

/// Whether a map key can be written as a plain path segment:
/// `[A-Za-z_][A-Za-z0-9_-]*`. Any other key is quoted, `['a.b']`.
fn is_plain(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `text` in single quotes, with `'` and `\` escaped by a backslash (RFC
/// 9535's normalized paths).
fn push_quoted(out: &mut String, text: &str) {
    out.push('\'');
    for c in text.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// A map key or list-element key, as written into a path.
pub(crate) struct KeyText {
    text: String,
    /// Whether the key serializes as a JSON string (quoted in an element
    /// predicate) rather than a number or a boolean.
    is_string: bool,
}

/// A key that can name a path segment: anything `Serialize`, written as its
/// JSON string or number. Only called for a change that is recorded.
pub(crate) trait PathKey {
    fn key_text(&self) -> KeyText;
}

impl<K: Serialize + ?Sized> PathKey for K {
    fn key_text(&self) -> KeyText {
        match serde_json::to_value(self) {
            Ok(Value::String(text)) => KeyText {
                text,
                is_string: true,
            },
            Ok(value @ (Value::Number(_) | Value::Bool(_))) => KeyText {
                text: value.to_string(),
                is_string: false,
            },
            // A key that is neither text nor a number: its JSON, quoted.
            Ok(value) => KeyText {
                text: value.to_string(),
                is_string: true,
            },
            Err(error) => KeyText {
                text: format!("<{error}>"),
                is_string: true,
            },
        }
    }
}

/// One segment of a diff key, as [`FieldChange::path`](crate::diff::FieldChange::path) reads it back.
///
/// A dotted segment is a [`Name`](Self::Name) whether it names a field
/// (`settings.theme`) or a map or set key that is a plain identifier
/// (`labels.team`): the path's syntax does not tell them apart, the
/// resource's [`Schema`](crate::Schema) does (the segment after a field of
/// shape [`Entries`](crate::FieldShape::Entries) is a key). A key that is not
/// a plain identifier is always written quoted, as a [`Key`](Self::Key).
///
/// More kinds of segment may be added: match with a wildcard arm.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathSegment<'a> {
    /// A dotted segment: a field's diff key, or a plain map or set key
    /// (`[A-Za-z_][A-Za-z0-9_-]*`).
    Name(&'a str),
    /// A map or set key written quoted, `['app.kubernetes.io/name']`,
    /// with its `\'` and `\\` escapes undone.
    Key(Cow<'a, str>),
    /// An element of a keyed list, `[id=3]` or `[id='u-1']`.
    Element {
        /// The key field's diff key (`id`).
        key: &'a str,
        /// The key's value as written: a number or `true`/`false`, or a
        /// string with its escapes undone.
        value: Cow<'a, str>,
        /// Whether the value was quoted: the key serializes as a JSON string.
        quoted: bool,
    },
}

/// The segments of a diff key: see [`FieldChange::path`](crate::diff::FieldChange::path).
///
/// A key not written by this crate (a hand-edited entry) is read
/// leniently: from the first place it does not parse, its rest is one
/// [`PathSegment::Name`].
#[derive(Clone, Debug)]
pub struct PathSegments<'a> {
    rest: &'a str,
    first: bool,
}

impl<'a> PathSegments<'a> {
    pub(crate) fn new(key: &'a str) -> Self {
        PathSegments {
            rest: key,
            first: true,
        }
    }

    /// The rest as one name, ending the iteration.
    fn malformed(&mut self) -> PathSegment<'a> {
        let rest = self.rest;
        self.rest = "";
        PathSegment::Name(rest)
    }

    /// A bracketed segment at the start of `self.rest`.
    fn bracket(&self) -> Option<(PathSegment<'a>, &'a str)> {
        let inner = self.rest.strip_prefix('[')?;
        if let Some(quoted) = inner.strip_prefix('\'') {
            let (key, rest) = unquote(quoted)?;
            return Some((PathSegment::Key(key), rest.strip_prefix(']')?));
        }
        let (key, value) = inner.split_once('=')?;
        if key.is_empty() || key.contains([']', '[', '.', '\'']) {
            return None;
        }
        if let Some(quoted) = value.strip_prefix('\'') {
            let (value, rest) = unquote(quoted)?;
            let segment = PathSegment::Element {
                key,
                value,
                quoted: true,
            };
            return Some((segment, rest.strip_prefix(']')?));
        }
        let end = value.find(']')?;
        if end == 0 {
            return None;
        }
        let segment = PathSegment::Element {
            key,
            value: Cow::Borrowed(&value[..end]),
            quoted: false,
        };
        Some((segment, &value[end + 1..]))
    }
}

/// The text of a quoted key up to its closing `'`, escapes undone, and what
/// follows the quote; borrowed when nothing was escaped.
fn unquote(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let end = text.find(['\'', '\\'])?;
    if text.as_bytes()[end] == b'\'' {
        return Some((Cow::Borrowed(&text[..end]), &text[end + 1..]));
    }
    let mut owned = String::from(&text[..end]);
    let mut chars = text[end..].char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' => owned.push(chars.next()?.1),
            '\'' => return Some((Cow::Owned(owned), &text[end + index + 1..])),
            c => owned.push(c),
        }
    }
    None
}

impl<'a> Iterator for PathSegments<'a> {
    type Item = PathSegment<'a>;

    fn next(&mut self) -> Option<PathSegment<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let first = std::mem::replace(&mut self.first, false);
        if self.rest.starts_with('[') {
            return Some(match self.bracket() {
                Some((segment, rest)) => {
                    self.rest = rest;
                    segment
                }
                None => self.malformed(),
            });
        }
        let name = match self.rest.strip_prefix('.') {
            Some(name) if !first => name,
            _ if first => self.rest,
            _ => return Some(self.malformed()),
        };
        let end = name.find(['.', '[']).unwrap_or(name.len());
        if end == 0 {
            return Some(self.malformed());
        }
        self.rest = &name[end..];
        Some(PathSegment::Name(&name[..end]))
    }
}
