//! The conformance cases. Each case calls the guest's conformance exports and checks the
//! results against expected values written here, once, for every guest language.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

use bytemuck::{Pod, Zeroable};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wabi_host::{Direction, Error, HostError, HttpGrant, ModuleBuilder};

use crate::Harness;

/// One conformance case.
pub struct Case {
    /// Its name (stable: third parties filter on it).
    pub name: &'static str,
    /// What it checks.
    pub about: &'static str,
    /// Runs it on a fresh instance.
    pub run: fn(&mut Harness) -> Result<(), String>,
}

/// The struct every guest implements as `Person`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Age.
    pub age: u32,
    /// Optional e-mail.
    pub email: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}

/// The enum every guest implements as `Shape` (externally tagged).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Shape {
    /// Unit variant.
    Unit,
    /// Newtype variant.
    Circle(f64),
    /// Struct variant.
    Rect {
        /// Width.
        w: f64,
        /// Height.
        h: f64,
    },
    /// Tuple variant.
    Pair(i32, i32),
}

/// Length and wrapping byte sum.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Bytes.
    pub len: u64,
    /// Wrapping sum of the bytes.
    pub checksum: u64,
}

/// The error value of `fail`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct AppError {
    /// Always 42.
    pub code: u32,
    /// The message passed in.
    pub reason: String,
}

/// Input of `pod_add` (its memory layout) and of `add_pair` (a MessagePack struct).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, Serialize, Deserialize)]
pub struct PodPair {
    /// Left.
    pub a: i32,
    /// Right.
    pub b: i32,
}

/// Output of `pod_add` and of `add_pair`, as for [`PodPair`].
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable, Serialize, Deserialize)]
pub struct PodSum {
    /// `a + b`.
    pub sum: i64,
}

fn eq<T: PartialEq + Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

fn ensure(cond: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(what())
    }
}

/// Call and map the host error to a string.
fn call<A: Serialize, R: DeserializeOwned>(h: &mut Harness, f: &str, args: A) -> Result<R, String> {
    h.plugin.call(f, args).map_err(|e| format!("{f}: {e}"))
}

/// Call a function taking and returning the same type, and check the value comes back.
fn echo<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    h: &mut Harness,
    f: &str,
    value: T,
) -> Result<(), String> {
    let got: T = call(h, f, (&value,))?;
    eq(f, got, value)
}

fn person() -> Person {
    Person {
        name: "Ada Lovelace".into(),
        age: 36,
        email: Some("ada@example.com".into()),
        tags: vec!["math".into(), "poetry".into()],
    }
}

/// Maps nested exactly `levels` deep: `{"level": n, "items": [..], "next": {...}}`, the
/// innermost map holding only scalars (an array there would add a level).
fn nested_map(levels: u32) -> Value {
    let mut v = json!({"leaf": true, "n": -3.5, "s": "two", "nil": null, "big": u64::MAX});
    for n in (1..levels).rev() {
        v = json!({"level": n, "name": format!("n{n}"), "items": [n, "x", -1], "next": v});
    }
    v
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn checksum(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |s, &x| s.wrapping_add(x as u64))
}

/// The host functions and configuration every conformance guest may use (tests/README.md).
pub fn host_functions(builder: ModuleBuilder) -> ModuleBuilder {
    type All = (Person, Shape, BTreeMap<String, i64>, Vec<u8>, f32);
    builder
        .config("greeting", "hello ✓")
        .config("big", "x".repeat(100_000))
        .host_fn("add", |_ctx, (a, b): (i64, i64)| Ok(a.wrapping_add(b)))
        .host_fn("echo_all", |_ctx, all: All| Ok(all))
        .host_fn("birthday", |_ctx, mut p: Person| {
            p.age += 1;
            Ok(p)
        })
        .host_fn("fail", |_ctx, message: String| -> Result<(), HostError> {
            #[derive(Serialize)]
            struct Code {
                code: u32,
            }
            Err(HostError::with_value(
                format!("host says: {message}"),
                &Code { code: 7 },
            ))
        })
        .host_fn("descend", |ctx, n: u32| -> Result<u32, HostError> {
            let below = ctx
                .call::<_, u32>("recurse", n.saturating_sub(1))
                .map_err(|e| HostError::new(e.to_string()))?;
            Ok(below + 1)
        })
}

const MIB16: usize = 16 * 1024 * 1024;
const UNICODE: &str = "héllo ✓ 日本語 🦀 Ωμέγα עברית";

/// The HTTP grant of every conformance guest: the test server on 127.0.0.1 (an address that
/// needs its own allowance), GET, HEAD, POST and PUT, 2 redirects, 400 ms, 256 KiB responses.
pub fn http_grant(server: &crate::http_server::TestServer) -> HttpGrant {
    HttpGrant::hosts([server.base()])
        .allow_addresses("127.0.0.1")
        .methods(["GET", "HEAD", "POST", "PUT"])
        .follow_redirects(2)
        .timeout(std::time::Duration::from_millis(400))
        .max_request_bytes(200_000)
        .max_response_bytes(HTTP_MAX_RESPONSE)
        .max_requests_per_call(8)
}

/// The grant's response limit.
pub const HTTP_MAX_RESPONSE: usize = 256 * 1024;

/// The argument of the guests' `http_fetch`.
#[derive(Serialize, Debug)]
struct Fetch {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What `http_fetch` returns.
#[derive(Deserialize, Debug)]
struct Fetched {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A marker unique in this process, so that a case can tell its own requests on the server.
fn nonce() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!(
        "n{}x{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

fn fetch(
    h: &mut Harness,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Result<Fetched, (String, String)>, String> {
    let arg = Fetch {
        method: method.into(),
        url: url.into(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
    };
    match h.plugin.call::<_, Fetched>("http_fetch", &arg) {
        Ok(r) => Ok(Ok(r)),
        Err(Error::Guest { error, .. }) => {
            #[derive(Deserialize)]
            struct Kind {
                kind: String,
            }
            let kind: Kind = error
                .value_as()
                .ok_or_else(|| {
                    format!(
                        "http_fetch {url}: the guest's error `{}` has no value; want {{kind}}",
                        error.message
                    )
                })?
                .map_err(|e| format!("http_fetch {url}: the error value is not {{kind}}: {e}"))?;
            Ok(Err((kind.kind, error.message)))
        }
        Err(other) => Err(format!("http_fetch {method} {url}: {other}")),
    }
}

/// `fetch` that must succeed.
fn fetch_ok(
    h: &mut Harness,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Fetched, String> {
    fetch(h, method, url, headers, body)?.map_err(|(kind, message)| {
        format!("http_fetch {method} {url}: want a response, got {kind}: {message}")
    })
}

/// `fetch` that must fail with `kind`, with a message containing `says`; returns the message.
fn fetch_err(
    h: &mut Harness,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    kind: &str,
    says: &str,
) -> Result<String, String> {
    match fetch(h, method, url, headers, b"")? {
        Ok(r) => Err(format!(
            "http_fetch {method} {url}: want error {kind}, got status {}",
            r.status
        )),
        Err((k, message)) => {
            eq(&format!("error kind of {method} {url}"), k.as_str(), kind)?;
            ensure(message.contains(says), || {
                format!("{method} {url}: the message {message:?} does not say {says:?}")
            })?;
            Ok(message)
        }
    }
}

fn server_saw(marker: &str) -> bool {
    crate::http_server()
        .requests()
        .iter()
        .any(|r| r.contains(marker))
}

fn http_cases() -> Vec<Case> {
    use crate::http_server::percent_encode;
    vec![
        Case {
            name: "http_get",
            about: "a GET to an allowed host with headers: status, response headers in order, empty body",
            run: |h| {
                let base = crate::http_server().base();
                let n = nonce();
                let r = fetch_ok(h, "GET", &format!("{base}/echo?id={n}"), &[("x-test-a", "1"), ("accept", "text/plain")], b"")?;
                eq("status", r.status, 200)?;
                eq("x-echo-method", r.header("x-echo-method"), Some("GET"))?;
                eq("x-echo-x-test-a", r.header("X-Echo-X-Test-A"), Some("1"))?;
                eq("x-echo-path", r.header("x-echo-path"), Some(format!("/echo?id={n}").as_str()))?;
                eq("body", r.body.len(), 0)
            },
        },
        Case {
            name: "http_post_body",
            about: "a POST with a 100,000-byte body and a repeated header comes back byte for byte",
            run: |h| {
                let base = crate::http_server().base();
                let body = pattern(100_000);
                let r = fetch_ok(h, "POST", &format!("{base}/echo"), &[("x-tag", "a"), ("x-tag", "b"), ("content-type", "application/octet-stream")], &body)?;
                eq("status", r.status, 200)?;
                eq("x-echo-method", r.header("x-echo-method"), Some("POST"))?;
                eq("repeated header", r.header("x-echo-x-tag"), Some("a, b"))?;
                ensure(r.body == body, || format!("the echoed body differs ({} bytes back)", r.body.len()))
            },
        },
        Case {
            name: "http_status_is_a_response",
            about: "a 404 is a response with its status and body, not an error",
            run: |h| {
                let base = crate::http_server().base();
                let r = fetch_ok(h, "GET", &format!("{base}/status/404"), &[], b"")?;
                eq("status", r.status, 404)?;
                eq("body", r.body.as_slice(), b"status 404".as_slice())
            },
        },
        Case {
            name: "http_denied_host",
            about: "a host the grant does not list is refused (kind denied) and nothing is sent",
            run: |h| {
                let port = crate::http_server().port();
                let n = nonce();
                fetch_err(h, "GET", &format!("http://localhost:{port}/echo?id={n}"), &[], "denied", "localhost")?;
                fetch_err(h, "GET", &format!("https://127.0.0.1:{port}/echo?id={n}"), &[], "denied", "127.0.0.1")?;
                fetch_err(h, "GET", &format!("http://127.0.0.1:{}/echo?id={n}", port.wrapping_add(1).max(1)), &[], "denied", "127.0.0.1")?;
                ensure(!server_saw(&n), || "a denied request reached the server".to_string())
            },
        },
        Case {
            name: "http_denied_method",
            about: "a method the grant does not allow is refused (kind denied)",
            run: |h| {
                let base = crate::http_server().base();
                let n = nonce();
                fetch_err(h, "DELETE", &format!("{base}/echo?id={n}"), &[], "denied", "DELETE")?;
                ensure(!server_saw(&n), || "a denied request reached the server".to_string())
            },
        },
        Case {
            name: "http_redirect_followed",
            about: "a redirect to an allowed URL is followed (the grant follows 2)",
            run: |h| {
                let base = crate::http_server().base();
                let n = nonce();
                let to = percent_encode(&format!("/echo?id={n}"));
                let r = fetch_ok(h, "GET", &format!("{base}/redirect?to={to}"), &[], b"")?;
                eq("status", r.status, 200)?;
                eq("x-echo-path", r.header("x-echo-path"), Some(format!("/echo?id={n}").as_str()))
            },
        },
        Case {
            name: "http_redirect_to_denied_host",
            about: "a redirect to a host the grant does not list is refused (kind denied) before it is followed",
            run: |h| {
                let server = crate::http_server();
                let n = nonce();
                let to = percent_encode(&format!("http://localhost:{}/echo?id={n}", server.port()));
                fetch_err(h, "GET", &format!("{}/redirect?to={to}", server.base()), &[], "denied", "localhost")?;
                ensure(server_saw(&format!("/redirect?to={to}")), || "the redirect itself was not requested".to_string())?;
                ensure(!server_saw(&format!("/echo?id={n}")), || "the denied redirect target was requested".to_string())
            },
        },
        Case {
            name: "http_too_many_redirects",
            about: "more redirects than the grant follows are an error (kind too_many_redirects)",
            run: |h| {
                let base = crate::http_server().base();
                let mut url = "/echo".to_string();
                for _ in 0..3 {
                    url = format!("/redirect?to={}", percent_encode(&url));
                }
                fetch_err(h, "GET", &format!("{base}{url}"), &[], "too_many_redirects", "redirected")?;
                Ok(())
            },
        },
        Case {
            name: "http_response_too_large",
            about: "a response body over the grant's limit is refused (kind too_large), declared or streamed; one at the limit passes",
            run: |h| {
                let base = crate::http_server().base();
                let over = HTTP_MAX_RESPONSE + 1;
                fetch_err(h, "GET", &format!("{base}/big?n={over}"), &[], "too_large", "limit")?;
                fetch_err(h, "GET", &format!("{base}/stream?n={over}"), &[], "too_large", "limit")?;
                let r = fetch_ok(h, "GET", &format!("{base}/big?n={HTTP_MAX_RESPONSE}"), &[], b"")?;
                eq("body at the limit", r.body.len(), HTTP_MAX_RESPONSE)?;
                ensure(r.body == pattern(HTTP_MAX_RESPONSE), || "the body differs".to_string())
            },
        },
        Case {
            name: "http_timeout",
            about: "a response slower than the grant's timeout is an error (kind timeout), and the call returns soon after",
            run: |h| {
                let base = crate::http_server().base();
                let start = std::time::Instant::now();
                fetch_err(h, "GET", &format!("{base}/slow?ms=3000"), &[], "timeout", "within")?;
                let took = start.elapsed();
                ensure(took < std::time::Duration::from_millis(2500), || format!("the call took {took:?} for a 400 ms timeout"))
            },
        },
        Case {
            name: "http_bad_request",
            about: "a host-owned header or a URL that is not http(s) is refused (kind bad_request)",
            run: |h| {
                let base = crate::http_server().base();
                let n = nonce();
                fetch_err(h, "GET", &format!("{base}/echo?id={n}"), &[("host", "elsewhere.example")], "bad_request", "host")?;
                fetch_err(h, "GET", "ftp://127.0.0.1/file", &[], "bad_request", "ftp")?;
                ensure(!server_saw(&n), || "a refused request reached the server".to_string())
            },
        },
    ]
}

/// Every case, in a stable order.
pub fn all() -> Vec<Case> {
    let mut cases = vec![
        Case { name: "noop", about: "zero arguments, unit result", run: |h| call::<_, ()>(h, "noop", ()) },
        Case {
            name: "zero_args_forms",
            about: "a zero-argument function accepts empty input, nil and an empty array",
            run: |h| {
                for input in [&[][..], &[0xc0], &[0x90]] {
                    let out = h.plugin.call_raw("noop", input).map_err(|e| format!("noop({input:x?}): {e}"))?;
                    eq("noop result bytes", out, vec![0xc0])?;
                }
                Ok(())
            },
        },
        Case {
            name: "bool",
            about: "bool both ways",
            run: |h| {
                echo(h, "echo_bool", true)?;
                echo(h, "echo_bool", false)
            },
        },
        Case {
            name: "ints_8_args",
            about: "eight arguments, every integer width, extremes and zero",
            run: |h| {
                type Ints = (i8, i16, i32, i64, u8, u16, u32, u64);
                for v in [
                    (i8::MIN, i16::MIN, i32::MIN, i64::MIN, u8::MAX, u16::MAX, u32::MAX, u64::MAX),
                    (i8::MAX, i16::MAX, i32::MAX, i64::MAX, 0, 0, 0, 0),
                    (-1, -200, -70_000, -5_000_000_000, 200, 60_000, 4_000_000_000, 1 << 40),
                    (0, 0, 0, 0, 0, 0, 0, 0),
                ] {
                    let got: Ints = call(h, "echo_ints", v)?;
                    eq("echo_ints", got, v)?;
                }
                Ok(())
            },
        },
        Case {
            name: "floats",
            about: "f32 keeps its width, f64 its bits",
            run: |h| {
                for v in [(1.5f32, -0.1f64), (f32::MAX, f64::MIN_POSITIVE), (-0.0, 1e300)] {
                    let got: (f32, f64) = call(h, "echo_floats", v)?;
                    eq("echo_floats bits", (got.0.to_bits(), got.1.to_bits()), (v.0.to_bits(), v.1.to_bits()))?;
                }
                Ok(())
            },
        },
        Case {
            name: "string_unicode",
            about: "owned and borrowed strings, unicode, empty",
            run: |h| {
                for s in [UNICODE, "", "plain ascii", "\u{0}nul inside"] {
                    echo(h, "echo_string", s.to_string())?;
                    let got: String = call(h, "echo_str", s)?;
                    eq("echo_str", got.as_str(), s)?;
                }
                Ok(())
            },
        },
        Case {
            name: "bytes",
            about: "bytes as MessagePack bin, all byte values, empty",
            run: |h| {
                echo(h, "echo_bytes", (0..=255u8).collect::<Vec<u8>>())?;
                echo(h, "echo_bytes", Vec::<u8>::new())
            },
        },
        Case {
            name: "option",
            about: "Some and None",
            run: |h| {
                echo(h, "echo_option", Some("x".to_string()))?;
                echo(h, "echo_option", Some(String::new()))?;
                echo(h, "echo_option", None::<String>)
            },
        },
        Case {
            name: "struct",
            about: "a struct as a map keyed by field name, with optional and empty fields",
            run: |h| {
                echo(h, "echo_person", person())?;
                echo(h, "echo_person", Person { name: String::new(), age: 0, email: None, tags: vec![] })
            },
        },
        Case {
            name: "struct_by_name",
            about: "a guest matches fields by name: reordered and unknown fields, missing optional field",
            run: |h| {
                let sent = json!({"tags": ["x"], "extra": {"ignored": [1, 2]}, "age": 7, "name": "Bo"});
                let got: Person = call(h, "echo_person", (sent,))?;
                eq("echo_person", got, Person { name: "Bo".into(), age: 7, email: None, tags: vec!["x".into()] })
            },
        },
        Case {
            name: "enum",
            about: "unit, newtype, struct and tuple variants",
            run: |h| {
                for s in [Shape::Unit, Shape::Circle(1.5), Shape::Rect { w: 2.0, h: 3.5 }, Shape::Pair(-1, 2)] {
                    echo(h, "echo_shape", s)?;
                }
                Ok(())
            },
        },
        Case {
            name: "map",
            about: "ordered map, hash map, empty map",
            run: |h| {
                let m: BTreeMap<String, i64> = [("a", 1), ("b", -2), ("ünï", i64::MIN)].map(|(k, v)| (k.to_string(), v)).into();
                echo(h, "echo_map", m)?;
                echo(h, "echo_map", BTreeMap::<String, i64>::new())?;
                let hm: HashMap<String, Vec<u32>> = [("x", vec![1, 2]), ("y", vec![]), ("z", vec![u32::MAX])].map(|(k, v)| (k.to_string(), v)).into();
                echo(h, "echo_hashmap", hm)
            },
        },
        Case {
            name: "nested_vectors",
            about: "vectors of vectors of vectors, with empties",
            run: |h| echo(h, "echo_nested", vec![vec![vec![1u32, 2], vec![]], vec![], vec![vec![u32::MAX]]]),
        },
        Case {
            name: "dynamic_nested_10",
            about: "a dynamic map nested ten levels deep round-trips and measures 10 deep",
            run: |h| {
                let v = nested_map(10);
                echo(h, "echo_any", v.clone())?;
                let d: u32 = call(h, "depth", (v,))?;
                eq("depth", d, 10)
            },
        },
        Case {
            name: "three_args",
            about: "three arguments, one of them borrowed",
            run: |h| {
                let got: String = call(h, "concat3", ("a-", "ü-", "🦀"))?;
                eq("concat3", got.as_str(), "a-ü-🦀")
            },
        },
        Case {
            name: "struct_and_str",
            about: "a struct and a string",
            run: |h| {
                let got: String = call(h, "greet", (person(), "Hello"))?;
                eq("greet", got.as_str(), "Hello, Ada Lovelace (36)")
            },
        },
        Case {
            name: "error_with_value",
            about: "an error's message and structured value reach the host",
            run: |h| match h.plugin.call::<_, u32>("fail", "nope") {
                Err(Error::Guest { function, error }) => {
                    eq("function", function.as_str(), "fail")?;
                    eq("message", error.message.as_str(), "app error 42: nope")?;
                    let value: AppError = error.value_as().ok_or("the error has no value")?.map_err(|e| e.to_string())?;
                    eq("value", value, AppError { code: 42, reason: "nope".into() })?;
                    let still: bool = call(h, "echo_bool", true)?;
                    eq("call after an error", still, true)
                }
                other => Err(format!("fail: want a guest error, got {other:?}")),
            },
        },
        Case {
            name: "error_plain",
            about: "an error without a value",
            run: |h| match h.plugin.call::<_, u32>("fail_plain", "just text") {
                Err(Error::Guest { error, .. }) => {
                    eq("message", error.message.as_str(), "just text")?;
                    eq("value", error.value, None)
                }
                other => Err(format!("fail_plain: want a guest error, got {other:?}")),
            },
        },
        Case {
            name: "panic",
            about: "a panic reaches the host with its message; the next call works on a fresh instance",
            run: |h| {
                let _: u64 = call(h, "counter", ())?;
                match h.plugin.call::<_, ()>("boom", "kaboom ✨") {
                    Err(Error::Panic { function, panic }) => {
                        eq("function", function.as_str(), "boom")?;
                        ensure(panic.message.contains("kaboom ✨"), || format!("panic message {:?}", panic.message))?;
                    }
                    other => return Err(format!("boom: want a panic, got {other:?}")),
                }
                let n: u64 = call(h, "counter", ())?;
                eq("counter after the panic (fresh instance)", n, 1)
            },
        },
        Case {
            name: "payload_16mib_out",
            about: "a 16 MiB result",
            run: |h| {
                let got: Vec<u8> = call(h, "make_bytes", MIB16 as u32)?;
                eq("length", got.len(), MIB16)?;
                ensure(got == pattern(MIB16), || "make_bytes: wrong content".into())
            },
        },
        Case {
            name: "payload_16mib_in",
            about: "16 MiB of bytes and a 16 MiB string as arguments",
            run: |h| {
                let bytes = pattern(MIB16);
                let stats: Stats = call(h, "bytes_stats", (&bytes,))?;
                eq("bytes_stats", stats, Stats { len: MIB16 as u64, checksum: checksum(&bytes) })?;
                let s = "wabi✓".repeat(MIB16 / 7);
                let stats: Stats = call(h, "str_stats", s.as_str())?;
                eq("str_stats", stats, Stats { len: s.len() as u64, checksum: checksum(s.as_bytes()) })
            },
        },
        Case {
            name: "raw",
            about: "raw bytes in and out, no MessagePack",
            run: |h| {
                let out = h.plugin.call_raw("raw_reverse", b"\x00\x01abc\xff").map_err(|e| e.to_string())?;
                eq("raw_reverse", out, b"\xffcba\x01\x00".to_vec())?;
                let out = h.plugin.call_raw("raw_reverse", b"").map_err(|e| e.to_string())?;
                eq("raw_reverse(empty)", out, vec![])
            },
        },
        Case {
            name: "struct_in_struct_out",
            about: "a small struct in, a small struct out, integers of every width on the wire",
            run: |h| {
                for (a, b) in [(1, 2), (-32, 127), (128, -33), (1_000_000, 2345), (i32::MIN, i32::MAX), (i32::MAX, i32::MAX)] {
                    let sum: PodSum = call(h, "add_pair", PodPair { a, b })?;
                    eq("add_pair", sum, PodSum { sum: i64::from(a) + i64::from(b) })?;
                }
                Ok(())
            },
        },
        Case {
            name: "pod",
            about: "a Pod struct in, a Pod struct out; a wrong size is refused",
            run: |h| {
                let sum: PodSum = h.plugin.call_pod("pod_add", &PodPair { a: i32::MAX, b: 1 }).map_err(|e| e.to_string())?;
                eq("pod_add", sum, PodSum { sum: i32::MAX as i64 + 1 })?;
                match h.plugin.call_raw("pod_add", &[1, 2, 3]) {
                    Err(Error::Decode { direction: Direction::Arguments, .. }) => Ok(()),
                    other => Err(format!("pod_add with 3 bytes: want a decode error, got {other:?}")),
                }
            },
        },
        Case {
            name: "log",
            about: "a guest log line reaches the host's log handler",
            run: |h| {
                call::<_, ()>(h, "log_line", "hello from the guest ✓")?;
                let logs = h.logs.lock().unwrap();
                ensure(logs.iter().any(|l| l == "hello from the guest ✓"), || format!("log lines: {logs:?}"))
            },
        },
        Case {
            name: "state",
            about: "an instance keeps its state between calls",
            run: |h| {
                for want in 1..=3u64 {
                    eq("counter", call::<_, u64>(h, "counter", ())?, want)?;
                }
                Ok(())
            },
        },
        Case {
            name: "renamed",
            about: "an export under a name other than the function's",
            run: |h| eq("renamed.fn", call::<_, String>(h, "renamed.fn", ())?.as_str(), "renamed"),
        },
        Case {
            name: "bad_arguments",
            about: "arguments of the wrong type are a decode error naming the direction",
            run: |h| {
                match h.plugin.call::<_, bool>("echo_bool", "not a bool") {
                    Err(Error::Decode { function, direction: Direction::Arguments, .. }) => eq("function", function.as_str(), "echo_bool")?,
                    other => return Err(format!("echo_bool(\"not a bool\"): want an argument decode error, got {other:?}")),
                }
                match h.plugin.call::<_, String>("concat3", ("only one",)) {
                    Err(Error::Decode { direction: Direction::Arguments, .. }) => Ok(()),
                    other => Err(format!("concat3 with one argument: want an argument decode error, got {other:?}")),
                }
            },
        },
        Case {
            name: "wrong_result_type",
            about: "a result that does not fit the expected type is a decode error on the host",
            run: |h| match h.plugin.call::<_, u32>("echo_string", "text") {
                Err(Error::Decode { direction: Direction::Result, .. }) => Ok(()),
                other => Err(format!("want a result decode error, got {other:?}")),
            },
        },
        Case {
            name: "no_such_function",
            about: "calling a function the guest does not export names what it does export",
            run: |h| match h.plugin.call::<_, ()>("does_not_exist", ()) {
                Err(Error::NoSuchFunction { available, .. }) => ensure(available.contains("echo_bool"), || available),
                other => Err(format!("want NoSuchFunction, got {other:?}")),
            },
        },
        Case {
            name: "host_function",
            about: "the guest calls a host function with two arguments",
            run: |h| eq("call_host_add", call::<_, i64>(h, "call_host_add", (40i64, 2i64))?, 42),
        },
        Case {
            name: "host_function_every_type",
            about: "a struct, an enum, a map, bytes and an f32 to the host and back",
            run: |h| {
                let m: BTreeMap<String, i64> = [("k".to_string(), -7)].into();
                let all = (person(), Shape::Rect { w: 1.0, h: 2.5 }, m, vec![0u8, 255, 7], 0.5f32);
                let got: (Person, Shape, BTreeMap<String, i64>, Vec<u8>, f32) = call(h, "call_host_echo_all", all.clone())?;
                eq("call_host_echo_all", got, all)
            },
        },
        Case {
            name: "host_function_struct",
            about: "a struct changed by the host",
            run: |h| {
                let got: Person = call(h, "call_host_birthday", (person(),))?;
                eq("call_host_birthday", got.age, person().age + 1)
            },
        },
        Case {
            name: "host_function_error",
            about: "a host error reaches the guest as a value with its message and code",
            run: |h| {
                let got: String = call(h, "call_host_fail", "nope")?;
                eq("call_host_fail", got.as_str(), "host says: nope (code 7)")?;
                let missing: String = call(h, "call_host_missing", ())?;
                ensure(missing.contains("no_such_host_fn"), || format!("call_host_missing: {missing:?}"))
            },
        },
        Case {
            name: "nested_calls",
            about: "host -> guest -> host recursion works to the depth limit and stops there",
            run: |h| {
                eq("recurse(5)", call::<_, u32>(h, "recurse", 5u32)?, 5)?;
                match h.plugin.call::<_, u32>("recurse", 1000u32) {
                    Err(Error::DepthLimit { limit, .. }) => eq("depth limit", limit, 8),
                    other => Err(format!("recurse(1000): want DepthLimit, got {other:?}")),
                }
            },
        },
        Case {
            name: "config",
            about: "configuration values, absent keys, a 100,000-byte value",
            run: |h| {
                eq("greeting", call::<_, Option<String>>(h, "config_get", "greeting")?.as_deref(), Some("hello ✓"))?;
                eq("absent", call::<_, Option<String>>(h, "config_get", "absent")?, None)?;
                eq("big", call::<_, u32>(h, "config_big", ())?, 100_000)
            },
        },
        Case {
            name: "memory_flat_100k",
            about: "100,000 calls leave the guest's memory size unchanged after warm-up",
            run: |h| {
                let p = person();
                let mut greet = h.plugin.typed::<(&Person, &str), String>("greet").map_err(|e| e.to_string())?;
                let mut echo_person = h.plugin.typed::<(&Person,), Person>("echo_person").map_err(|e| e.to_string())?;
                let big = "x".repeat(100_000); // larger than the scratch buffer: the alloc/free path
                for _ in 0..1_000 {
                    greet.call(&mut h.plugin, (&p, "Hi")).map_err(|e| e.to_string())?;
                    call::<_, Stats>(h, "str_stats", big.as_str())?;
                }
                let before = h.plugin.memory_size().map_err(|e| e.to_string())?;
                for i in 0..100_000 {
                    if i % 10 == 0 {
                        call::<_, Stats>(h, "str_stats", big.as_str())?;
                    }
                    let back = echo_person.call(&mut h.plugin, (&p,)).map_err(|e| e.to_string())?;
                    if i % 10_000 == 0 {
                        eq("echo_person", &back, &p)?;
                    }
                }
                let after = h.plugin.memory_size().map_err(|e| e.to_string())?;
                eq("memory size after 100,000 calls", after, before)
            },
        },
    ];
    cases.extend(http_cases());
    cases
}
