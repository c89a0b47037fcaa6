//! A small HTTP reverse proxy that runs a wabi plugin on every request.
//!
//! For each request the proxy reads the body, hands `Request { method, path, headers, body }` to
//! the plugin's `transform` function on an instance from a [`wabi_host::Pool`], and then either
//! forwards the transformed request to the upstream ([`Action::Forward`]) or sends the plugin's
//! own answer ([`Action::Respond`]). Each call runs under the module's [`Limits`]: a deadline
//! (the call fails with [`Error::Timeout`], answered 504) and a memory limit (answered 502, like
//! a trap or a panic). A failed instance is discarded and the pool makes a fresh one, so the
//! proxy keeps serving.
//!
//! wabi's calls are synchronous; the proxy runs them on tokio's blocking thread pool
//! ([`tokio::task::spawn_blocking`]) so they never stall the async workers.
//!
//! The plugin is served from a [`wabi_host::Plugins`] registry, so it can be replaced while
//! the proxy runs ([`Proxy::plugins`], `reload`), and `GET /metrics`
//! ([`ProxyOptions::metrics_path`]) answers the registry's per-plugin metrics in the
//! Prometheus text format instead of being proxied.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use wabi_host::{
    Engine, Error, HttpGrant, Limits, LogRecord, Module, PluginOptions, PluginRef, Plugins,
};

use crate::gateway::{Action, Request};

/// A response of the proxy.
pub type HttpResponse = hyper::Response<Full<Bytes>>;

/// How to run the proxy.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// The plugin's `.wasm` file.
    pub plugin: PathBuf,
    /// The function called on every request: `fn(Request) -> Action`.
    pub function: String,
    /// Where forwarded requests go: `http://host:port`.
    pub upstream: Uri,
    /// Deadline and memory limit of every plugin call.
    pub limits: Limits,
    /// The plugin's configuration (`wabi_guest::config::get`).
    pub config: Vec<(String, String)>,
    /// Idle plugin instances kept for reuse.
    pub max_idle: usize,
    /// Largest request or upstream response body, in bytes.
    pub max_body: usize,
    /// Deadline of the upstream's answer.
    pub upstream_timeout: Duration,
    /// Print one line per request (and the plugin's log lines) to stderr.
    pub log: bool,
    /// The path where `GET` answers the plugin metrics in the Prometheus text format, instead
    /// of being proxied; `None` proxies every path.
    pub metrics_path: Option<String>,
    /// What the plugin may reach over HTTP (an auth or lookup service, say); `None`: nothing.
    pub http: Option<HttpGrant>,
}

impl ProxyOptions {
    /// Defaults: function `transform`, 50 ms and 64 MiB per call, 16 idle instances, 8 MiB
    /// bodies, 30 s for the upstream, no log, metrics at `/metrics`, no HTTP for the plugin.
    pub fn new(plugin: impl Into<PathBuf>, upstream: Uri) -> ProxyOptions {
        ProxyOptions {
            plugin: plugin.into(),
            function: "transform".into(),
            upstream,
            limits: Limits {
                timeout: Some(Duration::from_millis(50)),
                max_memory: 64 << 20,
                ..Limits::default()
            },
            config: Vec::new(),
            max_idle: 16,
            max_body: 8 << 20,
            upstream_timeout: Duration::from_secs(30),
            log: false,
            metrics_path: Some("/metrics".into()),
            http: None,
        }
    }
}

/// The proxy: cheap to clone, one per listening socket or shared by several.
#[derive(Clone)]
pub struct Proxy {
    inner: Arc<Inner>,
}

struct Inner {
    plugins: Plugins,
    plugin: PluginRef,
    function: String,
    metrics_path: Option<String>,
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    max_body: usize,
    upstream_timeout: Duration,
    log: bool,
}

/// Headers that describe one connection, not the request: never forwarded.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

impl Proxy {
    /// Load the plugin (compile once) and prepare the instance pool and the upstream client.
    pub fn new(engine: &Engine, options: ProxyOptions) -> wabi_host::Result<Proxy> {
        let mut builder = Module::builder(engine).limits(options.limits);
        for (k, v) in &options.config {
            builder = builder.config(k, v);
        }
        if let Some(grant) = options.http.clone() {
            builder = builder.allow_http(grant);
        }
        if options.log {
            builder = builder.log_handler(Arc::new(|r: &LogRecord<'_>| {
                eprintln!("[{} {:?}] {}", r.plugin, r.source, r.message);
            }));
        }
        let module = builder.build_file(&options.plugin)?;
        if !module.functions().contains(&options.function) {
            return Err(Error::NoSuchFunction {
                function: options.function.clone(),
                available: module.functions().join(", "),
            });
        }
        let plugins = Plugins::new();
        let name = module.name().to_owned();
        let plugin_options = PluginOptions {
            max_idle: options.max_idle,
            required: vec![options.function.clone()],
        };
        // Inserting starts a first instance, whose WASI initialisation blocks: not on a thread
        // of the async runtime this may be called from.
        let plugin = std::thread::scope(|s| {
            s.spawn(|| plugins.insert(name, module, plugin_options))
                .join()
                .expect("inserting a plugin does not panic")
        })?;
        let client = Client::builder(TokioExecutor::new()).build_http();
        Ok(Proxy {
            inner: Arc::new(Inner {
                plugins,
                plugin,
                function: options.function,
                metrics_path: options.metrics_path,
                upstream: options
                    .upstream
                    .to_string()
                    .trim_end_matches('/')
                    .to_owned(),
                client,
                max_body: options.max_body,
                upstream_timeout: options.upstream_timeout,
                log: options.log,
            }),
        })
    }

    /// The registry serving the plugin (named after its file): reload it with
    /// `proxy.plugins().reload(name, bytes)` while the proxy serves; read its metrics.
    pub fn plugins(&self) -> &Plugins {
        &self.inner.plugins
    }

    /// Accept connections on `listener` and serve them until the task is dropped.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little and go on.
                    if self.inner.log {
                        eprintln!("proxy: accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let proxy = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let proxy = proxy.clone();
                    async move { Ok::<_, Infallible>(proxy.handle(req, peer).await) }
                });
                // A client that goes away mid-request is not an error of the proxy.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    /// Run the plugin on one request and answer it.
    pub async fn handle(&self, req: hyper::Request<Incoming>, peer: SocketAddr) -> HttpResponse {
        let started = Instant::now();
        let line = format!(
            "{} {}",
            req.method(),
            req.uri().path_and_query().map_or("/", |p| p.as_str())
        );
        let (response, what) = self.respond(req, peer).await;
        if self.inner.log {
            eprintln!(
                "{line} -> {} {what} ({:.1} ms)",
                response.status().as_u16(),
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        response
    }

    async fn respond(
        &self,
        req: hyper::Request<Incoming>,
        peer: SocketAddr,
    ) -> (HttpResponse, String) {
        if req.method() == Method::GET
            && self.inner.metrics_path.as_deref() == Some(req.uri().path())
        {
            let mut response =
                hyper::Response::new(Full::new(Bytes::from(self.inner.plugins.to_prometheus())));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            return (response, "metrics".into());
        }
        let request = match self.plugin_request(req).await {
            Ok(r) => r,
            Err(response) => return (response, "refused".into()),
        };
        let inner = self.inner.clone();
        let call = tokio::task::spawn_blocking(move || {
            inner.plugin.call::<_, Action>(&inner.function, &request)
        })
        .await;
        match call {
            Ok(Ok(Action::Respond(answer))) => {
                let what = "answered by the plugin".to_owned();
                let mut response = hyper::Response::builder().status(answer.status);
                for (name, value) in &answer.headers {
                    response = response.header(name.as_str(), value.as_str());
                }
                match response.body(Full::new(Bytes::from(answer.body))) {
                    Ok(r) => (r, what),
                    Err(e) => (
                        error(
                            StatusCode::BAD_GATEWAY,
                            &format!("the plugin's answer is not valid HTTP: {e}"),
                        ),
                        "bad plugin answer".into(),
                    ),
                }
            }
            Ok(Ok(Action::Forward(request))) => {
                let what = format!("forwarded as {} {}", request.method, request.path);
                (self.forward(request, peer).await, what)
            }
            Ok(Err(e @ Error::Timeout { .. })) => (
                error(
                    StatusCode::GATEWAY_TIMEOUT,
                    &format!("the plugin did not answer in time: {e}"),
                ),
                "plugin timeout".into(),
            ),
            Ok(Err(e)) => (
                error(StatusCode::BAD_GATEWAY, &format!("the plugin failed: {e}")),
                "plugin failure".into(),
            ),
            Err(join) => (
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("the plugin call was lost: {join}"),
                ),
                "host failure".into(),
            ),
        }
    }

    /// The plugin's view of a request: lower-case header names, repeated headers joined, the
    /// whole body (up to the limit).
    async fn plugin_request(&self, req: hyper::Request<Incoming>) -> Result<Request, HttpResponse> {
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, self.inner.max_body).collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(_) => {
                return Err(error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "the request body is larger than {} bytes",
                        self.inner.max_body
                    ),
                ))
            }
        };
        let mut headers = std::collections::BTreeMap::<String, String>::new();
        for (name, value) in &parts.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }
        Ok(Request {
            method: parts.method.as_str().to_owned(),
            path: parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
            headers,
            body,
        })
    }

    /// Send the plugin's request upstream and relay the answer.
    async fn forward(&self, request: Request, peer: SocketAddr) -> HttpResponse {
        let upstream = match self.upstream_request(request, peer) {
            Ok(r) => r,
            Err(reason) => {
                return error(
                    StatusCode::BAD_GATEWAY,
                    &format!("the plugin's request is not valid HTTP: {reason}"),
                )
            }
        };
        let sent = tokio::time::timeout(self.inner.upstream_timeout, async {
            let response = self.inner.client.request(upstream).await.map_err(|e| {
                error(
                    StatusCode::BAD_GATEWAY,
                    &format!("the upstream is unreachable: {e}"),
                )
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, self.inner.max_body)
                .collect()
                .await
                .map_err(|e| {
                    error(
                        StatusCode::BAD_GATEWAY,
                        &format!("the upstream's answer failed: {e}"),
                    )
                })?
                .to_bytes();
            let mut response = hyper::Response::new(Full::new(body));
            *response.status_mut() = parts.status;
            for (name, value) in &parts.headers {
                if !HOP_BY_HOP.contains(&name.as_str()) {
                    response.headers_mut().append(name, value.clone());
                }
            }
            Ok::<_, HttpResponse>(response)
        })
        .await;
        match sent {
            Ok(Ok(response)) | Ok(Err(response)) => response,
            Err(_) => error(
                StatusCode::GATEWAY_TIMEOUT,
                "the upstream did not answer in time",
            ),
        }
    }

    fn upstream_request(
        &self,
        request: Request,
        peer: SocketAddr,
    ) -> Result<hyper::Request<Full<Bytes>>, String> {
        if !request.path.starts_with('/') {
            return Err(format!("the path {:?} does not start with /", request.path));
        }
        let uri: Uri = format!("{}{}", self.inner.upstream, request.path)
            .parse()
            .map_err(|e| format!("path {:?}: {e}", request.path))?;
        let method = Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("the method {:?} is invalid", request.method))?;
        let mut upstream = hyper::Request::builder().method(method).uri(uri);
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("the header name {name:?} is invalid"))?;
            if HOP_BY_HOP.contains(&name.as_str()) {
                continue;
            }
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("the value of header {name} is invalid"))?;
            if name == HOST {
                upstream = upstream.header("x-forwarded-host", value);
            } else {
                upstream = upstream.header(name, value);
            }
        }
        upstream = upstream.header("x-forwarded-for", peer.ip().to_string());
        upstream
            .body(Full::new(Bytes::from(request.body)))
            .map_err(|e| e.to_string())
    }
}

/// A plain-text error answer of the proxy itself.
fn error(status: StatusCode, message: &str) -> HttpResponse {
    let mut response = hyper::Response::new(Full::new(Bytes::from(format!(
        "{} {}: {message}\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    ))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
