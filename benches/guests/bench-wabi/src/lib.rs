//! The benchmark workloads as a wabi guest: plain functions with `#[export]`.

#[path = "../../../src/common/types.rs"]
#[allow(dead_code)]
mod types;

use types::{AddIn, AddOut, BulkOut, Request};
use wabi_guest::export;

/// noop: no arguments, no result.
#[export]
fn noop() {}

/// W1: a struct in, a struct out.
#[export]
fn add(input: AddIn) -> AddOut {
    types::add(input)
}

/// W2: a string in, the same string out (borrowed from the input, not copied).
#[export]
fn echo<'a>(s: &'a str) -> &'a str {
    s
}

/// W3: an HTTP request in, the request with one header added and the path upper-cased out.
#[export]
fn gateway(req: Request) -> Request {
    types::gateway(req)
}

/// W4: 1 MiB in (borrowed), its length and checksum out.
#[export]
fn bulk(data: &[u8]) -> BulkOut {
    types::bulk(data)
}

/// W1 as a Pod function (informational: the cost without MessagePack).
#[derive(Clone, Copy, wabi_guest::bytemuck::Pod, wabi_guest::bytemuck::Zeroable)]
#[bytemuck(crate = "wabi_guest::bytemuck")]
#[repr(C)]
struct PodPair {
    a: i32,
    b: i32,
}

/// W1 through `#[export(pod)]`.
#[export(pod)]
fn add_pod(p: PodPair) -> i32 {
    p.a.wrapping_add(p.b)
}

/// W4 through `#[export(raw)]`: the bytes as they are, the result as 16 bytes (len, checksum).
#[export(raw)]
fn bulk_raw(data: &[u8]) -> Vec<u8> {
    let out = types::bulk(data);
    let mut bytes = Vec::with_capacity(16);
    bytes.extend_from_slice(&out.len.to_le_bytes());
    bytes.extend_from_slice(&out.checksum.to_le_bytes());
    bytes
}

/// W7: a GET through `wabi.http_request`; the status and the body's length.
#[export]
fn http_get(url: &str) -> (u16, u32) {
    match wabi_guest::http::get(url) {
        Ok(r) => (r.status, r.body.len() as u32),
        Err(_) => (0, 0),
    }
}
