//! The confidential client: builds the authorize URL of a sign-in (PKCE S256 + state + nonce),
//! redeems the code and validates the ID token, refreshes access tokens, and builds the
//! end-session URL. Provider metadata and keys are fetched lazily and cached.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use url::Url;

use crate::authority::Authority;
use crate::cache::{Account, CachedAccessToken, TokenCache, resource_scopes};
use crate::credential::ClientCredential;
use crate::discovery::{self, ProviderMetadata};
use crate::error::{IdentityError, TokenEndpointError};
use crate::http;
use crate::id_token::{self, Expected, IdTokenClaims};
use crate::jwks::JwksCache;
use crate::pkce::{Pkce, random_urlsafe};
use crate::secret::Secret;

/// Scopes every sign-in asks for besides the resource scopes: an ID token with a profile, and a
/// refresh token.
pub const SIGN_IN_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// How long discovery metadata is trusted before it is fetched again.
const METADATA_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// How the provider returns the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    FormPost,
}

impl ResponseMode {
    fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::FormPost => "form_post",
        }
    }
}

/// Configuration of the app registration.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub client_id: String,
    pub credential: ClientCredential,
    pub authority: Authority,
    /// Extra trusted root (PEM), e.g. an emulator's CA.
    pub extra_ca_pem: Option<String>,
    pub response_mode: ResponseMode,
    /// Client capabilities declared on every token request, as MSAL does (`cp1`: the app
    /// handles claims challenges, so Entra may give it long-lived CAE tokens and revoke them
    /// early with a challenge). Empty: none declared.
    pub capabilities: Vec<String>,
}

/// What a sign-in asks for.
#[derive(Debug, Clone, Default)]
pub struct SignInRequest {
    /// Resource scopes (e.g. `User.Read`); the OIDC scopes are added.
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub domain_hint: Option<String>,
    /// A claims challenge to satisfy (JSON text).
    pub claims: Option<String>,
}

/// What must be remembered between the authorize redirect and the callback. Kept server-side.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub nonce: Secret,
    pub code_verifier: Secret,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// The provider's metadata with its key cache.
pub struct Provider {
    pub metadata: ProviderMetadata,
    pub keys: JwksCache,
    fetched: Instant,
}

/// A token endpoint success response (docs/protocol.md §5.2).
#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    scope: Option<String>,
    expires_in: serde_json::Value,
    /// When the provider wants the token refreshed (seconds), for long-lived tokens.
    #[serde(default)]
    refresh_in: Option<serde_json::Value>,
    access_token: Secret,
    #[serde(default)]
    refresh_token: Option<Secret>,
    #[serde(default)]
    id_token: Option<Secret>,
}

/// The Microsoft identity platform client for one app registration.
pub struct IdentityClient {
    config: ClientConfig,
    http: reqwest::Client,
    provider: RwLock<Option<Arc<Provider>>>,
}

impl IdentityClient {
    pub fn new(config: ClientConfig) -> Result<IdentityClient, IdentityError> {
        let http = http::client(config.extra_ca_pem.as_deref())?;
        Ok(IdentityClient {
            config,
            http,
            provider: RwLock::new(None),
        })
    }

    /// The `claims` parameter for a request: the challenge (if any) with the client's
    /// capabilities merged in as `access_token.xms_cc`, the way MSAL merges them.
    fn claims_with_capabilities(&self, challenge: Option<&str>) -> Option<String> {
        merge_capabilities(&self.config.capabilities, challenge)
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Metadata and keys, fetched on first use and again after a day.
    pub async fn provider(&self) -> Result<Arc<Provider>, IdentityError> {
        if let Some(p) = self.provider.read().await.as_ref()
            && p.fetched.elapsed() < METADATA_MAX_AGE
        {
            return Ok(p.clone());
        }
        let mut slot = self.provider.write().await;
        if let Some(p) = slot.as_ref()
            && p.fetched.elapsed() < METADATA_MAX_AGE
        {
            return Ok(p.clone());
        }
        let metadata = discovery::fetch(&self.http, &self.config.authority).await?;
        let keys = JwksCache::new(metadata.jwks_uri.clone(), self.http.clone());
        let provider = Arc::new(Provider {
            metadata,
            keys,
            fetched: Instant::now(),
        });
        *slot = Some(provider.clone());
        Ok(provider)
    }

    /// Starts a sign-in: the URL to send the browser to, and what to keep until it comes back.
    pub async fn begin_sign_in(
        &self,
        request: &SignInRequest,
        now: i64,
    ) -> Result<(String, PendingSignIn), IdentityError> {
        let provider = self.provider().await?;
        let pkce = Pkce::generate();
        let pending = PendingSignIn {
            state: random_urlsafe(24),
            nonce: Secret::new(random_urlsafe(24)),
            code_verifier: Secret::new(pkce.verifier),
            scopes: request.scopes.clone(),
            redirect_uri: request.redirect_uri.clone(),
            created_at: now,
        };
        let mut url = Url::parse(&provider.metadata.authorization_endpoint).map_err(|_| {
            IdentityError::BadMetadata {
                what: "discovery document",
                url: provider.metadata.authorization_endpoint.clone(),
                source: "authorization_endpoint is not a URL".into(),
            }
        })?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &self.config.client_id)
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", &request.redirect_uri)
                .append_pair("response_mode", self.config.response_mode.as_str())
                .append_pair("scope", &scope_string(&request.scopes))
                .append_pair("state", &pending.state)
                .append_pair("nonce", pending.nonce.expose())
                .append_pair("code_challenge", &pkce.challenge)
                .append_pair("code_challenge_method", "S256");
            if let Some(prompt) = &request.prompt {
                query.append_pair("prompt", prompt);
            }
            if let Some(hint) = &request.login_hint {
                query.append_pair("login_hint", hint);
            }
            if let Some(hint) = &request.domain_hint {
                query.append_pair("domain_hint", hint);
            }
            if let Some(claims) = self.claims_with_capabilities(request.claims.as_deref()) {
                query.append_pair("claims", &claims);
            }
        }
        Ok((url.into(), pending))
    }

    /// Redeems the code of a sign-in and validates its ID token.
    pub async fn complete_sign_in(
        &self,
        pending: &PendingSignIn,
        code: &str,
        now: i64,
    ) -> Result<(TokenCache, IdTokenClaims), IdentityError> {
        let provider = self.provider().await?;
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code.to_string()),
            ("redirect_uri", pending.redirect_uri.clone()),
            ("code_verifier", pending.code_verifier.expose().to_string()),
            ("scope", scope_string(&pending.scopes)),
        ];
        if let Some(claims) = self.claims_with_capabilities(None) {
            form.push(("claims", claims));
        }
        let response = self
            .token_request(&provider.metadata, &mut form, now)
            .await?;
        let id_token = response
            .id_token
            .clone()
            .ok_or_else(|| IdentityError::BadTokenResponse("no id_token in the response".into()))?;
        let claims = id_token::validate(
            id_token.expose(),
            &provider.metadata,
            &provider.keys,
            &Expected {
                client_id: &self.config.client_id,
                nonce: pending.nonce.expose(),
            },
        )
        .await?;
        let mut cache = TokenCache {
            account: Account::from_claims(&claims),
            refresh_token: None,
            id_token: Some(id_token),
            access_tokens: vec![],
        };
        store_response(&mut cache, response, &pending.scopes, None, now)?;
        Ok((cache, claims))
    }

    /// Gets a fresh access token for `scopes` with the refresh token, asking for `claims` (a
    /// challenge's, JSON text) when given; returns the updated cache, where the new token is
    /// [`TokenCache::newest`]. The caller decides when (see [`TokenCache::choose`]) and makes sure
    /// only one refresh per user runs at a time.
    pub async fn refresh(
        &self,
        cache: &TokenCache,
        scopes: &[String],
        claims: Option<&str>,
        now: i64,
    ) -> Result<TokenCache, IdentityError> {
        let refresh_token = cache
            .refresh_token
            .as_ref()
            .ok_or(IdentityError::NoRefreshToken)?;
        let provider = self.provider().await?;
        let mut form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", refresh_token.expose().to_string()),
            ("scope", scope_string(scopes)),
        ];
        if let Some(claims) = self.claims_with_capabilities(claims) {
            form.push(("claims", claims));
        }
        let response = self
            .token_request(&provider.metadata, &mut form, now)
            .await?;
        let mut updated = cache.clone();
        store_response(&mut updated, response, scopes, claims, now)?;
        Ok(updated)
    }

    /// The provider's end-session URL, returning to `post_logout_redirect_uri` afterwards.
    pub async fn end_session_url(
        &self,
        post_logout_redirect_uri: &str,
        account: Option<&TokenCache>,
    ) -> Result<Option<String>, IdentityError> {
        let provider = self.provider().await?;
        let Some(endpoint) = &provider.metadata.end_session_endpoint else {
            return Ok(None);
        };
        let Ok(mut url) = Url::parse(endpoint) else {
            return Ok(None);
        };
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("post_logout_redirect_uri", post_logout_redirect_uri)
                .append_pair("client_id", &self.config.client_id);
            if let Some(cache) = account {
                match (&cache.account.login_hint, &cache.id_token) {
                    (Some(hint), _) => {
                        query.append_pair("logout_hint", hint);
                    }
                    (None, Some(id_token)) => {
                        query.append_pair("id_token_hint", id_token.expose());
                    }
                    (None, None) => {}
                }
            }
        }
        Ok(Some(url.into()))
    }

    async fn token_request(
        &self,
        metadata: &ProviderMetadata,
        form: &mut Vec<(&'static str, String)>,
        now: i64,
    ) -> Result<TokenResponse, IdentityError> {
        let endpoint = &metadata.token_endpoint;
        form.push(("client_id", self.config.client_id.clone()));
        form.push(("client_info", "1".into()));
        match &self.config.credential {
            ClientCredential::Secret(secret) => {
                form.push(("client_secret", secret.expose().to_string()))
            }
            ClientCredential::Certificate(cert) => {
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                form.push((
                    "client_assertion",
                    cert.assertion(&self.config.client_id, endpoint, now)?,
                ));
            }
        }
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let response = self
            .http
            .post(endpoint)
            .header("Accept", "application/json")
            .header("client-request-id", &client_request_id)
            .form(&*form)
            .send()
            .await
            .map_err(|e| http::unreachable(endpoint, e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| http::unreachable(endpoint, e))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|e| IdentityError::BadTokenResponse(e.into()));
        }
        match serde_json::from_slice::<TokenEndpointError>(&body) {
            Ok(mut error) => {
                error.status = status.as_u16();
                tracing::info!(
                    client_request_id,
                    status = status.as_u16(),
                    error = %error.error,
                    code = ?error.code(),
                    "token endpoint refused a request"
                );
                Err(IdentityError::Token(Box::new(error)))
            }
            Err(_) => Err(IdentityError::BadTokenResponse(
                format!("HTTP {status} without an OAuth error body").into(),
            )),
        }
    }
}

/// `challenge` (JSON text) with `{"access_token": {"xms_cc": {"values": capabilities}}}` merged
/// in. A challenge that is not a JSON object is ignored (logged): asking without it is better
/// than not asking.
pub fn merge_capabilities(capabilities: &[String], challenge: Option<&str>) -> Option<String> {
    let mut claims = match challenge.map(serde_json::from_str::<serde_json::Value>) {
        Some(Ok(value @ serde_json::Value::Object(_))) => value,
        Some(_) => {
            tracing::warn!("a claims challenge that is not a JSON object was ignored");
            serde_json::json!({})
        }
        None => serde_json::json!({}),
    };
    if !capabilities.is_empty() {
        let access_token = &mut claims["access_token"];
        if !access_token.is_object() {
            *access_token = serde_json::json!({});
        }
        access_token["xms_cc"] = serde_json::json!({ "values": capabilities });
    }
    let empty = claims.as_object().is_none_or(|o| o.is_empty());
    (!empty).then(|| claims.to_string())
}

/// Requested resource scopes plus the sign-in scopes, space-separated.
fn scope_string(scopes: &[String]) -> String {
    let mut all: Vec<&str> = scopes.iter().map(String::as_str).collect();
    for s in SIGN_IN_SCOPES {
        if !all.iter().any(|x| x.eq_ignore_ascii_case(s)) {
            all.push(s);
        }
    }
    all.join(" ")
}

/// Stores the response's tokens in `cache`; `claims`: the challenge the request asked to meet.
fn store_response(
    cache: &mut TokenCache,
    response: TokenResponse,
    requested: &[String],
    claims: Option<&str>,
    now: i64,
) -> Result<(), IdentityError> {
    let seconds = |value: &serde_json::Value| match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let expires_in = seconds(&response.expires_in)
        .ok_or_else(|| IdentityError::BadTokenResponse("expires_in is not a number".into()))?;
    // The granted scopes; when the provider omits `scope`, the requested ones were granted.
    let scopes = match &response.scope {
        Some(granted) => resource_scopes(&[granted]),
        None => resource_scopes(requested),
    };
    let mut token = CachedAccessToken::new(response.access_token, scopes, now, expires_in);
    token.claims = claims.map(str::to_string);
    if let Some(refresh_in) = response.refresh_in.as_ref().and_then(seconds) {
        token.refresh_on = Some((now + refresh_in).min(token.expires_on));
    }
    cache.store(token, response.refresh_token);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::merge_capabilities;

    #[test]
    fn capabilities_merge_into_a_challenge_as_msal_does() {
        let cp1 = ["cp1".to_string()];
        assert_eq!(merge_capabilities(&[], None), None);
        assert_eq!(
            merge_capabilities(&cp1, None).unwrap(),
            r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#
        );
        let challenge = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
        let merged: serde_json::Value =
            serde_json::from_str(&merge_capabilities(&cp1, Some(challenge)).unwrap()).unwrap();
        assert_eq!(merged["access_token"]["acrs"]["value"], "c1");
        assert_eq!(merged["access_token"]["xms_cc"]["values"][0], "cp1");
        assert_eq!(
            merge_capabilities(&[], Some(challenge)).as_deref(),
            Some(challenge)
        );
        assert_eq!(
            merge_capabilities(&cp1, Some("not json")).unwrap(),
            r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#
        );
    }
}
