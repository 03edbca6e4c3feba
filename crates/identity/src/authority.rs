//! Authorities: where users sign in. `https://{host}/{tenant}` with `{tenant}` a tenant GUID, a
//! verified domain, `common`, `organizations` or `consumers`, on the global cloud or a national
//! cloud (docs/protocol.md §1) — or any OpenID provider whose issuer URL is given instead.

use url::Url;

use crate::error::IdentityError;

/// The national clouds, by their sign-in host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Global,
    UsGovernment,
    China,
    /// Not a Microsoft host: an emulator or another OpenID provider.
    Other,
}

impl Cloud {
    fn of_host(host: &str) -> Cloud {
        match host {
            "login.microsoftonline.com"
            | "login.microsoft.com"
            | "login.windows.net"
            | "sts.windows.net" => Cloud::Global,
            "login.microsoftonline.us" | "login.usgovcloudapi.net" => Cloud::UsGovernment,
            "login.partner.microsoftonline.cn" | "login.chinacloudapi.cn" => Cloud::China,
            _ => Cloud::Other,
        }
    }

    /// The Microsoft Graph endpoint of the cloud (None for non-Microsoft hosts).
    pub fn graph_endpoint(self) -> Option<&'static str> {
        match self {
            Cloud::Global => Some("https://graph.microsoft.com"),
            Cloud::UsGovernment => Some("https://graph.microsoft.us"),
            Cloud::China => Some("https://microsoftgraph.chinacloudapi.cn"),
            Cloud::Other => None,
        }
    }
}

/// What the tenant segment names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Work, school and personal accounts (`common`).
    Common,
    /// Work and school accounts of any tenant (`organizations`).
    Organizations,
    /// Personal Microsoft accounts (`consumers`).
    Consumers,
    /// One tenant, by GUID or verified domain.
    Tenant(String),
}

/// A parsed authority URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    url: Url,
    pub cloud: Cloud,
    pub audience: Audience,
}

impl Authority {
    /// Parses `https://host/tenant`. HTTPS is required, except on loopback hosts (a local emulator).
    pub fn parse(raw: &str) -> Result<Authority, IdentityError> {
        let bad = |why: &str| IdentityError::config(format!("authority {raw:?} {why}"));
        let mut url = Url::parse(raw.trim()).map_err(|_| bad("is not a URL"))?;
        let host = url
            .host_str()
            .ok_or_else(|| bad("has no host"))?
            .to_ascii_lowercase();
        let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(bad("must use https"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a query or fragment"));
        }
        let path = url.path().trim_end_matches('/').to_string();
        if path.is_empty() {
            return Err(bad(
                "needs a tenant, e.g. https://login.microsoftonline.com/common",
            ));
        }
        url.set_path(&path);
        let tenant = path
            .rsplit('/')
            .find(|s| !s.is_empty() && *s != "v2.0")
            .unwrap_or("");
        let audience = match tenant.to_ascii_lowercase().as_str() {
            "common" => Audience::Common,
            "organizations" => Audience::Organizations,
            "consumers" => Audience::Consumers,
            _ => Audience::Tenant(tenant.to_string()),
        };
        Ok(Authority {
            cloud: Cloud::of_host(&host),
            audience,
            url,
        })
    }

    /// The authority URL without a trailing slash.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Where the discovery document may be, in the order to try: the Entra v2 location first,
    /// then the plain OpenID location (for an issuer URL given directly).
    pub fn discovery_urls(&self) -> Vec<String> {
        let base = self.url.as_str();
        if base.ends_with("/v2.0") {
            vec![format!("{base}/.well-known/openid-configuration")]
        } else {
            vec![
                format!("{base}/v2.0/.well-known/openid-configuration"),
                format!("{base}/.well-known/openid-configuration"),
            ]
        }
    }

    /// Whether tokens from several tenants are expected (the issuer is a `{tenantid}` template).
    pub fn is_multi_tenant(&self) -> bool {
        matches!(self.audience, Audience::Common | Audience::Organizations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_authority_forms() {
        let a = Authority::parse("https://login.microsoftonline.com/common/").unwrap();
        assert_eq!(a.url(), "https://login.microsoftonline.com/common");
        assert_eq!(a.audience, Audience::Common);
        assert_eq!(a.cloud, Cloud::Global);
        assert!(a.is_multi_tenant());

        let a =
            Authority::parse("https://login.microsoftonline.us/contoso.onmicrosoft.com").unwrap();
        assert_eq!(
            a.audience,
            Audience::Tenant("contoso.onmicrosoft.com".into())
        );
        assert_eq!(a.cloud.graph_endpoint(), Some("https://graph.microsoft.us"));

        let a = Authority::parse("https://login.partner.microsoftonline.cn/organizations").unwrap();
        assert_eq!(a.cloud, Cloud::China);

        let a =
            Authority::parse("http://localhost:8443/4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f").unwrap();
        assert_eq!(a.cloud, Cloud::Other);
        assert_eq!(
            a.discovery_urls()[0],
            "http://localhost:8443/4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f/v2.0/.well-known/openid-configuration"
        );
    }

    #[test]
    fn rejects_what_cannot_work() {
        for bad in [
            "",
            "login.microsoftonline.com/common",
            "http://login.microsoftonline.com/common",
            "https://login.microsoftonline.com",
            "https://x/common?x=1",
        ] {
            assert!(Authority::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_issuer_url_is_discovered_directly() {
        let a = Authority::parse(
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        )
        .unwrap();
        assert_eq!(
            a.discovery_urls(),
            vec![
                "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0/.well-known/openid-configuration"
            ]
        );
    }
}
