//! End-to-end tests of the proxy example: a real upstream server and the proxy, both on
//! 127.0.0.1 ephemeral ports, and real HTTP requests over loopback.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use wabi_examples::proxy::{Proxy, ProxyOptions};
use wabi_examples::upstream::{self, Log, Seen};
use wabi_host::Engine;

/// No single request may take longer than this, whatever goes wrong.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

struct Setup {
    proxy: SocketAddr,
    /// The proxy itself (a clone of the one serving), for its plugin registry; `None` for
    /// the proxy binary.
    handle: Option<Proxy>,
    upstream: SocketAddr,
    log: Log,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// An echo upstream and a proxy running `plugin` in front of it.
async fn start(plugin: &str, config: &[(&str, &str)], timeout: Duration) -> Setup {
    start_with(plugin, |options| {
        options.config = config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        options.limits.timeout = Some(timeout);
    })
    .await
}

/// [`start`] with the proxy's options (32 MiB per instance) changed by `adjust`.
async fn start_with(plugin: &str, adjust: impl FnOnce(&mut ProxyOptions)) -> Setup {
    let log = Log::default();
    let upstream_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = upstream_listener.local_addr().unwrap();
    tokio::spawn(upstream::serve(upstream_listener, log.clone()));

    let mut options = ProxyOptions::new(plugin, format!("http://{upstream}").parse().unwrap());
    options.limits.max_memory = 32 << 20;
    adjust(&mut options);
    let proxy = Proxy::new(&Engine::default(), options).unwrap();
    let proxy_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = proxy_listener.local_addr().unwrap();
    tokio::spawn(proxy.clone().serve(proxy_listener));
    Setup {
        proxy: addr,
        handle: Some(proxy),
        upstream,
        log,
        client: Client::builder(TokioExecutor::new()).build_http(),
    }
}

struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Answer {
    /// What the echo upstream saw, for a forwarded request.
    fn seen(&self) -> Seen {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not an upstream echo ({e}): {}", self.body))
    }
}

impl Setup {
    async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.proxy));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Full::new(Bytes::from(body.to_owned()))).unwrap();
        let work = async {
            let response = self.client.request(req).await.expect("the proxy answers");
            let (parts, body) = response.into_parts();
            let body = body.collect().await.unwrap().to_bytes();
            Answer {
                status: parts.status.as_u16(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_owned()))
                    .collect(),
                body: String::from_utf8_lossy(&body).into_owned(),
            }
        };
        tokio::time::timeout(REQUEST_DEADLINE, work)
            .await
            .unwrap_or_else(|_| panic!("{method} {path}: no answer within {REQUEST_DEADLINE:?}"))
    }

    fn upstream_count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

/// Both gateway plugins, Rust and (when it was built) Go.
fn gateways() -> Vec<&'static str> {
    let mut out = vec![wabi_examples::GATEWAY_WASM];
    out.extend(wabi_examples::GATEWAY_GO_WASM);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transformed_requests_arrive_upstream() {
    for plugin in gateways() {
        let s = start(
            plugin,
            &[("block_prefix", "/admin")],
            Duration::from_secs(5),
        )
        .await;
        let a = s
            .send(
                "GET",
                "/api/users?id=7",
                &[("x-debug", "1"), ("accept", "application/json")],
                "",
            )
            .await;
        assert_eq!(a.status, 200, "{plugin}: {}", a.body);
        assert_eq!(
            a.headers.get("x-upstream").map(String::as_str),
            Some("echo")
        );
        let seen = a.seen();
        assert_eq!(seen.method, "GET");
        assert_eq!(seen.path, "/users?id=7", "{plugin}: the path was rewritten");
        let h = &seen.headers;
        assert_eq!(h["x-gateway"], "wabi", "{plugin}: header added");
        assert_eq!(h["x-original-path"], "/api/users?id=7");
        assert_eq!(
            h["accept"], "application/json",
            "{plugin}: other headers kept"
        );
        assert!(
            !h.contains_key("x-debug"),
            "{plugin}: x-debug removed: {h:?}"
        );
        assert_eq!(h["x-forwarded-host"], s.proxy.to_string());
        assert_eq!(h["x-forwarded-for"], "127.0.0.1");
        assert_eq!(h["host"], s.upstream.to_string());

        let a = s
            .send(
                "POST",
                "/api/orders",
                &[("content-type", "text/plain")],
                "two apples",
            )
            .await;
        assert_eq!(a.status, 200, "{plugin}: {}", a.body);
        let seen = a.seen();
        assert_eq!(
            (seen.method.as_str(), seen.path.as_str()),
            ("POST", "/orders")
        );
        assert_eq!(seen.body, "two apples", "{plugin}: the body arrives");
        assert_eq!(seen.headers["content-length"], "10");
        assert_eq!(s.upstream_count(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_request_gets_the_plugins_answer() {
    for plugin in gateways() {
        let s = start(
            plugin,
            &[("block_prefix", "/admin,/internal")],
            Duration::from_secs(5),
        )
        .await;
        let a = s.send("DELETE", "/admin/users/7", &[], "").await;
        assert_eq!(a.status, 403, "{plugin}");
        assert_eq!(a.body, "blocked: /admin/users/7 matches the rule /admin\n");
        assert_eq!(a.headers["x-blocked-by"], "wabi-gateway");
        assert_eq!(a.headers["content-type"], "text/plain; charset=utf-8");
        assert!(!a.headers.contains_key("x-upstream"));
        assert_eq!(s.upstream_count(), 0, "{plugin}: nothing went upstream");
        // The next request is forwarded as usual.
        let a = s.send("GET", "/public", &[], "").await;
        assert_eq!((a.status, a.seen().path.as_str()), (200, "/public"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faulty_plugin_gives_502_or_504_and_the_proxy_keeps_serving() {
    let s = start(
        wabi_examples::MISBEHAVE_WASM,
        &[],
        Duration::from_millis(200),
    )
    .await;
    let healthy = |a: &Answer| {
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.seen().headers["x-misbehave"], "no");
    };
    healthy(&s.send("GET", "/ok", &[], "").await);
    for (path, status, says) in [
        ("/trap", 502, "trapped"),
        ("/panic", 502, "panicked"),
        ("/grow", 502, "memory limit"),
        ("/error", 502, "the plugin refused the request"),
        ("/slow", 504, "timed out"),
    ] {
        let started = Instant::now();
        let a = s.send("GET", path, &[], "").await;
        assert_eq!(a.status, status, "{path}: {}", a.body);
        assert!(a.body.contains(says), "{path}: {}", a.body);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} took {:?}",
            started.elapsed()
        );
        // The failed instance was discarded; the next request gets a fresh one.
        healthy(&s.send("GET", "/ok", &[], "").await);
    }
    assert_eq!(
        s.upstream_count(),
        6,
        "only the healthy requests went upstream"
    );
}

/// The value of the sample `name` (with its labels) in Prometheus text.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_metrics_answers_the_plugins_metrics_in_prometheus_text() {
    let s = start(
        wabi_examples::MISBEHAVE_WASM,
        &[],
        Duration::from_millis(200),
    )
    .await;
    for path in ["/ok", "/ok", "/trap", "/error", "/ok"] {
        s.send("GET", path, &[], "").await;
    }
    let a = s.send("GET", "/metrics", &[], "").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = &a.body;
    let p = "{plugin=\"misbehave\"}";
    assert_eq!(
        sample(text, &format!("wabi_plugin_calls_total{p}")),
        Some(5.0),
        "{text}"
    );
    assert_eq!(
        sample(
            text,
            "wabi_plugin_errors_total{plugin=\"misbehave\",kind=\"trap\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            text,
            "wabi_plugin_errors_total{plugin=\"misbehave\",kind=\"guest_error\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(text, &format!("wabi_plugin_call_duration_seconds_count{p}")),
        Some(5.0)
    );
    // The first instance, and a fresh one after the trap.
    assert_eq!(
        sample(text, &format!("wabi_plugin_instances_created_total{p}")),
        Some(2.0)
    );
    assert!(sample(text, &format!("wabi_plugin_memory_high_water_bytes{p}")).unwrap() > 0.0);
    assert_eq!(s.upstream_count(), 3, "/metrics itself was not proxied");

    // A reload while the proxy serves shows in the metrics, and the plugin keeps answering.
    let proxy = s.handle.clone().unwrap();
    let generation = tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(wabi_examples::MISBEHAVE_WASM).unwrap();
        proxy.plugins().reload("misbehave", bytes)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(generation, 1);
    assert_eq!(s.send("GET", "/ok", &[], "").await.status, 200);
    let text = s.send("GET", "/metrics", &[], "").await.body;
    assert_eq!(
        sample(&text, &format!("wabi_plugin_generation{p}")),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, &format!("wabi_plugin_reloads_total{p}")),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, &format!("wabi_plugin_calls_total{p}")),
        Some(6.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_requests_are_all_answered_correctly() {
    const N: usize = 64;
    let s = start(
        wabi_examples::GATEWAY_WASM,
        &[("block_prefix", "/admin")],
        Duration::from_secs(5),
    )
    .await;
    let s = std::sync::Arc::new(s);
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                let n = i.to_string();
                if i % 4 == 3 {
                    let a = s.send("GET", &format!("/admin/{i}"), &[], "").await;
                    assert_eq!(a.status, 403, "request {i}");
                    assert_eq!(
                        a.body,
                        format!("blocked: /admin/{i} matches the rule /admin\n")
                    );
                } else {
                    let body = format!("body {i}");
                    let a = s
                        .send("POST", &format!("/api/items/{i}"), &[("x-n", &n)], &body)
                        .await;
                    assert_eq!(a.status, 200, "request {i}: {}", a.body);
                    let seen = a.seen();
                    assert_eq!(seen.path, format!("/items/{i}"));
                    assert_eq!(seen.headers["x-n"], n);
                    assert_eq!(seen.body, body);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a request task failed");
    }
    assert_eq!(s.upstream_count(), N - N / 4);
}

/// Kills the child process when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_binary_serves_on_the_address_it_prints() {
    let log = Log::default();
    let upstream_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = upstream_listener.local_addr().unwrap();
    tokio::spawn(upstream::serve(upstream_listener, log.clone()));

    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_proxy"))
            .args(["--listen", "127.0.0.1:0", "--upstream"])
            .arg(format!("http://{upstream}"))
            .args(["--config", "block_prefix=/admin"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let first_line = tokio::time::timeout(
        REQUEST_DEADLINE,
        tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        }),
    )
    .await
    .expect("the proxy prints its address in time")
    .unwrap()
    .unwrap();
    let addr: SocketAddr = first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first_line:?}"));
    let s = Setup {
        proxy: addr,
        handle: None,
        upstream,
        log,
        client: Client::builder(TokioExecutor::new()).build_http(),
    };
    let a = s.send("GET", "/api/hello", &[], "").await;
    assert_eq!((a.status, a.seen().path.as_str()), (200, "/hello"));
    let a = s.send("GET", "/admin", &[], "").await;
    assert_eq!(a.status, 403);
}

/// An auth service on 127.0.0.1 for the auth-gateway plugin: `authorization: Bearer good`
/// is user `ada` (200), anything else is 401. Serves until the test's runtime ends.
async fn auth_service() -> SocketAddr {
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let good = req
                        .headers()
                        .get("authorization")
                        .is_some_and(|v| v == "Bearer good");
                    let (status, body) = if good { (200, "ada\n") } else { (401, "no") };
                    Ok::<_, std::convert::Infallible>(
                        hyper::Response::builder()
                            .status(status)
                            .body(Full::new(Bytes::from(body)))
                            .unwrap(),
                    )
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_gateway_asks_an_allowed_auth_service_before_forwarding() {
    let auth = auth_service().await;
    let auth_gateway = |grant: Option<wabi_host::HttpGrant>| {
        start_with(wabi_examples::AUTH_GATEWAY_WASM, move |options| {
            options.config = vec![("auth_url".into(), format!("http://{auth}/check"))];
            options.limits.timeout = Some(Duration::from_secs(5));
            options.http = grant;
        })
    };
    let grant = wabi_host::HttpGrant::hosts([format!("http://{auth}")])
        .allow_addresses("127.0.0.1")
        .methods(["GET"]);
    let s = auth_gateway(Some(grant)).await;

    let a = s
        .send(
            "GET",
            "/api/orders",
            &[("authorization", "Bearer good")],
            "",
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let seen = a.seen();
    assert_eq!(seen.headers["x-user"], "ada", "the auth service's answer");
    assert!(
        !seen.headers.contains_key("authorization"),
        "credentials are not forwarded: {:?}",
        seen.headers
    );
    let a = s
        .send(
            "GET",
            "/api/orders",
            &[("authorization", "Bearer bad"), ("x-user", "root")],
            "",
        )
        .await;
    assert_eq!((a.status, a.body.as_str()), (401, "unauthorized"));
    assert_eq!(
        s.upstream_count(),
        1,
        "a refused request never goes upstream"
    );

    // Without a grant the plugin cannot reach the auth service: it answers 503, saying why.
    let s = auth_gateway(None).await;
    let a = s
        .send(
            "GET",
            "/api/orders",
            &[("authorization", "Bearer good")],
            "",
        )
        .await;
    assert_eq!(
        (a.status, a.body.as_str()),
        (503, "auth service unavailable: denied")
    );
    assert_eq!(
        s.upstream_count(),
        0,
        "nothing goes upstream without the auth answer"
    );
}
