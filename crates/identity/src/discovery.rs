//! The OpenID discovery document: the fields graphnote uses, fetched once and cached.

use serde::Deserialize;

use crate::authority::Authority;
use crate::error::IdentityError;
use crate::http::unreachable;

/// What the provider says about itself (docs/protocol.md §2).
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub response_modes_supported: Vec<String>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub msgraph_host: Option<String>,
}

impl ProviderMetadata {
    /// The issuer expected in a token from tenant `tid`: Entra's multi-tenant documents carry a
    /// `{tenantid}` template that the token's own `tid` fills in.
    pub fn issuer_for(&self, tid: Option<&str>) -> Option<String> {
        if self.issuer.contains("{tenantid}") {
            tid.map(|tid| self.issuer.replace("{tenantid}", tid))
        } else {
            Some(self.issuer.clone())
        }
    }
}

/// Fetches the discovery document, trying the Entra v2 location and then the plain one.
pub async fn fetch(
    http: &reqwest::Client,
    authority: &Authority,
) -> Result<ProviderMetadata, IdentityError> {
    let mut last = None;
    for url in authority.discovery_urls() {
        let response = http
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| unreachable(&url, e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            last = Some(IdentityError::BadMetadata {
                what: "discovery document",
                url,
                source: "not found (404)".into(),
            });
            continue;
        }
        if !status.is_success() {
            return Err(IdentityError::BadMetadata {
                what: "discovery document",
                url,
                source: format!("HTTP {status}").into(),
            });
        }
        let metadata: ProviderMetadata =
            response
                .json()
                .await
                .map_err(|e| IdentityError::BadMetadata {
                    what: "discovery document",
                    url: url.clone(),
                    source: e.without_url().into(),
                })?;
        if !metadata.id_token_signing_alg_values_supported.is_empty()
            && !metadata
                .id_token_signing_alg_values_supported
                .iter()
                .any(|a| a == "RS256")
        {
            return Err(IdentityError::BadMetadata {
                what: "discovery document",
                url,
                source: "the provider does not sign ID tokens with RS256".into(),
            });
        }
        return Ok(metadata);
    }
    Err(last.unwrap_or_else(|| IdentityError::config("the authority has no discovery URL")))
}
