//! `audit public-key`: the verifier key of a checkpoint signing seed.

use std::path::PathBuf;

use audit_core::chain::checkpoint::CheckpointSigner;

/// Print the key that verifies checkpoints signed with a seed, as one line
/// (`<name>+<key id>+<base64 key>`) to give to auditors.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The file with the 32-byte Ed25519 seed (raw, or 64 hex digits).
    #[arg(long)]
    seed: PathBuf,
    /// The key's name, as the application signs with it.
    #[arg(long)]
    name: String,
}

pub(crate) fn run(args: &Args) -> Result<(), String> {
    let signer = CheckpointSigner::from_seed_file(&args.name, &args.seed)
        .map_err(|error| format!("{}: {error}", args.seed.display()))?;
    println!("{}", signer.verifier_key());
    Ok(())
}
