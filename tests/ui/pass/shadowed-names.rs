//! Generated code names `::audit_core` and `::core` only: local items named
//! like the prelude, like `core`, `std`, `serde` and `audit_core`, and traits
//! whose methods share names with the ones it calls, change nothing.
#![allow(dead_code, non_camel_case_types, unused_macros)]

struct Option;
struct Result;
struct String;
struct Vec;
struct Box;
struct Some;
struct None;
struct Ok;
struct Err;
mod core {}
mod std {}
mod serde {}
mod audit_core {}
mod __private {}

macro_rules! format {
    ($($tt:tt)*) => {
        compile_error!("generated code must not call `format!`")
    };
}
macro_rules! vec {
    ($($tt:tt)*) => {
        compile_error!("generated code must not call `vec!`")
    };
}
macro_rules! write {
    ($($tt:tt)*) => {
        compile_error!("generated code must not call `write!`")
    };
}

/// Methods named like the ones generated code might call, for every type.
trait Everything {
    fn push_str(&mut self, _: &str) {}
    fn as_ref(&self) {}
    fn to_string(&self) {}
    fn eq(&self, _: &Self) -> bool {
        true
    }
    fn ne(&self, _: &Self) -> bool {
        false
    }
    fn diff(&self) {}
    fn new() {}
    fn is_empty(&self) -> bool {
        true
    }
}
impl<T: ?Sized> Everything for T {}

type Text = ::std::string::String;

#[derive(::audit_core::Auditable)]
#[audit(org = org, link = "/orgs/{org}/things/{id}", target = name)]
struct Thing {
    #[audit(track)]
    id: u64,
    #[audit(ignore)]
    org: ::core::option::Option<u64>,
    #[audit(track)]
    name: Text,
    #[audit(secret)]
    token: Text,
    #[audit(track)]
    old: bool,
    #[audit(track)]
    new: bool,
    #[audit(track)]
    self_: bool,
    #[audit(track)]
    diff: bool,
    #[audit(track)]
    __audit_diff: bool,
    #[audit(track)]
    __audit_old: bool,
    #[audit(track)]
    r#type: u8,
    #[audit(track)]
    r#match: u8,
}

fn thing() -> Thing {
    Thing {
        id: 1,
        org: ::core::option::Option::Some(2),
        name: Text::from("n"),
        token: Text::from("t"),
        old: false,
        new: false,
        self_: false,
        diff: false,
        __audit_diff: false,
        __audit_old: false,
        r#type: 0,
        r#match: 0,
    }
}

fn main() {
    use ::audit_core::Auditable as _;

    let thing = thing();
    let changed = Thing { new: true, r#match: 1, ..self::thing() };
    let diff = ::audit_core::diff(&thing, &changed);
    ::core::assert_eq!(diff.keys().collect::<::std::vec::Vec<_>>(), ["new", "match"]);
    ::core::assert_eq!(thing.resource_link().as_deref(), ::core::option::Option::Some("/orgs/2/things/1"));
    ::core::assert_eq!(thing.organization_id().as_deref(), ::core::option::Option::Some("2"));
    ::core::assert_eq!(thing.resource_target(), "n");
}
