//! `GET /login[?next=/path][&consent=onenote]`: starts the auth-code flow — a pending sign-in
//! (state, nonce, PKCE verifier) sealed into the session, then a redirect to the authorize
//! endpoint. `consent` names a feature whose extra scopes to ask for (incremental consent);
//! free-form scopes are not accepted, so a link cannot make the app ask for arbitrary permissions.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use identity::SignInRequest;
use serde::Deserialize;

use super::next::safe_next;
use crate::clock::now;
use crate::error::AppError;
use crate::extract::MaybeSession;
use crate::session::PendingLogin;
use crate::state::AppState;

/// Extra scopes per feature, asked for the first time the feature is used.
pub fn feature_scopes(feature: &str) -> Option<(&'static str, &'static [&'static str])> {
    match feature {
        "onenote" => Some(("onenote", &["Notes.Read"])),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    consent: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Query(query): Query<LoginQuery>,
) -> Result<Response, AppError> {
    let now = now();
    let mut session = session.unwrap_or_else(|| state.sessions.create(now));
    let mut scopes = state.config.scopes.clone();
    let mut login_hint = None;
    if let Some(feature) = query.consent.as_deref() {
        let (_, extra) = feature_scopes(feature)
            .ok_or_else(|| AppError::BadRequest(format!("unknown consent feature {feature:?}")))?;
        scopes.extend(extra.iter().map(|s| s.to_string()));
        // Asking the signed-in user for more: pre-fill who they are.
        login_hint = session.user().and_then(|u| u.username.clone());
    } else if let Some(cache) = &session.secrets.token_cache {
        // Keep what was granted before, so signing in again does not lose features.
        for extra in ["Notes.Read"] {
            if cache.has_scopes(&[extra]) && !scopes.iter().any(|s| s.eq_ignore_ascii_case(extra)) {
                scopes.push(extra.to_string());
            }
        }
    }
    let request = SignInRequest {
        scopes,
        redirect_uri: format!(
            "{}{}",
            crate::context::public_base(&state.config.public_base()),
            state.config.redirect_path
        ),
        login_hint,
        ..Default::default()
    };
    let (authorize_url, pending) = state.identity.begin_sign_in(&request, now).await?;
    session.add_pending(
        PendingLogin {
            sign_in: pending,
            next: safe_next(query.next.as_deref()),
        },
        now,
    );
    state.sessions.save(&mut session, now).await?;
    let mut response = Redirect::to(&authorize_url).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.sessions.cookie.set(session.id()));
    Ok(response)
}
