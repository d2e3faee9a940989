//! The sentence an auditor reads for an entry: "user-1 archived chat
//! Plans". Rendered once, when the entry is made, into
//! [`AuditEntry::description`], so that it is inside the hash chain and in
//! every sink; [`AuditEntry::description()`] renders the default one for an
//! entry written before.
//!
//! # The rules
//!
//! - The subject is the actor; a background audit's subsystem followed by
//!   "automatically"; "someone" when there is neither.
//! - A status of 400 or more: "{actor} unsuccessfully attempted to {action}
//!   {noun} {target}", with the action's verb, never its past form: a failed
//!   login never reads "logged in".
//! - A successful `write` (or one not confirmed) whose diff changes one
//!   field alone, which has a `says(...)` sentence that applies: "{actor}"
//!   and that sentence.
//! - Otherwise "{actor} {past} {noun} {target}"; an action without a past
//!   form (one the resource does not declare, and not a common one) reads
//!   "{actor} performed {action} on {noun} {target}".
//! - An entry flagged `uncommitted` ends "(not confirmed)".
//!
//! The derive checks every `says` sentence's placeholders against its field
//! (`audit-derive/src/sentence.rs`); this module fills them.

use std::fmt::Write as _;

use serde_json::Value;

use crate::diff::{Diff, FieldChange, Op, PathSegments};
use crate::entry::background::AUTOMATIC_SUBSYSTEM;
use crate::entry::{AuditEntry, Flag};
use crate::model::Audited;
use crate::model::action::Action;
use crate::model::schema::{FieldSentence, Schema, SentenceCondition};

/// The subject of a sentence with neither an actor nor a subsystem.
pub(crate) const NO_ACTOR: &str = "someone";

/// The sentence of `entry`, just made for a resource of type `T` whose new
/// value is `new`.
pub(crate) fn describe_new<T: Audited<Via>, Via>(entry: &AuditEntry, new: Option<&T>) -> String {
    let schema = T::AUDIT_SCHEMA;
    let said = field_sentence(schema, entry, |index| {
        new.is_some_and(|new| new.audit_sentence_matches(index))
    });
    render(entry, Some(schema), said)
}

/// The default sentence of `entry`, without its resource's schema: the
/// noun is the resource type with `_` as spaces, the past form a common
/// action's.
pub(crate) fn describe_default(entry: &AuditEntry) -> String {
    render(entry, None, None)
}

/// What the sentence of a change to one field reads of the diff.
#[derive(Default)]
struct Facts<'a> {
    /// The field's change, when it is recorded whole.
    whole: Option<&'a FieldChange>,
    added: usize,
    removed: usize,
    /// Changes other than added or removed elements.
    other: usize,
}

/// The `says` sentence that applies to `entry`, with what it reads: for a
/// successful or unconfirmed `write` whose diff changes one field alone.
/// `matches(index)` tells whether the new value meets the value condition of
/// the schema's sentence `index`.
fn field_sentence<'e>(
    schema: &'static Schema,
    entry: &'e AuditEntry,
    matches: impl Fn(usize) -> bool,
) -> Option<(&'static FieldSentence, Facts<'e>)> {
    if schema.sentences.is_empty()
        || entry.action != Action::WRITE
        || entry.status_code.is_some_and(|status| status >= 400)
    {
        return None;
    }
    let first = entry.diff.iter().next()?;
    let field = schema
        .sentences
        .iter()
        .map(|sentence| sentence.field)
        .find(|field| is_under(first.key(), field))?;
    let facts = facts(&entry.diff, field)?;
    let sentences = || {
        schema
            .sentences
            .iter()
            .enumerate()
            .filter(move |(_, sentence)| sentence.field == field)
    };
    let value = sentences().find(|&(index, sentence)| {
        matches!(sentence.when, SentenceCondition::Equals(_)) && matches(index)
    });
    let only = |count: usize, others: usize| count > 0 && others == 0;
    let elements = || {
        sentences().find(|(_, sentence)| match sentence.when {
            SentenceCondition::Added => only(facts.added, facts.removed + facts.other),
            SentenceCondition::Removed => only(facts.removed, facts.added + facts.other),
            _ => false,
        })
    };
    let changed = || sentences().find(|(_, sentence)| sentence.when == SentenceCondition::Changed);
    let (_, sentence) = value.or_else(elements).or_else(changed)?;
    Some((sentence, facts))
}

/// Whether the diff key `key` is the field `field` or a path under it.
fn is_under(key: &str, field: &str) -> bool {
    key.strip_prefix(field)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// What the diff records of `field`, or `None` when it changes another field
/// too.
fn facts<'d>(diff: &'d Diff, field: &str) -> Option<Facts<'d>> {
    let depth = PathSegments::new(field).count();
    let mut facts = Facts::default();
    // The element or entry last added or removed: the changes under it
    // describe it, and are no change of their own.
    let mut element: Option<&str> = None;
    for change in diff {
        let key = change.key();
        if !is_under(key, field) {
            return None;
        }
        if key.len() == field.len() {
            facts.whole = Some(change);
            facts.other += 1;
            continue;
        }
        if element.is_some_and(|element| is_under(key, element)) {
            continue;
        }
        let child = change.path().count() == depth + 1;
        match change.op() {
            Some(Op::Add) if child => facts.added += 1,
            Some(Op::Remove) if child => facts.removed += 1,
            _ => {
                facts.other += 1;
                continue;
            }
        }
        element = Some(key);
    }
    Some(facts)
}

/// The sentence of `entry`; `said` is the `says` sentence that applies.
fn render(
    entry: &AuditEntry,
    schema: Option<&'static Schema>,
    said: Option<(&'static FieldSentence, Facts<'_>)>,
) -> String {
    let subsystem = entry
        .additional_fields
        .get(AUTOMATIC_SUBSYSTEM)
        .and_then(Value::as_str);
    // Without the schema, the resource type is the noun, `_` written as a
    // space as it is pushed.
    let noun = schema.map_or(&*entry.resource_type, |schema| schema.noun);
    let past = schema
        .and_then(|schema| schema.past(&entry.action))
        .or_else(|| entry.action.past());
    let parts = Parts {
        subject: subsystem.or(entry.actor.as_deref()).unwrap_or(NO_ACTOR),
        automatic: subsystem.is_some(),
        noun,
        target: &entry.resource_target,
        action: entry.action.as_str(),
        past,
    };
    // Room for the longest fixed words ("unsuccessfully attempted to",
    // "(not confirmed)"), so that the sentence is the one allocation.
    let template = said.as_ref().map_or(0, |(sentence, _)| sentence.says.len());
    let mut out = String::with_capacity(
        64 + parts.subject.len() + parts.noun.len() + 2 * parts.target.len() + template,
    );
    out.push_str(parts.subject);
    out.push(' ');
    if entry.status_code.is_some_and(|status| status >= 400) {
        out.push_str("unsuccessfully attempted to ");
        parts.automatically(&mut out);
        push_words(&mut out, parts.action);
        parts.noun_and_target(&mut out);
    } else {
        parts.automatically(&mut out);
        match (said, parts.past) {
            (Some((sentence, facts)), _) => parts.fill(&mut out, sentence.says, &facts),
            (None, Some(past)) => {
                out.push_str(past);
                parts.noun_and_target(&mut out);
            }
            (None, None) => {
                out.push_str("performed ");
                push_words(&mut out, parts.action);
                out.push_str(" on");
                parts.noun_and_target(&mut out);
            }
        }
    }
    if entry.flags.contains(&Flag::Uncommitted) {
        out.push_str(" (not confirmed)");
    }
    out
}

/// What a sentence's placeholders are filled with.
struct Parts<'a> {
    subject: &'a str,
    automatic: bool,
    noun: &'a str,
    target: &'a str,
    action: &'a str,
    past: Option<&'static str>,
}

impl Parts<'_> {
    fn automatically(&self, out: &mut String) {
        if self.automatic {
            out.push_str("automatically ");
        }
    }

    /// " {noun} {target}", leaving out what is empty.
    fn noun_and_target(&self, out: &mut String) {
        if !self.noun.is_empty() {
            out.push(' ');
            push_words(out, self.noun);
        }
        if !self.target.is_empty() {
            out.push(' ');
            out.push_str(self.target);
        }
    }

    /// `template` with its placeholders filled; `{{` and `}}` are braces.
    fn fill(&self, out: &mut String, template: &str, facts: &Facts<'_>) {
        let mut rest = template;
        while let Some(at) = rest.find(['{', '}']) {
            out.push_str(&rest[..at]);
            let brace = &rest[at..];
            if brace.starts_with("{{") || brace.starts_with("}}") {
                out.push_str(&brace[..1]);
                rest = &brace[2..];
                continue;
            }
            let Some(end) = brace.find('}').filter(|_| brace.starts_with('{')) else {
                out.push_str(&brace[..1]);
                rest = &brace[1..];
                continue;
            };
            self.placeholder(out, &brace[1..end], facts);
            rest = &brace[end + 1..];
        }
        out.push_str(rest);
    }

    fn placeholder(&self, out: &mut String, inner: &str, facts: &Facts<'_>) {
        let mut forms = inner.split('|');
        let name = forms.next().unwrap_or_default().trim();
        let count = match name {
            "added" => Some(facts.added),
            "removed" => Some(facts.removed),
            _ => None,
        };
        match (name, count, forms.next(), forms.next()) {
            (_, Some(count), Some(one), Some(many)) => {
                out.push_str(if count == 1 { one } else { many });
            }
            (_, Some(count), None, _) => {
                let _ = write!(out, "{count}");
            }
            ("actor", ..) => out.push_str(self.subject),
            ("noun", ..) => push_words(out, self.noun),
            ("target", ..) => out.push_str(self.target),
            ("action", ..) => push_words(out, self.action),
            ("past", ..) => match self.past {
                Some(past) => out.push_str(past),
                None => push_words(out, self.action),
            },
            ("old", ..) => push_value(out, facts.whole.and_then(FieldChange::old_value)),
            ("new", ..) => push_value(out, facts.whole.and_then(FieldChange::new_value)),
            // The derive lets no other placeholder through.
            _ => {
                out.push('{');
                out.push_str(inner);
                out.push('}');
            }
        }
    }
}

/// A snake_case name as words: the action `request_access` as "request
/// access", the resource type `api_key` as "api key". (A declared noun has
/// no `_` to replace.)
fn push_words(out: &mut String, name: &str) {
    for (index, word) in name.split('_').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// A recorded value as a sentence prints it: a string as it is, `null` as
/// "nothing", anything else as compact JSON.
fn push_value(out: &mut String, value: Option<&Value>) {
    match value {
        Some(Value::String(text)) => out.push_str(text),
        Some(Value::Null) | None => out.push_str("nothing"),
        Some(value) => {
            let _ = write!(out, "{value}");
        }
    }
}
