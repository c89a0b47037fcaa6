//! Outbound HTTP (ABI 1.3, `wabi.http_request`).
//!
//! A plugin has no network access of its own: it asks the host to make a request for it, and
//! the host makes it only if the embedder granted the plugin HTTP to that host (scheme, host,
//! port and method), within the grant's limits. Everything the host refuses, and every request
//! that fails, comes back as an [`HttpError`] whose [`kind`](HttpError::kind) a program can
//! match on; a 4xx or 5xx status is a [`Response`], not an error.
//!
//! ```no_run
//! use wabi_guest::http::{self, HttpErrorKind};
//!
//! let response = http::Request::post("https://api.example.com/v1/check")
//!     .header("content-type", "application/json")
//!     .body(r#"{"id":7}"#)
//!     .send();
//! match response {
//!     Ok(r) if r.status == 200 => wabi_guest::info!("ok: {}", r.text().unwrap_or("(binary)")),
//!     Ok(r) => wabi_guest::warn!("the service answered {}", r.status),
//!     Err(e) if e.kind == HttpErrorKind::Denied => wabi_guest::error!("no grant: {e}"),
//!     Err(e) => wabi_guest::error!("request failed ({}): {e}", e.kind),
//! }
//! ```
//!
//! An export can return an [`HttpError`] as its own error: the host then gets the error's
//! message and the value `{"kind": KIND}`, the same as the host's own answer.
//!
//! ```no_run
//! use wabi_guest::{export, http};
//!
//! #[export]
//! fn fetch_status(url: &str) -> Result<u16, http::HttpError> {
//!     Ok(http::get(url)?.status)
//! }
//! ```
//!
//! Requests are synchronous: `send` returns once the host has the whole response (or gave up).
//! The host owns some headers (`host`, `content-length`, `transfer-encoding`, `connection`,
//! ...); a request that sets one is refused with [`HttpErrorKind::BadRequest`]. Redirects are
//! followed only when the grant says so; otherwise a 3xx is the response.
//!
//! Outside wasm32 (native unit tests) there is no host, and sending a request panics.

use crate::host::EnvelopeBlock;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use wabi_spec::codec;
use wabi_spec::http::{HttpErrorValue, HttpResponse};
use wabi_spec::layout::Envelope;

pub use wabi_spec::http::HttpErrorKind;

/// An HTTP request to send with [`send`](Request::send).
///
/// Build it with [`Request::get`], [`Request::post`] ... or [`Request::new`], then add headers
/// and a body. It encodes as the request value of ABI.md section 4.4 (`method`, `url`,
/// `headers`, `body`).
///
/// ```no_run
/// use wabi_guest::http::Request;
///
/// let response = Request::get("https://api.example.com/v1/users/7")
///     .header("accept", "application/json")
///     .header("x-trace", "a")
///     .header("x-trace", "b") // sent twice, in this order
///     .send()?;
/// # Ok::<(), wabi_guest::http::HttpError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The method, as it is sent (`GET`, `POST` ...; the host compares it case-sensitively).
    pub method: String,
    /// An absolute `http://` or `https://` URL, without user information.
    pub url: String,
    /// Header fields as `(name, value)` pairs, in order; a name may repeat.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The request body (empty: none).
    #[serde(default)]
    pub body: Vec<u8>,
}

impl Request {
    /// A request with `method` to `url`, with no headers and no body.
    ///
    /// ```
    /// let request = wabi_guest::http::Request::new("PATCH", "https://api.example.com/v1/users/7");
    /// assert_eq!((request.method.as_str(), request.headers.len()), ("PATCH", 0));
    /// ```
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A `GET` request to `url`.
    ///
    /// ```
    /// let request = wabi_guest::http::Request::get("https://example.com/");
    /// assert_eq!(request.method, "GET");
    /// ```
    pub fn get(url: impl Into<String>) -> Self {
        Request::new("GET", url)
    }

    /// A `POST` request to `url`; give it a body with [`body`](Request::body).
    ///
    /// ```
    /// let request = wabi_guest::http::Request::post("https://example.com/items").body("hi");
    /// assert_eq!((request.method.as_str(), &request.body[..]), ("POST", &b"hi"[..]));
    /// ```
    pub fn post(url: impl Into<String>) -> Self {
        Request::new("POST", url)
    }

    /// A `PUT` request to `url`.
    ///
    /// ```
    /// assert_eq!(wabi_guest::http::Request::put("https://example.com/items/1").method, "PUT");
    /// ```
    pub fn put(url: impl Into<String>) -> Self {
        Request::new("PUT", url)
    }

    /// A `DELETE` request to `url`.
    ///
    /// ```
    /// assert_eq!(wabi_guest::http::Request::delete("https://example.com/items/1").method, "DELETE");
    /// ```
    pub fn delete(url: impl Into<String>) -> Self {
        Request::new("DELETE", url)
    }

    /// Add the header `name: value` after the ones already added (a name may repeat; nothing
    /// is replaced).
    ///
    /// ```
    /// let request = wabi_guest::http::Request::get("https://example.com/")
    ///     .header("accept", "text/plain")
    ///     .header("x-tag", "a")
    ///     .header("x-tag", "b");
    /// assert_eq!(request.headers[2], ("x-tag".to_owned(), "b".to_owned()));
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Set the body (replacing any body set before): bytes, a `String`, a `&str` ...
    ///
    /// ```
    /// let request = wabi_guest::http::Request::post("https://example.com/")
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"id":7}"#);
    /// assert_eq!(request.body, br#"{"id":7}"#);
    /// ```
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Send the request and wait for the whole response.
    ///
    /// ```no_run
    /// let response = wabi_guest::http::Request::get("https://example.com/").send()?;
    /// println!("{} ({} bytes)", response.status, response.body.len());
    /// # Ok::<(), wabi_guest::http::HttpError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An [`HttpError`] when the host refuses the request (no grant for it, a limit reached, an
    /// invalid request) or it fails (no connection, no response in time, a response too
    /// large), and when the host's answer is malformed (kind [`HttpErrorKind::Connect`]). An
    /// error status (4xx, 5xx) is a response, not an error.
    ///
    /// # Panics
    ///
    /// Outside wasm32, where there is no host.
    pub fn send(&self) -> Result<Response, HttpError> {
        let encoded = encode_request(self)?;
        let packed = crate::imports::http_request(&encoded);
        // The host copied the request before it sent it.
        drop(encoded);
        let answer = EnvelopeBlock::from_packed(packed);
        decode_answer(answer.bytes())
    }
}

/// Send a `GET` request to `url`: `Request::get(url).send()`.
///
/// ```no_run
/// let page = wabi_guest::http::get("https://example.com/")?;
/// assert_eq!(page.header("Content-Type"), Some("text/html"));
/// # Ok::<(), wabi_guest::http::HttpError>(())
/// ```
///
/// # Errors
///
/// As [`Request::send`].
///
/// # Panics
///
/// Outside wasm32, where there is no host.
pub fn get(url: impl Into<String>) -> Result<Response, HttpError> {
    Request::get(url).send()
}

/// The response to a request: the final one, after any redirects the host followed
/// (`wabi_spec`'s [`HttpResponse`], the value the host answers with, so an export can return it
/// as it is).
///
/// ```
/// use wabi_guest::http::Response;
/// let response = Response {
///     status: 200,
///     headers: vec![("content-type".into(), "text/plain".into())],
///     body: b"hello".to_vec(),
/// };
/// assert_eq!(response.header("Content-Type"), Some("text/plain"));
/// assert_eq!(response.text(), Ok("hello"));
/// ```
pub use wabi_spec::http::HttpResponse as Response;

/// A request that got no response: refused by the host or failed.
///
/// Its `Display` is [`message`](HttpError::message) alone, the host's text (which says which
/// host, which limit). It serializes as `{"kind": KIND}`, so an export that returns it as its
/// error passes on exactly what the host answered: the message, and the kind as the value.
///
/// ```
/// use wabi_guest::http::{HttpError, HttpErrorKind};
/// let err = HttpError::new(HttpErrorKind::Timeout, "http: no response within 1s");
/// assert_eq!(err.to_string(), "http: no response within 1s");
/// assert_eq!(err.kind.as_str(), "timeout");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    /// What went wrong. A kind this SDK does not know (from a newer host) is
    /// [`HttpErrorKind::Connect`], as ABI.md section 4.4 says.
    pub kind: HttpErrorKind,
    /// The error's text, for people.
    pub message: String,
}

impl HttpError {
    /// An error of `kind` with `message`.
    ///
    /// ```
    /// # use wabi_guest::http::{HttpError, HttpErrorKind};
    /// let err = HttpError::new(HttpErrorKind::Denied, "http: host `evil.example` is not allowed");
    /// assert_eq!(err.kind, HttpErrorKind::Denied);
    /// ```
    pub fn new(kind: HttpErrorKind, message: impl Into<String>) -> Self {
        HttpError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HttpError {}

/// `{"kind": KIND}`, the value of the host's own error answer.
impl Serialize for HttpError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        HttpErrorValue { kind: self.kind }.serialize(serializer)
    }
}

/// `request` as the request value of ABI.md section 4.4.
fn encode_request(request: &Request) -> Result<Vec<u8>, HttpError> {
    codec::to_vec(request).map_err(|e| {
        HttpError::new(
            HttpErrorKind::BadRequest,
            format!("http: cannot encode the request: {e}"),
        )
    })
}

/// The value of an error answer, with the kind as a string so that an unknown one decodes.
#[derive(Deserialize)]
struct ErrorValue<'a> {
    kind: &'a str,
}

/// Turn the envelope the host answered `wabi.http_request` with into the request's result.
/// Anything but an `Ok` with a response or an `Error` is a malformed answer: kind
/// [`HttpErrorKind::Connect`], with a message that says what the host sent.
fn decode_answer(envelope: &[u8]) -> Result<Response, HttpError> {
    let malformed = |what: fmt::Arguments<'_>| {
        Err(HttpError::new(
            HttpErrorKind::Connect,
            format!("http: the host answered wabi.http_request with {what}"),
        ))
    };
    match Envelope::parse(envelope) {
        Err(e) => malformed(format_args!("an invalid envelope: {e}")),
        Ok(Envelope::Ok(body)) => match codec::decode::<HttpResponse>(body) {
            Ok(response) => Ok(response),
            Err(e) => malformed(format_args!("a response that does not decode: {e}")),
        },
        Ok(Envelope::Error { message, value }) => {
            let kind = value
                .and_then(|v| codec::decode::<ErrorValue<'_>>(v).ok())
                .and_then(|v| HttpErrorKind::parse(v.kind))
                .unwrap_or(HttpErrorKind::Connect);
            Err(HttpError::new(kind, message))
        }
        Ok(Envelope::Panic(record)) => {
            malformed(format_args!("status 2 (panic): {}", record.message))
        }
        Ok(Envelope::BadArguments(message)) => {
            malformed(format_args!("status 3 (bad arguments): {message}"))
        }
        Ok(Envelope::BadResult(message)) => {
            malformed(format_args!("status 4 (bad result): {message}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wabi_spec::layout::{EnvelopeWriter, PanicRecord, Status};

    /// The golden vectors of `wabi.http_request`, by name.
    fn vector(name: &str) -> (String, Vec<u8>) {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../abi-spec/vectors/http.json")).unwrap();
        let v = doc["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no vector {name}"));
        let hex = v["hex"].as_str().unwrap();
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        (v["description"].as_str().unwrap().to_owned(), bytes)
    }

    #[test]
    fn requests_encode_as_the_golden_vectors() {
        let get = Request::get("http://127.0.0.1:8080/users/7");
        assert_eq!(encode_request(&get).unwrap(), vector("request_get").1);
        let post = Request::post("https://api.example.com/v1/check")
            .header("content-type", "application/json")
            .header("x-tag", "a")
            .header("x-tag", "b")
            .body(b"{\"id\":7}".to_vec());
        assert_eq!(encode_request(&post).unwrap(), vector("request_post").1);
        // `new` is the same request as the shorthand, and a request decodes back.
        let same = Request::new("POST", "https://api.example.com/v1/check")
            .header("content-type", "application/json")
            .header("x-tag", "a")
            .header("x-tag", "b")
            .body("{\"id\":7}");
        assert_eq!(same, post);
        let back: Request = codec::decode(&vector("request_post").1).unwrap();
        assert_eq!(back, post);
    }

    #[test]
    fn ok_answers_are_responses() {
        let response = decode_answer(&vector("ok_200").1).unwrap();
        assert_eq!(
            response,
            Response {
                status: 200,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: b"ok".to_vec(),
            }
        );
        assert_eq!(response.header("CONTENT-TYPE"), Some("text/plain"));
        assert_eq!(response.text(), Ok("ok"));
        let empty = decode_answer(&vector("ok_204_empty").1).unwrap();
        assert_eq!((empty.status, empty.headers.len()), (204, 0));
        assert!(empty.body.is_empty());
        assert_eq!(empty.text(), Ok(""));
    }

    #[test]
    fn error_answers_keep_the_message_and_the_kind() {
        for kind in HttpErrorKind::ALL {
            let (message, envelope) = vector(&format!("error_{}", kind.as_str()));
            let err = decode_answer(&envelope).unwrap_err();
            assert_eq!(err, HttpError::new(kind, message.clone()));
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn an_unknown_or_missing_kind_is_connect() {
        let mut env = Vec::new();
        let value = [0x81, 0xa4, b'k', b'i', b'n', b'd', 0xa3, b'n', b'e', b'w'];
        EnvelopeWriter::error(&mut env, "http: something new", &value);
        assert_eq!(
            decode_answer(&env).unwrap_err(),
            HttpError::new(HttpErrorKind::Connect, "http: something new")
        );
        EnvelopeWriter::error(&mut env, "http: no value", &[]);
        assert_eq!(
            decode_answer(&env).unwrap_err(),
            HttpError::new(HttpErrorKind::Connect, "http: no value")
        );
        EnvelopeWriter::error(&mut env, "http: not a map", &[0x07]);
        assert_eq!(
            decode_answer(&env).unwrap_err().kind,
            HttpErrorKind::Connect
        );
    }

    #[test]
    fn other_answers_are_malformed_connect_errors() {
        let mut env = Vec::new();
        let check = |env: &[u8], want: &str| {
            let err = decode_answer(env).unwrap_err();
            assert_eq!(err.kind, HttpErrorKind::Connect, "{err}");
            assert!(
                err.message
                    .starts_with("http: the host answered wabi.http_request with "),
                "{err}"
            );
            assert!(err.message.contains(want), "{err} lacks {want}");
        };
        EnvelopeWriter::message(&mut env, Status::BadArguments, "what?");
        check(&env, "status 3 (bad arguments): what?");
        EnvelopeWriter::message(&mut env, Status::BadResult, "nope");
        check(&env, "status 4 (bad result): nope");
        EnvelopeWriter::panic(
            &mut env,
            &PanicRecord {
                message: "boom",
                file: "",
                line: 0,
                column: 0,
            },
        );
        check(&env, "status 2 (panic): boom");
        // An Ok whose body is not a response.
        EnvelopeWriter::ok(&mut env, &[0xc0]);
        check(&env, "a response that does not decode");
        for bytes in [&[][..], &[0, 0, 0, 0], &[9, 0, 0, 0, 0, 0, 0, 0]] {
            check(bytes, "an invalid envelope");
        }
    }

    #[test]
    fn http_errors_are_std_errors_and_serialize_as_their_kind() {
        let err = HttpError::new(HttpErrorKind::TooManyRedirects, "http: over 3 redirects");
        assert_eq!(
            codec::to_vec(&err).unwrap(),
            codec::to_vec(&HttpErrorValue {
                kind: HttpErrorKind::TooManyRedirects
            })
            .unwrap()
        );
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert_eq!(boxed.to_string(), "http: over 3 redirects");
    }

    #[test]
    // As generated code writes it: the borrow selects the specialisation.
    #[allow(clippy::needless_borrow)]
    fn an_export_returns_an_http_error_as_message_and_kind() {
        use crate::__private::{ErrorValue, ErrorWithValueKind};
        let (message, envelope) = vector("error_denied");
        let err = decode_answer(&envelope).unwrap_err();
        let mut out = crate::output::Output::on_heap(Vec::new());
        (&ErrorValue(&err))
            .__wabi_error_kind()
            .write(&mut out, "fetch", &err);
        // Exactly the host's own answer, passed on.
        assert_eq!(out.as_slice(), envelope);
        assert_eq!(
            Envelope::parse(out.as_slice()).unwrap(),
            Envelope::Error {
                message: &message,
                value: Some(&[
                    0x81, 0xa4, b'k', b'i', b'n', b'd', 0xa6, b'd', b'e', b'n', b'i', b'e', b'd'
                ]),
            }
        );
    }

    #[test]
    fn responses_encode_as_the_host_answers_them() {
        let (_, envelope) = vector("ok_200");
        let response = decode_answer(&envelope).unwrap();
        let Ok(Envelope::Ok(body)) = Envelope::parse(&envelope) else {
            unreachable!()
        };
        assert_eq!(codec::to_vec(&response).unwrap(), body);
    }

    #[test]
    #[should_panic(expected = "outbound HTTP needs a wasm host")]
    fn native_requests_panic() {
        let _ = get("https://example.com/");
    }
}
