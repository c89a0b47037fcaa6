//! Compile-time behaviour of `#[export]`: every rejected signature or option fails with one clear
//! message at the right place (`ui/*.rs`), and every supported shape compiles (`ui/pass/*.rs`).
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p wabi-guest --test ui`
//! and read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
