//! Outbound HTTP (ABI 1.3): the `wabi.http_request` import, its request and answer values, and
//! the kinds of error a guest can get back (ABI.md section 4.4).
//!
//! A guest encodes an [`HttpRequest`] (a MessagePack map), passes it to
//! `wabi.http_request(req_ptr, req_len) -> i64`, and gets back, exactly like a `wabi.host_call`
//! answer, the packed `(ptr, len)` of a result envelope in a block from its own `wabi_alloc`
//! (the guest frees it with `wabi_free(ptr, len, 8)`):
//! - status `Ok`: the body is an [`HttpResponse`];
//! - status `Error`: the error body's message says what happened and its value is an
//!   [`HttpErrorValue`], whose [`HttpErrorKind`] a program can match on.
//!
//! Refusals and failures are always such error values, never traps: the host grants HTTP per
//! plugin, to listed hosts, and refuses everything else.
//!
//! ```
//! # #[cfg(feature = "codec")] {
//! use wabi_spec::http::{HttpErrorKind, HttpRequest};
//! let request = HttpRequest::new("GET", "https://api.example.com/v1/users/7");
//! let bytes = wabi_spec::codec::to_vec(&request).unwrap();
//! assert_eq!(bytes[0], 0x84); // a map of 4 entries: method, url, headers, body
//! assert_eq!(HttpErrorKind::parse("too_large"), Some(HttpErrorKind::TooLarge));
//! # }
//! ```

use core::fmt;

/// Why a request got no response. Encoded as its [`HttpErrorKind::as_str`] name (a MessagePack
/// str); a guest MUST treat a name it does not know like [`HttpErrorKind::Connect`] (a later
/// minor version may add kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "codec", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "codec", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// `denied`: the plugin may not make this request: no HTTP grant, a host, scheme, port or
    /// method the grant does not list, a name that resolves to an address the grant does not
    /// allow (loopback, private, link-local, metadata ...), or a redirect to any of those.
    Denied,
    /// `timeout`: no complete response within the grant's request timeout (or what was left of
    /// the call's own deadline).
    Timeout,
    /// `too_large`: the request body, or the response's headers or body, exceeded the grant's
    /// limit.
    TooLarge,
    /// `connect`: the host name did not resolve, the connection or TLS failed, or the server
    /// broke the HTTP protocol.
    Connect,
    /// `limit`: the plugin already made as many requests in this call as the grant allows.
    Limit,
    /// `bad_request`: the request value does not decode, or its URL, method or a header is
    /// invalid (including a header the host sets itself, such as `host`).
    BadRequest,
    /// `too_many_redirects`: the grant follows redirects, and the server sent more of them
    /// than it allows.
    TooManyRedirects,
}

impl HttpErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [HttpErrorKind; 7] = [
        HttpErrorKind::Denied,
        HttpErrorKind::Timeout,
        HttpErrorKind::TooLarge,
        HttpErrorKind::Connect,
        HttpErrorKind::Limit,
        HttpErrorKind::BadRequest,
        HttpErrorKind::TooManyRedirects,
    ];

    /// The name on the wire: `denied`, `timeout`, `too_large`, `connect`, `limit`,
    /// `bad_request` or `too_many_redirects`.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpErrorKind::Denied => "denied",
            HttpErrorKind::Timeout => "timeout",
            HttpErrorKind::TooLarge => "too_large",
            HttpErrorKind::Connect => "connect",
            HttpErrorKind::Limit => "limit",
            HttpErrorKind::BadRequest => "bad_request",
            HttpErrorKind::TooManyRedirects => "too_many_redirects",
        }
    }

    /// The kind named `name` on the wire, if it is one of this version's.
    pub fn parse(name: &str) -> Option<HttpErrorKind> {
        HttpErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for HttpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "codec")]
mod values {
    use super::HttpErrorKind;
    use serde::{Deserialize, Serialize};

    /// What a guest passes to `wabi.http_request`: a map with these four keys, in this order
    /// when a guest writes it (a host matches them by name). `headers` and `body` may be
    /// left out (no headers, no body).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct HttpRequest {
        /// The method, upper case (`GET`, `POST` ...).
        pub method: String,
        /// An absolute `http://` or `https://` URL, without user information.
        pub url: String,
        /// Header fields as `[name, value]` pairs, in order; a name may repeat.
        #[serde(default)]
        pub headers: Vec<(String, String)>,
        /// The request body (MessagePack bin; empty: no body).
        #[serde(default)]
        pub body: Vec<u8>,
    }

    impl HttpRequest {
        /// A request with no headers and no body.
        pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
            HttpRequest {
                method: method.into(),
                url: url.into(),
                headers: Vec::new(),
                body: Vec::new(),
            }
        }
    }

    /// The body of an `Ok` answer: the final response (after any redirects the host followed).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct HttpResponse {
        /// The status code (100-999; a 4xx or 5xx status is a response, not an error).
        pub status: u16,
        /// Header fields as `[name, value]` pairs in the order received (the values of a
        /// repeated name kept together, at the name's first place); names in lower case, values
        /// decoded as UTF-8 with invalid bytes replaced by U+FFFD.
        pub headers: Vec<(String, String)>,
        /// The whole response body.
        pub body: Vec<u8>,
    }

    impl HttpResponse {
        /// The value of the first header named `name` (compared case-insensitively).
        ///
        /// ```
        /// let r = wabi_spec::http::HttpResponse {
        ///     status: 200,
        ///     headers: vec![("content-type".into(), "text/plain".into())],
        ///     body: b"hi".to_vec(),
        /// };
        /// assert_eq!(r.header("Content-Type"), Some("text/plain"));
        /// ```
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }

        /// The body as text, if it is valid UTF-8.
        ///
        /// ```
        /// let mut r = wabi_spec::http::HttpResponse { status: 200, headers: vec![], body: b"ok".to_vec() };
        /// assert_eq!(r.text(), Ok("ok"));
        /// r.body = vec![0xff];
        /// assert!(r.text().is_err());
        /// ```
        ///
        /// # Errors
        ///
        /// The [`core::str::Utf8Error`] of the body when it is not UTF-8.
        pub fn text(&self) -> Result<&str, core::str::Utf8Error> {
            core::str::from_utf8(&self.body)
        }
    }

    /// The value of an `Error` answer: `{"kind": name}`. The error body's message carries the
    /// details for people (which host, which limit).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct HttpErrorValue {
        /// What went wrong.
        pub kind: HttpErrorKind,
    }
}

#[cfg(feature = "codec")]
pub use values::{HttpErrorValue, HttpRequest, HttpResponse};
