//! The search language of the auditors' page: `key:value` terms, parsed
//! into an [`AuditQuery`].
//!
//! | term | keeps the entries |
//! | --- | --- |
//! | `resource_type:chat`, or the bare word `chat` | about resources of this type |
//! | `resource_id:42` | about the resource with this id |
//! | `action:delete` | of this action |
//! | `actor:ada` | made by this actor |
//! | `organization:org-1` | about resources of this organization |
//! | `request_id:req-7` | made by this request |
//! | `status:404`, `status:failed`, `status:succeeded`, `status:uncommitted` | with this status: a code, 400 and above, below 400, or none (dropped before commit) |
//! | `field:settings` | whose diff changed this path, or a path under it (`settings.theme`, `settings[id=3]`) |
//! | `flag:empty_write_diff` | carrying this flag |
//! | `since:2026-11-01`, `since:2026-11-01T09:00:00Z` | made at or after this time (a date: from its start, UTC) |
//! | `until:2026-11-30`, `until:2026-11-30T17:00:00Z` | made before this time; a date includes that whole day (UTC) |
//!
//! A value that holds spaces goes in double quotes (`actor:"Ada Lovelace"`;
//! `\"` and `\\` inside them stand for `"` and `\`). A term starting with
//! `-` excludes what it names (`-actor:bot`). Terms of one key are
//! alternatives (`action:create action:delete`); terms of different keys
//! must all hold. Keys and the words of `status` are case-insensitive;
//! values are not.
//!
//! A query that cannot be parsed is a [`SearchError`] naming the bad term
//! and what would be valid; parsing never panics, whatever the text.
//!
//! ```
//! use audit_core::viewer::search::parse;
//!
//! let query = parse(r#"chat action:delete -actor:"build bot" status:failed until:2026-11-30"#)?;
//! # let _ = query;
//! let error = parse("colour:red").unwrap_err();
//! assert_eq!(error.term(), "colour:red");
//! assert_eq!(
//!     error.to_string(),
//!     "colour:red: unknown key \"colour\"; the keys are resource_type, resource_id, action, \
//!      actor, organization, request_id, status, field, flag, since, until",
//! );
//! # Ok::<(), audit_core::viewer::search::SearchError>(())
//! ```

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};

use crate::entry::Flag;
use crate::model::action::Action;
use crate::store::{AuditQuery, Condition, StatusFilter};

/// The keys, in the order error messages list them.
pub const KEYS: [&str; 11] = [
    "resource_type",
    "resource_id",
    "action",
    "actor",
    "organization",
    "request_id",
    "status",
    "field",
    "flag",
    "since",
    "until",
];

/// The longest query parsed, in bytes: a bookmark, not a document.
pub const MAX_QUERY_LEN: usize = 4096;

/// The flags `flag:` accepts, by their serialized names.
const FLAGS: [Flag; 7] = [
    Flag::EmptyWriteDiff,
    Flag::Uncommitted,
    Flag::UndeclaredAction,
    Flag::MissingOrganization,
    Flag::MissingOldValue,
    Flag::MissingNewValue,
    Flag::MissingSecretFingerprint,
];

/// A search query that cannot be parsed: the term at fault and what would
/// be valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchError {
    term: String,
    message: String,
}

impl SearchError {
    fn new(term: &str, message: impl Into<String>) -> Self {
        SearchError {
            term: term.chars().take(100).collect(),
            message: message.into(),
        }
    }

    /// The term at fault, as written (at most 100 characters of it).
    pub fn term(&self) -> &str {
        &self.term
    }

    /// What is wrong with it and what would be valid.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.term, self.message)
    }
}

impl std::error::Error for SearchError {}

/// One term of a query, split from the others.
#[derive(Debug, PartialEq, Eq)]
struct Term {
    /// As written, for error messages.
    raw: String,
    negated: bool,
    /// The key, lower-cased; `None` for a bare word.
    key: Option<String>,
    value: String,
}

/// Parses a search query into the [`AuditQuery`] it means. An empty query
/// (or one of spaces only) keeps every entry.
///
/// # Errors
///
/// When a term cannot be parsed: an unknown key, a value that is not
/// valid for its key, a missing value or closing quote, `since` or `until`
/// given twice, excluded, or out of order, or a query longer than
/// [`MAX_QUERY_LEN`] bytes.
pub fn parse(text: &str) -> Result<AuditQuery, SearchError> {
    if text.len() > MAX_QUERY_LEN {
        let start: String = text.chars().take(20).collect();
        return Err(SearchError::new(
            &format!("{start}…"),
            format!(
                "the query is {} bytes long; at most {MAX_QUERY_LEN} are accepted",
                text.len()
            ),
        ));
    }
    let mut query = AuditQuery::new();
    let mut since: Option<(OffsetDateTime, String)> = None;
    let mut until: Option<(OffsetDateTime, String)> = None;
    for term in split(text)? {
        let key = term.key.as_deref().unwrap_or("resource_type");
        let condition = match key {
            "resource_type" => Condition::ResourceType(term.value.clone()),
            "resource_id" => Condition::ResourceId(term.value.clone()),
            "action" => Condition::Action(Action::new(term.value.clone()).map_err(|_| {
                SearchError::new(
                    &term.raw,
                    "an action is snake_case: a lowercase letter, then lowercase letters, \
                     digits and _ (action:delete)",
                )
            })?),
            "actor" => Condition::Actor(term.value.clone()),
            "organization" => Condition::Organization(term.value.clone()),
            "request_id" => Condition::RequestId(term.value.clone()),
            "status" => Condition::Status(status(&term)?),
            "field" => Condition::ChangedPath(term.value.clone()),
            "flag" => Condition::Flag(flag(&term)?),
            "since" | "until" => {
                if term.negated {
                    return Err(SearchError::new(
                        &term.raw,
                        format!("{key} cannot be excluded; write {key}:TIME without the -"),
                    ));
                }
                let slot = if key == "since" {
                    &mut since
                } else {
                    &mut until
                };
                if let Some((_, first)) = slot {
                    return Err(SearchError::new(
                        &term.raw,
                        format!("{key} is given twice (first as {first}); give it once"),
                    ));
                }
                *slot = Some((time(&term, key == "until")?, term.raw.clone()));
                continue;
            }
            unknown => {
                return Err(SearchError::new(
                    &term.raw,
                    format!(
                        "unknown key \"{unknown}\"; the keys are {}",
                        KEYS.join(", ")
                    ),
                ));
            }
        };
        query = if term.negated {
            query.excluding(condition)
        } else {
            query.matching(condition)
        };
    }
    if let (Some((start, since_raw)), Some((end, until_raw))) = (&since, &until)
        && start >= end
    {
        return Err(SearchError::new(
            until_raw,
            format!("the range is empty: {since_raw} is not before it; put since before until"),
        ));
    }
    if let Some((start, _)) = since {
        query = query.since(start);
    }
    if let Some((end, _)) = until {
        query = query.until(end);
    }
    Ok(query)
}

/// Splits `text` into terms at spaces outside double quotes.
fn split(text: &str) -> Result<Vec<Term>, SearchError> {
    let mut terms = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut term = Term {
            raw: String::new(),
            negated: false,
            key: None,
            value: String::new(),
        };
        if c == '-' {
            term.negated = true;
            chars.next();
        }
        let mut quoted_any = false;
        let mut end = text.len();
        while let Some(&(at, c)) = chars.peek() {
            if c.is_whitespace() {
                end = at;
                break;
            }
            chars.next();
            match c {
                '"' => {
                    quoted_any = true;
                    let mut closed = false;
                    while let Some((_, c)) = chars.next() {
                        match c {
                            '"' => {
                                closed = true;
                                break;
                            }
                            '\\' => match chars.next() {
                                Some((_, escaped)) => term.value.push(escaped),
                                None => break,
                            },
                            c => term.value.push(c),
                        }
                    }
                    if !closed {
                        return Err(SearchError::new(
                            &text[start..],
                            "the quoted value has no closing \"; close it, as in actor:\"Ada Lovelace\"",
                        ));
                    }
                }
                ':' if term.key.is_none() && !quoted_any => {
                    term.key = Some(std::mem::take(&mut term.value).to_ascii_lowercase());
                }
                c => term.value.push(c),
            }
        }
        text[start..end].clone_into(&mut term.raw);
        check_shape(&term, quoted_any)?;
        terms.push(term);
    }
    Ok(terms)
}

/// Rejects a lone `-`, a term with no key before its `:`, and a key with
/// no value.
fn check_shape(term: &Term, quoted: bool) -> Result<(), SearchError> {
    match &term.key {
        None if term.value.is_empty() && !quoted => Err(SearchError::new(
            &term.raw,
            "a lone - excludes nothing; write -key:value, as in -actor:bot",
        )),
        None if term.value.is_empty() => Err(SearchError::new(
            &term.raw,
            "an empty quoted word names no resource type; write a resource type, as in chat",
        )),
        Some(key) if key.is_empty() => Err(SearchError::new(
            &term.raw,
            format!(
                "there is no key before the :; write key:value with one of {}",
                KEYS.join(", ")
            ),
        )),
        Some(key) if term.value.is_empty() => Err(SearchError::new(
            &term.raw,
            format!("{key} has no value; write {key}:VALUE, in double quotes when it holds spaces"),
        )),
        _ => Ok(()),
    }
}

fn status(term: &Term) -> Result<StatusFilter, SearchError> {
    let word = term.value.to_ascii_lowercase();
    match word.as_str() {
        "failed" => Ok(StatusFilter::Failed),
        "succeeded" => Ok(StatusFilter::Succeeded),
        "uncommitted" => Ok(StatusFilter::Uncommitted),
        _ => match word.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) && word.len() == 3 => {
                Ok(StatusFilter::Code(code))
            }
            _ => Err(SearchError::new(
                &term.raw,
                "the status is a code from 100 to 599 (status:404), failed (400 and above), \
                 succeeded (below 400) or uncommitted (no status)",
            )),
        },
    }
}

fn flag(term: &Term) -> Result<Flag, SearchError> {
    FLAGS
        .into_iter()
        .find(|flag| flag_name(*flag) == term.value)
        .ok_or_else(|| {
            let names: Vec<String> = FLAGS.into_iter().map(flag_name).collect();
            SearchError::new(
                &term.raw,
                format!("unknown flag; the flags are {}", names.join(", ")),
            )
        })
}

/// A flag's serialized name.
fn flag_name(flag: Flag) -> String {
    match serde_json::to_value(flag) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{flag:?}"),
    }
}

/// An RFC 3339 time, or a date: its start, or for `until` the start of
/// the next day, so that the day is included.
fn time(term: &Term, until: bool) -> Result<OffsetDateTime, SearchError> {
    if let Ok(time) = OffsetDateTime::parse(&term.value, &Rfc3339) {
        return Ok(time);
    }
    let bad = || {
        SearchError::new(
            &term.raw,
            "the time is a date (2026-11-28, UTC) or an RFC 3339 time (2026-11-28T09:30:00Z)",
        )
    };
    let date =
        Date::parse(&term.value, format_description!("[year]-[month]-[day]")).map_err(|_| bad())?;
    let start = date.with_time(Time::MIDNIGHT).assume_utc();
    if until {
        start.checked_add(Duration::DAY).ok_or_else(bad)
    } else {
        Ok(start)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::store::Condition::{
        Action as A, Actor, ChangedPath, Flag as F, Organization, RequestId, ResourceId,
        ResourceType, Status,
    };

    fn q() -> AuditQuery {
        AuditQuery::new()
    }

    fn act(name: &'static str) -> Condition {
        A(Action::from_static(name))
    }

    fn s(text: &str) -> String {
        text.to_owned()
    }

    const KEY_LIST: &str = "resource_type, resource_id, action, actor, organization, \
                            request_id, status, field, flag, since, until";

    #[test]
    #[allow(clippy::too_many_lines, reason = "one table")]
    fn valid_queries() {
        let table: Vec<(&str, AuditQuery)> = vec![
            ("", q()),
            ("   \t ", q()),
            ("chat", q().matching(ResourceType(s("chat")))),
            (
                "chat workspace",
                q().matching(ResourceType(s("chat")))
                    .matching(ResourceType(s("workspace"))),
            ),
            (r#""api key""#, q().matching(ResourceType(s("api key")))),
            ("-chat", q().excluding(ResourceType(s("chat")))),
            ("resource_type:chat", q().matching(ResourceType(s("chat")))),
            ("RESOURCE_TYPE:chat", q().matching(ResourceType(s("chat")))),
            ("resource_id:42", q().matching(ResourceId(s("42")))),
            ("action:delete", q().matching(act("delete"))),
            (
                "action:create action:delete",
                q().matching(act("create")).matching(act("delete")),
            ),
            ("-action:read", q().excluding(act("read"))),
            ("actor:ada", q().matching(Actor(s("ada")))),
            (
                r#"actor:"Ada Lovelace""#,
                q().matching(Actor(s("Ada Lovelace"))),
            ),
            (
                r#"actor:"say \"hi\" \\ bye""#,
                q().matching(Actor(s(r#"say "hi" \ bye"#))),
            ),
            (
                r#"actor:ada" "lovelace"#,
                q().matching(Actor(s("ada lovelace"))),
            ),
            ("-actor:bot", q().excluding(Actor(s("bot")))),
            ("actor:Ada", q().matching(Actor(s("Ada")))),
            ("organization:org-1", q().matching(Organization(s("org-1")))),
            ("request_id:req-7", q().matching(RequestId(s("req-7")))),
            ("request_id:a:b", q().matching(RequestId(s("a:b")))),
            ("status:404", q().matching(Status(StatusFilter::Code(404)))),
            ("status:failed", q().matching(Status(StatusFilter::Failed))),
            ("status:FAILED", q().matching(Status(StatusFilter::Failed))),
            (
                "status:succeeded",
                q().matching(Status(StatusFilter::Succeeded)),
            ),
            (
                "status:uncommitted",
                q().matching(Status(StatusFilter::Uncommitted)),
            ),
            (
                "-status:failed",
                q().excluding(Status(StatusFilter::Failed)),
            ),
            (
                "status:200 status:201",
                q().matching(Status(StatusFilter::Code(200)))
                    .matching(Status(StatusFilter::Code(201))),
            ),
            ("field:settings", q().matching(ChangedPath(s("settings")))),
            (
                "field:members[id=3].role",
                q().matching(ChangedPath(s("members[id=3].role"))),
            ),
            (
                r#"field:"labels.team name""#,
                q().matching(ChangedPath(s("labels.team name"))),
            ),
            (
                "-field:pin_order",
                q().excluding(ChangedPath(s("pin_order"))),
            ),
            (
                "flag:empty_write_diff",
                q().matching(F(Flag::EmptyWriteDiff)),
            ),
            (
                "flag:missing_secret_fingerprint",
                q().matching(F(Flag::MissingSecretFingerprint)),
            ),
            ("-flag:uncommitted", q().excluding(F(Flag::Uncommitted))),
            (
                "since:2026-11-01",
                q().since(datetime!(2026-11-01 00:00 UTC)),
            ),
            (
                "until:2026-11-30",
                q().until(datetime!(2026-12-01 00:00 UTC)),
            ),
            (
                "until:2026-12-31",
                q().until(datetime!(2027-01-01 00:00 UTC)),
            ),
            (
                "since:2026-11-28T09:30:00Z",
                q().since(datetime!(2026-11-28 09:30 UTC)),
            ),
            (
                "until:2026-11-28T09:30:00+01:00",
                q().until(datetime!(2026-11-28 08:30 UTC)),
            ),
            (
                "since:2026-11-01 until:2026-11-01",
                q().since(datetime!(2026-11-01 00:00 UTC))
                    .until(datetime!(2026-11-02 00:00 UTC)),
            ),
            (
                "actor:ada   action:write",
                q().matching(Actor(s("ada"))).matching(act("write")),
            ),
            ("actor:ada actor:ada", q().matching(Actor(s("ada")))),
            (
                "<img src=x onerror=alert(1)>",
                q().matching(ResourceType(s("<img")))
                    .matching(ResourceType(s("src=x")))
                    .matching(ResourceType(s("onerror=alert(1)>"))),
            ),
            (
                "actor:'; DROP TABLE audit_entries; --",
                q().matching(Actor(s("';")))
                    .matching(ResourceType(s("DROP")))
                    .matching(ResourceType(s("TABLE")))
                    .matching(ResourceType(s("audit_entries;")))
                    .excluding(ResourceType(s("-"))),
            ),
            (
                "chat action:write -actor:bot status:failed field:title since:2026-01-01",
                q().matching(ResourceType(s("chat")))
                    .matching(act("write"))
                    .excluding(Actor(s("bot")))
                    .matching(Status(StatusFilter::Failed))
                    .matching(ChangedPath(s("title")))
                    .since(datetime!(2026-01-01 00:00 UTC)),
            ),
            ("actor:\u{1F600}", q().matching(Actor(s("\u{1F600}")))),
            ("\"a:b\"", q().matching(ResourceType(s("a:b")))),
        ];
        for (text, expected) in &table {
            assert_eq!(parse(text).as_ref(), Ok(expected), "{text}");
        }
        assert!(table.len() >= 45, "{}", table.len());
    }

    #[test]
    #[allow(clippy::too_many_lines, reason = "one table")]
    fn invalid_queries() {
        let table: Vec<(&str, String)> = vec![
            (
                "colour:red",
                format!("colour:red: unknown key \"colour\"; the keys are {KEY_LIST}"),
            ),
            (
                "user:ada",
                format!("user:ada: unknown key \"user\"; the keys are {KEY_LIST}"),
            ),
            (
                "-owner:ada",
                format!("-owner:ada: unknown key \"owner\"; the keys are {KEY_LIST}"),
            ),
            (
                ":ada",
                format!(
                    ":ada: there is no key before the :; write key:value with one of {KEY_LIST}"
                ),
            ),
            (
                "actor:",
                s(
                    "actor:: actor has no value; write actor:VALUE, in double quotes when it holds spaces",
                ),
            ),
            (
                "actor:\"\"",
                s(
                    "actor:\"\": actor has no value; write actor:VALUE, in double quotes when it holds spaces",
                ),
            ),
            (
                "-",
                s("-: a lone - excludes nothing; write -key:value, as in -actor:bot"),
            ),
            (
                "chat - actor:ada",
                s("-: a lone - excludes nothing; write -key:value, as in -actor:bot"),
            ),
            (
                "\"\"",
                s(
                    "\"\": an empty quoted word names no resource type; write a resource type, as in chat",
                ),
            ),
            (
                "actor:\"ada",
                s(
                    "actor:\"ada: the quoted value has no closing \"; close it, as in actor:\"Ada Lovelace\"",
                ),
            ),
            (
                "chat \"open",
                s(
                    "\"open: the quoted value has no closing \"; close it, as in actor:\"Ada Lovelace\"",
                ),
            ),
            (
                "action:Delete",
                s(
                    "action:Delete: an action is snake_case: a lowercase letter, then lowercase letters, digits and _ (action:delete)",
                ),
            ),
            (
                "action:\"log in\"",
                s(
                    "action:\"log in\": an action is snake_case: a lowercase letter, then lowercase letters, digits and _ (action:delete)",
                ),
            ),
            (
                "status:maybe",
                s(
                    "status:maybe: the status is a code from 100 to 599 (status:404), failed (400 and above), succeeded (below 400) or uncommitted (no status)",
                ),
            ),
            (
                "status:99",
                s(
                    "status:99: the status is a code from 100 to 599 (status:404), failed (400 and above), succeeded (below 400) or uncommitted (no status)",
                ),
            ),
            (
                "status:600",
                s(
                    "status:600: the status is a code from 100 to 599 (status:404), failed (400 and above), succeeded (below 400) or uncommitted (no status)",
                ),
            ),
            (
                "status:+404",
                s(
                    "status:+404: the status is a code from 100 to 599 (status:404), failed (400 and above), succeeded (below 400) or uncommitted (no status)",
                ),
            ),
            (
                "flag:bogus",
                s(
                    "flag:bogus: unknown flag; the flags are empty_write_diff, uncommitted, undeclared_action, missing_organization, missing_old_value, missing_new_value, missing_secret_fingerprint",
                ),
            ),
            (
                "since:yesterday",
                s(
                    "since:yesterday: the time is a date (2026-11-28, UTC) or an RFC 3339 time (2026-11-28T09:30:00Z)",
                ),
            ),
            (
                "until:2026-02-30",
                s(
                    "until:2026-02-30: the time is a date (2026-11-28, UTC) or an RFC 3339 time (2026-11-28T09:30:00Z)",
                ),
            ),
            (
                "since:2026-11-28T09:30",
                s(
                    "since:2026-11-28T09:30: the time is a date (2026-11-28, UTC) or an RFC 3339 time (2026-11-28T09:30:00Z)",
                ),
            ),
            (
                "-since:2026-01-01",
                s("-since:2026-01-01: since cannot be excluded; write since:TIME without the -"),
            ),
            (
                "-until:2026-01-01",
                s("-until:2026-01-01: until cannot be excluded; write until:TIME without the -"),
            ),
            (
                "since:2026-01-01 since:2026-02-01",
                s(
                    "since:2026-02-01: since is given twice (first as since:2026-01-01); give it once",
                ),
            ),
            (
                "since:2026-12-01 until:2026-11-01",
                s(
                    "until:2026-11-01: the range is empty: since:2026-12-01 is not before it; put since before until",
                ),
            ),
        ];
        for (text, message) in &table {
            assert_eq!(
                parse(text).map_err(|e| e.to_string()),
                Err(message.clone()),
                "{text}"
            );
        }
        let long = "a".repeat(MAX_QUERY_LEN + 1);
        assert_eq!(
            parse(&long).unwrap_err().to_string(),
            "aaaaaaaaaaaaaaaaaaaa…: the query is 4097 bytes long; at most 4096 are accepted"
        );
    }

    #[test]
    fn the_error_names_its_term() {
        let error = parse("chat status:maybe").unwrap_err();
        assert_eq!(error.term(), "status:maybe");
        assert!(error.message().starts_with("the status is a code"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any text parses or is refused with a message naming a term
        /// found in the text; never a panic.
        #[test]
        fn any_text_parses_or_errs_cleanly(text in any::<String>()) {
            check(&text)?;
        }

        /// The same, over text made of the language's own pieces, which
        /// reaches the deeper branches far more often than random text.
        #[test]
        fn any_mix_of_terms_parses_or_errs_cleanly(
            pieces in proptest::collection::vec(prop_oneof![
                Just("resource_type"), Just("action"), Just("status"), Just("since"), Just("until"),
                Just("field"), Just("flag"), Just("actor"), Just(":"), Just("-"), Just("\""), Just("\\"),
                Just(" "), Just("2026-11-28"), Just("T09:30:00Z"), Just("failed"), Just("404"),
                Just("delete"), Just("x"), Just("é"), Just("\u{0}"),
            ], 0..24)
        ) {
            check(&pieces.concat())?;
        }
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        match parse(text) {
            Ok(_) => {}
            Err(error) => {
                prop_assert!(!error.message().is_empty());
                let term = error.term().trim_end_matches('…');
                prop_assert!(text.contains(term), "{:?} not in {:?}", error.term(), text);
            }
        }
        Ok(())
    }
}
