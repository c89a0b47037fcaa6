//! The README's example plugin: a greeting and a tiny request transform.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use wabi_guest::export;

#[export]
fn greet(name: &str) -> String {
    format!("Hello, {name}!")
}

#[derive(Serialize, Deserialize)]
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Denied {
    status: u16,
    reason: String,
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.reason)
    }
}

/// Tag every request, upper-case its path, and refuse `/admin`.
#[export]
fn transform(mut req: Request) -> Result<Request, Denied> {
    if req.path.starts_with("/admin") {
        return Err(Denied {
            status: 403,
            reason: "admin is off limits".into(),
        });
    }
    req.path = req.path.to_uppercase();
    req.headers.insert("x-plugin".into(), "hello".into());
    Ok(req)
}
