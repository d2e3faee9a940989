//! Compile errors for every misuse of the derive (`fail/`), and code the
//! derive must accept (`pass/`). The `.stderr` files are blessed with
//! `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("fail/*.rs");
    cases.pass("pass/*.rs");
}
