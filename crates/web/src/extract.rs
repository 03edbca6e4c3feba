//! Extractors that load the session for a handler: [`MaybeSession`] (anyone) and [`SignedIn`]
//! (a signed-in user, or a redirect to sign-in that comes back to this page).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::clock::now;
use crate::error::AppError;
use crate::session::Session;
use crate::state::AppState;

/// The request's session, if its cookie names a live one.
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let cookie = state.sessions.cookie.read(&parts.headers);
        Ok(MaybeSession(state.sessions.load(cookie, now()).await?))
    }
}

/// A signed-in user's session.
pub struct SignedIn(pub Session);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let MaybeSession(session) = MaybeSession::from_request_parts(parts, state).await?;
        match session {
            Some(s) if s.user().is_some() && s.secrets.token_cache.is_some() => Ok(SignedIn(s)),
            _ => Err(AppError::Reauthenticate {
                next: app_path(parts),
            }),
        }
    }
}

/// The path and query of this request inside the app (without the path prefix).
pub fn app_path(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}
