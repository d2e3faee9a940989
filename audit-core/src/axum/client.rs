//! Who sent a request: the client's address, behind trusted proxies or not,
//! its user agent and the request's id, read from the request head.

use std::net::{IpAddr, SocketAddr};

use ::axum::extract::ConnectInfo;
use ::axum::http::header::{HeaderMap, HeaderName, USER_AGENT};
use ::axum::http::request::Parts;
use ipnet::IpNet;

/// The longest request id taken from a header; a longer one is replaced.
const MAX_REQUEST_ID_LEN: usize = 200;

/// The client's address: the socket peer from [`ConnectInfo`], or, when the
/// peer is a trusted proxy, the rightmost `X-Forwarded-For` address that is
/// not one (as Coder's `ExtractRealIP`). `None` without `ConnectInfo`.
pub(super) fn client_ip(parts: &Parts, trusted_proxies: &[IpNet]) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_canonical())?;
    if !is_trusted(peer, trusted_proxies) {
        return Some(peer);
    }
    Some(forwarded_for(&parts.headers, trusted_proxies).unwrap_or(peer))
}

fn is_trusted(ip: IpAddr, trusted_proxies: &[IpNet]) -> bool {
    trusted_proxies.iter().any(|net| net.contains(&ip))
}

/// The rightmost untrusted address of every `X-Forwarded-For` line joined,
/// else the leftmost when every hop is trusted. `None` when there is no such
/// header, or when the address to take is not one: the hops to its left were
/// written by the client and are not to be believed.
///
/// The header is read as bytes, hop by hop: bytes that are not ASCII in a
/// hop to the left of the one taken (the client can write anything there)
/// do not hide the addresses the proxies wrote to their right.
fn forwarded_for(headers: &HeaderMap, trusted_proxies: &[IpNet]) -> Option<IpAddr> {
    let mut hops = Vec::new();
    for line in headers.get_all("x-forwarded-for") {
        hops.extend(
            line.as_bytes()
                .split(|&byte| byte == b',')
                .map(<[u8]>::trim_ascii)
                .filter(|hop| !hop.is_empty()),
        );
    }
    let mut leftmost = None;
    for hop in hops.iter().rev() {
        let ip = parse_hop(std::str::from_utf8(hop).ok()?)?;
        if !is_trusted(ip, trusted_proxies) {
            return Some(ip);
        }
        leftmost = Some(ip);
    }
    leftmost
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, or either
/// with a port (`192.0.2.1:443`, `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|address| address.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The request id from `header` (`X-Request-Id`, which tower-http's
/// `SetRequestIdLayer` also sets), when it is printable ASCII of at most
/// 200 bytes; else a new UUID v7 (from the thread's counter, without the
/// lock `Uuid::now_v7` shares between threads).
pub(super) fn request_id(parts: &Parts, header: &HeaderName) -> String {
    parts
        .headers
        .get(header)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|id| !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN)
        .map_or_else(
            || {
                // The hyphenated text itself, without `Display`'s machinery.
                crate::entry::context::now_v7()
                    .hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer())
                    .to_owned()
            },
            str::to_owned,
        )
}

/// The `User-Agent` header, when it is text.
pub(super) fn user_agent(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::axum::http::Request;

    fn parts(peer: &str, forwarded: &[&str]) -> Parts {
        let mut request = Request::builder();
        for line in forwarded {
            request = request.header("x-forwarded-for", *line);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        parts
    }

    fn nets(cidrs: &[&str]) -> Vec<IpNet> {
        cidrs.iter().map(|cidr| cidr.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let parts = parts("203.0.113.9:5000", &["198.51.100.1"]);
        assert_eq!(
            client_ip(&parts, &nets(&["10.0.0.0/8"])),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(client_ip(&parts, &[]), Some(ip("203.0.113.9")));
    }

    #[test]
    fn a_trusted_peer_forwards_the_rightmost_untrusted_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        let parts = parts(
            "10.0.0.1:5000",
            &["6.6.6.6, 198.51.100.7", "10.0.0.2:8080, 10.0.0.3"],
        );
        assert_eq!(client_ip(&parts, &trusted), Some(ip("198.51.100.7")));
    }

    #[test]
    fn every_hop_trusted_gives_the_leftmost() {
        let parts = parts("10.0.0.1:5000", &["10.0.0.5, [::ffff:10.0.0.6]:80"]);
        assert_eq!(
            client_ip(&parts, &nets(&["10.0.0.0/8"])),
            Some(ip("10.0.0.5"))
        );
    }

    #[test]
    fn a_trusted_peer_without_or_with_a_bad_header_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(&parts("10.0.0.1:1", &[]), &trusted),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(
            client_ip(&parts("10.0.0.1:1", &["6.6.6.6, unknown"]), &trusted),
            Some(ip("10.0.0.1")),
        );
    }

    #[test]
    fn bytes_a_client_wrote_do_not_hide_the_address_its_proxy_forwarded() {
        let trusted = nets(&["10.0.0.0/8"]);
        let mut parts = parts("10.0.0.1:1", &[]);
        let line = b"caf\xc3\xa9 \xff, 203.0.113.7, 10.0.0.2";
        parts.headers.insert(
            "x-forwarded-for",
            ::axum::http::HeaderValue::from_bytes(line).unwrap(),
        );
        assert_eq!(client_ip(&parts, &trusted), Some(ip("203.0.113.7")));
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let parts = parts("[::ffff:127.0.0.1]:80", &["192.0.2.4"]);
        assert_eq!(
            client_ip(&parts, &nets(&["127.0.0.1/32"])),
            Some(ip("192.0.2.4"))
        );
    }

    #[test]
    fn request_ids_are_kept_when_sane() {
        let header = HeaderName::from_static("x-request-id");
        let (parts, ()) = Request::builder()
            .header("x-request-id", "r-1")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(request_id(&parts, &header), "r-1");
        let (parts, ()) = Request::builder()
            .header("x-request-id", "x".repeat(201))
            .body(())
            .unwrap()
            .into_parts();
        let made = request_id(&parts, &header);
        assert_eq!(uuid::Uuid::parse_str(&made).unwrap().get_version_num(), 7);
    }
}
