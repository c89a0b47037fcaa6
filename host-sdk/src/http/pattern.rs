//! Host patterns of an HTTP grant: `[scheme://]host[:port]`.
//!
//! - `scheme`: `http` or `https`; without one, both.
//! - `host`: an exact name (`api.example.com`), `*.example.com` (any name below
//!   `example.com`, at any depth, but not `example.com` itself), an IPv4 address, an IPv6
//!   address in brackets (`[::1]`), or `*` (any host: the address check still applies).
//!   Compared case-insensitively, a trailing dot ignored.
//! - `port`: a number, or `*` for any port; without one, the scheme's default port (80 for
//!   `http`, 443 for `https`).

use std::fmt;
use std::str::FromStr;

/// One parsed host pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostPattern {
    text: String,
    scheme: Option<Scheme>,
    host: HostMatch,
    port: PortMatch,
}

/// `http` or `https`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub(crate) fn parse(s: &str) -> Option<Scheme> {
        if s.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else if s.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else {
            None
        }
    }

    pub(crate) fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostMatch {
    Any,
    Exact(String),
    /// `*.suffix`: stored as `.suffix`.
    Below(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PortMatch {
    Any,
    Default,
    Exact(u16),
}

/// A host name as compared: lower case, no trailing dot, no IPv6 brackets.
pub(crate) fn normalize_host(host: &str) -> String {
    let host = host.strip_suffix('.').unwrap_or(host);
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.to_ascii_lowercase()
}

impl HostPattern {
    /// Whether a request to `scheme://host:port` (host normalized) matches.
    pub(crate) fn matches(&self, scheme: Scheme, host: &str, port: u16) -> bool {
        if self.scheme.is_some_and(|s| s != scheme) {
            return false;
        }
        let port_ok = match self.port {
            PortMatch::Any => true,
            PortMatch::Default => port == scheme.default_port(),
            PortMatch::Exact(p) => port == p,
        };
        port_ok
            && match &self.host {
                HostMatch::Any => true,
                HostMatch::Exact(h) => h == host,
                HostMatch::Below(suffix) => {
                    host.len() > suffix.len() && host.ends_with(suffix.as_str())
                }
            }
    }
}

impl FromStr for HostPattern {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            Err(format!(
                "`{text}` is not a host pattern ({why}); write [http:// or https://]HOST[:PORT], e.g. `api.example.com`, `*.example.com`, `https://10.0.0.7:8443` or `127.0.0.1:*`"
            ))
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return bad("it is empty");
        }
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((s, rest)) => match Scheme::parse(s) {
                Some(s) => (Some(s), rest),
                None => return bad("the scheme must be http or https"),
            },
            None => (None, trimmed),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return bad("it has a path, query or user name; give only the host and port");
        }
        // Split the port off, minding IPv6 brackets.
        let (host, port) = if let Some(after) = rest.strip_prefix('[') {
            let Some((inside, tail)) = after.split_once(']') else {
                return bad("an IPv6 address needs its closing bracket");
            };
            if inside.parse::<std::net::Ipv6Addr>().is_err() {
                return bad("the bracketed part is not an IPv6 address");
            }
            let port = match tail {
                "" => None,
                t => match t.strip_prefix(':') {
                    Some(p) => Some(p),
                    None => return bad("only `:PORT` may follow an IPv6 address"),
                },
            };
            (inside.to_string(), port)
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (rest.to_string(), None),
            }
        };
        let port = match port {
            None => PortMatch::Default,
            Some("*") => PortMatch::Any,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => PortMatch::Exact(n),
                _ => return bad("the port must be a number from 1 to 65535, or *"),
            },
        };
        if host == "*." {
            return bad("`*.` must be followed by a domain name");
        }
        let host = normalize_host(&host);
        let valid_name = |h: &str| {
            !h.is_empty()
                && h.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
        };
        let host = if host == "*" {
            HostMatch::Any
        } else if let Some(suffix) = host.strip_prefix("*.") {
            if !valid_name(suffix) {
                return bad("`*.` must be followed by a domain name");
            }
            HostMatch::Below(format!(".{suffix}"))
        } else if host.contains('*') {
            return bad("`*` may only stand alone or as the first label (`*.example.com`)");
        } else if host.parse::<std::net::IpAddr>().is_ok() || valid_name(&host) {
            HostMatch::Exact(host)
        } else {
            return bad("the host is not a valid name or address");
        };
        Ok(HostPattern {
            text: trimmed.to_string(),
            scheme,
            host,
            port,
        })
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Scheme::{Http, Https};

    fn p(s: &str) -> HostPattern {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn exact_hosts_match_their_default_ports_and_schemes() {
        let api = p("api.example.com");
        assert!(api.matches(Https, "api.example.com", 443));
        assert!(api.matches(Http, "api.example.com", 80));
        assert!(!api.matches(Https, "api.example.com", 8443));
        assert!(!api.matches(Https, "evil.api.example.com", 443));
        assert!(!api.matches(Https, "api.example.com.evil", 443));
        assert!(p("API.Example.COM.").matches(Https, "api.example.com", 443));
        let tls = p("https://api.example.com");
        assert!(!tls.matches(Http, "api.example.com", 80));
        assert!(tls.matches(Https, "api.example.com", 443));
    }

    #[test]
    fn wildcards_and_ports() {
        let below = p("*.example.com:8080");
        assert!(below.matches(Http, "a.example.com", 8080));
        assert!(below.matches(Https, "a.b.example.com", 8080));
        assert!(!below.matches(Http, "example.com", 8080));
        assert!(!below.matches(Http, "badexample.com", 8080));
        assert!(!below.matches(Http, "a.example.com", 80));
        let any_port = p("http://127.0.0.1:*");
        assert!(any_port.matches(Http, "127.0.0.1", 1));
        assert!(!any_port.matches(Https, "127.0.0.1", 443));
        assert!(p("*").matches(Https, "anything.at.all", 443));
        let v6 = p("[::1]:9000");
        assert!(v6.matches(Http, "::1", 9000) && !v6.matches(Http, "::1", 80));
    }

    #[test]
    fn bad_patterns_say_what_is_wrong() {
        for (bad, why) in [
            ("", "empty"),
            ("ftp://x.com", "http or https"),
            ("x.com/path", "path"),
            ("user@x.com", "user"),
            ("x.com:0", "port"),
            ("x.com:99999", "port"),
            ("a*.x.com", "first label"),
            ("*.", "domain name"),
            ("[::1", "closing bracket"),
            ("[nope]", "IPv6"),
            ("bad host", "valid name"),
        ] {
            let e = bad.parse::<HostPattern>().unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
