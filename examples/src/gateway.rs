//! The host's view of the gateway plugin's types: `transform(Request) -> Action`.
//!
//! These mirror `examples/guests/gateway/src/lib.rs` field for field; a struct travels as a
//! MessagePack map keyed by field name, so the two sides only have to agree on names and types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An HTTP request as the proxy hands it to the plugin. Header names are lower case; repeated
/// headers are joined with `, `; `path` includes the query string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Vec<u8>,
}

/// A response the plugin answers with itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// What the proxy does with a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Forward this (transformed) request upstream.
    Forward(Request),
    /// Answer the client with this response; nothing goes upstream.
    Respond(Response),
}

impl Request {
    /// A request without body.
    pub fn new(method: &str, path: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            method: method.into(),
            path: path.into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }
}
