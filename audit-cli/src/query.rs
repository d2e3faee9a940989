//! `audit query`: a store's entries, filtered, one JSON object a line.

use std::io::Write as _;

use audit_core::Action;
use audit_core::store::{AuditQuery, Cursor, StatusFilter};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::{Location, Store};

/// Print a store's entries, newest first, as JSON lines; the cursor of the
/// next page, if any, goes to standard error.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The store: `sqlite:PATH` or `postgres://USER@HOST/DATABASE`
    /// (over TLS with `?sslmode=verify-full&sslrootcert=CA.pem`).
    store: String,
    /// Only entries about this resource type.
    #[arg(long)]
    resource_type: Option<String>,
    /// Only entries about this resource id.
    #[arg(long)]
    resource_id: Option<String>,
    /// Only entries of these actions (repeat for more than one).
    #[arg(long = "action")]
    actions: Vec<String>,
    /// Only entries by this actor.
    #[arg(long)]
    actor: Option<String>,
    /// Only entries of this organization.
    #[arg(long)]
    organization: Option<String>,
    /// Only entries of this request.
    #[arg(long)]
    request_id: Option<String>,
    /// Only entries written by this origin (one writer of the store, such
    /// as one instance of a service).
    #[arg(long)]
    origin: Option<String>,
    /// Only entries with this status: a code (`404`), `succeeded` (below
    /// 400), `failed` (400 or more) or `uncommitted` (none).
    #[arg(long)]
    status: Option<String>,
    /// Only entries made at or after this time (RFC 3339).
    #[arg(long)]
    since: Option<String>,
    /// Only entries made before this time (RFC 3339).
    #[arg(long)]
    until: Option<String>,
    /// How many entries to print, at most 1000.
    #[arg(long, default_value_t = audit_core::store::DEFAULT_LIMIT)]
    limit: usize,
    /// Continue after the page that printed this cursor.
    #[arg(long)]
    cursor: Option<String>,
}

pub(crate) fn run(args: &Args) -> Result<(), String> {
    let query = build(args)?;
    let location = Location::parse(&args.store);
    if let Location::File(path) = &location {
        return Err(format!(
            "{}: not a store; give sqlite:PATH or a postgres:// URL",
            path.display()
        ));
    }
    let Some(store) = Store::open(&location)? else {
        return Err(format!("{}: cannot be opened", args.store));
    };
    let page = store.query(&query)?;
    let mut out = std::io::stdout().lock();
    for entry in &page.entries {
        let line = serde_json::to_string(entry).map_err(|error| error.to_string())?;
        writeln!(out, "{line}").map_err(|error| format!("standard output: {error}"))?;
    }
    if let Some(cursor) = page.next_cursor {
        eprintln!("next page: --cursor {cursor}");
    }
    Ok(())
}

/// The query the options describe.
fn build(args: &Args) -> Result<AuditQuery, String> {
    let mut query = AuditQuery::new().limit(args.limit);
    if let Some(resource_type) = &args.resource_type {
        query = query.resource_type(resource_type);
    }
    if let Some(resource_id) = &args.resource_id {
        query = query.resource_id(resource_id);
    }
    if !args.actions.is_empty() {
        let actions = args
            .actions
            .iter()
            .map(|action| {
                action
                    .parse::<Action>()
                    .map_err(|error| format!("--action {action}: {error}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        query = query.actions(actions);
    }
    if let Some(actor) = &args.actor {
        query = query.actor(actor);
    }
    if let Some(organization) = &args.organization {
        query = query.organization(organization);
    }
    if let Some(request_id) = &args.request_id {
        query = query.request_id(request_id);
    }
    if let Some(origin) = &args.origin {
        query = query.origin(origin);
    }
    if let Some(status) = &args.status {
        query = query.status(status_filter(status)?);
    }
    if let Some(since) = &args.since {
        query = query.since(time("--since", since)?);
    }
    if let Some(until) = &args.until {
        query = query.until(time("--until", until)?);
    }
    if let Some(cursor) = &args.cursor {
        let cursor: Cursor = cursor
            .parse()
            .map_err(|error| format!("--cursor {cursor}: {error}"))?;
        query = query.after(cursor);
    }
    Ok(query)
}

fn status_filter(status: &str) -> Result<StatusFilter, String> {
    match status {
        "succeeded" => Ok(StatusFilter::Succeeded),
        "failed" => Ok(StatusFilter::Failed),
        "uncommitted" => Ok(StatusFilter::Uncommitted),
        code => code.parse().map(StatusFilter::Code).map_err(|_| {
            format!("--status {status}: a status code, succeeded, failed or uncommitted")
        }),
    }
}

fn time(option: &str, text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("{option} {text}: not an RFC 3339 time ({error})"))
}
