//! The `link = "/chats/{id}"` template: literal text and `{field}` placeholders.

/// One piece of a link template.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Text copied as it is.
    Text(String),
    /// `{field}`: the field's value, formatted with `Display`.
    Field(String),
}

/// Splits `template` into pieces, or says what is wrong with it.
pub(crate) fn parse(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                pieces.push(Piece::Text(rest.to_owned()));
                break;
            }
            Some(at) => {
                if at > 0 {
                    pieces.push(Piece::Text(rest[..at].to_owned()));
                }
                if rest[at..].starts_with('}') {
                    return Err(format!(
                        "unmatched `}}` in link template {template:?}; placeholders are written `{{field}}`"
                    ));
                }
                let after = &rest[at + 1..];
                let Some(end) = after.find('}') else {
                    return Err(format!(
                        "unclosed `{{` in link template {template:?}; placeholders are written `{{field}}`"
                    ));
                };
                let name = &after[..end];
                if name.is_empty() || name.contains('{') {
                    return Err(format!(
                        "empty or nested placeholder in link template {template:?}; placeholders are written `{{field}}`"
                    ));
                }
                pieces.push(Piece::Field(name.to_owned()));
                rest = &after[end + 1..];
            }
        }
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::{Piece, parse};

    #[test]
    fn splits_text_and_placeholders() {
        assert_eq!(
            parse("/orgs/{organization_id}/chats/{id}").unwrap(),
            [
                Piece::Text("/orgs/".into()),
                Piece::Field("organization_id".into()),
                Piece::Text("/chats/".into()),
                Piece::Field("id".into()),
            ]
        );
        assert_eq!(parse("{id}").unwrap(), [Piece::Field("id".into())]);
        assert_eq!(parse("/static").unwrap(), [Piece::Text("/static".into())]);
    }

    #[test]
    fn rejects_malformed_templates() {
        assert!(parse("/chats/{id").unwrap_err().contains("unclosed `{`"));
        assert!(parse("/chats/id}").unwrap_err().contains("unmatched `}`"));
        assert!(parse("/chats/{}").unwrap_err().contains("empty"));
        assert!(parse("/chats/{{id}}").unwrap_err().contains("nested"));
    }
}
