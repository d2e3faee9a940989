//! What `#[derive(Auditable)]` costs at compile time, against
//! `#[derive(Serialize)]` on the same structs.
//!
//! Generates a scratch workspace under the target directory with one crate per
//! variant, each holding N structs of 20 fields (the field types of a typical
//! audited row), and times clean builds of each crate after its dependencies
//! are built:
//!
//! - `plain`: the structs, no derive (what every variant pays anyway);
//! - `serialize`: `#[derive(Serialize)]`;
//! - `auditable`: `#[derive(Auditable)]` with every field classified, a noun,
//!   six actions and three fields with `says(...)` sentences;
//! - `both`: `#[derive(Serialize, Auditable)]`, what users write;
//! - `serialize_used` and `auditable_used`: one derive, and a function per
//!   struct that calls it (`serde_json::to_string`, `audit_core::diff`), since
//!   both derives leave machine code to the crate that calls them.
//!
//! Each build is timed the same way: `cargo clean -p <crate>`, then `cargo
//! build -p <crate>`, variants interleaved so that noise from other processes
//! spreads over all of them; the median of the runs is reported, as wall time
//! with its range and, on Linux, as the CPU time (user + system) of the build.
//! With `--instructions`, each crate is then built once more with its rustc
//! run under `valgrind --tool=callgrind`, and the instructions rustc executed
//! are reported beside the times: a count that does not depend on what else
//! the machine is doing. The ratios the budget is about (`auditable` to
//! `serialize`, `auditable_used` to `serialize_used`) close each table: the
//! ratio of the medians, the range of the ratios of the runs paired as they
//! were interleaved, and the ratio of the instruction counts.
//!
//! ```text
//! cargo bench -p audit-core --bench compile_time [-- [--structs N] [--runs N]
//!     [--profile debug|release|check]... [--audit-core PATH] [--instructions]
//!     [VARIANT...]]
//! ```
//!
//! Defaults: 200 structs, 5 runs, the `debug` and `release` profiles, every
//! variant, this audit-core. `--audit-core` builds against another checkout
//! of audit-core instead, to compare with an earlier version of the derive.
//! See docs/performance.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use std::{env, fs, io};

/// The crates built, one per variant, and what each one writes.
const VARIANTS: &[Variant] = &[
    Variant {
        name: "plain",
        serialize: false,
        auditable: false,
        used: false,
    },
    Variant {
        name: "serialize",
        serialize: true,
        auditable: false,
        used: false,
    },
    Variant {
        name: "auditable",
        serialize: false,
        auditable: true,
        used: false,
    },
    Variant {
        name: "both",
        serialize: true,
        auditable: true,
        used: false,
    },
    Variant {
        name: "serialize_used",
        serialize: true,
        auditable: false,
        used: true,
    },
    Variant {
        name: "auditable_used",
        serialize: false,
        auditable: true,
        used: true,
    },
];

struct Variant {
    name: &'static str,
    /// Whether the structs derive `Serialize`.
    serialize: bool,
    /// Whether the structs derive `Auditable`.
    auditable: bool,
    /// Whether the crate also calls what it derives, once per struct:
    /// `serde_json::to_string` or `audit_core::diff`. Both derives' code is
    /// generated (monomorphized, or `#[inline]`) in the crate that calls it.
    used: bool,
}

/// The fields of every generated struct: `(attribute, name, type)`. The same
/// shape as the `Workspace` of the diff benchmark.
const SCHEMA: [(&str, &str, &str); 20] = [
    ("track", "id", "Uuid"),
    ("track", "owner_id", "Uuid"),
    ("track", "organization_id", "Uuid"),
    ("track", "template_id", "Option<Uuid>"),
    (
        "track, says(changed = \"renamed {noun} {old} to {new}\")",
        "name",
        "String",
    ),
    ("track", "description", "String"),
    (
        "secret = \"grants access to the workspace\"",
        "api_token",
        "String",
    ),
    (
        "track, says(true = \"archived {noun} {target}\", false = \"unarchived {noun} {target}\")",
        "archived",
        "bool",
    ),
    (
        "track, says(true = \"locked {noun} {target}\")",
        "locked",
        "bool",
    ),
    ("track", "autostart", "bool"),
    ("track", "ttl_seconds", "i64"),
    ("track", "cpu_limit", "u32"),
    ("track", "memory_mb", "u64"),
    ("track", "tags", "Vec<String>"),
    ("track", "labels", "BTreeMap<String, String>"),
    ("track", "deleted_reason", "Option<String>"),
    ("track", "created_at", "OffsetDateTime"),
    ("track", "updated_at", "OffsetDateTime"),
    ("track", "dormant_at", "Option<OffsetDateTime>"),
    (
        "ignore = \"liveness ping\"",
        "last_used_at",
        "OffsetDateTime",
    ),
];

struct Options {
    structs: usize,
    runs: usize,
    profiles: Vec<Profile>,
    filters: Vec<String>,
    /// The audit-core the generated crates depend on: this one, or another
    /// checkout to compare with.
    audit_core: PathBuf,
    /// Whether to count, after the timed runs, the instructions rustc
    /// executes for each generated crate, once, under `valgrind
    /// --tool=callgrind`.
    instructions: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Profile {
    Debug,
    Release,
    /// `cargo check`: the front end alone, without code generation.
    Check,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
            Profile::Check => "check",
        }
    }

    /// The cargo subcommand and flags that build with this profile.
    fn args(self) -> &'static [&'static str] {
        match self {
            Profile::Debug => &["build"],
            Profile::Release => &["build", "--release"],
            Profile::Check => &["check"],
        }
    }

    /// The cargo subcommand and flags that remove what `args` built.
    fn clean_args(self) -> &'static [&'static str] {
        match self {
            Profile::Debug | Profile::Check => &["clean"],
            Profile::Release => &["clean", "--release"],
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("compile_time: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let options = options(env::args().skip(1))?;
    let variants: Vec<&Variant> = VARIANTS
        .iter()
        .filter(|variant| {
            options.filters.is_empty()
                || options
                    .filters
                    .iter()
                    .any(|filter| variant.name.contains(filter.as_str()))
        })
        .collect();
    if variants.is_empty() {
        // Like libtest and divan, a filter that matches nothing runs nothing.
        return Ok(());
    }
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-time");
    // Cargo runs benchmarks in the package directory; the scratch workspace
    // is elsewhere.
    let audit_core = fs::canonicalize(&options.audit_core).map_err(|error| {
        format!(
            "cannot find audit-core at {}: {error}",
            options.audit_core.display()
        )
    })?;
    write_workspace(&scratch, options.structs, &audit_core).map_err(|error| {
        format!(
            "cannot write the scratch workspace {}: {error}",
            scratch.display()
        )
    })?;
    println!(
        "{} structs of {} fields; {} runs per build; audit-core {}; scratch workspace {}",
        options.structs,
        SCHEMA.len(),
        options.runs,
        audit_core.display(),
        scratch.display()
    );
    let clock_ticks = clock_ticks_per_second();
    for &profile in &options.profiles {
        // Dependencies first, untimed: only the generated crates are measured.
        for variant in &variants {
            cargo(&scratch, profile.args(), variant.name)?;
        }
        let mut wall: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
        let mut cpu: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
        for _ in 0..options.runs {
            for (index, variant) in variants.iter().enumerate() {
                cargo(&scratch, profile.clean_args(), variant.name)?;
                let cpu_before = children_cpu_time(clock_ticks);
                let start = Instant::now();
                cargo(&scratch, profile.args(), variant.name)?;
                wall[index].push(start.elapsed());
                if let (Some(before), Some(after)) = (cpu_before, children_cpu_time(clock_ticks)) {
                    cpu[index].push(after.saturating_sub(before));
                }
            }
        }
        let mut instructions: Vec<Option<u64>> = vec![None; variants.len()];
        if options.instructions {
            for (index, variant) in variants.iter().enumerate() {
                cargo(&scratch, profile.clean_args(), variant.name)?;
                instructions[index] = Some(callgrind(&scratch, profile, variant.name)?);
            }
        }
        report(profile, &variants, &mut wall, &mut cpu, &instructions);
    }
    Ok(())
}

/// Prints one profile's table and the ratios the budget is about.
fn report(
    profile: Profile,
    variants: &[&Variant],
    wall: &mut [Vec<Duration>],
    cpu: &mut [Vec<Duration>],
    instructions: &[Option<u64>],
) {
    println!();
    println!("{} ({})", profile.name(), profile.args().join(" "));
    println!(
        "  {:<15} {:>12} {:>12} {:>20} {:>16}",
        "variant", "median wall", "median CPU", "wall min .. max", "instructions"
    );
    for (index, variant) in variants.iter().enumerate() {
        let runs = &mut wall[index];
        runs.sort();
        let cpu = median(&mut cpu[index]).map_or_else(|| "-".to_owned(), seconds);
        println!(
            "  {:<15} {:>12} {:>12} {:>20} {:>16}",
            variant.name,
            median(runs).map_or_else(|| "-".to_owned(), seconds),
            cpu,
            format!(
                "{} .. {}",
                runs.first()
                    .copied()
                    .map_or_else(|| "-".to_owned(), seconds),
                runs.last().copied().map_or_else(|| "-".to_owned(), seconds),
            ),
            instructions[index].map_or_else(|| "-".to_owned(), millions),
        );
    }
    // The ratios the budget is about, each from this one run.
    for (ours, theirs) in [
        ("auditable", "serialize"),
        ("auditable_used", "serialize_used"),
    ] {
        let find = |name: &str| variants.iter().position(|variant| variant.name == name);
        let (Some(ours), Some(theirs)) = (find(ours), find(theirs)) else {
            continue;
        };
        println!(
            "  {} / {}: {}",
            variants[ours].name,
            variants[theirs].name,
            ratios(
                &wall[ours],
                &wall[theirs],
                instructions[ours],
                instructions[theirs]
            ),
        );
    }
}

fn options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        structs: 200,
        runs: 5,
        profiles: Vec::new(),
        filters: Vec::new(),
        audit_core: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        instructions: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("`{name}` needs a value"));
        match arg.as_str() {
            // Passed by `cargo bench` to every benchmark binary.
            "--bench" => {}
            "--structs" => options.structs = number(&value("--structs")?)?,
            "--runs" => options.runs = number(&value("--runs")?)?.max(1),
            "--audit-core" => options.audit_core = PathBuf::from(value("--audit-core")?),
            "--instructions" => options.instructions = true,
            "--profile" => {
                let profile = match value("--profile")?.as_str() {
                    "debug" | "dev" => Profile::Debug,
                    "release" => Profile::Release,
                    "check" => Profile::Check,
                    other => {
                        return Err(format!(
                            "unknown profile `{other}`; expected debug, release or check"
                        ));
                    }
                };
                if !options.profiles.contains(&profile) {
                    options.profiles.push(profile);
                }
            }
            flag if flag.starts_with('-') => {
                return Err(format!(
                    "unknown option `{flag}`; expected --structs N, --runs N, --profile debug|release|check, --audit-core PATH, --instructions or a variant name"
                ));
            }
            filter => options.filters.push(filter.to_owned()),
        }
    }
    if options.profiles.is_empty() {
        options.profiles = vec![Profile::Debug, Profile::Release];
    }
    Ok(options)
}

fn number(text: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a number"))
}

/// Builds `package` once with the `rustc` for it (and only for it: its
/// dependencies are built already) run under `valgrind --tool=callgrind`, and
/// returns the instructions that rustc executed, all its threads included.
fn callgrind(scratch: &Path, profile: Profile, package: &str) -> Result<u64, String> {
    let log = scratch
        .join("target")
        .join(format!("callgrind-{package}.log"));
    let wrapper = scratch.join("callgrind-rustc.sh");
    // Cargo runs `$RUSTC_WORKSPACE_WRAPPER rustc ARGS...` for the workspace's
    // crates; the script runs callgrind for the crate measured and plain
    // rustc for anything else (cargo's `rustc -vV` probe).
    write_if_changed(
        &wrapper,
        "#!/bin/sh\n\
         case \" $* \" in\n\
         *\" --crate-name $CALLGRIND_CRATE \"*)\n\
         \x20   exec valgrind --tool=callgrind --callgrind-out-file=/dev/null \
         --log-file=\"$CALLGRIND_LOG\" \"$@\" ;;\n\
         *) exec \"$@\" ;;\n\
         esac\n",
    )
    .map_err(|error| format!("cannot write {}: {error}", wrapper.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))
            .map_err(|error| format!("cannot make {} executable: {error}", wrapper.display()))?;
    }
    let _ = fs::remove_file(&log);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(profile.args())
        .args(["--quiet", "--package", package])
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTC_WORKSPACE_WRAPPER", &wrapper)
        .env("CALLGRIND_CRATE", package)
        .env("CALLGRIND_LOG", &log)
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo {}` of {package} under callgrind failed ({status}); is valgrind installed?",
            profile.args().join(" ")
        ));
    }
    // Callgrind's summary: `==PID== Collected : 5878123456`.
    let text = fs::read_to_string(&log)
        .map_err(|error| format!("cannot read {}: {error}", log.display()))?;
    text.lines()
        .find_map(|line| {
            let (_, count) = line.split_once("Collected :")?;
            count.trim().parse().ok()
        })
        .ok_or_else(|| format!("no instruction count in {}", log.display()))
}

/// Runs `cargo <args> -p <package>` in the scratch workspace, quietly.
fn cargo(scratch: &Path, args: &[&str], package: &str) -> Result<(), String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .args(["--quiet", "--package", package])
        .current_dir(scratch)
        // The scratch workspace keeps its own target directory, whatever the
        // benchmark itself was built with.
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        // Incremental compilation (on by default for `check` and debug
        // builds) writes its caches during the build; a clean build without
        // it is the same work in every profile and for every variant.
        .env("CARGO_INCREMENTAL", "0")
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {} --package {package}` failed in {} ({status})",
            args.join(" "),
            scratch.display()
        ))
    }
}

/// Writes the scratch workspace: a crate per variant, the same structs in
/// each, and this repository's `Cargo.lock` so that the dependencies are the
/// versions the repository is tested with.
fn write_workspace(scratch: &Path, structs: usize, audit_core: &Path) -> io::Result<()> {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf);
    fs::create_dir_all(scratch)?;
    let members: Vec<String> = VARIANTS
        .iter()
        .map(|variant| format!("{:?}", variant.name))
        .collect();
    write_if_changed(
        &scratch.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[workspace.dependencies]\n\
             audit-core = {{ path = {:?} }}\n{}",
            members.join(", "),
            audit_core.display().to_string(),
            dependencies(&fs::read_to_string(repository.join("Cargo.toml"))?),
        ),
    )?;
    if !scratch.join("Cargo.lock").exists() {
        fs::copy(repository.join("Cargo.lock"), scratch.join("Cargo.lock"))?;
    }
    for variant in VARIANTS {
        let dir = scratch.join(variant.name);
        fs::create_dir_all(dir.join("src"))?;
        write_if_changed(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = {:?}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [dependencies]\naudit-core.workspace = true\nserde.workspace = true\n\
                 serde_json.workspace = true\ntime.workspace = true\nuuid.workspace = true\n",
                variant.name
            ),
        )?;
        write_if_changed(&dir.join("src/lib.rs"), &source(variant, structs))?;
    }
    Ok(())
}

/// The `serde`, `serde_json`, `time` and `uuid` lines of the repository's
/// `[workspace.dependencies]`, so that the scratch crates use the same
/// versions and features.
fn dependencies(manifest: &str) -> String {
    manifest
        .lines()
        .filter(|line| {
            ["serde ", "serde_json ", "time ", "uuid "]
                .iter()
                .any(|name| line.starts_with(name))
        })
        .fold(String::new(), |mut lines, line| {
            lines.push_str(line);
            lines.push('\n');
            lines
        })
}

/// The generated crate of `variant`: `structs` structs of 20 fields.
fn source(variant: &Variant, structs: usize) -> String {
    let mut derives = Vec::new();
    let mut source = String::from(
        "//! Generated by audit-core's compile_time benchmark.\n\n\
         use std::collections::BTreeMap;\n\n\
         use time::OffsetDateTime;\nuse uuid::Uuid;\n",
    );
    if variant.serialize {
        derives.push("Serialize");
        source.push_str("use serde::Serialize;\n");
    }
    if variant.auditable {
        derives.push("Auditable");
        source.push_str("use audit_core::Auditable;\n");
    }
    for index in 0..structs {
        let _ = write!(
            source,
            "\n/// Workspace number {index}, as a service stores it.\n"
        );
        if !derives.is_empty() {
            let _ = writeln!(source, "#[derive({})]", derives.join(", "));
        }
        if variant.auditable {
            source.push_str(
                "#[audit(org = organization_id, noun = \"workspace\", \
                 actions(create, write, delete, start, stop, archive))]\n",
            );
        }
        let _ = writeln!(source, "pub struct Workspace{index} {{");
        for (class, name, ty) in SCHEMA {
            let _ = writeln!(
                source,
                "    /// The workspace's {}.",
                name.replace('_', " ")
            );
            if variant.auditable {
                let _ = writeln!(source, "    #[audit({class})]");
            }
            let _ = writeln!(source, "    pub {name}: {ty},");
        }
        source.push_str("}\n");
        if variant.used && variant.serialize {
            let _ = write!(
                source,
                "\npub fn use_{index}(value: &Workspace{index}) -> serde_json::Result<String> {{\n    \
                 serde_json::to_string(value)\n}}\n"
            );
        }
        if variant.used && variant.auditable {
            let _ = write!(
                source,
                "\npub fn use_{index}(old: &Workspace{index}, new: &Workspace{index}) -> audit_core::Diff {{\n    \
                 audit_core::diff(old, new)\n}}\n"
            );
        }
    }
    source
}

/// Writes `contents` unless the file already holds them, so that an unchanged
/// scratch workspace stays fresh for cargo.
fn write_if_changed(path: &Path, contents: &str) -> io::Result<()> {
    match fs::read_to_string(path) {
        Ok(existing) if existing == contents => Ok(()),
        _ => fs::write(path, contents),
    }
}

/// The user + system time of this process's finished children and their
/// descendants, from `/proc/self/stat` (Linux only; `None` elsewhere).
fn children_cpu_time(clock_ticks: Option<u64>) -> Option<Duration> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, field 2, is in parentheses and may hold spaces; the
    // fields after it are plain. `cutime` and `cstime` are fields 16 and 17.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    let per_second = clock_ticks?;
    Some(Duration::from_nanos(ticks * 1_000_000_000 / per_second))
}

/// The kernel's clock ticks per second, which `/proc` counts in.
fn clock_ticks_per_second() -> Option<u64> {
    let output = Command::new("getconf").arg("CLK_TCK").output().ok()?;
    String::from_utf8(output.stdout).ok()?.trim().parse().ok()
}

fn median(values: &mut [Duration]) -> Option<Duration> {
    values.sort();
    values.get(values.len() / 2).copied()
}

/// `ours / theirs` as the ratio of the median wall times, the range of the
/// ratios of the runs paired as they were interleaved, and the ratio of the
/// instruction counts.
fn ratios(
    ours: &[Duration],
    theirs: &[Duration],
    ours_i: Option<u64>,
    theirs_i: Option<u64>,
) -> String {
    let mut ours = ours.to_vec();
    let mut theirs = theirs.to_vec();
    let mut paired: Vec<f64> = ours
        .iter()
        .zip(&theirs)
        .map(|(ours, theirs)| ours.as_secs_f64() / theirs.as_secs_f64())
        .collect();
    paired.sort_by(f64::total_cmp);
    let wall = match (median(&mut ours), median(&mut theirs)) {
        (Some(ours), Some(theirs)) => format!("{:.2}x", ours.as_secs_f64() / theirs.as_secs_f64()),
        _ => "-".to_owned(),
    };
    let spread = match (paired.first(), paired.last()) {
        (Some(low), Some(high)) => format!("{low:.2}x .. {high:.2}x"),
        _ => "-".to_owned(),
    };
    let instructions = match (ours_i, theirs_i) {
        // Billions of instructions: far within f64's exact integers.
        #[allow(clippy::cast_precision_loss)]
        (Some(ours), Some(theirs)) => format!("{:.2}x", ours as f64 / theirs as f64),
        _ => "-".to_owned(),
    };
    format!("wall {wall} (paired runs {spread}), instructions {instructions}")
}

fn millions(count: u64) -> String {
    format!("{} M", count / 1_000_000)
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}
