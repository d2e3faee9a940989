//! What makes the log evidence: the hash chain and its verifier, the entry
//! format read back byte for byte, and secret fingerprints.

mod chain;
mod entry_format;
mod secret_fingerprints;
