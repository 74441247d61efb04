//! Who a request comes from, for the per-address rate limits
//! ([`super::throttle`]): the TCP peer, or, when the peer is one of the
//! `--trusted-proxies`, the client that proxy names in its forwarding
//! header.
//!
//! A forwarding header is what the client sent plus what each proxy
//! appended, so only the entries appended by proxies we trust are true.
//! Read from the right: the peer (a trusted proxy) appended the last
//! entry, naming its own peer; while that is a trusted proxy too, its entry
//! to the left is believed as well. The first address that is not a
//! trusted proxy is the client. A peer that is not a trusted proxy is the
//! client itself, whatever headers it sends.
//!
//! Only the header `--forwarded-header` names is read: a proxy that sets
//! `X-Forwarded-For` passes a client's own `Forwarded` header on untouched
//! (and the other way round), so reading both would let clients choose
//! their address.

use axum::http::HeaderMap;
use axum::http::header::{FORWARDED, HeaderName};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The de facto standard header, which nginx (`$proxy_add_x_forwarded_for`)
/// and Caddy set.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Which forwarding header the trusted proxies set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`.
    #[default]
    XForwardedFor,
    /// RFC 7239: `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

/// One IP network, e.g. `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => prefix_matches(
                network.to_bits().into(),
                address.to_bits().into(),
                self.prefix,
                32,
            ),
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                prefix_matches(network.to_bits(), address.to_bits(), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` of `width` bits of both are equal.
fn prefix_matches(network: u128, address: u128, prefix: u8, width: u8) -> bool {
    let shift = u32::from(width - prefix);
    network.checked_shr(shift).unwrap_or(0) == address.checked_shr(shift).unwrap_or(0)
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or network"))?;
        let address = address.to_canonical();
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= width)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {width}"))?,
        };
        Ok(Network { address, prefix })
    }
}

/// `--trusted-proxies`: the proxies whose forwarding header is believed, as
/// a comma-separated list of addresses and networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(address))
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(text: &str) -> Result<TrustedProxies, String> {
        text.split(',')
            .filter(|item| !item.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

/// How the client of a request is found (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct ClientAddress {
    pub trusted_proxies: TrustedProxies,
    pub header: ForwardedHeader,
}

impl ClientAddress {
    /// The client's address: `peer`, or the rightmost address in the
    /// forwarding header that is not a trusted proxy. An entry that is not
    /// an address (`unknown`, an obfuscated name, garbage) ends the walk at
    /// the last address believed.
    pub fn of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusted_proxies.contains(client) {
            return client;
        }
        let name = match self.header {
            ForwardedHeader::XForwardedFor => X_FORWARDED_FOR,
            ForwardedHeader::Forwarded => FORWARDED,
        };
        // Several header lines are one list, in order (RFC 9110, 5.3).
        let mut entries: Vec<&str> = Vec::new();
        for value in headers.get_all(name) {
            let Ok(value) = value.to_str() else {
                return client;
            };
            entries.extend(split_list(value));
        }
        for entry in entries.into_iter().rev() {
            let address = match self.header {
                ForwardedHeader::XForwardedFor => parse_node(entry),
                ForwardedHeader::Forwarded => forwarded_for(entry).and_then(parse_node),
            };
            let Some(address) = address else {
                return client;
            };
            client = address.to_canonical();
            if !self.trusted_proxies.contains(client) {
                return client;
            }
        }
        client
    }
}

/// The comma-separated items of a header value; commas inside quoted
/// strings do not split.
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut start = 0;
    let mut items = Vec::new();
    for (index, byte) in value.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                items.push(&value[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    items.push(&value[start..]);
    items.into_iter().map(str::trim)
}

/// The `for` parameter of one element of a `Forwarded` header.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`) or bracketed (`[2001:db8::1]`).
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    node.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

/// The key of a client's rate-limit bucket: an IPv4 address, or the first
/// 64 bits of an IPv6 address. One subscriber (a venue's router, a phone)
/// gets at least a /64 and picks addresses within it freely, so the whole
/// /64 is one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(u32),
    V6(u64),
}

impl ClientKey {
    pub fn of(address: IpAddr) -> ClientKey {
        match address.to_canonical() {
            IpAddr::V4(address) => ClientKey::V4(address.to_bits()),
            IpAddr::V6(address) => ClientKey::V6((address.to_bits() >> 64) as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(name, HeaderValue::from_static(value));
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn behind(proxies: &str, header: ForwardedHeader) -> ClientAddress {
        ClientAddress {
            trusted_proxies: proxies.parse().expect("valid"),
            header,
        }
    }

    #[test]
    fn networks_parse_and_match_by_prefix() {
        let proxies: TrustedProxies = "10.0.0.0/8, 192.0.2.7,fd00::/8 ,::1"
            .parse()
            .expect("valid");
        for inside in ["10.1.2.3", "192.0.2.7", "fd12::1", "::1", "::ffff:10.9.9.9"] {
            assert!(proxies.contains(ip(inside)), "{inside}");
        }
        for outside in ["11.0.0.1", "192.0.2.8", "fe80::1", "::2", "127.0.0.1"] {
            assert!(!proxies.contains(ip(outside)), "{outside}");
        }
        assert!(
            "0.0.0.0/0"
                .parse::<Network>()
                .expect("valid")
                .contains(ip("8.8.8.8"))
        );
        assert_eq!("".parse::<TrustedProxies>(), Ok(TrustedProxies::default()));
        for wrong in [
            "10.0.0.0/33",
            "fd00::/129",
            "nginx",
            "10.0.0.0/x",
            "10.0.0.0/-1",
        ] {
            assert!(wrong.parse::<TrustedProxies>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_rightmost_untrusted_entry_is_the_client() {
        let address = behind("127.0.0.1, 10.0.0.0/8", ForwardedHeader::XForwardedFor);
        let forwarded = headers("x-forwarded-for", &["6.6.6.6, 203.0.113.9, 10.0.0.5"]);
        // The client wrote 6.6.6.6 itself; nginx at 10.0.0.5 saw 203.0.113.9.
        assert_eq!(address.of(ip("127.0.0.1"), &forwarded), ip("203.0.113.9"));
        // Two header lines are one list.
        let split = headers("x-forwarded-for", &["6.6.6.6", "203.0.113.9:5555"]);
        assert_eq!(address.of(ip("127.0.0.1"), &split), ip("203.0.113.9"));
        // An untrusted peer is the client, whatever it claims.
        assert_eq!(
            address.of(ip("198.51.100.1"), &forwarded),
            ip("198.51.100.1")
        );
        // Without the header, or with garbage, the proxy stands for its clients.
        assert_eq!(
            address.of(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        let garbage = headers("x-forwarded-for", &["6.6.6.6, unknown"]);
        assert_eq!(address.of(ip("127.0.0.1"), &garbage), ip("127.0.0.1"));
        // Nothing but proxies: the farthest one.
        let proxies_only = headers("x-forwarded-for", &["10.0.0.9, 10.0.0.5"]);
        assert_eq!(address.of(ip("127.0.0.1"), &proxies_only), ip("10.0.0.9"));
        // The other header is not read.
        let other = headers("forwarded", &["for=203.0.113.9"]);
        assert_eq!(address.of(ip("127.0.0.1"), &other), ip("127.0.0.1"));
    }

    #[test]
    fn forwarded_elements_name_the_client_in_for() {
        let address = behind("10.0.0.0/8", ForwardedHeader::Forwarded);
        let forwarded = headers(
            "forwarded",
            &[
                "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, By=10.0.0.1;For=10.0.0.2",
            ],
        );
        assert_eq!(
            address.of(ip("10.0.0.3"), &forwarded),
            ip("2001:db8:cafe::17")
        );
        let obfuscated = headers("forwarded", &["for=_hidden, for=10.0.0.2"]);
        assert_eq!(address.of(ip("10.0.0.3"), &obfuscated), ip("10.0.0.2"));
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_bit_prefix() {
        let key = |text: &str| ClientKey::of(ip(text));
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.1"), key("192.0.2.1"));
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"));
    }
}
