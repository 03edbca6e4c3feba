//! `POST /{tenant}/oauth2/v2.0/token`: the authorization_code (with PKCE), refresh_token and
//! client_credentials grants, with client authentication by secret in the body, HTTP Basic, or a
//! signed client assertion (docs/protocol.md §5).

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_lc_rs::digest;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::claims::ClaimsRequest;
use super::client_assertion;
use super::compare::constant_time_eq;
use super::error::EntraError;
use super::grants::{CodeLookup, RefreshLookup};
use super::params::Params;
use super::scopes::ScopeSet;
use super::tokens::{self, IdTokenInput, Issue, RefreshInput};
use crate::directory::Authority;
use crate::request_log::LogDetail;
use crate::seed::ClientSeed;
use crate::state::SharedEmulator;

/// Token requests are small; anything bigger than this is refused before parsing.
pub const MAX_TOKEN_BODY: usize = 64 * 1024;

/// `POST /{tenant}/oauth2/v2.0/token`
pub async fn token(
    State(emu): State<SharedEmulator>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return EntraError::body_too_large().into_response();
    };
    let correlation = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut detail = LogDetail::default();
    let result = grant(&emu, &tenant, &headers, &body, &mut detail);
    let mut response = match result {
        Ok(json) => {
            let mut response = Json(json).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(err) => err.correlated(correlation.as_deref()).into_response(),
    };
    response.extensions_mut().insert(detail);
    response
}

fn grant(
    emu: &SharedEmulator,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
    detail: &mut LogDetail,
) -> Result<Value, EntraError> {
    if body.len() > MAX_TOKEN_BODY {
        return Err(EntraError::body_too_large());
    }
    let body = std::str::from_utf8(body)
        .map_err(|_| EntraError::malformed_request("the body is not UTF-8"))?;
    let mut params = Params::parse(body);
    params.reject_duplicates()?;
    let authority = emu
        .directory
        .authority(tenant)
        .ok_or_else(|| EntraError::unknown_tenant(tenant))?;
    let grant_type = params.require("grant_type")?.to_string();
    detail.grant_type = Some(grant_type.clone());
    detail.claims = ClaimsRequest::parse(params.get("claims")).names();
    basic_credentials(headers, &mut params)?;
    let client = authenticate(emu, tenant, &params)?;
    detail.client_id = Some(client.client_id.clone());

    match grant_type.as_str() {
        "authorization_code" => authorization_code(emu, &authority, &client, &params, detail),
        "refresh_token" => refresh_token(emu, &client, &params, detail),
        "client_credentials" => client_credentials(emu, &client, &params),
        other => Err(EntraError::unsupported_grant_type(other)),
    }
}

/// Moves HTTP Basic credentials (`client_secret_basic`) into the parameters.
fn basic_credentials(headers: &HeaderMap, params: &mut Params) -> Result<(), EntraError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(());
    };
    let bad =
        || EntraError::malformed_request("the Authorization header is not valid Basic credentials");
    let value = value.to_str().map_err(|_| bad())?;
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return Err(bad());
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    // RFC 6749 §2.3.1: both halves are form-urlencoded before encoding.
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    params.insert_if_absent("client_id", decode(id));
    params.insert_if_absent("client_secret", decode(secret));
    Ok(())
}

/// Identifies the client and checks its credential.
fn authenticate(
    emu: &SharedEmulator,
    tenant: &str,
    params: &Params,
) -> Result<Arc<ClientSeed>, EntraError> {
    let client_id = params.require("client_id")?;
    let client = emu
        .directory
        .client(client_id)
        .ok_or_else(|| EntraError::unknown_client(client_id))?;
    let confidential = !client.secrets.is_empty() || !client.certificates.is_empty();
    if let Some(assertion) = params.get("client_assertion") {
        if params.get("client_assertion_type")
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return Err(EntraError::malformed_request(
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        let audience = format!("{}/{tenant}/oauth2/v2.0/token", emu.base_url);
        client_assertion::verify(&client, assertion, &audience)?;
        return Ok(client);
    }
    match params.get("client_secret") {
        Some(secret) => {
            let known = client
                .secrets
                .iter()
                .any(|s| constant_time_eq(s.as_bytes(), secret.as_bytes()));
            if known {
                Ok(client)
            } else {
                Err(EntraError::invalid_client_secret(&client.client_id))
            }
        }
        None if confidential => Err(EntraError::missing_client_credential()),
        None => Ok(client),
    }
}

fn authorization_code(
    emu: &SharedEmulator,
    authority: &Authority,
    client: &ClientSeed,
    params: &Params,
    detail: &mut LogDetail,
) -> Result<Value, EntraError> {
    let code_value = params.require("code")?;
    let redirect_uri = params.require("redirect_uri")?;
    let code = match emu.grants.redeem_code(code_value) {
        CodeLookup::Valid(code) => code,
        CodeLookup::Unknown => return Err(EntraError::code_malformed()),
        CodeLookup::Redeemed => return Err(EntraError::code_redeemed()),
        CodeLookup::Expired => return Err(EntraError::code_expired()),
    };
    let request = &code.request;
    if !request.client_id.eq_ignore_ascii_case(&client.client_id) {
        return Err(EntraError::code_for_other_client());
    }
    let user = emu
        .directory
        .user_by_id(code.user)
        .ok_or_else(EntraError::code_malformed)?;
    detail.user = Some(user.upn().to_string());
    if !authority.admits(user.tenant_id) {
        return Err(EntraError::wrong_tenant_for_code());
    }
    let same_redirect = url::Url::parse(redirect_uri)
        .map(|u| u.as_str() == request.redirect_uri)
        .unwrap_or(false);
    if !same_redirect {
        return Err(EntraError::redirect_uri_changed());
    }
    if let Some(pkce) = &request.pkce {
        let verifier = params
            .get("code_verifier")
            .ok_or_else(EntraError::pkce_mismatch)?;
        let computed = if pkce.s256 {
            URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
        } else {
            verifier.to_string()
        };
        if !constant_time_eq(computed.as_bytes(), pkce.challenge.as_bytes()) {
            return Err(EntraError::pkce_mismatch());
        }
    }
    // A `scope` at redemption may respell or narrow what was authorized.
    let scopes = match params.get("scope") {
        Some(raw) => ScopeSet::parse(raw)?,
        None => request.scopes.clone(),
    };
    let granted = granted_permissions(emu, client, code.user, &scopes)?;
    let claims = ClaimsRequest::parse(request.claims.as_deref())
        .and(ClaimsRequest::parse(params.get("claims")));
    let acrs = granted_acrs(emu, &claims.acrs, &code.satisfied_acrs)?;
    Ok(tokens::issue(
        emu,
        Issue {
            user: Some(&user),
            client_id: &client.client_id,
            client_name: &client.display_name,
            graph_permissions: &granted,
            response_scope: scopes.response_scope(&granted),
            id_token: scopes.has("openid").then(|| IdTokenInput {
                nonce: request.nonce.as_deref(),
                sid: code.sid,
                auth_time: request.max_age.map(|_| code.auth_time),
                with_profile: scopes.has("profile"),
                with_email: scopes.has("email"),
            }),
            refresh: scopes.has("offline_access").then(|| RefreshInput {
                sid: code.sid,
                auth_time: code.auth_time,
                satisfied_acrs: code.satisfied_acrs.clone(),
            }),
            client_info: params.get("client_info") == Some("1"),
            acrs,
            capabilities: claims.capabilities,
        },
    ))
}

fn refresh_token(
    emu: &SharedEmulator,
    client: &ClientSeed,
    params: &Params,
    detail: &mut LogDetail,
) -> Result<Value, EntraError> {
    let value = params.require("refresh_token")?;
    let grant = match emu.grants.refresh_token(value) {
        RefreshLookup::Valid(grant) => grant,
        RefreshLookup::Unknown => return Err(EntraError::refresh_token_malformed()),
        RefreshLookup::Revoked => return Err(EntraError::refresh_token_revoked()),
        RefreshLookup::Expired => return Err(EntraError::refresh_token_expired()),
    };
    if !grant.client_id.eq_ignore_ascii_case(&client.client_id) {
        return Err(EntraError::refresh_token_for_other_client());
    }
    let user = emu
        .directory
        .user_by_id(grant.user)
        .ok_or_else(EntraError::refresh_token_revoked)?;
    detail.user = Some(user.upn().to_string());
    let scopes = match params.get("scope") {
        Some(raw) => ScopeSet::parse(raw)?,
        // Without `scope`, the token covers everything the user granted this app.
        None => {
            let consented = emu.grants.consented(user.id(), &client.client_id);
            ScopeSet::parse(&consented.into_iter().collect::<Vec<_>>().join(" "))?
        }
    };
    let granted = granted_permissions(emu, client, user.id(), &scopes)?;
    let claims = ClaimsRequest::parse(params.get("claims"));
    let acrs = granted_acrs(emu, &claims.acrs, &grant.satisfied_acrs)?;
    Ok(tokens::issue(
        emu,
        Issue {
            user: Some(&user),
            client_id: &client.client_id,
            client_name: &client.display_name,
            graph_permissions: &granted,
            response_scope: scopes.response_scope(&granted),
            id_token: scopes.has("openid").then(|| IdTokenInput {
                nonce: None,
                sid: grant.sid,
                auth_time: None,
                with_profile: scopes.has("profile"),
                with_email: scopes.has("email"),
            }),
            // Entra returns a new refresh token on every refresh; the old one keeps working.
            refresh: Some(RefreshInput {
                sid: grant.sid,
                auth_time: grant.auth_time,
                satisfied_acrs: grant.satisfied_acrs.clone(),
            }),
            client_info: params.get("client_info") == Some("1"),
            acrs,
            capabilities: claims.capabilities,
        },
    ))
}

fn client_credentials(
    emu: &SharedEmulator,
    client: &ClientSeed,
    params: &Params,
) -> Result<Value, EntraError> {
    let scopes = ScopeSet::parse(params.require("scope")?)?;
    if !scopes.is_default() || scopes.scopes.len() != 1 {
        return Err(EntraError::no_user_for_client_credentials());
    }
    if client.secrets.is_empty() && client.certificates.is_empty() {
        return Err(EntraError::missing_client_credential());
    }
    let roles: BTreeSet<&'static str> = client
        .application_permissions
        .iter()
        .filter_map(|p| super::scopes::application_permission(p))
        .collect();
    Ok(tokens::issue(
        emu,
        Issue {
            user: None,
            client_id: &client.client_id,
            client_name: &client.display_name,
            graph_permissions: &roles,
            response_scope: params.require("scope")?.to_string(),
            id_token: None,
            refresh: None,
            client_info: false,
            acrs: vec![],
            capabilities: ClaimsRequest::parse(params.get("claims")).capabilities,
        },
    ))
}

/// The Graph permissions a delegated token may carry: every named one must be consented (by the
/// user or an admin); `.default` means everything consented.
fn granted_permissions(
    emu: &SharedEmulator,
    client: &ClientSeed,
    user: uuid::Uuid,
    scopes: &ScopeSet,
) -> Result<BTreeSet<&'static str>, EntraError> {
    let consented = emu.grants.consented(user, &client.client_id);
    let admin: BTreeSet<&str> = client
        .admin_consented_scopes
        .iter()
        .map(String::as_str)
        .collect();
    let allowed = |name: &str| consented.contains(name) || admin.contains(name);
    if scopes.is_default() {
        return Ok(super::scopes::all_graph_permissions()
            .filter(|p| allowed(p))
            .collect());
    }
    let wanted = scopes.graph_names();
    if wanted.iter().any(|s| !allowed(s)) {
        return Err(EntraError::scopes_not_consented(&client.client_id));
    }
    Ok(wanted)
}

/// The authentication contexts a token may carry: what the `claims` asked for — except that
/// the step-up context needs a second factor the sign-in passed (AADSTS50076 otherwise).
fn granted_acrs(
    emu: &SharedEmulator,
    requested: &[String],
    satisfied: &BTreeSet<String>,
) -> Result<Vec<String>, EntraError> {
    if let Some(step_up) = emu.settings.step_up()
        && requested.contains(&step_up.acrs)
        && !satisfied.contains(&step_up.acrs)
    {
        return Err(EntraError::multi_factor_required());
    }
    Ok(requested.to_vec())
}
