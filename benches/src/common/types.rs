//! The values of the benchmark workloads, shared by the bench hosts and the guests (compiled into
//! each with `#[path]`), so every side agrees on the same Rust types. Only the encoding differs:
//! wabi writes structs as maps keyed by field name (its canonical codec), the raw baseline as
//! arrays (rmp-serde's compact default). Byte fields are `serde_bytes`, so both write `bin`.

use serde::{Deserialize, Serialize};

/// W1 input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddIn {
    /// First addend.
    pub a: i32,
    /// Second addend.
    pub b: i32,
}

/// W1 output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOut {
    /// `a + b`, wrapping.
    pub sum: i32,
}

/// W3: an HTTP request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request path.
    pub path: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
}

/// W4 output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOut {
    /// Number of bytes received.
    pub len: u64,
    /// Wrapping sum of the bytes.
    pub checksum: u64,
}

/// The header W3 adds.
pub const ADDED_HEADER: (&str, &str) = ("x-plugin", "wabi-bench");

/// W1's function.
#[inline]
pub fn add(input: AddIn) -> AddOut {
    AddOut {
        sum: input.a.wrapping_add(input.b),
    }
}

/// W3's function: the request with one header added and the path upper-cased.
#[inline]
pub fn gateway(mut req: Request) -> Request {
    req.path.make_ascii_uppercase();
    req.headers
        .push((ADDED_HEADER.0.to_string(), ADDED_HEADER.1.to_string()));
    req
}

/// W4's function: reads every byte.
#[inline]
pub fn bulk(data: &[u8]) -> BulkOut {
    BulkOut {
        len: data.len() as u64,
        checksum: data
            .iter()
            .fold(0u64, |sum, &b| sum.wrapping_add(u64::from(b))),
    }
}
