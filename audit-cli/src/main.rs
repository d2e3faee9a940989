//! `audit`, the command-line tool for auditors.
//!
//! - `audit verify LOG… [--checkpoints FILE --public-key KEY]` checks a chained
//!   audit log, and its signed checkpoints: a JSON-lines file (or the files
//!   of a rotated log, oldest first), a SQLite store (`sqlite:PATH`) or a
//!   PostgreSQL store (`postgres://…`). Exit 0 when intact, 1 naming the
//!   first bad line or row, 2 for usage or I/O errors.
//!   A Kafka topic (`kafka://HOST:PORT/TOPIC`) is verified origin by origin.
//! - `audit ingest kafka://HOST:PORT/TOPIC STORE` writes the entries Kafka
//!   sinks produced into a store, each origin's chain kept, and commits the
//!   consumer group's offsets once the store committed.
//! - `audit query STORE [filters]` prints a store's entries as JSON lines.
//! - `audit serve STORE [--listen ADDR] [--token TOKEN]` serves the
//!   auditors' page over a log or a store, read-only; on loopback unless a
//!   token is given.
//! - `audit public-key --seed FILE --name NAME` prints the key that verifies
//!   the checkpoints signed with a seed.
//! - `audit hash` computes a secret's fingerprint, to search a log for a
//!   known value.

mod hash;
mod ingest;
mod kafka;
mod public_key;
mod query;
mod serve;
mod store;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Check an audit log's evidence: its hash chain, its signed checkpoints,
/// and secret fingerprints; query a store.
#[derive(Parser)]
#[command(name = "audit", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Verify(verify::Args),
    Ingest(ingest::Args),
    Query(query::Args),
    Serve(serve::Args),
    PublicKey(public_key::Args),
    Hash(hash::Args),
}

/// Exit status 2: the command could not be carried out.
const USAGE_OR_IO: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify(args) => verify::run(&args),
        Command::Ingest(args) => ingest::run(&args),
        Command::Query(args) => query::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(&args).map(|()| ExitCode::SUCCESS),
        Command::PublicKey(args) => public_key::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Hash(args) => hash::run(&args).map(|()| ExitCode::SUCCESS),
    };
    result.unwrap_or_else(|error| {
        eprintln!("audit: {error}");
        ExitCode::from(USAGE_OR_IO)
    })
}
