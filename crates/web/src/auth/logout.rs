//! Signing out: `/logout` ends the local session and sends the browser to the provider's
//! end-session endpoint (with `post_logout_redirect_uri` and the `logout_hint` when known);
//! `/signout-oidc?sid=…` is the front-channel logout receiver that ends every local session of
//! that provider session. Either pauses the user's exports (see `exports::credentials`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use identity::IdentityClient;
use serde::Deserialize;

use crate::context::RequestContext;
use crate::error::{AppError, Chain};
use crate::exports::Exports;
use crate::extract::{AppQuery, MaybeSession};
use crate::session::{SessionStore, Sessions};

pub async fn logout(
    State(identity): State<Arc<IdentityClient>>,
    State(sessions): State<Arc<Sessions>>,
    State(exports): State<Exports>,
    ctx: RequestContext,
    MaybeSession(session): MaybeSession,
) -> Result<Response, AppError> {
    // The user's exports pause until they sign in again.
    if let Some(user) = session.as_ref().and_then(|s| s.user()) {
        exports.signed_out(&user.home_account_id).await;
    }
    let post_logout = format!("{}/", ctx.public_base);
    let cache = session
        .as_ref()
        .and_then(|s| s.secrets.token_cache.as_ref());
    // Signing out locally must work even when the provider cannot be reached.
    let target = match identity.end_session_url(&post_logout, cache).await {
        Ok(Some(url)) => url,
        Ok(None) => post_logout,
        Err(e) => {
            tracing::warn!(error = %Chain(&e), "no end-session URL; signing out locally only");
            post_logout
        }
    };
    if let Some(session) = &session {
        sessions.destroy(session).await?;
        tracing::info!("user signed out");
    }
    let mut response = Redirect::to(&target).into_response();
    let headers = response.headers_mut();
    headers.insert(header::SET_COOKIE, sessions.cookie.clear());
    headers.append(header::SET_COOKIE, sessions.cookie.mark_signed_out());
    Ok(response)
}

#[derive(Deserialize)]
pub struct FrontChannelQuery {
    sid: Option<String>,
}

pub async fn signout_oidc(
    State(sessions): State<Arc<Sessions>>,
    State(exports): State<Exports>,
    AppQuery(query): AppQuery<FrontChannelQuery>,
) -> Result<Response, AppError> {
    let Some(sid) = query.sid.filter(|s| !s.is_empty() && s.len() <= 128) else {
        return Err(AppError::BadRequest(
            "the front-channel logout request has no sid".into(),
        ));
    };
    let ended = sessions.store.delete_by_sid(&sid).await?;
    exports.provider_session_ended(&sid).await;
    tracing::info!(sessions = ended, "front-channel logout");
    let mut response = (
        StatusCode::OK,
        Html("<!DOCTYPE html><title>Signed out</title><p>Signed out.</p>"),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
