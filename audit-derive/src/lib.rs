//! The `#[derive(Auditable)]` macro of `audit-core`, which re-exports it.
//! Depend on `audit-core`; its docs describe the attributes.

// The derive runs in three steps, a file each: `ast` reads the struct and its
// attributes (`attr`), `valid` checks what the attributes refer to, and
// `expand` writes the impl. Every problem found is reported in one build;
// `fallback` then emits a stub impl so that only the real errors show.

// Library code reports errors; tests may unwrap.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod ast;
mod attr;
mod case;
mod ctxt;
mod expand;
mod fallback;
mod link;
mod symbol;
mod valid;

use proc_macro::TokenStream;

/// Derives `audit_core::Auditable`; see the `audit-core` docs.
#[proc_macro_derive(Auditable, attributes(audit))]
pub fn derive_auditable(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
