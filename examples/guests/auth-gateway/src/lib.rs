//! The auth-gateway plugin: before a request is forwarded, it asks an auth service over HTTP
//! (ABI 1.3, `wabi_guest::http`) who the caller is.
//!
//! `transform(Request) -> Action`, the same export and types as the gateway plugin
//! (`examples/guests/gateway`), configured by the host (`wabi_guest::config`):
//!
//! | key | default | effect |
//! |---|---|---|
//! | `auth_url` | `http://127.0.0.1:9100/check` | the auth service, asked with `GET` |
//!
//! For every request the plugin sends `GET {auth_url}` with the request's `authorization`
//! header (none when the request has none), and then:
//!
//! | the auth service... | the plugin returns |
//! |---|---|
//! | answers 200 | `Forward`: the request with `x-user: <the answer's body, trimmed>` added and `authorization` removed |
//! | answers 401 or 403 | `Respond`: 401, body `unauthorized` |
//! | answers another status | `Respond`: 503, body `auth service unavailable: status <status>` |
//! | cannot be asked (any `HttpError`) | `Respond`: 503, body `auth service unavailable: <kind>` (`denied`, `timeout`, `connect` ...) |
//!
//! The host must grant the plugin HTTP to the auth service (a loopback service such as the
//! default needs a grant that allows loopback addresses); without a grant every request is
//! refused with `denied`, and the plugin answers 503.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wabi_guest::http::{self, HttpError};
use wabi_guest::{config, export};

/// An HTTP request as the proxy sees it. Header names are lower case (as HTTP/2 and hyper write
/// them); `path` includes the query string.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Vec<u8>,
}

/// An answer the plugin gives instead of forwarding.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// What the proxy does with the request.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// Send this (transformed) request upstream.
    Forward(Request),
    /// Answer the client with this response; nothing goes upstream.
    Respond(Response),
}

/// Where the auth service is when the host does not set `auth_url`.
const DEFAULT_AUTH_URL: &str = "http://127.0.0.1:9100/check";

/// The header the caller's credentials come in, passed on to the auth service.
const AUTHORIZATION: &str = "authorization";

/// The header the forwarded request names the caller in.
const USER: &str = "x-user";

#[export]
fn transform(req: Request) -> Action {
    let url = config::get("auth_url").unwrap_or_else(|| DEFAULT_AUTH_URL.to_owned());
    let answer = auth_request(&url, &req).send();
    decide(req, answer)
}

/// The question to the auth service: `GET url`, with the request's `authorization` header if
/// it has one.
fn auth_request(url: &str, req: &Request) -> http::Request {
    let check = http::Request::get(url);
    match header(&req.headers, AUTHORIZATION) {
        Some(credentials) => check.header(AUTHORIZATION, credentials),
        None => check,
    }
}

/// The value of the header `name`, whatever the case of its name in the request.
fn header<'a>(headers: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What to do with `req` given the auth service's answer.
fn decide(mut req: Request, answer: Result<http::Response, HttpError>) -> Action {
    match answer {
        Ok(auth) if auth.status == 200 => {
            let user = String::from_utf8_lossy(&auth.body).trim().to_owned();
            req.headers
                .retain(|name, _| !name.eq_ignore_ascii_case(AUTHORIZATION));
            // Replaces any `x-user` the caller sent: only the auth service names the user.
            req.headers
                .retain(|name, _| !name.eq_ignore_ascii_case(USER));
            req.headers.insert(USER.to_owned(), user);
            Action::Forward(req)
        }
        Ok(auth) if auth.status == 401 || auth.status == 403 => respond(401, "unauthorized".into()),
        Ok(auth) => respond(
            503,
            format!("auth service unavailable: status {}", auth.status),
        ),
        Err(e) => {
            wabi_guest::warn!("auth service {}: {e}", e.kind);
            respond(503, format!("auth service unavailable: {}", e.kind))
        }
    }
}

/// A plain-text answer to the client.
fn respond(status: u16, body: String) -> Action {
    Action::Respond(Response {
        status,
        headers: BTreeMap::from([(
            "content-type".to_owned(),
            "text/plain; charset=utf-8".to_owned(),
        )]),
        body: body.into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wabi_guest::http::HttpErrorKind;

    fn request(headers: &[(&str, &str)]) -> Request {
        Request {
            method: "GET".into(),
            path: "/orders?id=7".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: b"payload".to_vec(),
        }
    }

    fn auth(status: u16, body: &str) -> Result<http::Response, HttpError> {
        Ok(http::Response {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn the_auth_request_carries_the_credentials() {
        let check = auth_request(
            "http://auth/check",
            &request(&[("authorization", "Bearer t"), ("accept", "*/*")]),
        );
        assert_eq!(
            (check.method.as_str(), check.url.as_str()),
            ("GET", "http://auth/check")
        );
        assert_eq!(
            check.headers,
            [("authorization".to_owned(), "Bearer t".to_owned())]
        );
        assert!(check.body.is_empty());
        let anonymous = auth_request("http://auth/check", &request(&[("accept", "*/*")]));
        assert!(anonymous.headers.is_empty());
    }

    #[test]
    fn an_accepted_request_is_forwarded_with_the_user() {
        let req = request(&[
            ("authorization", "Bearer t"),
            ("x-user", "spoofed"),
            ("accept", "*/*"),
        ]);
        let Action::Forward(out) = decide(req, auth(200, "  ada\n")) else {
            panic!("not forwarded")
        };
        assert_eq!(out.path, "/orders?id=7");
        assert_eq!(out.body, b"payload");
        assert_eq!(
            out.headers,
            BTreeMap::from([
                ("accept".to_owned(), "*/*".to_owned()),
                ("x-user".to_owned(), "ada".to_owned()),
            ])
        );
    }

    #[test]
    fn refusals_and_failures_are_answered() {
        let body = |action: Action| match action {
            Action::Respond(r) => (r.status, String::from_utf8(r.body).unwrap()),
            Action::Forward(_) => panic!("forwarded"),
        };
        for status in [401, 403] {
            assert_eq!(
                body(decide(request(&[]), auth(status, "no"))),
                (401, "unauthorized".into())
            );
        }
        assert_eq!(
            body(decide(request(&[]), auth(500, ""))),
            (503, "auth service unavailable: status 500".into())
        );
        let err = HttpError::new(HttpErrorKind::Timeout, "http: no response within 1s");
        assert_eq!(
            body(decide(request(&[]), Err(err))),
            (503, "auth service unavailable: timeout".into())
        );
    }
}
