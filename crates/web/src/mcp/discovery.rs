//! How an MCP client finds out how to get a token for `/mcp`: the endpoint answers 401 with a
//! `WWW-Authenticate` challenge whose `resource_metadata` names the Protected Resource Metadata
//! (RFC 9728), which names graphnote as the authorization server, whose own metadata (RFC 8414)
//! lists its endpoints.
//!
//! Every URL here is built from `PUBLIC_URL`, never from the request's `Host`: the resource and
//! the issuer are identifiers that tokens are bound to, and a forged `Host` must not change them.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::Config;

/// The path of the MCP endpoint, under the app's prefix.
pub const MCP_PATH: &str = "/mcp";

/// The one scope a client may ask for: reading the user's notebooks through graphnote.
pub const SCOPE: &str = "onenote.read";

/// The resource a token is for: `{PUBLIC_URL}/mcp`.
pub fn resource(config: &Config) -> String {
    format!("{}{MCP_PATH}", config.public_base())
}

/// Whether a client's `resource` parameter (RFC 8707) names this `/mcp`.
pub fn names_this_resource(config: &Config, given: &str) -> bool {
    given.trim_end_matches('/') == resource(config)
}

/// Whether a client's `scope` asks for nothing but [`SCOPE`].
pub fn asks_only_our_scope(scope: &str) -> bool {
    scope.split_whitespace().all(|s| s == SCOPE)
}

/// The URLs of the MCP resource and of its authorization server.
struct Urls {
    /// The authorization server's issuer: the app's public base URL.
    issuer: String,
    /// The resource a token is for: `{issuer}/mcp`.
    resource: String,
}

impl Urls {
    fn of(config: &Config) -> Urls {
        Urls {
            resource: resource(config),
            issuer: config.public_base(),
        }
    }

    fn metadata(&self) -> String {
        format!("{}/.well-known/oauth-protected-resource/mcp", self.issuer)
    }
}

/// `GET /.well-known/oauth-protected-resource/mcp` (RFC 9728).
pub async fn protected_resource(State(config): State<Arc<Config>>) -> Response {
    let urls = Urls::of(&config);
    let metadata = json!({
        "resource": urls.resource,
        "authorization_servers": [urls.issuer],
        "scopes_supported": [SCOPE],
        "bearer_methods_supported": ["header"],
        "resource_name": "graphnote",
    });
    cacheable(Json(metadata).into_response())
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414). Public clients only (no client
/// secret: an assistant on someone's machine cannot keep one), PKCE with S256 only.
pub async fn authorization_server(State(config): State<Arc<Config>>) -> Response {
    let urls = Urls::of(&config);
    let issuer = &urls.issuer;
    let metadata = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "registration_endpoint": format!("{issuer}/oauth/register"),
        "scopes_supported": [SCOPE],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "client_id_metadata_document_supported": true,
    });
    cacheable(Json(metadata).into_response())
}

/// `/mcp` without a valid access token: 401 and the challenge that starts discovery (RFC 6750
/// §3, RFC 9728 §5.1). A request that sent a token is told it was not valid.
pub async fn challenge(
    State(config): State<Arc<Config>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let urls = Urls::of(&config);
    let sent_token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    let mut challenge = format!(
        "Bearer resource_metadata=\"{}\", scope=\"{SCOPE}\"",
        urls.metadata()
    );
    if sent_token {
        challenge.push_str(", error=\"invalid_token\"");
    }
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "graphnote's MCP server needs an access token: connect your client through its OAuth sign-in\n",
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Metadata changes only with the configuration: clients may keep it an hour.
fn cacheable(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
