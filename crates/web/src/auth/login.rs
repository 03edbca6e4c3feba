//! `GET /login[?next=/path][&consent=onenote]`: starts the auth-code flow — a pending sign-in
//! (state, nonce, PKCE verifier) sealed into the session, then a redirect to the authorize
//! endpoint. `consent` names a feature whose extra scopes to ask for (incremental consent);
//! free-form scopes are not accepted, so a link cannot make the app ask for arbitrary permissions.
//! A claims challenge only a sign-in can meet is asked for here: the session's own (a page view
//! met it), or the one an export of the signed-in user waits for.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use identity::{IdentityClient, SignInRequest};
use serde::Deserialize;

use super::next::safe_next;
use crate::clock::now;
use crate::config::Config;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::exports::Exports;
use crate::extract::{AppQuery, MaybeSession};
use crate::features::Feature;
use crate::session::{ClaimsChallenge, PendingLogin, Sessions, StoreError};

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    consent: Option<String>,
}

pub async fn login(
    State(config): State<Arc<Config>>,
    State(identity): State<Arc<IdentityClient>>,
    State(sessions): State<Arc<Sessions>>,
    State(exports): State<Exports>,
    ctx: RequestContext,
    MaybeSession(session): MaybeSession,
    AppQuery(query): AppQuery<LoginQuery>,
) -> Result<Response, AppError> {
    let now = now();
    let mut session = session.unwrap_or_else(|| sessions.create(now));
    let mut scopes = config.scopes.clone();
    let mut login_hint = None;
    if let Some(name) = query.consent.as_deref() {
        let feature = Feature::from_name(name)
            .ok_or_else(|| AppError::BadRequest(format!("unknown consent feature {name:?}")))?;
        scopes = feature.scopes_with(&scopes);
        // Asking the signed-in user for more: pre-fill who they are.
        login_hint = session.user().and_then(|u| u.username.clone());
    } else if let Some(cache) = &session.secrets.token_cache {
        // Keep what was granted before, so signing in again does not lose features.
        for feature in Feature::ALL {
            if cache.has_scopes(feature.scopes()) {
                scopes = feature.scopes_with(&scopes);
            }
        }
    }
    // A claims challenge only a sign-in can meet (step-up, a revoked session): ask for it now.
    let mut challenge = session.record.challenge.clone();
    if challenge.is_none()
        && let Some(user) = session.user()
    {
        challenge = exports
            .credentials
            .challenge(&user.home_account_id)
            .await?
            .map(|claims| ClaimsChallenge {
                claims,
                login_hint: user.username.clone(),
            });
    }
    if let Some(challenge) = &challenge {
        login_hint = login_hint.or_else(|| challenge.login_hint.clone());
    }
    let request = SignInRequest {
        scopes,
        redirect_uri: format!("{}{}", ctx.public_base, config.redirect_path),
        login_hint,
        claims: challenge.map(|c| c.claims),
        ..Default::default()
    };
    let (authorize_url, pending) = identity.begin_sign_in(&request, now).await?;
    let login = PendingLogin {
        sign_in: pending,
        next: safe_next(query.next.as_deref()),
    };
    sessions
        .update(&mut session, now, |s| {
            s.add_pending(login.clone(), now);
            s.record_mut().challenge = None;
            Ok::<_, StoreError>(())
        })
        .await?;
    let mut response = Redirect::to(&authorize_url).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, sessions.cookie.set(session.id()));
    Ok(response)
}
