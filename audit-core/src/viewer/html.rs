//! The page as HTML: every value from an entry escaped, no script, no
//! inline style (the Content-Security-Policy forbids both).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::diff::{Change, Diff, FieldChange};
use crate::entry::AuditEntry;
use crate::store::facts::ResourceFact;
use crate::store::{CappedCount, Cursor};

/// What a secret's value is shown as, on both sides of its change.
pub(crate) const SECRET_MASK: &str = "••••••••";

/// The longest value shown in a diff, in characters; the export has all.
const MAX_VALUE_CHARS: usize = 2000;

/// The presets above the list: a label and its query.
const PRESETS: [(&str, &str); 4] = [
    ("Failed", "status:failed"),
    ("Deletions", "action:delete"),
    ("Not confirmed", "status:uncommitted"),
    ("Empty write diffs", "flag:empty_write_diff"),
];

/// Escapes text for HTML content and for attribute values in double quotes.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// Percent-encodes text for a URL's query component.
pub(crate) fn url_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// A search term for `key` matching `value` exactly, quoted when needed.
pub(crate) fn term(key: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\\');
    if plain {
        format!("{key}:{value}")
    } else {
        let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("{key}:\"{quoted}\"")
    }
}

/// A link target that is safe to put in `href`: a path on this site
/// (`/chats/7`, not `//host`) or an `http(s)` URL. Anything else
/// (`javascript:`, `data:`) is not linked.
fn safe_link(link: &str) -> Option<&str> {
    let on_site = link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/\\");
    let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !link.chars().any(char::is_control);
    ((on_site || web) && clean).then_some(link)
}

/// The sentence as HTML: the last occurrence of the target linked by the
/// entry's link, or followed by "(deleted)" when the resource is deleted.
fn sentence_html(entry: &AuditEntry, deleted: bool) -> String {
    let sentence = entry.description();
    let target = entry.resource_target.as_str();
    let found = (!target.is_empty())
        .then(|| sentence.rfind(target))
        .flatten();
    let Some(at) = found else {
        let mut html = escape(&sentence).into_owned();
        if deleted {
            html.push_str(" <span class=\"deleted\">(deleted)</span>");
        }
        return html;
    };
    let (before, rest) = sentence.split_at(at);
    let after = &rest[target.len()..];
    let target_html = match (deleted, entry.resource_link.as_deref().and_then(safe_link)) {
        (true, _) => format!(
            "<span class=\"target\">{}</span> <span class=\"deleted\">(deleted)</span>",
            escape(target)
        ),
        (false, Some(link)) => format!(
            "<a class=\"target\" href=\"{}\">{}</a>",
            escape(link),
            escape(target)
        ),
        (false, None) => format!("<span class=\"target\">{}</span>", escape(target)),
    };
    format!("{}{target_html}{}", escape(before), escape(after))
}

/// The status pill: the code, "failed" at 400 and above, "not confirmed"
/// without a status.
fn status_pill(status: Option<u16>) -> String {
    match status {
        None => "<span class=\"pill uncommitted\">not confirmed</span>".to_owned(),
        Some(code) if code >= 400 => {
            format!("<span class=\"pill failed\">failed {code}</span>")
        }
        Some(code) => format!("<span class=\"pill succeeded\">{code}</span>"),
    }
}

/// A JSON value as shown in a diff, cut to [`MAX_VALUE_CHARS`].
fn value_text(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if text.chars().count() > MAX_VALUE_CHARS {
        let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Whether a fingerprinted secret's new value was seen before on the same
/// resource and path, before `time_us`.
pub(crate) struct SecretHistory {
    /// (resource type, resource id, path) → (time, fingerprint) of every
    /// old and new fingerprint seen.
    seen: HashMap<(String, String, String), Vec<(i64, String)>>,
}

impl SecretHistory {
    pub(crate) fn from_facts(facts: &[ResourceFact]) -> (Self, HashSet<(String, String)>) {
        let mut seen: HashMap<_, Vec<_>> = HashMap::new();
        let mut deleted = HashSet::new();
        for fact in facts {
            if fact.action == "delete" {
                deleted.insert((fact.resource_type.clone(), fact.resource_id.clone()));
            }
            let Ok(diff) = serde_json::from_str::<Diff>(&fact.diff) else {
                continue;
            };
            for change in &diff {
                let Some(fingerprint) = change.secret_fingerprint() else {
                    continue;
                };
                let key = (
                    fact.resource_type.clone(),
                    fact.resource_id.clone(),
                    change.key().to_owned(),
                );
                for hmac in [fingerprint.old_hmac(), fingerprint.new_hmac()]
                    .into_iter()
                    .flatten()
                {
                    seen.entry(key.clone())
                        .or_default()
                        .push((fact.time_us, hmac.to_owned()));
                }
            }
        }
        (SecretHistory { seen }, deleted)
    }

    /// What the fingerprints tell of a secret's change, if anything.
    fn tell(&self, entry: &AuditEntry, change: &FieldChange) -> Option<&'static str> {
        let fingerprint = change.secret_fingerprint()?;
        let (old, new) = (fingerprint.old_hmac()?, fingerprint.new_hmac()?);
        if old == new {
            return None;
        }
        let time_us = Cursor::of(entry).time_us;
        let key = (
            entry.resource_type.to_string(),
            entry.resource_id.clone(),
            change.key().to_owned(),
        );
        let earlier = self.seen.get(&key).is_some_and(|seen| {
            seen.iter()
                .any(|(time, hmac)| *time < time_us && hmac == new)
        });
        Some(if earlier {
            "set back to an earlier value"
        } else {
            "changed (rotated)"
        })
    }
}

/// One row of the diff table.
fn diff_row(html: &mut String, entry: &AuditEntry, change: &FieldChange, secrets: &SecretHistory) {
    let (old, new, note): (Option<String>, Option<String>, Option<Cow<'_, str>>) =
        match change.change() {
            Change::Tracked { old, new } => (Some(value_text(old)), Some(value_text(new)), None),
            Change::Secret => (
                Some(SECRET_MASK.to_owned()),
                Some(SECRET_MASK.to_owned()),
                secrets.tell(entry, change).map(Cow::Borrowed),
            ),
            Change::Unserializable { error } => (
                None,
                None,
                Some(Cow::Owned(format!("could not be recorded: {error}"))),
            ),
            Change::Added { new } => (None, Some(value_text(new)), None),
            Change::Removed { old } => (Some(value_text(old)), None, None),
            Change::Structural => (
                None,
                None,
                Some(Cow::Borrowed(match change.op() {
                    Some(crate::diff::Op::Remove) => "removed",
                    _ => "added",
                })),
            ),
        };
    let _ = write!(
        html,
        "<tr><th scope=\"row\" class=\"path\">{}</th>",
        escape(change.key())
    );
    for (side, value, sign) in [("old", old, "−"), ("new", new, "+")] {
        match value {
            Some(value) => {
                let _ = write!(
                    html,
                    "<td class=\"{side}\"><span class=\"sign\">{sign}</span> <code>{}</code></td>",
                    escape(&value)
                );
            }
            None => {
                let _ = write!(html, "<td class=\"{side} none\"></td>");
            }
        }
    }
    match note {
        Some(note) => {
            let _ = write!(html, "<td class=\"note\">{}</td></tr>", escape(&note));
        }
        None => html.push_str("<td class=\"note\"></td></tr>"),
    }
}

/// Everything one page shows.
pub(crate) struct PageView<'a> {
    /// The path of the page's router, without a trailing `/` (`/audit/ui`).
    pub(crate) prefix: &'a str,
    pub(crate) query_text: &'a str,
    pub(crate) error: Option<String>,
    pub(crate) entries: &'a [AuditEntry],
    pub(crate) deleted: &'a HashSet<(String, String)>,
    pub(crate) secrets: &'a SecretHistory,
    pub(crate) count: Option<CappedCount>,
    pub(crate) next_cursor: Option<Cursor>,
    pub(crate) limit: Option<usize>,
    pub(crate) resource_types: &'a [String],
    pub(crate) actions: &'a [String],
}

/// The page's own URL, escaped: the path the router is mounted at (`/`
/// at the root). axum routes a nested router's `/` at the path without a
/// trailing slash (`/audit/ui`).
pub(crate) fn page_url(prefix: &str) -> Cow<'_, str> {
    if prefix.is_empty() {
        Cow::Borrowed("/")
    } else {
        escape(prefix)
    }
}

/// A count with thousands separators, and "+" when capped: "2,000+".
pub(crate) fn count_text(count: CappedCount) -> String {
    let digits = count.count.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    if count.capped {
        text.push('+');
    }
    text
}

/// The page's HTML.
pub(crate) fn render(view: &PageView<'_>) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let prefix = escape(view.prefix);
    let page = page_url(view.prefix);
    let q = escape(view.query_text);
    let q_url = url_encode(view.query_text);
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Audit log</title><link rel=\"stylesheet\" href=\"{prefix}/style.css\"></head>\
         <body><header><h1>Audit log</h1>\
         <form class=\"search\" method=\"get\" action=\"{page}\" role=\"search\">\
         <label for=\"q\">Search</label> \
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\" size=\"60\" \
         placeholder=\"chat action:delete -actor:bot status:failed field:settings since:2026-11-01\"> "
    );
    for (name, label, values) in [
        ("resource_type", "Resource type", view.resource_types),
        ("action", "Action", view.actions),
    ] {
        let _ = write!(
            html,
            "<label for=\"menu-{name}\">{label}</label> <select id=\"menu-{name}\" name=\"{name}\">\
             <option value=\"\">any</option>"
        );
        for value in values {
            let _ = write!(html, "<option value=\"{0}\">{0}</option>", escape(value));
        }
        html.push_str("</select> ");
    }
    html.push_str("<button type=\"submit\">Search</button></form><nav class=\"presets\">");
    for (label, preset) in PRESETS {
        let _ = write!(
            html,
            "<a href=\"{page}?q={}\">{label}</a> ",
            url_encode(preset)
        );
    }
    let _ = write!(
        html,
        "<a href=\"{page}\">All</a></nav>\
         <p class=\"help\">Terms <code>key:value</code>; <code>-key:value</code> excludes; \
         keys resource_type, resource_id, action, actor, organization, request_id, \
         status (a code, failed, succeeded, uncommitted), field, flag, since, until.</p></header><main>"
    );
    if let Some(error) = &view.error {
        let _ = write!(
            html,
            "<p class=\"error\" role=\"alert\" id=\"search-error\">{}</p>",
            escape(error)
        );
    }
    if let Some(count) = view.count {
        let _ = write!(
            html,
            "<p class=\"summary\"><span id=\"count\">{}</span> matching {} \
             <a class=\"export\" href=\"{prefix}/export.csv?q={q_url}\" download>Export CSV</a> \
             <a class=\"export\" href=\"{prefix}/export.jsonl?q={q_url}\" download>Export JSON lines</a></p>",
            count_text(count),
            if count.count == 1 && !count.capped {
                "entry"
            } else {
                "entries"
            },
        );
        if view.entries.is_empty() {
            html.push_str("<p class=\"empty\">No entries match.</p>");
        }
    }
    html.push_str("<ol class=\"entries\">");
    for entry in view.entries {
        entry_html(&mut html, view, entry);
    }
    html.push_str("</ol>");
    if let Some(cursor) = view.next_cursor {
        let limit = view
            .limit
            .map(|limit| format!("&amp;limit={limit}"))
            .unwrap_or_default();
        let _ = write!(
            html,
            "<nav class=\"pages\"><a rel=\"next\" id=\"next-page\" href=\"{page}?q={q_url}&amp;cursor={}{limit}\">Older entries</a></nav>",
            url_encode(&cursor.to_string())
        );
    }
    html.push_str("</main></body></html>\n");
    html
}

fn entry_html(html: &mut String, view: &PageView<'_>, entry: &AuditEntry) {
    let page = page_url(view.prefix);
    let deleted = view
        .deleted
        .contains(&(entry.resource_type.to_string(), entry.resource_id.clone()));
    let time = entry
        .time
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let _ = write!(
        html,
        "<li class=\"entry\" id=\"entry-{}\"><div class=\"head\"><p class=\"sentence\">{}</p> {} \
         <time datetime=\"{time}\">{}</time></div><p class=\"meta\">",
        entry.id,
        sentence_html(entry, deleted),
        status_pill(entry.status_code),
        entry
            .time
            .to_offset(time::UtcOffset::UTC)
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .unwrap_or_default(),
    );
    let fields = [
        ("actor", entry.actor.clone()),
        ("ip", entry.ip.map(|ip| ip.to_string())),
        ("user agent", entry.user_agent.clone()),
        ("organization", entry.organization_id.clone()),
    ];
    for (label, value) in fields {
        if let Some(value) = value {
            let _ = write!(
                html,
                "<span class=\"field\"><span class=\"label\">{label}</span> {}</span> ",
                escape(&value)
            );
        }
    }
    if let Some(request_id) = &entry.request_id {
        let _ = write!(
            html,
            "<a class=\"request\" href=\"{page}?q={}\">request {}</a>",
            url_encode(&term("request_id", request_id)),
            escape(request_id)
        );
    }
    for flag in &entry.flags {
        let name = serde_json::to_value(flag)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = write!(
            html,
            " <span class=\"flag\" title=\"{}\">{}</span>",
            escape(flag.description()),
            escape(&name)
        );
    }
    html.push_str("</p>");
    if !entry.diff.is_empty() {
        let changed = entry.diff.len();
        let _ = write!(
            html,
            "<details class=\"diff\"><summary>{changed} changed field{}</summary>\
             <table><thead><tr><th scope=\"col\">field</th><th scope=\"col\">before</th>\
             <th scope=\"col\">after</th><th scope=\"col\"></th></tr></thead><tbody>",
            if changed == 1 { "" } else { "s" }
        );
        for change in &entry.diff {
            diff_row(html, entry, change, view.secrets);
        }
        html.push_str("</tbody></table></details>");
    }
    html.push_str("</li>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape(r#"<img src=x onerror="alert('1')">&"#),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;"
        );
        assert!(matches!(escape("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn counts_have_separators_and_a_cap_mark() {
        assert_eq!(count_text(CappedCount::new(2001, 2000)), "2,000+");
        assert_eq!(count_text(CappedCount::new(999, 2000)), "999");
        assert_eq!(
            count_text(CappedCount::new(1_234_567, u64::MAX)),
            "1,234,567"
        );
        assert_eq!(count_text(CappedCount::new(0, 2000)), "0");
    }

    #[test]
    fn only_site_paths_and_web_urls_are_linked() {
        for link in ["/chats/7", "https://example.com/x", "HTTP://example.com"] {
            assert_eq!(safe_link(link), Some(link));
        }
        for link in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "//evil.example",
            "/\\evil.example",
            "data:text/html,x",
            "/x\ny",
            "chats/7",
        ] {
            assert_eq!(safe_link(link), None, "{link}");
        }
    }

    #[test]
    fn terms_quote_what_needs_it() {
        assert_eq!(term("request_id", "req-1"), "request_id:req-1");
        assert_eq!(term("request_id", "a b"), "request_id:\"a b\"");
        assert_eq!(term("actor", r#"say "x" \"#), r#"actor:"say \"x\" \\""#);
        assert_eq!(term("actor", ""), "actor:\"\"");
    }
}
