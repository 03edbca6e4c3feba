//! Everything a person can run into while the app handles their request, as one error type.
//! Each variant keeps its cause as its `source()`, so the log line shows the whole chain.
//!
//! A handler returns an [`AppError`]; its response is only a status with the error attached.
//! The [`crate::error_page`] middleware, which knows the request's context (path prefix,
//! request id), logs it — the one place request failures are logged — and turns it into the
//! page that says what happened and what to do, or into the redirect that fixes it ("sign in
//! again", "consent needed"). [`crate::problem`] says what each error looks like.

use std::fmt;
use std::sync::Arc;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use graph::GraphError;
use identity::{IdTokenError, IdentityError};

use crate::exports::store::JobError;
use crate::features::Feature;
use crate::session::StoreError;

/// The cause of an unexpected failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A failure while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The callback's `state` matches no sign-in of this browser, or it is too old.
    #[error("sign-in attempt unknown or expired")]
    SignInExpired,
    #[error("invalid ID token")]
    InvalidIdToken(#[source] IdTokenError),
    /// The user declined the permissions asked for. `signed_in`: they were asked for more than
    /// the sign-in (incremental consent for a feature), which leaves the rest of the app working;
    /// `next` is the page that asked.
    #[error("the user declined consent")]
    ConsentDenied { signed_in: bool, next: String },
    /// The user cancelled the sign-in (or its second factor) at the provider.
    #[error("the user cancelled the sign-in")]
    SignInCancelled,
    #[error("admin consent required")]
    AdminConsentRequired,
    /// An error the provider sent back on the redirect (its own words, cleaned of control
    /// characters and cut short).
    #[error("the identity provider returned {error}: {summary}")]
    ProviderError { error: String, summary: String },
    /// Talking to the identity provider failed: it refused a token request, could not be
    /// reached, or answered with something unusable.
    #[error("the identity provider failed")]
    Identity(#[source] IdentityError),
    /// The refresh token stopped working: sign in again (a redirect, not a page).
    #[error("the user must sign in again")]
    Reauthenticate { next: String },
    /// A page needs permissions not granted yet: go through consent (a redirect).
    #[error("consent needed for {}", .feature.name())]
    ConsentNeeded { next: String, feature: Feature },
    /// Re-authentication was asked for right after a sign-in: stop instead of looping.
    #[error("re-authentication loop stopped")]
    ReauthLoop,
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The export job store failed, or an export cannot take what was asked in its state.
    #[error(transparent)]
    Jobs(#[from] JobError),
    #[error("not found")]
    NotFound,
    /// A form was posted without a live session; `next` is the page the form was on.
    #[error("a form was sent after the session ended")]
    SignInToContinue { next: String },
    /// A link between pages whose target is not among the user's notebooks.
    #[error("the page a OneNote link names was not found")]
    LinkTargetNotFound,
    /// A section's screen past its last one (`?page=` too high).
    #[error("screen {asked} of a section that has {last}")]
    NoSuchScreen {
        asked: usize,
        last: usize,
        /// The section's path (its first screen).
        section: String,
    },
    /// A request the app cannot use; says what is wrong with it.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    TooLarge,
    /// OneNote files uploaded past `UPLOAD_MAX_BYTES`: says the limit.
    #[error("an upload larger than {limit} bytes")]
    UploadTooLarge { limit: u64 },
    /// A form that did not come from the app's own page (CSRF); says what to do.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// What was asked cannot be done in the item's present state; says why.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Something that should not happen did.
    #[error("internal error: {what}")]
    Internal {
        what: &'static str,
        #[source]
        source: Option<BoxError>,
    },
}

impl AppError {
    /// The HTTP status the person gets (a redirect for "sign in again" and "consent needed").
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Reauthenticate { .. } | AppError::ConsentNeeded { .. } => StatusCode::FOUND,
            AppError::SignInExpired
            | AppError::InvalidIdToken(_)
            | AppError::ProviderError { .. }
            | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Identity(IdentityError::Token(_)) => StatusCode::BAD_REQUEST,
            AppError::Identity(
                IdentityError::Unreachable { .. } | IdentityError::BadMetadata { .. },
            ) => StatusCode::BAD_GATEWAY,
            AppError::Identity(_) | AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::ConsentDenied { .. } | AppError::AdminConsentRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::SignInCancelled => StatusCode::UNAUTHORIZED,
            AppError::ReauthLoop => StatusCode::UNAUTHORIZED,
            AppError::Graph(e) => graph_status(e),
            // The session was signed out (another tab) while this request used it: sign in.
            AppError::Store(StoreError::SessionEnded) => StatusCode::FOUND,
            AppError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Jobs(JobError::Refused(_)) => StatusCode::CONFLICT,
            AppError::Jobs(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::SignInToContinue { .. } => StatusCode::UNAUTHORIZED,
            AppError::NotFound | AppError::NoSuchScreen { .. } | AppError::LinkTargetNotFound => {
                StatusCode::NOT_FOUND
            }
            AppError::TooLarge | AppError::UploadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
        }
    }

    pub fn internal(what: &'static str) -> AppError {
        AppError::Internal { what, source: None }
    }

    pub fn internal_because(what: &'static str, source: impl Into<BoxError>) -> AppError {
        AppError::Internal {
            what,
            source: Some(source.into()),
        }
    }
}

/// What a Graph failure means to the person: OneNote's 400 "invalid entity id" (20112) for an
/// id that cannot exist is "not found" to the one who typed it, not a failure of Graph.
fn graph_status(e: &GraphError) -> StatusCode {
    match e {
        GraphError::Throttled { .. } | GraphError::Paced { .. } => StatusCode::TOO_MANY_REQUESTS,
        GraphError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        GraphError::Forbidden { .. } => StatusCode::FORBIDDEN,
        GraphError::NotFound { .. } => StatusCode::NOT_FOUND,
        GraphError::Rejected {
            status: 400, code, ..
        } if code == "20112" => StatusCode::NOT_FOUND,
        GraphError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
        GraphError::GateUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    }
}

impl From<IdentityError> for AppError {
    fn from(e: IdentityError) -> AppError {
        match e {
            IdentityError::IdToken(t) => AppError::InvalidIdToken(t),
            IdentityError::Token(t) if t.needs_admin_consent() => AppError::AdminConsentRequired,
            other => AppError::Identity(other),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> AppError {
        AppError::BadRequest(rejection.body_text())
    }
}

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> AppError {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            _ => AppError::BadRequest(rejection.body_text()),
        }
    }
}

/// The error a response stands for, until [`crate::error_page`] renders it.
#[derive(Debug, Clone)]
pub struct Failure(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Failure(Arc::new(self)));
        response
    }
}

/// An error and its causes, `outer: cause: root cause`, for the log.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

/// Percent-encodes a path for a query value.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_every_cause_once() {
        let e = AppError::internal_because("zip", std::io::Error::other("disk full"));
        assert_eq!(Chain(&e).to_string(), "internal error: zip: disk full");
        let e = AppError::InvalidIdToken(IdTokenError::Expired);
        assert_eq!(
            Chain(&e).to_string(),
            "invalid ID token: the ID token has expired"
        );
    }
}
