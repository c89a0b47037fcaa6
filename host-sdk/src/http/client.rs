//! Sending a plugin's request under its grant: checks, redirects, limits, and the mapping of
//! every failure to an [`HttpErrorKind`].

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ureq::http::{self, Uri};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use wabi_spec::http::{HttpErrorKind, HttpRequest, HttpResponse};

use super::address::{self, IpRange};
use super::pattern::{normalize_host, Scheme};
use super::HttpGrant;

/// Headers the host sets itself; a guest that sets one gets `bad_request` (ABI.md 4.4).
const HOST_OWNED_HEADERS: [&str; 9] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "proxy-connection",
];

/// Dropped when a redirect leads to another origin.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// Room for the URL and headers in a request, besides its body.
pub(crate) const REQUEST_OVERHEAD: usize = 64 * 1024;

/// The largest response header section read.
const MAX_RESPONSE_HEADERS: usize = 64 * 1024;

/// Why a request got no response: the kind the guest sees and a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) kind: HttpErrorKind,
    pub(crate) message: String,
}

fn fail<T>(kind: HttpErrorKind, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure {
        kind,
        message: format!("http: {}", message.into()),
    })
}

/// A request's result and how many requests it sent (redirects included).
pub(crate) struct Outcome {
    pub(crate) result: Result<HttpResponse, Failure>,
    pub(crate) sent: u32,
}

/// A module's HTTP client: its grant and one connection pool, shared by its instances.
pub(crate) struct HttpClient {
    grant: HttpGrant,
    agent: ureq::Agent,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("grant", &self.grant)
            .finish()
    }
}

/// The resolver of every plugin request: ureq's own, then the address check of the grant. ureq
/// connects only to the addresses it returns, so the addresses checked are the addresses used.
#[derive(Debug)]
struct CheckedResolver {
    allowed: Vec<IpRange>,
    inner: DefaultResolver,
}

/// The error a refused address becomes inside ureq, found again by [`failure`].
#[derive(Debug)]
struct Refused {
    host: String,
    addr: SocketAddr,
    why: &'static str,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` resolves to {}, a {} address, which the plugin's HTTP grant does not allow (the embedder can allow it with HttpGrant::allow_addresses)",
            self.host,
            self.addr.ip(),
            self.why
        )
    }
}

impl std::error::Error for Refused {}

impl Resolver for CheckedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = match literal_address(uri) {
            // An address needs no lookup: ureq's resolver would still spawn a thread for it
            // whenever the request has a timeout (every plugin request has one).
            Some(addr) => {
                let mut one = self.empty();
                one.push(addr);
                one
            }
            None => self.inner.resolve(uri, config, timeout)?,
        };
        // Refuse the name if any of its addresses is refused: a name that mixes public and
        // internal addresses is not one to trust with either.
        for addr in addrs.iter() {
            if let Err(why) = address::check(addr.ip(), &self.allowed) {
                return Err(ureq::Error::Other(Box::new(Refused {
                    host: uri.host().unwrap_or_default().to_string(),
                    addr: *addr,
                    why,
                })));
            }
        }
        Ok(addrs)
    }
}

/// The socket address of a URL whose host is an IP literal.
fn literal_address(uri: &Uri) -> Option<SocketAddr> {
    let authority = uri.authority()?;
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: std::net::IpAddr = host.parse().ok()?;
    let port = authority.port_u16().or_else(|| {
        uri.scheme_str()
            .and_then(Scheme::parse)
            .map(Scheme::default_port)
    })?;
    Some(SocketAddr::new(ip, port))
}

/// A parsed URL: what the grant is checked against.
#[derive(Clone, Debug)]
struct Target {
    uri: Uri,
    scheme: Scheme,
    host: String,
    port: u16,
}

impl Target {
    fn parse(url: &str) -> Result<Target, Failure> {
        let url = url.split('#').next().unwrap_or_default();
        let uri: Uri = match url.parse() {
            Ok(uri) => uri,
            Err(e) => {
                return fail(
                    HttpErrorKind::BadRequest,
                    format!("`{url}` is not a valid URL: {e}"),
                )
            }
        };
        let Some(scheme) = uri.scheme_str().and_then(Scheme::parse) else {
            return fail(
                HttpErrorKind::BadRequest,
                format!("`{url}` is not an absolute http:// or https:// URL"),
            );
        };
        let Some(authority) = uri.authority() else {
            return fail(HttpErrorKind::BadRequest, format!("`{url}` has no host"));
        };
        if authority.as_str().contains('@') {
            return fail(
                HttpErrorKind::BadRequest,
                format!("`{url}` carries user information; send credentials in a header instead"),
            );
        }
        let host = normalize_host(authority.host());
        if host.is_empty() {
            return fail(HttpErrorKind::BadRequest, format!("`{url}` has no host"));
        }
        let port = authority.port_u16().unwrap_or(scheme.default_port());
        Ok(Target {
            uri,
            scheme,
            host,
            port,
        })
    }

    /// The target of a `Location` header: absolute, scheme-relative, absolute-path or relative.
    fn join(&self, location: &str) -> Result<Target, Failure> {
        let location = location.trim();
        let origin = format!(
            "{}://{}",
            self.uri.scheme_str().unwrap_or("http"),
            self.uri.authority().map(|a| a.as_str()).unwrap_or_default()
        );
        let has_scheme = location.split_once(':').is_some_and(|(s, _)| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                && !s.contains('/')
        });
        let absolute = if has_scheme {
            location.to_string()
        } else if let Some(rest) = location.strip_prefix("//") {
            format!("{}://{rest}", self.uri.scheme_str().unwrap_or("http"))
        } else if location.starts_with('/') {
            format!("{origin}{location}")
        } else if location.starts_with('?') {
            format!("{origin}{}{location}", self.uri.path())
        } else {
            let path = self.uri.path();
            let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
            let dir = if dir.is_empty() { "/" } else { dir };
            format!("{origin}{dir}{location}")
        };
        Target::parse(&absolute).map_err(|f| Failure {
            kind: HttpErrorKind::Connect,
            message: format!(
                "http: the server redirected to an invalid location: {}",
                f.message
            ),
        })
    }

    fn same_origin(&self, other: &Target) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

impl HttpClient {
    /// A client for a checked grant ([`HttpGrant::check`]).
    pub(crate) fn new(grant: HttpGrant) -> HttpClient {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            // Never through a proxy from the environment: it would resolve and connect for us,
            // past the address check.
            .proxy(None)
            .user_agent(concat!("wabi/", env!("CARGO_PKG_VERSION")))
            .max_response_header_size(MAX_RESPONSE_HEADERS)
            .save_redirect_history(false)
            // The grant's timeout as the agent's: a request that must end sooner (the call's
            // deadline is nearer, or a redirect used part of it) gets its own configuration,
            // which clones the agent's (see `run`).
            .timeout_global(Some(grant.timeout))
            .build();
        let resolver = CheckedResolver {
            allowed: grant.addresses.clone(),
            inner: DefaultResolver::default(),
        };
        let agent = ureq::Agent::with_parts(config, DefaultConnector::default(), resolver);
        HttpClient { grant, agent }
    }

    /// The longest request value the host reads from a guest.
    pub(crate) fn max_request_len(&self) -> usize {
        self.grant
            .max_request_bytes
            .saturating_add(REQUEST_OVERHEAD)
    }

    /// The grant's request timeout.
    pub(crate) fn timeout(&self) -> Duration {
        self.grant.timeout
    }

    /// The grant's requests per call.
    pub(crate) fn max_requests_per_call(&self) -> u32 {
        self.grant.max_requests_per_call
    }

    /// Send `request`, following redirects as the grant says, within `timeout` and at most
    /// `requests_left` requests.
    pub(crate) fn send(
        &self,
        request: HttpRequest,
        timeout: Duration,
        requests_left: u32,
    ) -> Outcome {
        let mut sent = 0;
        let result = self.send_counted(request, timeout, requests_left, &mut sent);
        Outcome { result, sent }
    }

    fn send_counted(
        &self,
        request: HttpRequest,
        timeout: Duration,
        requests_left: u32,
        sent: &mut u32,
    ) -> Result<HttpResponse, Failure> {
        let started = Instant::now();
        let HttpRequest {
            method,
            url,
            mut headers,
            mut body,
        } = request;
        let mut method = match http::Method::from_bytes(method.as_bytes()) {
            Ok(m) if !method.is_empty() => m,
            _ => {
                return fail(
                    HttpErrorKind::BadRequest,
                    format!("`{method}` is not an HTTP method"),
                )
            }
        };
        let mut target = Target::parse(&url)?;
        for (name, value) in &headers {
            if HOST_OWNED_HEADERS
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
            {
                return fail(
                    HttpErrorKind::BadRequest,
                    format!("the header `{name}` is set by the host; leave it out"),
                );
            }
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return fail(
                    HttpErrorKind::BadRequest,
                    format!("`{name}` is not a valid header name"),
                );
            }
            if http::HeaderValue::from_str(value).is_err() {
                return fail(
                    HttpErrorKind::BadRequest,
                    format!("the value of header `{name}` has a control character or is not visible ASCII"),
                );
            }
        }
        if body.len() > self.grant.max_request_bytes {
            return fail(
                HttpErrorKind::TooLarge,
                format!(
                    "the request body of {} bytes is over the grant's limit of {} bytes",
                    body.len(),
                    self.grant.max_request_bytes
                ),
            );
        }
        let mut hops = 0;
        loop {
            if *sent >= requests_left {
                return fail(
                    HttpErrorKind::Limit,
                    format!(
                        "the plugin has made {} requests in this call, the most its HTTP grant allows",
                        self.grant.max_requests_per_call
                    ),
                );
            }
            self.permit(&method, &target)?;
            // The first request with the grant's whole timeout runs on the agent's own
            // configuration; anything shorter needs a configuration of its own.
            let left = if hops == 0 && timeout >= self.grant.timeout {
                None
            } else {
                match timeout.saturating_sub(started.elapsed()) {
                    left if left.is_zero() => {
                        return fail(
                            HttpErrorKind::Timeout,
                            format!("no complete response within {timeout:?}"),
                        )
                    }
                    left => Some(left),
                }
            };
            *sent += 1;
            let mut response = self
                .exchange(&method, &target, &headers, &body, left)
                .map_err(|e| self.failure(e, &target, timeout))?;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if let (true, Some(location)) = (
                is_redirect(status) && self.grant.max_redirects > 0,
                location,
            ) {
                if hops == self.grant.max_redirects {
                    return fail(
                        HttpErrorKind::TooManyRedirects,
                        format!(
                            "{target} redirected more than {} times",
                            self.grant.max_redirects
                        ),
                    );
                }
                hops += 1;
                let next = target.join(&location)?;
                let to_get = status == 303 && method != http::Method::HEAD
                    || matches!(status, 301 | 302) && method == http::Method::POST;
                if to_get {
                    method = http::Method::GET;
                    body.clear();
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
                }
                if !next.same_origin(&target) {
                    headers.retain(|(n, _)| {
                        !CREDENTIAL_HEADERS.iter().any(|c| c.eq_ignore_ascii_case(n))
                    });
                }
                target = next;
                continue;
            }
            return self.read_response(&method, &target, &mut response, timeout);
        }
    }

    /// The grant's method and host check.
    fn permit(&self, method: &http::Method, target: &Target) -> Result<(), Failure> {
        if !self.grant.methods.iter().any(|m| m == method.as_str()) {
            return fail(
                HttpErrorKind::Denied,
                format!("the method {method} is not allowed by the plugin's HTTP grant"),
            );
        }
        if !self
            .grant
            .hosts
            .iter()
            .any(|p| p.matches(target.scheme, &target.host, target.port))
        {
            return fail(
                HttpErrorKind::Denied,
                format!(
                    "{target} is not allowed: the host `{}` on port {} does not match the plugin's HTTP grant",
                    target.host, target.port
                ),
            );
        }
        Ok(())
    }

    fn exchange(
        &self,
        method: &http::Method,
        target: &Target,
        headers: &[(String, String)],
        body: &[u8],
        timeout: Option<Duration>,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let mut builder = http::Request::builder()
            .method(method.clone())
            .uri(target.uri.clone());
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if body.is_empty() {
            self.run(builder.body(())?, timeout)
        } else {
            self.run(builder.body(body)?, timeout)
        }
    }

    fn run<B: ureq::AsSendBody>(
        &self,
        request: http::Request<B>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let Some(timeout) = timeout else {
            return self.agent.run(request);
        };
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(timeout))
            .build();
        self.agent.run(request)
    }

    fn read_response(
        &self,
        method: &http::Method,
        target: &Target,
        response: &mut http::Response<ureq::Body>,
        timeout: Duration,
    ) -> Result<HttpResponse, Failure> {
        let limit = self.grant.max_response_bytes as u64;
        let too_large = || {
            fail(
                HttpErrorKind::TooLarge,
                format!(
                    "the response body from {target} is over the grant's limit of {limit} bytes"
                ),
            )
        };
        let declared = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if *method != http::Method::HEAD && declared.is_some_and(|n| n > limit) {
            return too_large();
        }
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let status = response.status().as_u16();
        let body = match response.body_mut().with_config().limit(limit).read_to_vec() {
            Ok(body) => body,
            Err(ureq::Error::BodyExceedsLimit(_)) => return too_large(),
            Err(e) => return Err(self.failure(e, target, timeout)),
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    /// What a ureq error means for the guest.
    fn failure(&self, error: ureq::Error, target: &Target, timeout: Duration) -> Failure {
        let make = |kind, message: String| Failure {
            kind,
            message: format!("http: {message}"),
        };
        match error {
            ureq::Error::Other(e) if e.is::<Refused>() => {
                make(HttpErrorKind::Denied, e.to_string())
            }
            ureq::Error::Timeout(_) => make(
                HttpErrorKind::Timeout,
                format!("no complete response from {target} within {timeout:?}"),
            ),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => make(
                HttpErrorKind::Timeout,
                format!("no complete response from {target} within {timeout:?}"),
            ),
            ureq::Error::HostNotFound => make(
                HttpErrorKind::Connect,
                format!("the host `{}` does not resolve", target.host),
            ),
            ureq::Error::BodyExceedsLimit(_) => make(
                HttpErrorKind::TooLarge,
                format!(
                    "the response body from {target} is over the grant's limit of {} bytes",
                    self.grant.max_response_bytes
                ),
            ),
            ureq::Error::LargeResponseHeader(..) => make(
                HttpErrorKind::TooLarge,
                format!("the response headers from {target} are over {MAX_RESPONSE_HEADERS} bytes"),
            ),
            ureq::Error::BadUri(e) => make(HttpErrorKind::BadRequest, format!("invalid URL: {e}")),
            ureq::Error::Http(e) => {
                make(HttpErrorKind::BadRequest, format!("invalid request: {e}"))
            }
            other => make(
                HttpErrorKind::Connect,
                format!("request to {target} failed: {other}"),
            ),
        }
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    #[test]
    fn urls_parse_into_scheme_host_and_port() {
        let a = t("https://API.example.com/x?y=1#frag");
        assert_eq!(
            (a.scheme, a.host.as_str(), a.port),
            (Scheme::Https, "api.example.com", 443)
        );
        let b = t("http://[::1]:9000/");
        assert_eq!((b.host.as_str(), b.port), ("::1", 9000));
        assert_eq!(b.to_string(), "http://[::1]:9000");
        for (bad, why) in [
            ("ftp://x.com/", "http:// or https://"),
            ("/relative", "http:// or https://"),
            ("http://user:pw@x.com/", "user information"),
            ("not a url", "not a valid URL"),
        ] {
            let f = Target::parse(bad).unwrap_err();
            assert_eq!(f.kind, HttpErrorKind::BadRequest, "{bad}");
            assert!(f.message.contains(why), "{bad}: {}", f.message);
        }
    }

    #[test]
    fn redirect_locations_resolve_against_the_request() {
        let base = t("http://a.example:8080/dir/page?q=1");
        assert_eq!(
            base.join("/top").unwrap().uri.to_string(),
            "http://a.example:8080/top"
        );
        assert_eq!(
            base.join("next").unwrap().uri.to_string(),
            "http://a.example:8080/dir/next"
        );
        assert_eq!(
            base.join("?p=2").unwrap().uri.to_string(),
            "http://a.example:8080/dir/page?p=2"
        );
        assert_eq!(
            base.join("//b.example/x").unwrap().uri.to_string(),
            "http://b.example/x"
        );
        let other = base.join("https://c.example/y").unwrap();
        assert_eq!(
            (other.scheme, other.host.as_str(), other.port),
            (Scheme::Https, "c.example", 443)
        );
        assert!(!base.same_origin(&other) && base.same_origin(&base.join("/z").unwrap()));
        assert_eq!(
            base.join("ftp://x/").unwrap_err().kind,
            HttpErrorKind::Connect
        );
    }
}
