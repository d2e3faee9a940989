//! `audit hash`: a secret's fingerprint, as Vault's `audit-hash` endpoint computes one.

use std::io::Read as _;
use std::path::PathBuf;

use audit_core::secret_fingerprint::FingerprintKey;

/// Print the fingerprint a secret value has in the log, to search for a known
/// value. The value is read from standard input, as a string without its
/// final newline, or with `--json` as JSON, written exactly as `serde_json`
/// writes the field (compact, fields in declaration order).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The file with the application's master key for secret fingerprints.
    #[arg(long)]
    key: PathBuf,
    /// The key's id, as entries record it in `hmac_key`.
    #[arg(long)]
    key_id: String,
    /// The resource type, such as `chat`.
    #[arg(long)]
    resource: String,
    /// The resource id.
    #[arg(long)]
    id: String,
    /// The field's diff key, such as `api_token`.
    #[arg(long)]
    field: String,
    /// Read the value as JSON (a number, an object) rather than as a string.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> Result<(), String> {
    let key = FingerprintKey::from_file(&args.key_id, &args.key)
        .map_err(|error| format!("{}: {error}", args.key.display()))?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|error| format!("standard input: {error}"))?;
    let fingerprint = if args.json {
        // As given: the bytes must be those serde_json writes for the field.
        let json = input.trim();
        serde_json::from_str::<serde_json::Value>(json)
            .map_err(|error| format!("standard input: {error}"))?;
        key.fingerprint_json(&args.resource, &args.id, &args.field, json.as_bytes())
    } else {
        let text = input.strip_suffix('\n').unwrap_or(&input);
        let text = text.strip_suffix('\r').unwrap_or(text);
        key.fingerprint(&args.resource, &args.id, &args.field, text)
            .map_err(|error| error.to_string())?
    };
    println!("{fingerprint}");
    Ok(())
}
