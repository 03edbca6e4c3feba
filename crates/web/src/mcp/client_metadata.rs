//! Client ID Metadata Documents: a client that names itself by an `https` URL as its
//! `client_id` needs no registration — graphnote fetches the JSON document at that URL, whose
//! `client_id` must be the URL itself, and reads the client's name and redirect URIs from it,
//! checked as a registration's are (`registration::checked`).
//!
//! Fetching a URL a stranger chose is where server-side request forgery starts, so: `https`
//! only; never an address on this machine, a private network, link-local (cloud metadata
//! services) or anything not globally routable — checked on the addresses the name resolves
//! to, as the connection uses them, so a name cannot be re-pointed between check and use; no
//! redirects; 5 seconds; 64 KiB; one document per URL kept an hour, a failure a minute.
//! (`MCP_CLIENT_METADATA_LOOPBACK=on` lets tests serve documents from loopback, over http too.)

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;
use url::Url;

use super::records::{self, get, put_for};
use super::registration::{self, Client};
use crate::exports::store::{JobError, JobStore};

/// How long a fetched document is used before it is fetched again.
const KEPT_SECONDS: i64 = 3600;
/// How long a document that could not be used is not fetched again.
const FAILURE_KEPT_SECONDS: i64 = 60;
/// The largest document read.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// The longest `client_id` URL taken.
const MAX_URL_BYTES: usize = 512;

/// Fetches client metadata documents.
pub struct MetadataFetcher {
    http: reqwest::Client,
    loopback: bool,
}

/// Why a client's metadata document cannot be used, in words for its user.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("{0}")]
    Unusable(String),
    #[error(transparent)]
    Store(#[from] JobError),
}

impl MetadataFetcher {
    /// `ca_pem` is trusted besides the system's roots (`CA_BUNDLE`); `loopback` allows
    /// documents on this machine (tests only).
    pub fn new(ca_pem: Option<&str>, loopback: bool) -> Result<MetadataFetcher, String> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(PublicOnly { loopback }))
            .user_agent(concat!("graphnote/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| format!("CA_BUNDLE is not valid PEM: {e}"))?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client for client metadata: {e}"))?;
        Ok(MetadataFetcher { http, loopback })
    }

    /// The client `client_id` names by its metadata document, fetched or as kept.
    pub async fn client(&self, store: &JobStore, client_id: &str) -> Result<Client, MetadataError> {
        let key = format!("mcp-metadata:{}", records::hash(client_id));
        if let Some(client) = get::<Client>(store, &key).await? {
            return Ok(client);
        }
        let failed = format!("mcp-metadata-failed:{}", records::hash(client_id));
        if let Some(why) = get::<String>(store, &failed).await? {
            return Err(MetadataError::Unusable(why));
        }
        match self.fetch(client_id).await {
            Ok(client) => {
                put_for(store, &key, &client, KEPT_SECONDS).await?;
                tracing::info!(client_name = %client.client_name, "MCP client metadata document read");
                Ok(client)
            }
            Err(why) => {
                put_for(store, &failed, &why, FAILURE_KEPT_SECONDS).await?;
                tracing::info!(reason = %why, "MCP client metadata document refused");
                Err(MetadataError::Unusable(why))
            }
        }
    }

    async fn fetch(&self, client_id: &str) -> Result<Client, String> {
        let url = self.fetchable(client_id)?;
        let mut response = self
            .http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                format!(
                    "it could not be fetched ({})",
                    crate::error::Chain(&e.without_url())
                )
            })?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!(
                "it answered {} (200 needed, no redirects)",
                response.status()
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            format!(
                "it could not be read ({})",
                crate::error::Chain(&e.without_url())
            )
        })? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(format!(
                    "it is larger than {} KiB",
                    MAX_DOCUMENT_BYTES / 1024
                ));
            }
            body.extend_from_slice(&chunk);
        }
        #[derive(Deserialize)]
        struct Document {
            client_id: String,
            #[serde(flatten)]
            request: registration::Request,
        }
        let document: Document = serde_json::from_slice(&body)
            .map_err(|e| format!("it is not a client metadata document ({e})"))?;
        if document.client_id != client_id {
            return Err("its client_id is not its own URL".into());
        }
        registration::checked(document.request, client_id.to_string(), records::now())
            .map_err(|refusal| refusal.to_string())
    }

    /// `client_id` as a URL graphnote may fetch.
    fn fetchable(&self, client_id: &str) -> Result<Url, String> {
        let url = Url::parse(client_id).map_err(|_| "it is not a URL".to_string())?;
        let host = url.host().ok_or("it names no host")?;
        let loopback = self.loopback && registration::on_loopback(&url);
        if url.scheme() != "https" && !(loopback && url.scheme() == "http") {
            return Err("it is not an https URL".into());
        }
        // An address in the URL is not resolved: it is checked here.
        let literal = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        };
        if let Some(ip) = literal
            && !allowed(ip, self.loopback)
        {
            return Err("it names an address that is not public".into());
        }
        Ok(url)
    }
}

/// Whether `client_id` names its client by a metadata document (an `https` URL with a path;
/// registered clients' ids are random, without a scheme).
pub fn is_document_url(client_id: &str) -> bool {
    client_id.len() <= MAX_URL_BYTES
        && (client_id.starts_with("https://") || client_id.starts_with("http://"))
        && Url::parse(client_id).is_ok_and(|url| {
            url.path() != "/"
                && url.fragment().is_none()
                && url.username().is_empty()
                && url.password().is_none()
        })
}

/// Resolves names to their public addresses only (and loopback, in tests).
struct PublicOnly {
    loopback: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let loopback = self.loopback;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| allowed(address.ip(), loopback))
                .collect();
            if addresses.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Networks that are not the public internet: this machine's, private, shared, link-local
/// (cloud metadata services), documentation, benchmarking, multicast and reserved ranges.
static NOT_PUBLIC: LazyLock<Vec<IpNet>> = LazyLock::new(|| {
    [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/3",
        "::/128",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    ]
    .iter()
    .map(|net| net.parse().expect("a network written here parses"))
    .collect()
});

/// Whether graphnote may connect to `ip` for a stranger's document: globally routable only.
fn allowed(ip: IpAddr, loopback: bool) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if ip.is_loopback() {
        return loopback;
    }
    !NOT_PUBLIC.iter().any(|net| net.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched_from() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "224.0.0.1",
        ] {
            assert!(!allowed(ip.parse().unwrap(), false), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(allowed(ip.parse().unwrap(), false), "{ip}");
        }
        assert!(allowed("127.0.0.1".parse().unwrap(), true));
        assert!(!allowed("10.0.0.1".parse().unwrap(), true), "loopback only");
    }

    #[test]
    fn document_urls_are_told_from_registered_ids() {
        assert!(is_document_url("https://app.example.com/oauth/client.json"));
        assert!(!is_document_url("https://app.example.com/"));
        assert!(!is_document_url("https://app.example.com/c#x"));
        assert!(!is_document_url("https://user:pw@app.example.com/c"));
        assert!(!is_document_url("k3J9x-registered-id"));
        assert!(!is_document_url(&format!(
            "https://a.example/{}",
            "x".repeat(600)
        )));
    }

    #[test]
    fn http_and_private_addresses_are_refused_before_any_connection() {
        let strict = MetadataFetcher::new(None, false).unwrap();
        for url in [
            "http://app.example.com/client.json",
            "https://127.0.0.1/client.json",
            "https://[::1]/client.json",
            "https://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:8080/client.json",
        ] {
            assert!(strict.fetchable(url).is_err(), "{url}");
        }
        let tests = MetadataFetcher::new(None, true).unwrap();
        assert!(tests.fetchable("http://127.0.0.1:8080/client.json").is_ok());
        assert!(tests.fetchable("http://10.0.0.1/client.json").is_err());
    }
}
