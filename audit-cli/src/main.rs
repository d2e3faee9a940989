//! `audit`, the command-line tool for auditors.
//!
//! - `audit verify LOG [--checkpoints FILE --public-key KEY]` checks a chained
//!   JSON-lines audit log, and its signed checkpoints: exit 0 when intact,
//!   1 naming the first bad line, 2 for usage or I/O errors.
//! - `audit public-key --seed FILE --name NAME` prints the key that verifies
//!   the checkpoints signed with a seed.
//! - `audit hash` computes a secret's fingerprint, to search a log for a
//!   known value.

mod hash;
mod public_key;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Check an audit log's evidence: its hash chain, its signed checkpoints,
/// and secret fingerprints.
#[derive(Parser)]
#[command(name = "audit", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Verify(verify::Args),
    PublicKey(public_key::Args),
    Hash(hash::Args),
}

/// Exit status 2: the command could not be carried out.
const USAGE_OR_IO: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify(args) => verify::run(&args),
        Command::PublicKey(args) => public_key::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Hash(args) => hash::run(&args).map(|()| ExitCode::SUCCESS),
    };
    result.unwrap_or_else(|error| {
        eprintln!("audit: {error}");
        ExitCode::from(USAGE_OR_IO)
    })
}
