//! Extractors: the request's session ([`MaybeSession`] for anyone, [`SignedIn`] for a signed-in
//! user or a redirect to sign-in that comes back to this page), and the query string and form
//! ([`AppQuery`], [`AppForm`]) with the app's own error page for what cannot be read — never
//! axum's plain-text 400; and [`CheckedForm`], a form the signed-in user posted from a page of
//! their own session (its CSRF token checked).

use std::sync::Arc;

use axum::extract::{FromRef, FromRequest, FromRequestParts};
use axum::http::Method;
use axum::http::request::Parts;

use crate::clock::now;
use crate::csrf::Csrf;
use crate::error::AppError;
use crate::session::{Session, Sessions};

/// The request's session, if its cookie names a live one.
pub struct MaybeSession(pub Option<Session>);

impl<S> FromRequestParts<S> for MaybeSession
where
    Arc<Sessions>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let sessions = Arc::<Sessions>::from_ref(state);
        let cookie = sessions.cookie.read(&parts.headers);
        Ok(MaybeSession(sessions.load(cookie, now()).await?))
    }
}

/// A signed-in user's session.
pub struct SignedIn(pub Session);

impl<S> FromRequestParts<S> for SignedIn
where
    Arc<Sessions>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let MaybeSession(session) = MaybeSession::from_request_parts(parts, state).await?;
        match session {
            Some(s) if s.user().is_some() && s.secrets.token_cache.is_some() => {
                if let Some(user) = s.user() {
                    let _ = crate::context::of(&parts.extensions)
                        .signed_in
                        .set(user.clone());
                }
                Ok(SignedIn(s))
            }
            // A form posted after the session ended: a sign-in redirect would take the browser
            // to the identity provider as the form's answer, which the app's own CSP
            // (`form-action 'self'`) forbids, and the button would do nothing. A page of the
            // app's says so instead, and its sign-in comes back to the page the form was on.
            _ if parts.method != Method::GET && parts.method != Method::HEAD => {
                Err(AppError::SignInToContinue {
                    next: form_page(parts),
                })
            }
            _ => Err(AppError::Reauthenticate {
                next: app_path(parts),
            }),
        }
    }
}

/// The page a form posted to `path` is on: the path one level up (the app's forms post to
/// `/onenote/exports` from `/onenote`, and to `/onenote/exports/{id}/cancel` from
/// `/onenote/exports/{id}`).
fn form_page(parts: &Parts) -> String {
    let path = parts.uri.path().trim_end_matches('/');
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/".to_string(),
        Some((parent, _)) => parent.to_string(),
    }
}

/// Whether the request carries the mark sign-out leaves (see [`crate::session::CookieSettings`]).
pub struct SignedOutMark(pub bool);

impl<S> FromRequestParts<S> for SignedOutMark
where
    Arc<Sessions>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let sessions = Arc::<Sessions>::from_ref(state);
        Ok(SignedOutMark(
            sessions.cookie.is_marked_signed_out(&parts.headers),
        ))
    }
}

/// The query string as `T`; one that does not fit (`?page=x`, a repeated `next`) is the app's
/// 400 page.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);

/// The form body as `T`; one that does not fit, or is too large, is the app's 400 or 413 page.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct AppForm<T>(pub T);

/// The path and query of this request inside the app (without the path prefix).
pub fn app_path(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

/// A form that carries the CSRF token of the page it was posted from.
pub trait CarriesCsrf {
    fn csrf(&self) -> &str;
}

/// A form the signed-in user posted from a page of their own session: signed in (or sent to
/// sign in), then the form read ([`AppForm`]), then its CSRF token checked against the session
/// and the request's origin.
pub struct CheckedForm<T> {
    pub session: Session,
    pub form: T,
}

impl<S, T> FromRequest<S> for CheckedForm<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + CarriesCsrf + Send,
    Arc<Sessions>: FromRef<S>,
    Arc<Csrf>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        let (mut parts, body) = request.into_parts();
        let SignedIn(session) = SignedIn::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let request = axum::extract::Request::from_parts(parts, body);
        let AppForm(form) = AppForm::<T>::from_request(request, state).await?;
        Arc::<Csrf>::from_ref(state).check(&session, &headers, form.csrf())?;
        Ok(CheckedForm { session, form })
    }
}
