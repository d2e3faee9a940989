//! `audit verify`: a chained log or store, and its checkpoints, checked
//! entry by entry.
//!
//! The output follows `aws cloudtrail validate-logs`: what was checked and
//! how much of it is valid, then `VALID` or the first bad line and `INVALID`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use audit_core::chain::checkpoint::{self, SignedCheckpoint, VerifierKey};
use audit_core::chain::verify::{self, Report};
use audit_core::chain::{Digest, FORMAT};

use crate::store::{Location, Store};

/// Check a chained audit log, a JSON-lines file or a store: exit 0 when
/// every entry is intact, 1 naming the first bad line or row, 2 when the log
/// or a key cannot be read.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The audit log: a JSON-lines file; `sqlite:PATH`, a SQLite store's
    /// database; or `postgres://USER@HOST/DATABASE`, a PostgreSQL store's,
    /// over TLS with `?sslmode=verify-full&sslrootcert=CA.pem`.
    /// A store's rows are checked in `seq` order and named by their
    /// position in it.
    log: String,
    /// The signed checkpoints of the log, kept apart from it: they catch a
    /// removed tail and a recomputed chain.
    #[arg(long, requires = "public_key")]
    checkpoints: Option<PathBuf>,
    /// The key the checkpoints are signed with: a file holding the line
    /// `audit public-key` prints (`<name>+<key id>+<base64 key>`), or that line.
    #[arg(long, requires = "checkpoints")]
    public_key: Option<String>,
    /// Accept a store's rows without a `seq` (written before it chained its
    /// entries, by audit-core's schema version 1) instead of failing: they
    /// are counted, not verified.
    #[arg(long)]
    allow_unchained: bool,
}

/// The checkpoints, checked, and the heads they commit to.
struct Checked {
    key: VerifierKey,
    checkpoints: Vec<SignedCheckpoint>,
    heads: BTreeMap<u64, Digest>,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, String> {
    let checked = match (&args.checkpoints, &args.public_key) {
        (Some(path), Some(key)) => match checkpoints(path, key)? {
            Ok(checked) => Some(checked),
            Err(invalid) => {
                println!("{invalid}");
                println!("INVALID");
                return Ok(ExitCode::FAILURE);
            }
        },
        _ => None,
    };
    let heads = checked
        .as_ref()
        .map(|checked| checked.heads.clone())
        .unwrap_or_default();
    let location = Location::parse(&args.log);
    let (report, unchained) = match (Store::open(&location)?, &location) {
        (Some(store), _) => {
            let report = store.verify(&heads)?;
            (report.chain, Some(report.unchained))
        }
        (None, Location::File(path)) => {
            let file = File::open(path).map_err(|error| format!("{}: {error}", path.display()))?;
            let report = verify::verify(BufReader::new(file), &heads)
                .map_err(|error| format!("{}: {error}", path.display()))?;
            (report, None)
        }
        (None, _) => return Err(format!("{}: cannot be opened", args.log)),
    };
    let unchained = unchained.map(|rows| (rows, args.allow_unchained));
    Ok(print(&report, checked.as_ref(), unchained))
}

/// Reads and checks the checkpoints: `Err` for an I/O or usage error, `Ok(Err)`
/// with the message for checkpoints that cannot be trusted.
fn checkpoints(path: &Path, key: &str) -> Result<Result<Checked, String>, String> {
    let key = read_key(key)?;
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let checkpoints = match SignedCheckpoint::parse_all(&text) {
        Ok(checkpoints) => checkpoints,
        Err(error) => {
            return Ok(Err(format!(
                "BAD CHECKPOINTS in {}: {error}",
                path.display()
            )));
        }
    };
    match checkpoint::verify_all(&checkpoints, &key) {
        Ok(heads) => Ok(Ok(Checked {
            key,
            checkpoints,
            heads,
        })),
        Err(problem) => {
            let seq = checkpoints
                .get(problem.index - 1)
                .map_or(0, |bad| bad.checkpoint().seq);
            Ok(Err(format!(
                "BAD CHECKPOINT #{} (commits to seq {seq}) in {}: {}",
                problem.index,
                path.display(),
                problem.kind
            )))
        }
    }
}

/// The verifier key given as a line or in a file.
fn read_key(key: &str) -> Result<VerifierKey, String> {
    if let Ok(parsed) = key.parse() {
        return Ok(parsed);
    }
    let text = std::fs::read_to_string(key).map_err(|error| {
        format!("--public-key {key}: neither a key (<name>+<key id>+<base64 key>) nor a readable file: {error}")
    })?;
    text.parse()
        .map_err(|error| format!("--public-key {key}: {error}"))
}

/// Prints the report; the exit status. `unchained` is the number of a
/// store's rows without a `seq`, and whether they are allowed; `None` for a
/// file.
fn print(report: &Report, checked: Option<&Checked>, unchained: Option<(u64, bool)>) -> ExitCode {
    let unit = if unchained.is_some() { "row" } else { "line" };
    let origin = report.origin.as_deref().unwrap_or("?");
    print!("Chain {FORMAT}, origin {origin:?}");
    if let Some(checked) = checked {
        print!(", key {}+{}", checked.key.name(), checked.key.id());
    }
    println!();
    let entries = report.entries;
    match (&report.times, report.head) {
        (Some((first, last)), Some(head)) if report.problem.is_none() => println!(
            "Entries {}-{} ({first} .. {last}): {entries}/{entries} links valid",
            head.seq + 1 - entries,
            head.seq
        ),
        _ if report.problem.is_none() => println!("Entries: none"),
        _ => match report.problem.as_ref().and_then(|problem| problem.seq) {
            Some(seq) if seq > 1 => println!("Entries 1-{}: links valid", seq - 1),
            _ => println!("Entries: none valid before the first bad {unit}"),
        },
    }
    let mut valid = print_coverage(report, unchained);
    if let Some(checked) = checked {
        let count = checked.checkpoints.len();
        print!("Checkpoints: {count}/{count} signatures valid");
        if let Some(latest) = checked.checkpoints.last() {
            let latest = latest.checkpoint();
            println!(
                "; latest commits to seq {} = head {}",
                latest.seq,
                latest.head.short()
            );
            if report.origin.is_some() && report.origin.as_deref() != Some(latest.origin.as_str()) {
                println!(
                    "BROKEN: the checkpoints are for origin {:?}, the log's chain for {origin:?}",
                    latest.origin
                );
                valid = false;
            } else if report.problem.is_none() {
                let last = report.head.map_or(0, |head| head.seq);
                println!(
                    "Unanchored: {} entries after the latest checkpoint",
                    last.saturating_sub(latest.seq)
                );
            }
        } else {
            println!();
        }
    } else if report.problem.is_none() {
        println!(
            "Unanchored: no checkpoints given; a removed tail or a recomputed chain goes unnoticed"
        );
    }
    if let Some(problem) = &report.problem {
        let label = match problem.kind {
            verify::ProblemKind::Truncated { .. } => "TRUNCATED",
            _ => "BROKEN",
        };
        print!("{label} at {unit} {}", problem.line);
        match (problem.seq, &problem.id) {
            (Some(seq), Some(id)) => print!(" (seq {seq}, id {id})"),
            (Some(seq), None) => print!(" (seq {seq})"),
            (None, _) => {}
        }
        let kind = problem.kind.to_string();
        // A store's rows are its lines, numbered in seq order.
        let kind = if unit == "line" {
            kind
        } else {
            kind.replace("line", unit)
        };
        println!(": {kind}");
    }
    if valid {
        println!("VALID: {entries} entries");
        ExitCode::SUCCESS
    } else {
        println!("INVALID");
        ExitCode::FAILURE
    }
}

/// Prints what the chain does not cover: a store's start after seq 1, its
/// rows without a `seq`, a file's lines torn by a crash; whether the log is
/// still valid.
fn print_coverage(report: &Report, unchained: Option<(u64, bool)>) -> bool {
    let entries = report.entries;
    let mut valid = report.problem.is_none();
    if let Some(head) = report.head
        && report.problem.is_none()
        && head.seq + 1 - entries > 1
    {
        println!(
            "Starts at seq {}: entries 1-{} were purged by retention, or removed; only checkpoints anchor them",
            head.seq + 1 - entries,
            head.seq - entries
        );
    }
    match unchained {
        Some((0, _)) | None => {}
        Some((rows, true)) => println!(
            "Unchained: {rows} rows have no seq (written before the store chained its entries, or inserted behind its back): not verified"
        ),
        Some((rows, false)) => {
            println!(
                "UNCHAINED: {rows} rows have no seq: inserted behind the store's back, or written before it chained its entries \
                 (then pass --allow-unchained to count them without verifying them)"
            );
            valid = false;
        }
    }
    for skipped in &report.skipped {
        if skipped.torn {
            println!(
                "Skipped: line {} is not an entry (a write cut short by a crash); not part of the chain",
                skipped.line
            );
        } else {
            println!(
                "Skipped: line {} is not an entry (a write cut short by a crash); the next entry accounts for it",
                skipped.line
            );
        }
    }
    valid
}
