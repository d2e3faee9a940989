//! Case conversions: serde's `rename_all` rules for diff keys, the
//! `snake_case` resource type of a struct name, and the snake_case rule of
//! action names.

/// A serde `rename_all` rule, applied to a `snake_case` field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // Named as serde spells the rules.
pub(crate) enum RenameRule {
    LowerCase,
    UpperCase,
    PascalCase,
    CamelCase,
    SnakeCase,
    ScreamingSnakeCase,
    KebabCase,
    ScreamingKebabCase,
}

impl RenameRule {
    /// The rule serde spells `name`, if there is one.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "lowercase" => RenameRule::LowerCase,
            "UPPERCASE" => RenameRule::UpperCase,
            "PascalCase" => RenameRule::PascalCase,
            "camelCase" => RenameRule::CamelCase,
            "snake_case" => RenameRule::SnakeCase,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnakeCase,
            "kebab-case" => RenameRule::KebabCase,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebabCase,
            _ => return None,
        })
    }

    /// The serde name of the field `field`, written in `snake_case` in Rust.
    pub(crate) fn apply_to_field(self, field: &str) -> String {
        match self {
            RenameRule::LowerCase | RenameRule::SnakeCase => field.to_owned(),
            RenameRule::UpperCase | RenameRule::ScreamingSnakeCase => field.to_ascii_uppercase(),
            RenameRule::PascalCase => pascal_case(field),
            RenameRule::CamelCase => {
                let pascal = pascal_case(field);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => pascal,
                }
            }
            RenameRule::KebabCase => field.replace('_', "-"),
            RenameRule::ScreamingKebabCase => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

/// `pin_order` -> `PinOrder`.
fn pascal_case(field: &str) -> String {
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    pascal
}

/// `ApiKey` -> `api_key`, `HTTPServer` -> `http_server`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, &ch) in chars.iter().enumerate() {
        if ch.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|next| next.is_lowercase());
            if prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_is_lower)
            {
                snake.push('_');
            }
        }
        snake.extend(ch.to_lowercase());
    }
    snake
}

/// Whether `name` is snake_case as an action name must be:
/// `[a-z][a-z0-9_]*`, the rule `audit_core::Action::from_static` enforces.
pub(crate) fn is_snake_case(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_lowercase())
        && bytes.all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::{RenameRule, is_snake_case, snake_case};

    #[test]
    fn action_names_are_snake_case() {
        for name in ["share", "request_access", "v2", "a_b_"] {
            assert!(is_snake_case(name), "{name}");
        }
        for name in [
            "",
            "Share",
            "shareNow",
            "_share",
            "2fa",
            "share-now",
            "créer",
        ] {
            assert!(!is_snake_case(name), "{name}");
        }
    }

    #[test]
    fn rename_rules_match_serde() {
        let cases = [
            ("lowercase", "pin_order"),
            ("UPPERCASE", "PIN_ORDER"),
            ("PascalCase", "PinOrder"),
            ("camelCase", "pinOrder"),
            ("snake_case", "pin_order"),
            ("SCREAMING_SNAKE_CASE", "PIN_ORDER"),
            ("kebab-case", "pin-order"),
            ("SCREAMING-KEBAB-CASE", "PIN-ORDER"),
        ];
        for (rule, expected) in cases {
            let rule = RenameRule::from_name(rule).unwrap();
            assert_eq!(rule.apply_to_field("pin_order"), expected, "{rule:?}");
        }
        assert_eq!(RenameRule::from_name("Camel"), None);
    }

    #[test]
    fn struct_names_become_snake_case() {
        assert_eq!(snake_case("Chat"), "chat");
        assert_eq!(snake_case("ApiKey"), "api_key");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("OAuth2Token"), "o_auth2_token");
        assert_eq!(snake_case("V2"), "v2");
    }
}
