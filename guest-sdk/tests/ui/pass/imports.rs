//! Every supported shape of `#[import]` compiles (natively: calling one would panic, as there
//! is no host, so nothing is called).
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

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wabi_guest::{import, HostError};

/// A struct argument and result.
#[derive(Serialize, Deserialize)]
pub struct Person {
    name: String,
    age: u32,
}

/// An error of the plugin's own that a host error converts into.
#[derive(Debug)]
pub enum PluginError {
    /// A host call failed.
    Host(HostError),
}

impl From<HostError> for PluginError {
    fn from(e: HostError) -> Self {
        PluginError::Host(e)
    }
}

/// No arguments, nothing returned.
#[import]
pub fn tick() -> Result<(), HostError>;

#[import]
fn add(a: i64, b: i64) -> Result<i64, HostError>;

#[import]
fn borrowed<'a>(key: &'a str, bytes: &[u8], person: &Person) -> Result<Vec<u8>, HostError>;

#[import]
fn owned(p: Person, m: BTreeMap<String, i64>, o: Option<String>) -> Result<Person, HostError>;

#[import(name = "kv.get")]
fn kv_get(_: &str, _: u32) -> Result<Option<String>, HostError>;

#[import]
fn r#type(r#in: u8) -> Result<u8, HostError>;

#[import]
fn own_error(n: u32) -> Result<u32, PluginError>;

/// With paths instead of imports.
mod qualified {
    #[wabi_guest::import]
    pub(crate) fn full_path(n: u32) -> Result<(u32, String), wabi_guest::HostError>;
}

#[import]
#[allow(clippy::too_many_arguments)]
fn sixteen(
    a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8,
    i: u8, j: u8, k: u8, l: u8, m: u8, n: u8, o: u8, p: u8,
) -> Result<u8, HostError>;

/// In a module, under the name of an export elsewhere.
mod host {
    use wabi_guest::{import, HostError};

    #[import]
    pub fn fail(message: String) -> Result<(), HostError>;
}

/// The declarations are ordinary functions: they can be named as values.
fn uses() {
    let _: fn() -> Result<(), HostError> = tick;
    let _: fn(i64, i64) -> Result<i64, HostError> = add;
    let _ = (borrowed, owned, kv_get, r#type, own_error, qualified::full_path, sixteen, host::fail);
}

fn main() {
    uses();
}
