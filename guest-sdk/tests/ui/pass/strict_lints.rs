//! The generated code is clean under strict lints, including `deny(unsafe_code)`.
#![deny(
    warnings,
    missing_docs,
    rust_2018_idioms,
    unreachable_pub,
    unsafe_code,
    unused_qualifications,
    unused_results,
    trivial_casts,
    trivial_numeric_casts
)]
//! A plugin with strict lints.

use wabi_guest::export;

/// Documented.
#[export]
pub fn documented(x: u32) -> Result<u32, String> {
    Ok(x)
}

#[export]
fn private(x: &str) -> usize {
    x.len()
}

mod hidden {
    #[wabi_guest::export]
    fn nested() {}
}

fn main() {}
