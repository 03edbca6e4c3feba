//! Metadata endpoints: the v2 OpenID discovery document (with the `{tenantid}` issuer template for
//! multi-tenant authorities), the JWKS, and MSAL's instance discovery (docs/protocol.md §2, §3, §8.2).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::EntraError;
use super::params::Params;
use crate::directory::{Authority, CONSUMERS_TENANT_ID};
use crate::state::SharedEmulator;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`
pub async fn openid_configuration(
    State(emu): State<SharedEmulator>,
    Path(tenant): Path<String>,
) -> Result<Response, EntraError> {
    let authority = emu
        .directory
        .authority(&tenant)
        .ok_or_else(|| EntraError::unknown_tenant(&tenant))?;
    let base = &emu.base_url;
    let seg = authority.path_segment();
    let (issuer, region) = match &authority {
        Authority::Tenant(t) => (emu.issuer_for(t.id), json!(t.region)),
        Authority::Consumers => (emu.issuer_for(CONSUMERS_TENANT_ID), Value::Null),
        Authority::Common | Authority::Organizations => {
            (format!("{base}/{{tenantid}}/v2.0"), Value::Null)
        }
    };
    // Entra's field set; clients look fields up by name, so serde_json's key order is fine.
    let doc = json!({
        "token_endpoint": format!("{base}/{seg}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{seg}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{seg}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{seg}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{seg}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{base}/{seg}/kerberos"),
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": emu.host(),
        "rbac_url": "https://pas.windows.net",
    });
    Ok(cacheable(doc))
}

/// `GET /{tenant}/discovery/v2.0/keys`
pub async fn keys(
    State(emu): State<SharedEmulator>,
    Path(tenant): Path<String>,
) -> Result<Response, EntraError> {
    emu.directory
        .authority(&tenant)
        .ok_or_else(|| EntraError::unknown_tenant(&tenant))?;
    let issuer = format!("{}/{{tenantid}}/v2.0", emu.base_url);
    Ok(cacheable(emu.keys.jwks(&issuer)))
}

/// `GET /common/discovery/instance?api-version=1.0|1.1&authorization_endpoint=…` (MSAL only).
/// The emulator knows itself as an instance; any other host is `invalid_instance`.
pub async fn instance(
    State(emu): State<SharedEmulator>,
    RawQuery(query): RawQuery,
) -> Result<Response, EntraError> {
    let params = Params::parse(query.as_deref().unwrap_or(""));
    params.reject_duplicates()?;
    let version = params.require("api-version")?;
    if version != "1.0" && version != "1.1" {
        return Err(EntraError::malformed_request(
            "api-version must be 1.0 or 1.1",
        ));
    }
    let endpoint = params.require("authorization_endpoint")?;
    let url = url::Url::parse(endpoint)
        .map_err(|_| EntraError::malformed_request("authorization_endpoint is not a URL"))?;
    // MSAL strips the port from the host it sends, so compare host names only.
    let our_host = url::Url::parse(&emu.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    if url.host_str() != Some(our_host.as_str()) {
        return Err(EntraError::unknown_instance());
    }
    let tenant = url
        .path_segments()
        .and_then(|mut s| s.find(|s| !s.is_empty()))
        .unwrap_or("common")
        .to_string();
    let mut body = json!({
        "tenant_discovery_endpoint": format!("{}/{tenant}/v2.0/.well-known/openid-configuration", emu.base_url),
        "api-version": version,
    });
    if version == "1.1" {
        body["metadata"] = json!([{
            "preferred_network": emu.host(),
            "preferred_cache": emu.host(),
            "aliases": [emu.host()],
        }]);
    }
    Ok(Json(body).into_response())
}

fn cacheable(doc: Value) -> Response {
    let mut response = Json(doc).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
