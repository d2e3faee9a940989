//! The `#[derive(Auditable)]` macro of `audit-core`, which re-exports it.
//! Depend on `audit-core`; its docs describe the attributes.

// The derive runs in three steps, a file each: `ast` reads the struct and its
// attributes (`attr`, with the error-recovering reader in `meta`), `valid`
// checks them and decides every default, producing the `model`, and `expand`
// writes the impl from the model alone. Every problem found is reported in
// one build (`error_store`); `fallback` then emits a stub impl so that only
// the real errors show.

// Library code reports errors; tests may unwrap.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod ast;
mod attr;
mod case;
mod error_store;
mod expand;
mod fallback;
mod generics;
mod link;
mod meta;
mod model;
mod sentence;
#[cfg(test)]
mod snapshots;
mod suggest;
mod symbol;
mod ty;
mod valid;

use proc_macro::TokenStream;

/// Derives `audit_core::Auditable`; see the `audit-core` docs.
#[proc_macro_derive(Auditable, attributes(audit))]
pub fn derive_auditable(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
