//! A plugin with one function per outcome a host must handle: values of every shape, returned
//! errors, traps, panics, timeouts, memory exhaustion, raw bytes, and WASI files and
//! environment. The `wabi` CLI tests and the proxy's end-to-end tests use it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use wabi_guest::export;

/// The request of the gateway example (see `examples/guests/gateway`).
#[derive(Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Vec<u8>,
}

/// The gateway example's action; this plugin only ever forwards.
#[derive(Serialize)]
pub enum Action {
    Forward(Request),
}

/// A drop-in replacement for the gateway plugin that misbehaves on request: `/trap` traps,
/// `/panic` panics, `/slow` never finishes, `/grow` exhausts memory, `/error` returns an error;
/// any other request is forwarded with `x-misbehave: no`.
#[export]
fn transform(mut req: Request) -> Result<Action, String> {
    match req.path.as_str() {
        "/trap" => {
            trap();
        }
        "/panic" => panic!("the plugin panicked on purpose"),
        "/slow" => {
            spin();
        }
        "/grow" => {
            grow(u32::MAX);
        }
        "/error" => return Err("the plugin refused the request".into()),
        _ => {}
    }
    req.headers.insert("x-misbehave".into(), "no".into());
    Ok(Action::Forward(req))
}

/// Two arguments: the host sends an array.
#[export]
fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// No arguments.
#[export]
fn answer() -> u32 {
    42
}

/// Bytes in, bytes out (MessagePack `bin`).
#[export]
fn echo_bytes(bytes: Vec<u8>) -> Vec<u8> {
    bytes
}

/// One argument that is itself a list.
#[export]
fn sum(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

/// An error with a value.
#[derive(Serialize)]
pub struct AppError {
    pub code: u32,
    pub reason: String,
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app error {}: {}", self.code, self.reason)
    }
}

/// Always fails with an [`AppError`] (code 42) carrying `reason`.
#[export]
fn fail(reason: String) -> Result<u32, AppError> {
    Err(AppError { code: 42, reason })
}

/// An error without a value (the type is not `Serialize`).
pub struct Plain;

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("plain failure")
    }
}

/// Always fails with an error that has no value.
#[export]
fn fail_plain() -> Result<u32, Plain> {
    Err(Plain)
}

/// A wasm trap (`unreachable`).
#[export]
fn trap() -> u32 {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    unreachable!("a trap")
}

/// A Rust panic.
#[export]
fn boom() -> u32 {
    panic!("boom on purpose")
}

/// Runs (for all practical purposes) forever: only the host's deadline stops it.
#[export]
fn spin() -> u64 {
    let mut x = 0u64;
    for i in 0..u64::MAX {
        x = std::hint::black_box(x.wrapping_add(i));
    }
    x
}

/// Allocates `mib` MiB and returns how many bytes it holds.
#[export]
fn grow(mib: u32) -> u64 {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for _ in 0..mib {
        blocks.push(std::hint::black_box(vec![1u8; 1 << 20]));
    }
    blocks.iter().map(|b| b.len() as u64).sum()
}

/// A raw function: the input bytes reversed, no MessagePack.
#[export(raw)]
fn reverse(input: &[u8]) -> Vec<u8> {
    input.iter().rev().copied().collect()
}

/// The text of a file (WASI builds, in a directory the host granted).
#[export]
fn read_file(path: String) -> Result<String, String> {
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// An environment variable (WASI builds; the host grants none by default).
#[export]
fn env_var(name: String) -> Option<String> {
    std::env::var(name).ok()
}

/// A configuration value.
#[export]
fn config(key: String) -> Option<String> {
    wabi_guest::config::get(&key)
}
