//! Arguments borrowing from the input, with named and elided lifetimes.
#![deny(warnings)]

use serde::Deserialize;
use std::borrow::Cow;
use wabi_guest::export;

#[derive(Deserialize)]
struct View<'a> {
    #[serde(borrow)]
    name: &'a str,
    #[serde(borrow)]
    note: Cow<'a, str>,
}

#[export]
fn first_word<'a>(text: &'a str) -> &'a str {
    text.split(' ').next().unwrap_or("")
}

#[export]
fn two_lifetimes<'a, 'b: 'a>(a: &'a str, b: &'b str) -> String {
    format!("{a}{b}")
}

#[export]
fn struct_with_lifetime<'a>(view: View<'a>) -> usize {
    view.name.len() + view.note.len()
}

#[export]
fn elided(text: &str, bytes: &[u8]) -> usize {
    text.len() + bytes.len()
}

#[export]
fn static_cow(text: Cow<'static, str>) -> usize {
    text.len()
}

fn main() {}
