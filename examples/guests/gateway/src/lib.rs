//! The API-gateway plugin: transforms every request a proxy receives, or answers it itself.
//!
//! `transform(Request) -> Action`, configured by the host (`wabi_guest::config`):
//!
//! | key | default | effect |
//! |---|---|---|
//! | `block_prefix` | (none) | comma-separated path prefixes; a matching request is answered with 403 |
//! | `strip_prefix` | `/api` | removed from the front of the path when it is a whole segment; empty: no rewrite |
//! | `remove_headers` | `x-debug` | comma-separated header names removed before forwarding (any case) |
//!
//! Every forwarded request gets `x-gateway: wabi`, and `x-original-path` when its path was
//! rewritten. The Go twin (`examples/go/gateway`) implements exactly the same rules; one test
//! table (`examples/tests/gateway.rs`) checks both, byte for byte.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wabi_guest::{config, export};

/// An HTTP request as the proxy sees it. Header names are lower case (as HTTP/2 and hyper write
/// them); `path` includes the query string.
#[derive(Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Vec<u8>,
}

/// An answer the plugin gives instead of forwarding.
#[derive(Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// What the proxy does with the request.
#[derive(Serialize, Deserialize)]
pub enum Action {
    /// Send this (transformed) request upstream.
    Forward(Request),
    /// Answer the client with this response; nothing goes upstream.
    Respond(Response),
}

/// The configuration value of `key`, or `default` when the host did not set it.
fn setting(key: &str, default: &str) -> String {
    config::get(key).unwrap_or_else(|| default.to_owned())
}

/// The non-empty, trimmed items of a comma-separated list.
fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// `path` without `prefix` when the prefix is a whole segment (`/api/x` -> `/x`, `/api` -> `/`,
/// `/api?q` -> `/?q`, `/apix` -> no match).
fn strip(path: &str, prefix: &str) -> Option<String> {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return None;
    }
    let rest = path.strip_prefix(prefix)?;
    match rest.as_bytes().first() {
        None => Some("/".to_owned()),
        Some(b'/') => Some(rest.to_owned()),
        Some(b'?') => Some(format!("/{rest}")),
        Some(_) => None,
    }
}

#[export]
fn transform(mut req: Request) -> Action {
    let blocked = setting("block_prefix", "");
    if let Some(prefix) = list(&blocked).find(|p| req.path.starts_with(p)) {
        return Action::Respond(Response {
            status: 403,
            headers: BTreeMap::from([
                (
                    "content-type".to_owned(),
                    "text/plain; charset=utf-8".to_owned(),
                ),
                ("x-blocked-by".to_owned(), "wabi-gateway".to_owned()),
            ]),
            body: format!("blocked: {} matches the rule {prefix}\n", req.path).into_bytes(),
        });
    }
    let remove = setting("remove_headers", "x-debug").to_ascii_lowercase();
    let remove: Vec<&str> = list(&remove).collect();
    req.headers
        .retain(|name, _| !remove.contains(&name.to_ascii_lowercase().as_str()));
    if let Some(path) = strip(&req.path, &setting("strip_prefix", "/api")) {
        let original = std::mem::replace(&mut req.path, path);
        req.headers.insert("x-original-path".to_owned(), original);
    }
    req.headers
        .insert("x-gateway".to_owned(), "wabi".to_owned());
    Action::Forward(req)
}
