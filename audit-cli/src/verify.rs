//! `audit verify`: a chained log or store, and its checkpoints, checked
//! entry by entry.
//!
//! The output follows `aws cloudtrail validate-logs`: what was checked and
//! how much of it is valid, then `VALID` or the first bad line and `INVALID`.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use audit_core::chain::checkpoint::{self, HeadsByOrigin, SignedCheckpoint, VerifierKey};
use audit_core::chain::verify::{self, ChainVerifier, Report};
use audit_core::chain::{Digest, FORMAT, Link};
use audit_core::store::Purge;

use crate::kafka::{Reader, Topic};
use crate::store::{Location, Store};

/// How long a topic may send nothing before its end is reached.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Check a chained audit log, a JSON-lines file or a store: exit 0 when
/// every entry is intact, 1 naming the first bad line or row, 2 when the log
/// or a key cannot be read.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The audit log: a JSON-lines file, or the files of a rotated log,
    /// oldest first, checked as one chain; `sqlite:PATH`, a SQLite store's
    /// database; `postgres://USER@HOST/DATABASE`, a PostgreSQL store's,
    /// over TLS with `?sslmode=verify-full&sslrootcert=CA.pem`; or
    /// `kafka://HOST:PORT/TOPIC`, the topic Kafka sinks produce to, every
    /// origin's chain in it.
    /// A store's rows are checked in `seq` order and named by their
    /// position in it.
    #[arg(required = true, num_args = 1..)]
    log: Vec<String>,
    /// The signed checkpoints of the log, kept apart from it: they catch a
    /// removed tail and a recomputed chain.
    #[arg(long, requires = "public_key")]
    checkpoints: Option<PathBuf>,
    /// The key the checkpoints are signed with: a file holding the line
    /// `audit public-key` prints (`<name>+<key id>+<base64 key>`), or that line.
    #[arg(long, requires = "checkpoints")]
    public_key: Option<String>,
    /// Accept a store's rows without a `seq` when they are exactly the rows
    /// the store recorded, in its chain, as written before it chained its
    /// entries (by audit-core's schema version 1; the record is written the
    /// first time a store opens them), and a file's complete lines without a
    /// chain before its first entry (written before the file was chained),
    /// instead of failing: they are counted, not verified. Any other row
    /// without a `seq`, and lines without a chain after the first entry,
    /// always fail.
    #[arg(long)]
    allow_unchained: bool,
    /// A librdkafka property for a `kafka://` topic, `KEY=VALUE`, such as
    /// `security.protocol=sasl_ssl` or `ssl.ca.location=ca.pem`; repeatable.
    #[arg(long = "kafka-option", value_name = "KEY=VALUE")]
    kafka_options: Vec<String>,
}

/// The checkpoints, checked, and the heads they commit to.
struct Checked {
    key: VerifierKey,
    checkpoints: Vec<SignedCheckpoint>,
    heads: HeadsByOrigin,
}

impl Checked {
    /// The heads that apply to a log whose chain names `origin`.
    fn heads_of(&self, origin: Option<&str>) -> BTreeMap<u64, Digest> {
        checkpoint::heads_of(&self.heads, origin)
    }
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
    if let [log] = args.log.as_slice()
        && let Some(topic) = Topic::parse(log)
    {
        return verify_topic(&topic?.with_options(&args.kafka_options)?, checked.as_ref());
    }
    let locations: Vec<Location> = args.log.iter().map(|log| Location::parse(log)).collect();
    if let [location] = locations.as_slice()
        && !matches!(location, Location::File(_))
    {
        let Some(store) = Store::open(location)? else {
            return Err(format!("{}: cannot be opened", args.log[0]));
        };
        return verify_store(&store, checked.as_ref(), args.allow_unchained);
    }
    let mut paths = Vec::new();
    for location in &locations {
        let Location::File(path) = location else {
            return Err("a store is verified alone, not with other logs".to_owned());
        };
        paths.push(path.as_path());
    }
    let report = verify_files(&paths, checked.as_ref(), args.allow_unchained)?;
    let place = |file: usize, line: usize| match paths.get(file) {
        Some(path) if paths.len() > 1 => format!("line {line} of {}", path.display()),
        _ => format!("line {line}"),
    };
    Ok(print(&report, checked.as_ref(), None, &place, &|_| true))
}

/// The origins of a store's chains, and those the checkpoints commit to
/// (verified even when the store has no row of one left: deleting every row
/// of one origin must not go unnoticed beside the others); with neither,
/// the default origin, so that the report still counts unchained rows.
fn origins_to_verify(store: &Store, checked: Option<&Checked>) -> Result<Vec<String>, String> {
    let mut origins = store.origins()?;
    if let Some(checked) = checked {
        for origin in checked.heads.keys() {
            if !origins.contains(origin) {
                origins.push(origin.clone());
            }
        }
        origins.sort();
    }
    if origins.is_empty() {
        origins.push(audit_core::store::DEFAULT_ORIGIN.to_owned());
    }
    Ok(origins)
}

/// Verifies each origin's chain in a store, against the checkpoints of that
/// origin: one block each, then, with several origins, the verdict on all.
/// The store's unchained rows are reported once, in the block of the origin
/// whose chain records them (else the first).
fn verify_store(
    store: &Store,
    checked: Option<&Checked>,
    allow_unchained: bool,
) -> Result<ExitCode, String> {
    let origins = origins_to_verify(store, checked)?;
    let mut reports = Vec::with_capacity(origins.len());
    for origin in &origins {
        let heads = checked
            .map(|checked| checked.heads_of(Some(origin)))
            .unwrap_or_default();
        let report = store.verify(origin, &heads)?;
        reports.push((report, heads));
    }
    // Unchained rows pass only as the ones the store recorded, in a chain,
    // as written before it chained its entries; with checkpoints, only a
    // record they cover.
    let recorder = reports.iter().position(|(report, heads)| {
        report.unchained_record.is_some_and(|record| {
            record.matches && (checked.is_none() || heads.range(record.seq..).next().is_some())
        })
    });
    let several = reports.len() > 1;
    let mut valid = true;
    let mut entries = 0;
    let mut unsealed = 0;
    for (index, (report, heads)) in reports.into_iter().enumerate() {
        if several {
            println!("== origin {:?}", report.origin);
        }
        let unchained = (index == recorder.unwrap_or(0)).then_some((
            report.unchained,
            allow_unchained.then_some(recorder.is_some()),
        ));
        print_unsealed(&report);
        let orphaned = if index == 0 { report.orphaned } else { 0 };
        unsealed += report.unsealed.rows;
        entries += report.chain.entries;
        // A purge record in another chain counts once a checkpoint of that
        // chain covers it.
        let elsewhere = report
            .purges_elsewhere
            .into_iter()
            .map(|(origin, purge)| {
                let covered = checked.is_some_and(|checked| {
                    checked
                        .heads_of(Some(&origin))
                        .range(purge.seq..)
                        .next()
                        .is_some()
                });
                (origin, purge, covered)
            })
            .collect();
        let start = StoreStart {
            purges: report.purges,
            elsewhere,
            heads,
            key: checked.map(|checked| &checked.key),
            origin: report.origin.clone(),
        };
        let anchored = checked.is_some();
        let place = |_, row| format!("row {row}");
        let code = print(
            &report.chain,
            checked,
            unchained,
            &place,
            &|chain: &Report| {
                if orphaned > 0 {
                    println!(
                        "ORPHANED: {orphaned} rows have a seq but no origin: in no chain; no writer makes them, they were inserted behind the store's back"
                    );
                }
                start.print(chain, anchored) && orphaned == 0
            },
        );
        valid &= code == ExitCode::SUCCESS;
    }
    if !several {
        return Ok(if valid {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let waiting = if unsealed > 0 {
        format!(" ({unsealed} rows not sealed yet)")
    } else {
        String::new()
    };
    if valid {
        println!(
            "ALL VALID: {} origins, {entries} entries{waiting}",
            origins.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("INVALID: an origin's chain does not verify");
        Ok(ExitCode::FAILURE)
    }
}

/// Says how many of an origin's rows are committed but not sealed yet, and
/// how long the oldest has waited: a sealer chains them within its
/// interval; a large age means no sealer runs. Never a failure.
fn print_unsealed(report: &audit_core::store::StoreReport) {
    let unsealed = report.unsealed;
    if unsealed.rows == 0 {
        return;
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000;
    let age = unsealed
        .oldest_us
        .map(|oldest| {
            let micros = now.saturating_sub(i128::from(oldest)).max(0);
            format!(
                ", the oldest made {:.1} s ago",
                f64::from(u32::try_from(micros / 1000).unwrap_or(u32::MAX)) / 1000.0
            )
        })
        .unwrap_or_default();
    println!(
        "Unsealed: {} rows of origin {:?} are committed but not sealed yet{age}: not verified yet; \
         a sealer chains them within its interval (if they stay, no sealer runs on this store)",
        unsealed.rows, report.origin
    );
}

/// What tells where a store's chain legitimately starts: its purge records,
/// those chained elsewhere (with their chain's origin, and whether a
/// checkpoint of that chain covers them), and the heads the checkpoints of
/// its origin commit to.
struct StoreStart<'a> {
    purges: Vec<Purge>,
    elsewhere: Vec<(String, Purge, bool)>,
    heads: BTreeMap<u64, Digest>,
    /// The checkpoints' key, which must sign a purge record for it to
    /// account for the start.
    key: Option<&'a VerifierKey>,
    /// The origin of the chain, which its purge records name.
    origin: String,
}

impl StoreStart<'_> {
    /// When the chain verified starts after seq 1, prints whether a purge
    /// record accounts for the rows before it, and whether a checkpoint
    /// covers that record; whether the start is accounted for. Without
    /// checkpoints, a purge record proves nothing, and the output says so.
    fn print(&self, report: &Report, anchored: bool) -> bool {
        let Some(head) = report.head else {
            return true;
        };
        let first = head.seq + 1 - report.entries;
        if report.problem.is_some() || first <= 1 {
            return true;
        }
        let before = first - 1;
        // Each record that accounts for the start: where it is, and whether
        // a checkpoint covers it (it verified against one at or after it).
        let mut records: Vec<(String, &Purge, bool)> = self
            .purges
            .iter()
            .filter(|purge| purge.through_seq == before && purge.seq <= head.seq)
            .map(|purge| {
                let covered = self.heads.range(purge.seq..=head.seq).next().is_some();
                (format!("seq {}", purge.seq), purge, covered)
            })
            .collect();
        records.extend(
            self.elsewhere
                .iter()
                .filter(|(_, purge, _)| purge.through_seq == before)
                .map(|(origin, purge, covered)| {
                    (
                        format!("seq {} of the origin {origin:?}", purge.seq),
                        purge,
                        *covered,
                    )
                }),
        );
        let signed = |purge: &Purge| {
            self.key
                .is_some_and(|key| purge.is_signed_by(key, &self.origin))
        };
        let covered = records
            .iter()
            .find(|(_, purge, covered)| *covered && signed(purge));
        let unsigned = records
            .iter()
            .find(|(_, purge, covered)| *covered && !signed(purge));
        match (records.first(), covered, anchored) {
            (_, Some((at, purge, _)), true) => {
                println!(
                    "Starts at seq {first}: entries 1-{before} were purged by retention, as the purge record at {at} says ({} rows), which a checkpoint covers and the checkpoint key signs",
                    purge.purged
                );
                true
            }
            (Some(_), None, true) if let Some((at, _, _)) = unsigned => {
                println!(
                    "MISSING START: the first row is seq {first}; the purge record at {at} says entries 1-{before} were purged, but the checkpoint key does not sign it: a purge by whoever could write the store, without the key"
                );
                false
            }
            (Some((at, _, _)), _, false) => {
                println!(
                    "Unproven start: the first row is seq {first}; the purge record at {at} says entries 1-{before} were purged by retention, but without checkpoints nothing proves the start"
                );
                true
            }
            (Some((at, _, _)), None, true) => {
                println!(
                    "MISSING START: the first row is seq {first}; the purge record at {at} says entries 1-{before} were purged, but no checkpoint covers it"
                );
                false
            }
            (None, _, anchored) => {
                let proof = if anchored {
                    ""
                } else {
                    "; without checkpoints, the start cannot be proven either way"
                };
                println!(
                    "MISSING START: the first row is seq {first}, and no purge record accounts for entries 1-{before}: they were removed{proof}"
                );
                false
            }
        }
    }
}

/// Verifies the files of a log, oldest first, as one chain, against the
/// checkpoints of the origin the first one names.
fn verify_files(
    paths: &[&Path],
    checked: Option<&Checked>,
    allow_unchained: bool,
) -> Result<Report, String> {
    let open = |path: &Path| {
        File::open(path)
            .map(BufReader::new)
            .map_err(|error| format!("{}: {error}", path.display()))
    };
    let heads = match (checked, paths.first()) {
        (Some(checked), Some(first)) => {
            let origin = verify::origin_of(open(first)?)
                .map_err(|error| format!("{}: {error}", first.display()))?;
            checked.heads_of(origin.as_deref())
        }
        _ => BTreeMap::new(),
    };
    let mut verifier = ChainVerifier::for_files(&heads);
    if allow_unchained {
        verifier = verifier.allowing_unchained_start();
    }
    for (index, path) in paths.iter().enumerate() {
        if index > 0 && verifier.next_file() {
            break;
        }
        let done = verifier
            .read(open(path)?)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        if done {
            break;
        }
    }
    Ok(verifier.finish())
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
/// store's rows without a `seq`, and whether they are allowed; `None` for
/// files and topics. `place` names a line, by its file's index and its
/// number: `line 3 of audit.jsonl.1`, `row 3`, `partition 0 offset 2`.
fn print(
    report: &Report,
    checked: Option<&Checked>,
    unchained: Option<(u64, Option<bool>)>,
    place: &dyn Fn(usize, usize) -> String,
    start: &dyn Fn(&Report) -> bool,
) -> ExitCode {
    let unit = if unchained.is_some() { "row" } else { "line" };
    let origin = report.origin.as_deref().unwrap_or("?");
    print!("Chain {FORMAT}, origin {origin:?}");
    if let Some(checked) = checked {
        print!(", key {}+{}", checked.key.name(), checked.key.id());
    }
    println!();
    let entries = report.entries;
    // The first entry verified: 1, unless the log continues a rotated one
    // or a store's oldest rows were purged.
    let first_seq = report.head.map_or(1, |head| head.seq + 1 - entries);
    match (&report.times, report.head) {
        (Some((first, last)), Some(head)) if report.problem.is_none() => println!(
            "Entries {first_seq}-{} ({first} .. {last}): {entries}/{entries} links valid",
            head.seq
        ),
        _ if report.problem.is_none() => println!("Entries: none"),
        _ => {
            // The entries before the bad line: up to the last one verified,
            // and before the bad line's own seq (a modified line is found
            // once the next one is read, after it was counted).
            let bad_seq = report.problem.as_ref().and_then(|problem| problem.seq);
            let last = report
                .head
                .filter(|_| entries > 0)
                .map(|head| bad_seq.map_or(head.seq, |seq| head.seq.min(seq.saturating_sub(1))));
            match last {
                Some(last) if last >= first_seq => {
                    println!("Entries {first_seq}-{last}: links valid");
                }
                _ => println!("Entries: none valid before the first bad {unit}"),
            }
        }
    }
    let mut valid = print_coverage(report, unchained, place);
    valid &= start(report);
    if let Some(checked) = checked {
        valid &= print_checkpoints(report, checked, first_seq);
    } else if report.problem.is_none() {
        println!(
            "Unanchored: no checkpoints given; a removed tail or a recomputed chain goes unnoticed"
        );
    }
    if let Some(problem) = &report.problem {
        let label = match problem.kind {
            verify::ProblemKind::Truncated { .. } => "TRUNCATED",
            verify::ProblemKind::Unaccounted => "UNACCOUNTED",
            _ => "BROKEN",
        };
        print!("{label} at {}", place(problem.file, problem.line));
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

/// Prints what the chain does not cover: a file that continues a rotated
/// one, a store's rows without a `seq`, a file's lines
/// torn by a crash; whether the log is still valid. `place` names a line.
fn print_coverage(
    report: &Report,
    unchained: Option<(u64, Option<bool>)>,
    place: &dyn Fn(usize, usize) -> String,
) -> bool {
    let mut valid = report.problem.is_none();
    if let Some(continues) = report.continues {
        println!(
            "Continues a rotated file: the first line follows seq {} (head {}); verify the files together, oldest first",
            continues.seq,
            continues.hash.short()
        );
    }
    match unchained {
        Some((0, _)) | None => {}
        Some((rows, Some(true))) => println!(
            "Unchained: {rows} rows have no seq: the rows the store recorded, in its chain, as written before it chained its entries; not verified"
        ),
        Some((rows, Some(false))) => {
            println!(
                "UNCHAINED: {rows} rows have no seq, and they are not the rows the store recorded as written before it chained its entries \
                 (in its chain, and covered by a checkpoint when checkpoints are given): rows were inserted behind its back"
            );
            valid = false;
        }
        Some((rows, None)) => {
            println!(
                "UNCHAINED: {rows} rows have no seq: inserted behind the store's back, or written before it chained its entries \
                 (then pass --allow-unchained to count them without verifying them)"
            );
            valid = false;
        }
    }
    for skipped in &report.skipped {
        let line = place(skipped.file, skipped.line);
        if skipped.unchained {
            println!(
                "Unchained: {line} precedes the chain's first entry (written before the log was chained): not verified"
            );
        } else {
            println!(
                "Skipped: {line} is not an entry (a write cut short by a crash); the next entry accounts for it"
            );
        }
    }
    valid
}

/// Prints what the checkpoints of the log's origin commit to, and the
/// earlier files they cover; whether they are for the log's origin.
fn print_checkpoints(report: &Report, checked: &Checked, first_seq: u64) -> bool {
    // The chain's origin; when its start is gone (a store's purged rows),
    // the checkpoints' only one.
    let only = (checked.heads.len() == 1)
        .then(|| checked.heads.keys().next())
        .flatten();
    let origin = report.origin.as_ref().or(only).map_or("?", String::as_str);
    let mut valid = true;
    let count = checked.checkpoints.len();
    print!("Checkpoints: {count}/{count} signatures valid");
    let mine: Vec<_> = checked
        .checkpoints
        .iter()
        .map(SignedCheckpoint::checkpoint)
        .filter(|checkpoint| checkpoint.origin == origin)
        .collect();
    if mine.len() < count && !mine.is_empty() {
        print!(", {} of them for origin {origin:?}", mine.len());
    }
    if let Some(latest) = mine.last() {
        println!(
            "; latest commits to seq {} = head {}",
            latest.seq,
            latest.head.short()
        );
        let heads = checked.heads_of(Some(origin));
        let earlier: Vec<u64> = heads.range(..first_seq).map(|(&seq, _)| seq).collect();
        if let (Some(last), Some(_)) = (earlier.last(), report.continues) {
            println!(
                "Earlier file: {} checkpoints, up to seq {last}, cover entries before this file's first (seq {first_seq}); verify them with the earlier files",
                earlier.len()
            );
        }
        // Whoever can write the log's directory can replace the log with a
        // file that claims to continue it; only the key's holder signs the
        // rotation record a writer starts a new file with.
        if let Some(continues) = report.continues
            && report.problem.is_none()
            && !report.rotation_signed_by(&checked.key)
        {
            println!(
                "UNSIGNED ROTATION: the first line continues a rotated file after seq {}, but the checkpoint key does not sign it: the file may replace the log, whose entries are gone; verify it with the earlier files",
                continues.seq
            );
            valid = false;
        }
        if let Some(continues) = report.continues
            && !heads.contains_key(&continues.seq)
        {
            println!(
                "Unanchored start: no checkpoint commits to seq {}, which the first line links to; only the earlier file shows it",
                continues.seq
            );
        }
        if report.problem.is_none() {
            let last = report.head.map_or(0, |head| head.seq);
            println!(
                "Unanchored: {} entries after the latest checkpoint",
                last.saturating_sub(latest.seq)
            );
        }
    } else {
        println!();
        if count > 0 {
            let origins: Vec<String> = checked
                .heads
                .keys()
                .map(|origin| format!("{origin:?}"))
                .collect();
            println!(
                "BROKEN: no checkpoint is for origin {origin:?}, which the log's first entry names; they are for {}",
                origins.join(", ")
            );
            valid = false;
        }
    }
    valid
}

/// The checkpoint heads of an origin no checkpoint names: none.
static NO_HEADS: BTreeMap<u64, Digest> = BTreeMap::new();

/// One origin's chain in a topic, verified as its messages come, so that
/// the memory used grows by a few dozen bytes a message, not by messages.
struct TopicOrigin<'a> {
    verifier: ChainVerifier<'a>,
    /// The verifier found a problem: the origin's later messages are
    /// counted, not verified.
    stopped: bool,
    /// Where each verified message is, partition and offset, by its line
    /// number in the chain.
    places: Vec<(i32, i64)>,
    /// The hash of the message kept at each sequence number.
    seen: HashMap<u64, Digest>,
    duplicates: u64,
    conflicts: Vec<String>,
}

impl<'a> TopicOrigin<'a> {
    fn new(heads: &'a BTreeMap<u64, Digest>) -> Self {
        TopicOrigin {
            // A topic's oldest messages go with its retention: the chain
            // may start past seq 1, which the report says.
            verifier: ChainVerifier::new(heads).starting_anywhere(),
            stopped: false,
            places: Vec::new(),
            seen: HashMap::new(),
            duplicates: 0,
            conflicts: Vec::new(),
        }
    }
}

/// Where the message at `line` of an origin's chain is, for reports.
fn place_of(places: &[(i32, i64)], line: usize) -> String {
    places.get(line.wrapping_sub(1)).map_or_else(
        || format!("message {line}"),
        |(partition, offset)| format!("partition {partition} offset {offset}"),
    )
}

/// Reads a topic until every partition reported its end, verifying each
/// origin's chain in partition order as its messages come (against the
/// heads `checked` commits to): a message delivered twice (the same bytes
/// at the same sequence number of its origin) counted and dropped, and
/// where the messages without an origin key are.
fn read_topic<'a>(
    topic: &Topic,
    checked: Option<&'a Checked>,
) -> Result<(BTreeMap<String, TopicOrigin<'a>>, Vec<String>), String> {
    #[derive(serde::Deserialize)]
    struct Chained {
        chain: Link,
    }

    let mut reader = Reader::open(topic, None)?;
    let mut origins: BTreeMap<String, TopicOrigin<'a>> = BTreeMap::new();
    let mut keyless = Vec::new();
    let mut idle_since = Instant::now();
    while !reader.caught_up() {
        let Some(message) = reader.poll(Duration::from_millis(500))? else {
            if idle_since.elapsed() > READ_TIMEOUT {
                return Err(format!(
                    "{topic}: no message for {READ_TIMEOUT:?} before the end of every partition"
                ));
            }
            continue;
        };
        idle_since = Instant::now();
        let Some(key) = message
            .key
            .as_ref()
            .and_then(|key| String::from_utf8(key.clone()).ok())
        else {
            keyless.push(message.place());
            continue;
        };
        let origin = origins.entry(key).or_insert_with_key(|key| {
            let heads = checked
                .and_then(|checked| checked.heads.get(key))
                .unwrap_or(&NO_HEADS);
            TopicOrigin::new(heads)
        });
        if let Ok(chained) = serde_json::from_slice::<Chained>(&message.payload) {
            let hash = Digest::of(&message.payload);
            match origin.seen.get(&chained.chain.seq) {
                Some(kept) if *kept == hash => {
                    origin.duplicates += 1;
                    continue;
                }
                Some(_) => {
                    origin.conflicts.push(format!(
                        "{} (seq {})",
                        message.place(),
                        chained.chain.seq
                    ));
                    continue;
                }
                None => {
                    origin.seen.insert(chained.chain.seq, hash);
                }
            }
        }
        if !origin.stopped {
            origin.places.push((message.partition, message.offset));
            origin.stopped = origin.verifier.push(&message.payload);
        }
    }
    Ok((origins, keyless))
}

/// Verifies each origin's chain in a Kafka topic ([`read_topic`]): two
/// different messages at one sequence number, a message without an origin
/// key, and a first entry naming another origin than its key make the
/// topic invalid.
fn verify_topic(topic: &Topic, checked: Option<&Checked>) -> Result<ExitCode, String> {
    let (origins, keyless) = read_topic(topic, checked)?;
    let count = origins.len();
    let mut valid = true;
    let mut entries = 0;
    for (name, origin) in origins {
        println!("== origin {name:?}");
        let TopicOrigin {
            verifier,
            places,
            duplicates,
            conflicts,
            ..
        } = origin;
        let report = verifier.finish();
        entries += report.entries;
        let place = |_, line: usize| place_of(&places, line);
        let code = print(&report, checked, None, &place, &|report: &Report| {
            let mut valid = true;
            if let Some(head) = report.head
                && report.problem.is_none()
                && head.seq + 1 - report.entries > 1
            {
                println!(
                    "Starts at seq {}: the topic no longer holds the entries before (its retention removed them); the store they were ingested into does",
                    head.seq + 1 - report.entries
                );
            }
            if duplicates > 0 {
                println!(
                    "Duplicates: {duplicates} messages delivered twice, the same bytes; dropped"
                );
            }
            for conflict in &conflicts {
                println!(
                    "CONFLICT at {conflict}: another message of the origin has this seq with other bytes; one of them was forged"
                );
                valid = false;
            }
            if let Some(first) = report.origin.as_deref()
                && first != name
            {
                println!(
                    "MISKEYED: the messages' key is {name:?}, but their chain's first entry names the origin {first:?}"
                );
                valid = false;
            }
            valid
        });
        valid &= code == ExitCode::SUCCESS;
    }
    for place in &keyless {
        println!("MALFORMED at {place}: no key naming the origin of the chain it belongs to");
        valid = false;
    }
    if valid {
        println!("ALL VALID: {count} origins, {entries} entries");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("INVALID: an origin's chain does not verify");
        Ok(ExitCode::FAILURE)
    }
}
