//! Outbound HTTP for plugins: a deny-by-default grant ([`HttpGrant`]) and the
//! `wabi.http_request` import (ABI.md section 4.4).
//!
//! A module built without [`crate::ModuleBuilder::allow_http`] can make no request at all: its
//! guest gets the error kind `denied` for every one. A grant lists the hosts a plugin may reach
//! (patterns, see [`HttpGrant::allow`]) and its limits; everything else is refused with a typed
//! error value the guest sees (`denied`, `timeout`, `too_large`, `connect`, `limit`,
//! `bad_request`, `too_many_redirects`; [`wabi_spec::http::HttpErrorKind`]), never a trap.
//!
//! - `pattern`: host patterns;
//! - `address`: the address check (SSRF);
//! - `client`: the requests themselves (on `ureq`), redirects and limits;
//! - `import`: the import, blocking and async.

mod address;
mod client;
mod import;
mod pattern;

use std::time::Duration;

pub(crate) use client::HttpClient;
pub(crate) use import::add_to_linker;

use address::IpRange;
use pattern::HostPattern;

/// The methods a grant allows unless [`HttpGrant::methods`] says otherwise.
pub const DEFAULT_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// What a plugin may reach over HTTP, and its limits; give it to
/// [`crate::ModuleBuilder::allow_http`].
///
/// Nothing is allowed that the grant does not list:
/// - **hosts**: a request's scheme, host and port must match one of the patterns;
/// - **addresses**: every address the host name resolves to (and an IP literal in the URL) must
///   be a public address, or lie in a range given to [`HttpGrant::allow_addresses`]. Loopback,
///   private, link-local, shared, multicast, reserved and metadata addresses are refused
///   otherwise, whatever the pattern says (the list is in SECURITY.md). The host resolves the
///   name once and connects only to the addresses it checked;
/// - **methods**: [`DEFAULT_METHODS`] unless [`HttpGrant::methods`] narrows them (`CONNECT` and
///   `TRACE` never);
/// - **redirects**: not followed (the guest gets the 3xx response) unless
///   [`HttpGrant::follow_redirects`]; every hop is then checked like a new request.
///
/// Limits (defaults in brackets): [`HttpGrant::timeout`] per request (10 s, and never beyond
/// the call's own deadline), [`HttpGrant::max_request_bytes`] (1 MiB),
/// [`HttpGrant::max_response_bytes`] (4 MiB; the `max_http_response_bytes` limit),
/// [`HttpGrant::max_requests_per_call`] (16).
///
/// ```no_run
/// use std::time::Duration;
/// use wabi_host::{Engine, HttpGrant, Module};
///
/// # fn main() -> wabi_host::Result<()> {
/// let module = Module::builder(&Engine::default())
///     .allow_http(
///         HttpGrant::new()
///             .allow("https://auth.example.com")
///             .allow("*.internal.example.com:8443")
///             .timeout(Duration::from_millis(500))
///             .max_response_bytes(256 * 1024)
///             .methods(["GET", "POST"]),
///     )
///     .build_file("plugin.wasm")?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct HttpGrant {
    pub(crate) hosts: Vec<HostPattern>,
    pub(crate) addresses: Vec<IpRange>,
    pub(crate) methods: Vec<String>,
    pub(crate) timeout: Duration,
    pub(crate) max_request_bytes: usize,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_requests_per_call: u32,
    pub(crate) max_redirects: u32,
    /// Options that did not parse, reported by `ModuleBuilder::build` (a builder cannot fail
    /// half-way).
    pub(crate) problems: Vec<(String, String)>,
}

impl Default for HttpGrant {
    fn default() -> Self {
        HttpGrant::new()
    }
}

impl HttpGrant {
    /// A grant of no host yet, with the default limits; add hosts with [`HttpGrant::allow`].
    pub fn new() -> Self {
        HttpGrant {
            hosts: Vec::new(),
            addresses: Vec::new(),
            methods: DEFAULT_METHODS.iter().map(|m| m.to_string()).collect(),
            timeout: Duration::from_secs(10),
            max_request_bytes: 1 << 20,
            max_response_bytes: 4 << 20,
            max_requests_per_call: 16,
            max_redirects: 0,
            problems: Vec::new(),
        }
    }

    /// A grant of these host patterns (see [`HttpGrant::allow`]).
    ///
    /// ```
    /// let grant = wabi_host::HttpGrant::hosts(["api.example.com", "*.svc.example.com:8080"]);
    /// ```
    pub fn hosts<I: IntoIterator<Item = S>, S: AsRef<str>>(patterns: I) -> Self {
        patterns
            .into_iter()
            .fold(HttpGrant::new(), |g, p| g.allow(p.as_ref()))
    }

    /// Allow requests to the hosts `pattern` matches: `[scheme://]host[:port]`.
    /// - `scheme`: `http` or `https`; without one, both;
    /// - `host`: an exact name (`api.example.com`), `*.example.com` (any name below
    ///   `example.com`, at any depth, not `example.com` itself), an IPv4 address, an IPv6
    ///   address in brackets (`[::1]`), or `*` (any host; the address check still applies).
    ///   Case-insensitive;
    /// - `port`: a number, or `*` for any; without one, the scheme's default (80, 443).
    ///
    /// An invalid pattern makes [`crate::ModuleBuilder::build`] fail with [`crate::Error::Config`]
    /// saying what is wrong.
    pub fn allow(mut self, pattern: &str) -> Self {
        match pattern.parse() {
            Ok(p) => self.hosts.push(p),
            Err(e) => self.problems.push(("HttpGrant::allow".into(), e)),
        }
        self
    }

    /// Let requests reach addresses in `range` (CIDR, like `127.0.0.1/32`, `10.0.0.0/8` or
    /// `fd00::/8`; a bare address is a range of one) although it is loopback, private or
    /// otherwise special. Public addresses need no such grant. The host pattern must still
    /// match: this only lifts the address check.
    ///
    /// ```
    /// // A plugin that calls a sidecar on this machine.
    /// let grant = wabi_host::HttpGrant::hosts(["http://127.0.0.1:9100"]).allow_addresses("127.0.0.1");
    /// ```
    pub fn allow_addresses(mut self, range: &str) -> Self {
        match range.parse() {
            Ok(r) => self.addresses.push(r),
            Err(e) => self.problems.push((
                "HttpGrant::allow_addresses".into(),
                format!("`{range}`: {e}; write an address or ADDRESS/PREFIX, e.g. 10.0.0.0/8"),
            )),
        }
        self
    }

    /// Allow only these methods (upper case, e.g. `["GET", "HEAD"]`); others are `denied`.
    pub fn methods<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, methods: I) -> Self {
        self.methods = methods
            .into_iter()
            .map(|m| m.as_ref().to_string())
            .collect();
        for m in &self.methods {
            let valid = !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase() || b == b'-');
            if !valid || m == "CONNECT" || m == "TRACE" {
                self.problems.push((
                    "HttpGrant::methods".into(),
                    format!("`{m}` is not a method a plugin may use; give upper-case methods such as GET or POST (CONNECT and TRACE are never allowed)"),
                ));
            }
        }
        self
    }

    /// The longest one request may take, from its first byte to the last byte of the response
    /// (default 10 s): `timeout` for the guest when it passes. A request never runs beyond the
    /// call's own deadline ([`crate::Limits::timeout`]), which then ends the call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        if timeout.is_zero() {
            self.problems
                .push(("HttpGrant::timeout".into(), "must be more than zero".into()));
        }
        self
    }

    /// The largest request body, in bytes (default 1 MiB): `too_large` beyond it.
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// The largest response body, in bytes (default 4 MiB; the `max_http_response_bytes`
    /// limit): `too_large` beyond it. The host stops reading there, so a guest never gets, and
    /// the host never holds, more than this.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// How many requests a plugin may send during one call, redirects included (default 16):
    /// `limit` beyond it.
    pub fn max_requests_per_call(mut self, requests: u32) -> Self {
        self.max_requests_per_call = requests;
        self
    }

    /// Follow up to `hops` redirects (301, 302, 303, 307, 308), checking each target like a new
    /// request (hosts, addresses, methods, the request count); more are
    /// `too_many_redirects`. Default 0: the guest gets the redirect response itself.
    /// Credentials (`authorization`, `cookie`) are dropped on a redirect to another host.
    pub fn follow_redirects(mut self, hops: u32) -> Self {
        self.max_redirects = hops;
        self
    }

    /// Whether the grant can work: every pattern, range and method parsed and at least one
    /// host is listed. [`crate::ModuleBuilder::build`] checks this too; call it to report a
    /// problem earlier, e.g. while reading a command line.
    ///
    /// ```
    /// use wabi_host::{Error, HttpGrant};
    /// assert!(HttpGrant::hosts(["api.example.com"]).check().is_ok());
    /// let Err(Error::Config { reason, .. }) = HttpGrant::hosts(["ftp://x"]).check() else { panic!() };
    /// assert!(reason.contains("http or https"));
    /// ```
    pub fn check(&self) -> Result<(), crate::Error> {
        let (what, reason) = match self.problems.first() {
            Some(p) => p.clone(),
            None if self.hosts.is_empty() => (
                "ModuleBuilder::allow_http".to_string(),
                "the grant lists no host, so it would allow nothing; add hosts with HttpGrant::allow (or leave allow_http out: no HTTP is the default)".to_string(),
            ),
            None => return Ok(()),
        };
        Err(crate::Error::Config { what, reason })
    }
}
