//! Requests that come through a reverse proxy. `PUBLIC_URL` is the app's address; the
//! `X-Forwarded-For/-Host/-Proto` and `Forwarded` headers are believed only when the connection
//! comes from an address in `TRUSTED_PROXIES` — from anyone else they are ignored, so a client
//! cannot choose the host the app builds redirect URIs for, nor the address it logs.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;
use ipnet::IpNet;
use url::Url;

/// Who sent a request, and the base URL they reached the app at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub client_ip: Option<IpAddr>,
    /// `scheme://host[:port]` + path prefix, no trailing slash.
    pub public_base: Arc<str>,
}

/// The proxy policy from the configuration.
#[derive(Debug, Clone)]
pub struct ProxyPolicy {
    trusted: Vec<IpNet>,
    /// `PUBLIC_URL` without its trailing slash: the base of nearly every request, made once.
    default_base: Arc<str>,
    /// `PUBLIC_URL`'s path without its trailing slash: "" or e.g. "/app".
    prefix: Arc<str>,
}

impl ProxyPolicy {
    pub fn new(trusted: Vec<IpNet>, public_url: &Url) -> ProxyPolicy {
        ProxyPolicy {
            trusted,
            default_base: public_url.as_str().trim_end_matches('/').into(),
            prefix: public_url.path().trim_end_matches('/').into(),
        }
    }

    /// The app's path prefix: "" or e.g. "/app".
    pub fn prefix(&self) -> &Arc<str> {
        &self.prefix
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// Resolves a request's origin.
    pub fn origin(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Origin {
        let default_base = self.default_base.clone();
        let peer_ip = peer.map(|p| p.ip());
        let Some(ip) = peer_ip.filter(|ip| self.trusts(*ip)) else {
            return Origin {
                client_ip: peer_ip,
                public_base: default_base,
            };
        };
        let forwarded = parse_forwarded(headers);
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').next().unwrap_or("").trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let proto = forwarded.proto.or_else(|| header("x-forwarded-proto"));
        let host = forwarded.host.or_else(|| header("x-forwarded-host"));
        let chain: Vec<IpAddr> = match forwarded.for_chain {
            Some(chain) => chain,
            None => headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse().ok())
                .collect(),
        };
        // The client is the last address in the chain that is not one of our proxies.
        let client_ip = chain
            .iter()
            .rev()
            .find(|a| !self.trusts(**a))
            .copied()
            .or(Some(ip));
        let public_base = match (proto.as_deref(), host) {
            (Some(proto @ ("http" | "https")), Some(host)) if valid_host(&host) => {
                format!("{proto}://{host}{}", self.prefix).into()
            }
            _ => default_base,
        };
        Origin {
            client_ip,
            public_base,
        }
    }
}

/// `host` or `host:port`, nothing that could change the URL's meaning.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        && Url::parse(&format!("http://{host}/"))
            .is_ok_and(|u| u.host_str().is_some() && u.path() == "/")
}

#[derive(Default)]
struct ForwardedHeader {
    proto: Option<String>,
    host: Option<String>,
    for_chain: Option<Vec<IpAddr>>,
}

/// RFC 7239 `Forwarded: for=…;proto=…;host=…, for=…`; the first element's proto/host.
fn parse_forwarded(headers: &HeaderMap) -> ForwardedHeader {
    let mut out = ForwardedHeader::default();
    let values: Vec<&str> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return out;
    }
    let mut chain = Vec::new();
    for (index, element) in values.iter().flat_map(|v| v.split(',')).enumerate() {
        for pair in element.split(';') {
            let Some((key, value)) = pair.trim().split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "for" => {
                    let addr = value
                        .trim_start_matches('[')
                        .split(']')
                        .next()
                        .unwrap_or(value);
                    let addr = if value.starts_with('[') {
                        addr
                    } else {
                        addr.split(':').next().unwrap_or(addr)
                    };
                    if let Ok(ip) = addr.parse() {
                        chain.push(ip);
                    }
                }
                "proto" if index == 0 => out.proto = Some(value.to_ascii_lowercase()),
                "host" if index == 0 => out.host = Some(value.to_string()),
                _ => {}
            }
        }
    }
    out.for_chain = Some(chain);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ProxyPolicy {
        ProxyPolicy::new(
            vec!["10.0.0.0/8".parse().unwrap()],
            &Url::parse("https://notes.example.com/app").unwrap(),
        )
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn trusted_proxies_are_believed() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.7, 10.0.0.2"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "alt.example.com"),
        ]);
        let o = policy().origin(Some("10.0.0.1:5555".parse().unwrap()), &h);
        assert_eq!(o.client_ip, Some("203.0.113.7".parse().unwrap()));
        assert_eq!(&*o.public_base, "https://alt.example.com/app");
        let h = headers(&[(
            "forwarded",
            "for=198.51.100.1;proto=http;host=\"b.example:8080\"",
        )]);
        let o = policy().origin(Some("10.9.9.9:1".parse().unwrap()), &h);
        assert_eq!(&*o.public_base, "http://b.example:8080/app");
        assert_eq!(o.client_ip, Some("198.51.100.1".parse().unwrap()));
    }

    #[test]
    fn anyone_else_is_not() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.example"),
        ]);
        let o = policy().origin(Some("192.0.2.1:5555".parse().unwrap()), &h);
        assert_eq!(o.client_ip, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(&*o.public_base, "https://notes.example.com/app");
    }

    #[test]
    fn a_host_that_would_change_the_url_is_refused() {
        for host in ["evil.example/x", "a@b", "x y", "evil.example?q", ""] {
            let h = headers(&[("x-forwarded-proto", "https"), ("x-forwarded-host", host)]);
            let o = policy().origin(Some("10.0.0.1:1".parse().unwrap()), &h);
            assert_eq!(&*o.public_base, "https://notes.example.com/app", "{host:?}");
        }
    }
}
