//! Which IP addresses a plugin's requests may reach (the SSRF check).
//!
//! Every address a name resolves to, and every IP literal in a URL, is checked before a
//! connection is made. Addresses in a *special* range (loopback, private, link-local, metadata
//! ...: [`special_range`]) are refused unless the grant lists a range that contains them
//! ([`crate::HttpGrant::allow_addresses`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A CIDR range such as `127.0.0.0/8` or `fd00::/8` (a bare address is a range of one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IpRange {
    base: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, canonical(ip)) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => prefix_eq(
                u32::from(base) as u128,
                u32::from(ip) as u128,
                self.prefix,
                32,
            ),
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(base), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, prefix: u8, bits: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = bits - prefix;
    (a >> shift) == (b >> shift)
}

impl FromStr for IpRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let base: IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("`{addr}` is not an IPv4 or IPv6 address"))?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("`/{p}` is not a prefix length from 0 to {bits}"))?,
        };
        Ok(IpRange {
            base: canonical(base),
            prefix,
        })
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it stands for.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Why `ip` is not an ordinary public address, or `None` when it is one. The list is
/// documented in SECURITY.md ("Outbound HTTP"); keep the two in step.
pub(crate) fn special_range(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "\"this network\" (0.0.0.0/8)",
        (10, _, _) => "private (10.0.0.0/8)",
        (100, 64..=127, _) => {
            "shared address space (100.64.0.0/10, carrier NAT and cloud metadata)"
        }
        (127, _, _) => "loopback (127.0.0.0/8)",
        (169, 254, _) => "link-local (169.254.0.0/16, where cloud metadata services listen)",
        (172, 16..=31, _) => "private (172.16.0.0/12)",
        (192, 0, 0) => "IETF protocol assignments (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation (TEST-NET)",
        (192, 88, 99) => "6to4 relay anycast (192.88.99.0/24)",
        (192, 168, _) => "private (192.168.0.0/16)",
        (198, 18..=19, _) => "benchmarking (198.18.0.0/15)",
        (224..=239, _, _) => "multicast (224.0.0.0/4)",
        (240..=255, _, _) => "reserved or broadcast (240.0.0.0/4)",
        _ => return None,
    })
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    if ip.is_unspecified() {
        return Some("unspecified (::)");
    }
    if ip.is_loopback() {
        return Some("loopback (::1)");
    }
    Some(match s[0] {
        // ::/96, IPv4-compatible (deprecated): the host would reach the embedded IPv4 address.
        0 if s[1..6] == [0; 5] => "IPv4-compatible (::/96)",
        0x64 if s[1] == 0xff9b && s[2..6] == [0; 4] => {
            // NAT64: the gateway connects to the embedded IPv4 address; check that instead.
            return special_v4(embedded(s[6], s[7]));
        }
        0x64 if s[1] == 0xff9b => "local-use NAT64 (64:ff9b:1::/48)",
        0x100 if s[1..4] == [0; 3] => "discard-only (100::/64)",
        0x2001 if s[1] == 0 => "Teredo (2001::/32)",
        0x2001 if s[1] == 0xdb8 => "documentation (2001:db8::/32)",
        0x2001 if s[1] < 0x200 => "IETF protocol assignments (2001::/23)",
        0x2002 => {
            // 6to4: the relay reaches the embedded IPv4 address.
            return special_v4(embedded(s[1], s[2]));
        }
        x if x & 0xfe00 == 0xfc00 => "unique local (fc00::/7, including fd00:ec2::254 metadata)",
        x if x & 0xffc0 == 0xfe80 => "link-local (fe80::/10)",
        x if x & 0xffc0 == 0xfec0 => "site-local (fec0::/10)",
        x if x & 0xff00 == 0xff00 => "multicast (ff00::/8)",
        _ => return None,
    })
}

/// Whether a plugin may connect to `ip`: a public address, or one in a range the grant allows.
/// `Err` names the range that refused it.
pub(crate) fn check(ip: IpAddr, allowed: &[IpRange]) -> Result<(), &'static str> {
    match special_range(ip) {
        None => Ok(()),
        Some(_) if allowed.iter().any(|r| r.contains(ip)) => Ok(()),
        Some(why) => Err(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn special_ranges_are_refused_and_public_ones_pass() {
        for refused in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "100.100.100.200",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.192",
            "192.168.1.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2001:db8::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
        ] {
            assert!(special_range(ip(refused)).is_some(), "{refused} passed");
            assert!(check(ip(refused), &[]).is_err(), "{refused}");
        }
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "64:ff9b::808:808",
            "2002:808:808::",
        ] {
            assert_eq!(special_range(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn an_allowed_range_lets_its_addresses_through_and_no_others() {
        let loopback: IpRange = "127.0.0.1/32".parse().unwrap();
        assert!(check(ip("127.0.0.1"), &[loopback]).is_ok());
        assert!(check(ip("::ffff:127.0.0.1"), &[loopback]).is_ok());
        assert!(check(ip("127.0.0.2"), &[loopback]).is_err());
        assert!(check(ip("::1"), &[loopback]).is_err());
        let eight: IpRange = "10.0.0.0/8".parse().unwrap();
        assert!(eight.contains(ip("10.255.0.1")) && !eight.contains(ip("11.0.0.0")));
        let v6: IpRange = "[fd00::]/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("192.168.0.1")) && !all.contains(ip("::1")));
        assert_eq!("::1".parse::<IpRange>().unwrap().to_string(), "::1/128");
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        assert!("10.0.0.0/33"
            .parse::<IpRange>()
            .unwrap_err()
            .contains("0 to 32"));
        assert!("localhost"
            .parse::<IpRange>()
            .unwrap_err()
            .contains("not an IPv4"));
        assert!("::/129"
            .parse::<IpRange>()
            .unwrap_err()
            .contains("0 to 128"));
    }
}
