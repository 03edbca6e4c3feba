//! The token endpoint (`POST /oauth/token`): an authorization code, with the PKCE verifier that
//! matches its challenge, becomes an access token for `/mcp` and a refresh token; a refresh
//! token becomes a new pair, and is spent (rotation, OAuth 2.1 §4.3.1).
//!
//! Tokens are opaque: 256 random bits, handed out once and stored only as their SHA-256, with
//! what they stand for — the grant (one user's consent to one client), the resource and when
//! they end. Every instance reads them from the shared store.
//!
//! A code or refresh token is taken by one request only: each is spent by taking a lease named
//! after it in the shared store, which one request alone can hold, on whichever instance; its
//! record stays, so that a second use still names the grant. A
//! code or refresh token presented a second time means it leaked (or a client raced itself):
//! the whole grant is revoked, as RFC 6749 §4.1.2 and OAuth 2.1 §4.3.1 advise, and the user's
//! client must be allowed again.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::authorization;
use super::discovery::names_this_resource;
use super::grants::{ACCESS_SECONDS, REFRESH_SECONDS, revoke, revoked};
use super::records::{get, hash, new_secret, now, put_for, spend};
use crate::config::Config;
use crate::error::AppError;
use crate::exports::Exports;
use crate::exports::store::{JobError, JobStore};

/// What a token stands for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Issued {
    /// The user's consent to the client (one per allowed consent page).
    pub grant: String,
    pub account: String,
    pub client_id: String,
    pub resource: String,
    pub scope: String,
}

/// The token request (RFC 6749 §4.1.3 and §6).
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    resource: Option<String>,
}

/// An error the client is told (RFC 6749 §5.2).
#[derive(Debug)]
struct Refused(&'static str, &'static str);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let body = json!({"error": self.0, "error_description": self.1});
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

/// `POST /oauth/token`.
pub async fn token(
    State(exports): State<Exports>,
    State(config): State<Arc<Config>>,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Response, AppError> {
    // A client gets RFC 6749's JSON error, not the app's HTML page, for a body it got wrong.
    let Ok(Form(request)) = form else {
        return Ok(Refused(
            "invalid_request",
            "the body must be an application/x-www-form-urlencoded token request",
        )
        .into_response());
    };
    if request
        .resource
        .as_deref()
        .is_some_and(|r| !names_this_resource(&config, r))
    {
        return Ok(
            Refused("invalid_target", "tokens are for graphnote's /mcp only").into_response(),
        );
    }
    let store = &exports.store;
    let issued = match request.grant_type.as_deref() {
        Some("authorization_code") => exchange_code(store, &request).await?,
        Some("refresh_token") => refresh(store, &request).await?,
        _ => Err(Refused(
            "unsupported_grant_type",
            "authorization_code or refresh_token",
        )),
    };
    match issued {
        Ok(issued) => Ok(pair(store, issued).await?),
        Err(refused) => Ok(refused.into_response()),
    }
}

async fn exchange_code(
    store: &JobStore,
    request: &TokenRequest,
) -> Result<Result<Issued, Refused>, JobError> {
    let (Some(code), Some(client_id), Some(verifier)) = (
        request.code.as_deref(),
        request.client_id.as_deref(),
        request.code_verifier.as_deref(),
    ) else {
        return Ok(Err(Refused(
            "invalid_request",
            "code, client_id and code_verifier are required",
        )));
    };
    let Some(grant) = authorization::grant(store, code).await? else {
        return Ok(Err(Refused("invalid_grant", "unknown authorization code")));
    };
    if !spend(
        store,
        &format!("mcp-code-spent:{}", hash(code)),
        authorization::CODE_KEPT_SECONDS,
    )
    .await?
    {
        revoke(store, &grant.grant).await?;
        tracing::warn!(client_id = %grant.client_id, "an MCP authorization code was used twice: its grant is revoked");
        return Ok(Err(Refused(
            "invalid_grant",
            "the authorization code was already used",
        )));
    }
    let matches = grant.client_id == client_id
        && request.redirect_uri.as_deref() == Some(grant.redirect_uri.as_str())
        && grant.expires_at >= now()
        && pkce_matches(verifier, &grant.code_challenge);
    if !matches {
        return Ok(Err(Refused(
            "invalid_grant",
            "the code is expired, or was issued to another client, redirect URI or code challenge",
        )));
    }
    Ok(Ok(Issued {
        grant: grant.grant,
        account: grant.account,
        client_id: grant.client_id,
        resource: grant.resource,
        scope: grant.scope,
    }))
}

async fn refresh(
    store: &JobStore,
    request: &TokenRequest,
) -> Result<Result<Issued, Refused>, JobError> {
    let (Some(token), Some(client_id)) = (
        request.refresh_token.as_deref(),
        request.client_id.as_deref(),
    ) else {
        return Ok(Err(Refused(
            "invalid_request",
            "refresh_token and client_id are required",
        )));
    };
    let key = format!("mcp-refresh:{}", hash(token));
    let Some(issued) = get::<Issued>(store, &key).await? else {
        return Ok(Err(Refused("invalid_grant", "unknown refresh token")));
    };
    if !spend(
        store,
        &format!("mcp-refresh-spent:{}", hash(token)),
        REFRESH_SECONDS,
    )
    .await?
    {
        revoke(store, &issued.grant).await?;
        tracing::warn!(client_id = %issued.client_id, "an MCP refresh token was used twice: its grant is revoked");
        return Ok(Err(Refused(
            "invalid_grant",
            "the refresh token was already used",
        )));
    }
    // The record stays (its lease says it is spent): presented again, it still names the grant
    // to revoke.
    if issued.client_id != client_id || revoked(store, &issued.grant).await? {
        return Ok(Err(Refused(
            "invalid_grant",
            "the refresh token is expired, revoked or was issued to another client",
        )));
    }
    Ok(Ok(issued))
}

/// A new access token and refresh token for `issued`'s grant.
async fn pair(store: &JobStore, issued: Issued) -> Result<Response, JobError> {
    let access = new_secret();
    let refresh = new_secret();
    put_for(
        store,
        &format!("mcp-access:{}", hash(&access)),
        &issued,
        ACCESS_SECONDS,
    )
    .await?;
    put_for(
        store,
        &format!("mcp-refresh:{}", hash(&refresh)),
        &issued,
        REFRESH_SECONDS,
    )
    .await?;
    let body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_SECONDS,
        "refresh_token": refresh,
        "scope": issued.scope,
    });
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// What the access token `token` stands for, if it is current, for `resource`, and its grant
/// stands.
pub async fn access(
    store: &JobStore,
    token: &str,
    resource: &str,
) -> Result<Option<Issued>, JobError> {
    if token.len() > 128 {
        return Ok(None);
    }
    let Some(issued) = get::<Issued>(store, &format!("mcp-access:{}", hash(token))).await? else {
        return Ok(None);
    };
    if issued.resource != resource || revoked(store, &issued.grant).await? {
        return Ok(None);
    }
    Ok(Some(issued))
}

/// Whether `verifier` is the one `challenge` was made from (RFC 7636 §4.6, S256).
fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref());
    aws_lc_rs::constant_time::verify_slices_are_equal(computed.as_bytes(), challenge.as_bytes())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_must_hash_to_the_challenge() {
        // Computed apart (Python's hashlib and base64).
        let verifier = "graphnote-test-verifier-0123456789-abcdefghijklmn";
        let challenge = "8vbSHilE3sXH0_pMPku60edTGIgy2y0PlBrIcPSqC2s";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(
            "graphnote-test-verifier-0123456789-abcdefghijklmX",
            challenge
        ));
        assert!(!pkce_matches("short", challenge));
    }
}
