//! What the derive accepts and writes: every shape of struct, generics, diff
//! keys, the resource functions, `SCHEMA`, mirrors of foreign types, hygiene,
//! and the documentation rendered from the attributes.

mod docs;
mod docs_check;
mod generics;
mod hygiene;
mod keys;
mod remote;
mod resource;
mod schema;
mod shapes;
