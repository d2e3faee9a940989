//! The resource's id, target, organization and link as text.

use std::fmt::Write as _;

use super::bounds::DisplayField;

/// `value` as text.
pub fn display<T: ?Sized + DisplayField>(value: &T) -> String {
    // `ToString` calls `Display` without `format_args!`'s machinery, and
    // has faster paths of its own for strings and integers.
    value.to_string()
}

/// The value of an optional field as text.
pub fn display_option<T: DisplayField>(value: Option<&T>) -> Option<String> {
    value.map(display)
}

/// Appends `value` to `text`.
pub fn push_display<T: ?Sized + DisplayField>(text: &mut String, value: &T) {
    // Writing to a `String` cannot fail.
    let _ = write!(text, "{value}");
}

/// Appends `value` to the link `link` as one path segment, percent-encoded
/// (RFC 3986): a placeholder's value such as `../../admin?x#` cannot leave
/// its segment and retarget the link. Unreserved characters stay as they are.
///
/// `None`, for no link, when the value is `.` or `..`: a dot segment, which
/// would retarget the link, and which percent-encoding cannot neutralize
/// (URL parsers read `%2E` as a dot in a path).
#[must_use]
pub fn push_link_segment<T: ?Sized + DisplayField>(link: &mut String, value: &T) -> Option<()> {
    // Most values (ids, UUIDs, slugs) are unreserved throughout: written
    // in place, they are checked and kept, without a copy or a formatter.
    let start = link.len();
    link.reserve(SEGMENT);
    push_display(link, value);
    let text = &link[start..];
    if text == "." || text == ".." {
        link.truncate(start);
        return None;
    }
    if let Some(first) = text.bytes().position(|byte| !is_unreserved(byte)) {
        let rest = link.split_off(start + first);
        for byte in rest.bytes() {
            if is_unreserved(byte) {
                link.push(char::from(byte));
            } else {
                let hex = b"0123456789ABCDEF";
                link.push('%');
                link.push(char::from(hex[usize::from(byte >> 4)]));
                link.push(char::from(hex[usize::from(byte & 0xf)]));
            }
        }
    }
    Some(())
}

/// Room reserved for a segment: a UUID, and most ids, fit.
const SEGMENT: usize = 40;

/// Whether `byte` is an unreserved character of RFC 3986, which a path
/// segment holds as it is.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}
