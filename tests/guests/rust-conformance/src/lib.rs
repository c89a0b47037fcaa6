//! The Rust conformance guest: every export the conformance suite calls. Guests in other
//! languages implement the same names with the same behaviour.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use wabi_guest::bytemuck::{Pod, Zeroable};
use wabi_guest::{export, HostError};

// --- Echoes: every kind of value round-trips unchanged. ---

#[export]
fn noop() {}

#[export]
fn echo_bool(b: bool) -> bool {
    b
}

#[export]
#[allow(clippy::too_many_arguments)]
fn echo_ints(
    a: i8,
    b: i16,
    c: i32,
    d: i64,
    e: u8,
    f: u16,
    g: u32,
    h: u64,
) -> (i8, i16, i32, i64, u8, u16, u32, u64) {
    (a, b, c, d, e, f, g, h)
}

#[export]
fn echo_floats(a: f32, b: f64) -> (f32, f64) {
    (a, b)
}

#[export]
fn echo_string(s: String) -> String {
    s
}

#[export]
fn echo_str(s: &str) -> String {
    s.to_owned()
}

#[export]
fn echo_bytes(b: Vec<u8>) -> Vec<u8> {
    b
}

#[export]
fn echo_option(o: Option<String>) -> Option<String> {
    o
}

/// A struct with every common field kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    name: String,
    age: u32,
    email: Option<String>,
    tags: Vec<String>,
}

#[export]
fn echo_person(p: Person) -> Person {
    p
}

/// An enum with every variant kind, externally tagged (serde's default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    Unit,
    Circle(f64),
    Rect { w: f64, h: f64 },
    Pair(i32, i32),
}

#[export]
fn echo_shape(s: Shape) -> Shape {
    s
}

#[export]
fn echo_map(m: BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    m
}

#[export]
fn echo_hashmap(m: HashMap<String, Vec<u32>>) -> HashMap<String, Vec<u32>> {
    m
}

#[export]
fn echo_nested(v: Vec<Vec<Vec<u32>>>) -> Vec<Vec<Vec<u32>>> {
    v
}

#[export]
fn echo_any(v: serde_json::Value) -> serde_json::Value {
    v
}

/// Maximum nesting depth of maps and arrays; a scalar is 0, `[]` and `{}` are 1.
#[export]
fn depth(v: serde_json::Value) -> u32 {
    fn depth_of(v: &serde_json::Value) -> u32 {
        match v {
            serde_json::Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
            serde_json::Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
            _ => 0,
        }
    }
    depth_of(&v)
}

// --- Several arguments, borrowed and owned. ---

#[export]
fn concat3(a: String, b: &str, c: String) -> String {
    let mut s = a;
    s.push_str(b);
    s.push_str(&c);
    s
}

#[export]
fn greet(p: Person, greeting: &str) -> String {
    format!("{greeting}, {} ({})", p.name, p.age)
}

// --- Errors and panics. ---

/// An error with a value: the host receives its message and its fields.
#[derive(Debug, Serialize, Deserialize)]
pub struct AppError {
    code: u32,
    reason: String,
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app error {}: {}", self.code, self.reason)
    }
}

#[export]
fn fail(message: String) -> Result<u32, AppError> {
    Err(AppError {
        code: 42,
        reason: message,
    })
}

/// An error without `Serialize`: the host receives only its message.
#[derive(Debug)]
pub struct PlainError(String);

impl fmt::Display for PlainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[export]
fn fail_plain(message: String) -> Result<u32, PlainError> {
    Err(PlainError(message))
}

#[export]
fn boom(message: String) {
    panic!("{message}");
}

// --- Sizes: large inputs and outputs. ---

#[export]
fn make_bytes(n: u32) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// Length and checksum (wrapping sum of the bytes) of an input.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stats {
    len: u64,
    checksum: u64,
}

impl Stats {
    fn of(bytes: &[u8]) -> Stats {
        Stats {
            len: bytes.len() as u64,
            checksum: bytes
                .iter()
                .fold(0u64, |sum, &b| sum.wrapping_add(u64::from(b))),
        }
    }
}

#[export]
fn bytes_stats(b: Vec<u8>) -> Stats {
    Stats::of(&b)
}

#[export]
fn str_stats(s: &str) -> Stats {
    Stats::of(s.as_bytes())
}

// --- Raw and plain-old-data exports. ---

#[export(raw)]
fn raw_reverse(b: &[u8]) -> Vec<u8> {
    b.iter().rev().copied().collect()
}

/// Two `i32`s, read from their memory layout.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[bytemuck(crate = "wabi_guest::bytemuck")]
pub struct PodPair {
    a: i32,
    b: i32,
}

/// The sum, widened so it cannot overflow.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[bytemuck(crate = "wabi_guest::bytemuck")]
pub struct PodSum {
    sum: i64,
}

/// Two integers in a struct.
#[derive(Serialize, Deserialize)]
pub struct Pair {
    a: i32,
    b: i32,
}

/// Their sum, in a struct.
#[derive(Serialize, Deserialize)]
pub struct Sum {
    sum: i64,
}

/// A small struct in, a small struct out: the shape of most plugin calls (and of the
/// benchmarks' W1). `rust_guest_memory.rs` checks that the Rust SDK runs it without writing to
/// the stack.
#[export]
fn add_pair(p: Pair) -> Sum {
    Sum {
        sum: i64::from(p.a) + i64::from(p.b),
    }
}

#[export(pod)]
fn pod_add(p: PodPair) -> PodSum {
    PodSum {
        sum: i64::from(p.a) + i64::from(p.b),
    }
}

// --- Host imports, state and naming. ---

#[export]
fn log_line(message: &str) {
    wabi_guest::log::info(message);
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// State persists across calls on one instance.
#[export]
fn counter() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed) + 1
}

#[export(name = "renamed.fn")]
fn renamed() -> String {
    "renamed".to_owned()
}

/// Allocate and leak `pages` wasm pages, returning the memory size in pages afterwards; tests
/// use it to check that memory stays flat across many calls.
#[export]
fn grow_memory(pages: u32) -> u32 {
    let leaked: &'static mut [u8] = vec![0u8; pages as usize * 65536].leak();
    // Keep the optimiser from eliding an allocation nobody reads.
    std::hint::black_box(leaked.as_mut_ptr());
    memory_pages()
}

#[cfg(target_arch = "wasm32")]
fn memory_pages() -> u32 {
    core::arch::wasm32::memory_size(0) as u32
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_pages() -> u32 {
    0
}

// --- Host functions (ABI 1.1): the test host registers `add`, `echo_all`, `birthday`, `fail`
// and `descend`, and gives the plugin configuration. ---

/// What `echo_all` returns: its five arguments.
type EchoAll = (Person, Shape, BTreeMap<String, i64>, Vec<u8>, f32);

/// The host functions the conformance host registers.
mod host {
    use super::{EchoAll, Person, Shape};
    use std::collections::BTreeMap;
    use wabi_guest::{import, HostError};

    #[import]
    pub fn add(a: i64, b: i64) -> Result<i64, HostError>;

    /// Returns its arguments unchanged.
    #[import]
    pub fn echo_all(
        p: &Person,
        s: &Shape,
        m: &BTreeMap<String, i64>,
        b: &[u8],
        f: f32,
    ) -> Result<EchoAll, HostError>;

    /// The person one year older.
    #[import]
    pub fn birthday(p: &Person) -> Result<Person, HostError>;

    /// Fails with message "host says: {message}" and value `{code: 7}`. Renamed, so that it
    /// does not clash with this guest's own `fail` export.
    #[import(name = "fail")]
    pub fn host_fail(message: &str) -> Result<(), HostError>;

    /// Calls this guest's `recurse(n - 1)` and returns its result + 1.
    #[import]
    pub fn descend(n: u32) -> Result<u32, HostError>;

    /// Registered by no host: the call fails with an error.
    #[import]
    pub fn no_such_host_fn() -> Result<(), HostError>;
}

#[export]
fn call_host_add(a: i64, b: i64) -> Result<i64, HostError> {
    host::add(a, b)
}

#[export]
fn call_host_echo_all(
    p: Person,
    s: Shape,
    m: BTreeMap<String, i64>,
    b: Vec<u8>,
    f: f32,
) -> Result<EchoAll, HostError> {
    host::echo_all(&p, &s, &m, &b, f)
}

#[export]
fn call_host_birthday(p: Person) -> Result<Person, HostError> {
    host::birthday(&p)
}

/// The value of the host's `fail` error.
#[derive(Debug, Deserialize)]
struct HostCode {
    code: u32,
}

/// `"{message} (code {code})"` from the host's error, or "unexpected success".
#[export]
fn call_host_fail(message: String) -> String {
    match host::host_fail(&message) {
        Ok(()) => "unexpected success".to_owned(),
        Err(e) => match e.value_as::<HostCode>() {
            Some(Ok(value)) => format!("{} (code {})", e.message, value.code),
            Some(Err(decode)) => format!("{} (undecodable value: {decode})", e.message),
            None => format!("{} (no value)", e.message),
        },
    }
}

/// The message of the error a call of an unregistered host function gets.
#[export]
fn call_host_missing() -> String {
    match host::no_such_host_fn() {
        Ok(()) => "unexpected success".to_owned(),
        Err(e) => e.message,
    }
}

/// `n` through `n` nested calls: host `descend(n)` calls back into `recurse(n - 1)`.
#[export]
fn recurse(n: u32) -> Result<u32, HostError> {
    if n == 0 {
        Ok(0)
    } else {
        host::descend(n)
    }
}

#[export]
fn config_get(key: String) -> Option<String> {
    wabi_guest::config::get(&key)
}

/// The length in bytes of the configuration value `big` (0 when it is not set).
#[export]
fn config_big() -> u32 {
    wabi_guest::config::get_bytes("big").map_or(0, |v| v.len() as u32)
}

// --- Outbound HTTP (ABI 1.3): the test host grants HTTP to its own test server. ---

/// The request `http_fetch` is asked to make.
#[derive(Debug, Deserialize)]
pub struct FetchRequest {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Vec<u8>,
}

/// Make the request through the SDK's HTTP API. The response comes back as
/// `{status, headers, body}`; an HTTP error as an error whose message is the host's and whose
/// value is `{"kind": KIND}`.
#[export]
fn http_fetch(req: FetchRequest) -> Result<wabi_guest::http::Response, wabi_guest::HttpError> {
    let mut request = wabi_guest::http::Request::new(req.method, req.url);
    for (name, value) in req.headers {
        request = request.header(name, value);
    }
    if !req.body.is_empty() {
        request = request.body(req.body);
    }
    request.send()
}
