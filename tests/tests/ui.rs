//! Compile errors for every misuse of the derive, and code the derive must
//! accept. The `.stderr` files are blessed with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/pass/*.rs");
}
