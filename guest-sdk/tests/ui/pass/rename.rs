//! Export names other than the function's.
#![deny(warnings)]

use wabi_guest::export;

#[export(name = "renamed.fn")]
fn renamed() -> &'static str {
    "renamed"
}

#[export(name = "kebab-case_and.dots-123")]
fn odd_characters() {}

#[export(name = "type")]
fn keyword_name() {}

#[export]
fn r#type() {}

#[export(name = "wabi-is-fine-with-a-hyphen")]
fn almost_reserved() {}

fn main() {}
