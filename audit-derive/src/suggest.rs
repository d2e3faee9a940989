//! "Did you mean" hints: the valid name nearest to a mistyped one.

use crate::symbol::CLASS_SYNONYMS;

/// The key of `valid` that `name` is most likely a typo of, or, for a field's
/// attribute (`class_synonyms`), the class another library's word (`skip`,
/// `redact`) stands for.
pub(crate) fn key<'k>(name: &str, valid: &[&'k str], class_synonyms: bool) -> Option<&'k str> {
    let typo = valid
        .iter()
        .map(|key| (edit_distance(name, key), *key))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, key)| key);
    let synonym = || {
        CLASS_SYNONYMS
            .iter()
            .find(|(synonym, _)| class_synonyms && *synonym == name)
            .map(|(_, class)| *class)
    };
    typo.or_else(synonym)
}

/// The field of `fields` that `name` most likely means: a typo
/// (`titel` for `title`), or a prefix either way (`organization` for
/// `organization_id`).
pub(crate) fn field<'f>(name: &str, fields: impl IntoIterator<Item = &'f str>) -> Option<&'f str> {
    fields
        .into_iter()
        .map(|field| (edit_distance(name, field), field))
        .filter(|(distance, field)| {
            *distance <= 2 || field.starts_with(name) || name.starts_with(field)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, field)| field)
}

/// "did you mean `x`? ", or nothing.
pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|name| format!("did you mean `{name}`? "))
        .unwrap_or_default()
}

/// The Levenshtein distance between `a` and `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, field, key};

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("trak", "track"), 1);
        assert_eq!(edit_distance("secert", "secret"), 2);
        assert_eq!(edit_distance("track", "track"), 0);
        assert_eq!(edit_distance("", "id"), 2);
    }

    #[test]
    fn keys_by_typo_then_synonym() {
        let valid = ["track", "ignore", "secret", "rename"];
        assert_eq!(key("trak", &valid, true), Some("track"));
        assert_eq!(key("skip", &valid, true), Some("ignore"));
        assert_eq!(key("skip", &valid, false), None);
        assert_eq!(key("whatever", &valid, true), None);
    }

    #[test]
    fn fields_by_typo_or_prefix() {
        let fields = ["id", "title", "organization_id"];
        assert_eq!(field("titel", fields), Some("title"));
        assert_eq!(field("organization", fields), Some("organization_id"));
        assert_eq!(field("owner", fields), None);
    }
}
