//! `#[export(raw)]`: bytes in, bytes out.
#![deny(warnings)]

use wabi_guest::export;

#[export(raw)]
fn reverse(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().rev().copied().collect()
}

#[export(raw)]
fn with_lifetime<'a>(bytes: &'a [u8]) -> std::vec::Vec<u8> {
    bytes.to_vec()
}

#[export(raw)]
fn fallible(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if bytes.is_empty() { Err("empty input".to_owned()) } else { Ok(bytes.to_vec()) }
}

#[export(raw, name = "raw.renamed")]
fn renamed_raw(bytes: &[u8]) -> Vec<u8> {
    bytes.to_vec()
}

fn main() {}
