//! Outbound HTTP (ABI.md 4.4) from the host's side: what a grant allows and refuses beyond the
//! conformance cases (no grant, the address check, the per-call count, the call's deadline,
//! async engines, redirects and credentials, hostile requests, invalid grants). The guest is
//! hand-written: `fetch` passes its input to `wabi.http_request` as the request and returns the
//! host's answer envelope as its own result, so what the host answered is what the test sees.

use std::time::{Duration, Instant};

use serde::Serialize;
use wabi_conformance::http_server::{percent_encode, TestServer};
use wabi_host::{Engine, Error, HttpGrant, HttpResponse, Limits, Module, ModuleBuilder};

const GUEST: &str = include_str!("../../host-sdk/tests/common/http_fetch.wat");

fn engine() -> &'static Engine {
    static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    E.get_or_init(Engine::default)
}

#[derive(Serialize)]
struct Req<'a> {
    method: &'a str,
    url: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

fn get(url: &str) -> Req<'_> {
    Req {
        method: "GET",
        url,
        headers: vec![],
        body: b"",
    }
}

/// The raw request bytes of `req` (the guest passes its input through).
fn bytes(req: &Req<'_>) -> Vec<u8> {
    wabi_host::value::to_vec(req).unwrap()
}

fn module(b: ModuleBuilder) -> Module {
    b.name("http-raw")
        .build(GUEST)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn loopback(server: &TestServer) -> HttpGrant {
    HttpGrant::hosts([server.base()]).allow_addresses("127.0.0.1")
}

/// The kind and message of a refused request.
fn refused(r: Result<Vec<u8>, Error>) -> (String, String) {
    match r {
        Err(Error::Guest { error, .. }) => {
            #[derive(serde::Deserialize)]
            struct K {
                kind: String,
            }
            let k: K = error.value_as().expect("a value").expect("{kind}");
            (k.kind, error.message)
        }
        other => panic!("want a refusal, got {other:?}"),
    }
}

fn response(r: Result<Vec<u8>, Error>) -> HttpResponse {
    let body = r.unwrap_or_else(|e| panic!("want a response, got {e}"));
    wabi_host::value::decode(&body).unwrap()
}

#[test]
fn without_a_grant_every_request_is_denied() {
    let server = TestServer::start();
    let mut p = module(Module::builder(engine())).instantiate().unwrap();
    let url = format!("{}/echo?no-grant", server.base());
    let (kind, message) = refused(p.call_raw("fetch", &bytes(&get(&url))));
    assert_eq!(kind, "denied");
    assert!(
        message.contains("no HTTP grant") && message.contains("allow_http"),
        "{message}"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn loopback_and_private_addresses_need_their_own_allowance() {
    let server = TestServer::start();
    // The pattern matches, but 127.0.0.1 is loopback.
    let m = module(Module::builder(engine()).allow_http(HttpGrant::hosts([server.base()])));
    let url = format!("{}/echo?ssrf", server.base());
    let (kind, message) = refused(
        m.instantiate()
            .unwrap()
            .call_raw("fetch", &bytes(&get(&url))),
    );
    assert_eq!(kind, "denied");
    assert!(
        message.contains("127.0.0.1")
            && message.contains("loopback")
            && message.contains("allow_addresses"),
        "{message}"
    );
    // A name that resolves to loopback is refused the same way.
    let by_name = format!("http://localhost:{}/echo?ssrf-name", server.port());
    let m = module(
        Module::builder(engine())
            .allow_http(HttpGrant::hosts([format!("localhost:{}", server.port())])),
    );
    let (kind, message) = refused(
        m.instantiate()
            .unwrap()
            .call_raw("fetch", &bytes(&get(&by_name))),
    );
    assert_eq!(kind, "denied", "{message}");
    assert!(
        message.contains("localhost") && message.contains("loopback"),
        "{message}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    // Allowed explicitly, it goes through.
    let m = module(Module::builder(engine()).allow_http(loopback(&server)));
    let r = response(
        m.instantiate()
            .unwrap()
            .call_raw("fetch", &bytes(&get(&url))),
    );
    assert_eq!(r.status, 200);
    assert_eq!(server.requests(), ["GET /echo?ssrf"]);
}

#[test]
fn ipv6_and_mapped_loopback_literals_are_refused_too() {
    let server = TestServer::start();
    let port = server.port();
    for (pattern, url) in [
        (
            format!("[::1]:{port}"),
            format!("http://[::1]:{port}/echo?v6"),
        ),
        (
            format!("[::ffff:127.0.0.1]:{port}"),
            format!("http://[::ffff:127.0.0.1]:{port}/echo?mapped"),
        ),
        (
            "[fd00:ec2::254]".to_string(),
            "http://[fd00:ec2::254]/latest/meta-data".to_string(),
        ),
        (
            "169.254.169.254".to_string(),
            "http://169.254.169.254/latest/meta-data".to_string(),
        ),
    ] {
        let m = module(Module::builder(engine()).allow_http(HttpGrant::hosts([pattern.as_str()])));
        let (kind, message) = refused(
            m.instantiate()
                .unwrap()
                .call_raw("fetch", &bytes(&get(&url))),
        );
        assert_eq!(kind, "denied", "{url}: {message}");
        assert!(message.contains("does not allow"), "{url}: {message}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn https_goes_through_tls_and_a_failed_handshake_is_a_connect_error() {
    // The test server speaks plain HTTP: the TLS handshake of an https:// request fails.
    let server = TestServer::start();
    let base = format!("https://127.0.0.1:{}", server.port());
    let m = module(
        Module::builder(engine())
            .allow_http(HttpGrant::hosts([base.as_str()]).allow_addresses("127.0.0.1")),
    );
    let (kind, message) = refused(
        m.instantiate()
            .unwrap()
            .call_raw("fetch", &bytes(&get(&format!("{base}/echo")))),
    );
    assert_eq!(kind, "connect", "{message}");
    assert!(message.contains("127.0.0.1"), "{message}");
}

#[test]
fn a_call_may_send_only_as_many_requests_as_the_grant_allows() {
    let server = TestServer::start();
    let m =
        module(Module::builder(engine()).allow_http(loopback(&server).max_requests_per_call(3)));
    let mut p = m.instantiate().unwrap();
    let url = format!("{}/echo?count", server.base());
    let (kind, message) = refused(p.call_raw("fetch_10", &bytes(&get(&url))));
    assert_eq!(kind, "limit");
    assert!(message.contains("3 requests"), "{message}");
    assert_eq!(server.requests().len(), 3);
    // The count is per call: the next call may send again.
    assert_eq!(
        response(p.call_raw("fetch", &bytes(&get(&url)))).status,
        200
    );
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn the_calls_deadline_cuts_a_slow_request_and_ends_the_call() {
    let server = TestServer::start();
    let limits = Limits {
        timeout: Some(Duration::from_millis(300)),
        ..Limits::default()
    };
    let m = module(
        Module::builder(engine())
            .limits(limits)
            .allow_http(loopback(&server).timeout(Duration::from_secs(10))),
    );
    let mut p = m.instantiate().unwrap();
    let url = format!("{}/slow?ms=3000", server.base());
    let start = Instant::now();
    let e = p.call_raw("fetch", &bytes(&get(&url))).unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(
        start.elapsed() < Duration::from_millis(2000),
        "{:?}",
        start.elapsed()
    );
    // The grant's own, shorter timeout is the guest's `timeout` error instead.
    let m = module(
        Module::builder(engine()).allow_http(loopback(&server).timeout(Duration::from_millis(200))),
    );
    let (kind, message) = refused(
        m.instantiate()
            .unwrap()
            .call_raw("fetch", &bytes(&get(&url))),
    );
    assert_eq!(kind, "timeout");
    assert!(message.contains("200ms"), "{message}");
}

#[test]
fn redirects_are_not_followed_unless_granted_and_drop_credentials_across_hosts() {
    let server = TestServer::start();
    let port = server.port();
    let to_echo = format!(
        "{}/redirect?to={}",
        server.base(),
        percent_encode("/echo?same")
    );
    let auth = |url: &str| {
        Req {
            method: "GET",
            url,
            headers: vec![("authorization", "Bearer s3cret")],
            body: b"",
        }
        .pipe(|r| bytes(&r))
    };
    // Default: the guest gets the 302 itself.
    let m = module(Module::builder(engine()).allow_http(loopback(&server)));
    let r = response(m.instantiate().unwrap().call_raw("fetch", &auth(&to_echo)));
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/echo?same"));
    // Followed: same origin keeps the credentials, another host loses them.
    let grant = HttpGrant::hosts([server.base(), format!("http://localhost:{port}")])
        .allow_addresses("127.0.0.1")
        .allow_addresses("::1")
        .follow_redirects(2);
    let m = module(Module::builder(engine()).allow_http(grant));
    let mut p = m.instantiate().unwrap();
    let r = response(p.call_raw("fetch", &auth(&to_echo)));
    assert_eq!(
        (r.status, r.header("x-echo-authorization")),
        (200, Some("Bearer s3cret"))
    );
    let cross = format!(
        "{}/redirect?to={}",
        server.base(),
        percent_encode(&format!("http://localhost:{port}/echo?cross"))
    );
    let r = response(p.call_raw("fetch", &auth(&cross)));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-echo-path"), Some("/echo?cross"));
    assert_eq!(
        r.header("x-echo-authorization"),
        None,
        "credentials followed a redirect to another host"
    );
}

#[test]
fn a_302_turns_a_post_into_a_get_and_a_307_keeps_it() {
    let server = TestServer::start();
    let m = module(Module::builder(engine()).allow_http(loopback(&server).follow_redirects(1)));
    let mut p = m.instantiate().unwrap();
    for (route, method, body) in [
        ("redirect", "GET", &b""[..]),
        ("redirect307", "POST", &b"payload"[..]),
    ] {
        let url = format!("{}/{route}?to={}", server.base(), percent_encode("/echo"));
        let req = Req {
            method: "POST",
            url: &url,
            headers: vec![("content-type", "text/plain")],
            body: b"payload",
        };
        let r = response(p.call_raw("fetch", &bytes(&req)));
        assert_eq!(r.header("x-echo-method"), Some(method), "{route}");
        assert_eq!(r.body, body, "{route}");
    }
}

#[test]
fn hostile_requests_are_refused_or_fault_without_reading_what_they_claim() {
    let server = TestServer::start();
    let m = module(Module::builder(engine()).allow_http(loopback(&server).max_request_bytes(1000)));
    let mut p = m.instantiate().unwrap();
    // 1 GiB claimed: `too_large`, nothing read, the instance stays usable.
    let (kind, message) = refused(p.call_raw("fetch_1gib", b""));
    assert_eq!(kind, "too_large");
    assert!(message.contains("1073741824"), "{message}");
    // Out of bounds: a fault that names the import; the next call gets a fresh instance.
    let e = p.call_raw("fetch_oob", b"").unwrap_err();
    assert!(
        matches!(e, Error::Trap { .. }) && e.to_string().contains("wabi.http_request"),
        "{e}"
    );
    // Not a request at all.
    let (kind, message) = refused(p.call_raw("fetch", &[0xc1]));
    assert_eq!(kind, "bad_request", "{message}");
    let (kind, _) = refused(p.call_raw("fetch", &wabi_host::value::to_vec(&("GET", 7)).unwrap()));
    assert_eq!(kind, "bad_request");
    // A body over the grant's limit.
    let url = format!("{}/echo", server.base());
    let big = vec![7u8; 1001];
    let (kind, message) = refused(p.call_raw(
        "fetch",
        &bytes(&Req {
            method: "PUT",
            url: &url,
            headers: vec![],
            body: &big,
        }),
    ));
    assert_eq!(kind, "too_large");
    assert!(
        message.contains("1001") && message.contains("1000"),
        "{message}"
    );
    // A header value with a newline (header injection).
    let (kind, _) = refused(p.call_raw(
        "fetch",
        &bytes(&Req {
            method: "GET",
            url: &url,
            headers: vec![("x-a", "1\r\nx-b: 2")],
            body: b"",
        }),
    ));
    assert_eq!(kind, "bad_request");
    // Method names are case-sensitive: `get` is not `GET`.
    let (kind, _) = refused(p.call_raw(
        "fetch",
        &bytes(&Req {
            method: "get",
            url: &url,
            headers: vec![],
            body: b"",
        }),
    ));
    assert_eq!(kind, "denied");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn oversized_response_headers_and_refused_connections_are_typed_errors() {
    let server = TestServer::start();
    let m = module(Module::builder(engine()).allow_http(loopback(&server)));
    let mut p = m.instantiate().unwrap();
    let url = format!("{}/big-header?n=70000", server.base());
    let (kind, message) = refused(p.call_raw("fetch", &bytes(&get(&url))));
    assert_eq!(kind, "too_large");
    assert!(message.contains("headers"), "{message}");
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = format!("http://127.0.0.1:{port}");
    let m = module(
        Module::builder(engine())
            .allow_http(HttpGrant::hosts([closed.as_str()]).allow_addresses("127.0.0.1")),
    );
    let (kind, message) = refused(
        m.instantiate()
            .unwrap()
            .call_raw("fetch", &bytes(&get(&format!("{closed}/x")))),
    );
    assert_eq!(kind, "connect");
    assert!(message.contains(&port.to_string()), "{message}");
}

#[test]
fn a_grant_that_cannot_work_is_refused_when_the_module_is_built() {
    for (grant, says) in [
        (HttpGrant::new(), "lists no host"),
        (HttpGrant::hosts(["ftp://x.example"]), "http or https"),
        (
            HttpGrant::hosts(["x.example"]).allow_addresses("10.0.0.0/40"),
            "0 to 32",
        ),
        (
            HttpGrant::hosts(["x.example"]).methods(["CONNECT"]),
            "CONNECT",
        ),
        (
            HttpGrant::hosts(["x.example"]).timeout(Duration::ZERO),
            "more than zero",
        ),
    ] {
        let e = Module::builder(engine())
            .allow_http(grant)
            .build(GUEST)
            .err()
            .expect("refused");
        assert!(
            matches!(e, Error::Config { .. }) && e.to_string().contains(says),
            "{says}: {e}"
        );
    }
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}
