//! `audit hash`: a secret's fingerprint, as Vault's `audit-hash` endpoint computes one.

use std::io::Read as _;
use std::path::PathBuf;

use audit_core::secret_fingerprint::FingerprintKey;

/// Print the fingerprint a secret value has in the log, to search for a known
/// value. The value is read from standard input, as a string without its
/// final newline, or with `--json` as JSON, its object keys in the field's
/// declaration order (the order `serde_json` writes them in); whitespace,
/// escapes and number forms do not matter.
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
        let json = compact(&input).map_err(|error| format!("standard input: {error}"))?;
        key.fingerprint_json(&args.resource, &args.id, &args.field, &json)
    } else {
        let text = input.strip_suffix('\n').unwrap_or(&input);
        let text = text.strip_suffix('\r').unwrap_or(text);
        key.fingerprint(&args.resource, &args.id, &args.field, text)
            .map_err(|error| error.to_string())?
    };
    println!("{fingerprint}");
    Ok(())
}

/// `json` as `serde_json` writes it: compact, with its escapes and numbers,
/// its keys in the order given (which is the field's: a fingerprint hashes
/// the bytes the field serialized to).
fn compact(json: &str) -> Result<Vec<u8>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let mut compact = Vec::with_capacity(json.len());
    serde_transcode::transcode(
        &mut deserializer,
        &mut serde_json::Serializer::new(&mut compact),
    )?;
    deserializer.end()?;
    Ok(compact)
}

#[cfg(test)]
mod tests {
    /// Whitespace, escapes and number forms as `serde_json` writes them; keys
    /// in the order given; anything after the value refused.
    #[test]
    fn json_is_written_as_serde_json_writes_it() {
        let cases = [
            (
                "  {\n \"b\": 1,\t\"a\" : [ 2 , 3 ] }\n",
                r#"{"b":1,"a":[2,3]}"#,
            ),
            (r#""caf\u00e9 \/ tab\t""#, r#""café / tab\t""#),
            ("1e2", "100.0"),
            ("123456789098", "123456789098"),
            ("null", "null"),
        ];
        for (given, written) in cases {
            let compact = super::compact(given).unwrap();
            assert_eq!(String::from_utf8(compact).unwrap(), written, "{given}");
        }
        assert!(super::compact("{} {}").is_err());
        assert!(super::compact("{").is_err());
    }
}
