//! Everything a person can run into, as one error type that renders as a page saying what
//! happened and what to do, with the right status — or, for "sign in again" and "consent
//! needed", as the redirect that fixes it. No page ever shows a token or a stack trace.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use graph::GraphError;
use identity::{IdTokenError, IdentityError};

use crate::context;
use crate::pages::{ErrorPage, Layout, render};
use crate::session::StoreError;

/// A failure while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The callback's `state` matches no sign-in of this browser, or it is too old.
    #[error("sign-in attempt unknown or expired")]
    SignInExpired,
    /// The provider refused to redeem the code.
    #[error("the identity provider refused the sign-in: {0}")]
    SignInRejected(String),
    #[error("invalid ID token: {0}")]
    InvalidIdToken(IdTokenError),
    #[error("the user declined consent")]
    ConsentDenied,
    #[error("admin consent required")]
    AdminConsentRequired,
    /// An error the provider sent back on the redirect.
    #[error("the identity provider returned {error}")]
    ProviderError { error: String, summary: String },
    #[error("identity provider unreachable: {0}")]
    ProviderUnreachable(String),
    /// The refresh token stopped working: sign in again (a redirect, not a page).
    #[error("the user must sign in again")]
    Reauthenticate { next: String },
    /// A page needs permissions not granted yet: go through consent (a redirect).
    #[error("consent needed for {feature}")]
    ConsentNeeded { next: String, feature: &'static str },
    /// Re-authentication was asked for right after a sign-in: stop instead of looping.
    #[error("re-authentication loop stopped")]
    ReauthLoop,
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    TooLarge,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<IdentityError> for AppError {
    fn from(e: IdentityError) -> AppError {
        match e {
            IdentityError::IdToken(t) => AppError::InvalidIdToken(t),
            IdentityError::Token(t) if t.needs_admin_consent() => AppError::AdminConsentRequired,
            IdentityError::Token(t) => AppError::SignInRejected(t.summary()),
            IdentityError::Unreachable { url, reason } => {
                AppError::ProviderUnreachable(format!("{url}: {reason}"))
            }
            IdentityError::BadMetadata { what, url, reason } => {
                AppError::ProviderUnreachable(format!("{what} at {url}: {reason}"))
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// A page's parts.
struct Problem {
    status: StatusCode,
    title: &'static str,
    message: String,
    detail: Option<String>,
    action: Option<(String, String)>,
    retry_after: Option<Duration>,
}

fn prefixed(path: &str) -> String {
    let prefix = context::current().map(|c| c.prefix).unwrap_or_default();
    format!("{prefix}{path}")
}

fn problem(status: StatusCode, title: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        status,
        title,
        message: message.into(),
        detail: None,
        action: None,
        retry_after: None,
    }
}

impl Problem {
    fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    fn action(mut self, path: &str, label: &str) -> Problem {
        self.action = Some((prefixed(path), label.to_string()));
        self
    }
}

fn graph_problem(e: &GraphError) -> Problem {
    match e {
        GraphError::Throttled { retry_after } => {
            let when = match retry_after {
                Some(d) => format!("Try again in {} seconds.", d.as_secs().max(1)),
                None => "Wait a minute, then try again.".to_string(),
            };
            Problem {
                retry_after: Some(retry_after.unwrap_or(Duration::from_secs(60))),
                ..problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Microsoft Graph is busy",
                    format!("Microsoft Graph is limiting how many requests graphnote can make for you right now. {when}"),
                )
            }
        }
        GraphError::Unavailable { status, retry_after } => Problem {
            retry_after: *retry_after,
            ..problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "Microsoft Graph is unavailable",
                "Microsoft Graph did not answer properly. This is usually brief: try again in a moment.",
            )
            .detail(format!("Graph answered HTTP {status}"))
        },
        GraphError::Forbidden { code, .. } => problem(
            StatusCode::FORBIDDEN,
            "Access denied by Microsoft Graph",
            "Your account or your organisation does not allow graphnote to read this.",
        )
        .detail(format!("Graph error {code}")),
        // OneNote answers 400 "invalid entity id" (20112) for an id that cannot exist: to the
        // person who typed it, that is "not found" — not a failure of Graph.
        GraphError::NotFound { .. } => not_found_in_graph(),
        GraphError::Rejected { status: 400, code, .. } if code == "20112" => not_found_in_graph(),
        GraphError::Unauthorized { code, .. } => problem(
            StatusCode::UNAUTHORIZED,
            "Microsoft Graph did not accept your sign-in",
            "Sign out and sign in again.",
        )
        .detail(format!("Graph error {code}"))
        .action("/logout", "Sign out"),
        other => problem(
            StatusCode::BAD_GATEWAY,
            "Microsoft Graph failed",
            "graphnote could not get an answer from Microsoft Graph. Try again in a moment.",
        )
        .detail(other.to_string()),
    }
}

fn not_found_in_graph() -> Problem {
    problem(
        StatusCode::NOT_FOUND,
        "Not found",
        "Microsoft Graph has no such item for your account. It may have been deleted or moved.",
    )
}

impl AppError {
    fn problem(&self) -> Problem {
        match self {
            AppError::SignInExpired => problem(
                StatusCode::BAD_REQUEST,
                "This sign-in attempt has expired",
                "The answer from the sign-in page does not match a sign-in started in this browser, or it took too long. Nothing was changed. Start again.",
            )
            .action("/login", "Sign in again"),
            AppError::SignInRejected(summary) => problem(
                StatusCode::BAD_REQUEST,
                "Sign-in could not be completed",
                "The identity provider refused to complete this sign-in (the link may have been used already). Start again.",
            )
            .detail(summary.clone())
            .action("/login", "Sign in again"),
            AppError::InvalidIdToken(e) => problem(
                StatusCode::BAD_REQUEST,
                "The sign-in response could not be verified",
                "graphnote checks every sign-in response and this one failed the check, so you were not signed in. Start again; if it keeps happening, tell your administrator.",
            )
            .detail(e.to_string())
            .action("/login", "Sign in again"),
            AppError::ConsentDenied => problem(
                StatusCode::FORBIDDEN,
                "Permissions were not granted",
                "graphnote cannot work without the permissions it asked for. You can sign in again and accept them.",
            )
            .action("/login", "Try again"),
            AppError::AdminConsentRequired => problem(
                StatusCode::FORBIDDEN,
                "An administrator must approve graphnote",
                "Your organisation requires an administrator to grant graphnote the permissions it needs. Ask your administrator to grant admin consent for graphnote, then sign in again.",
            )
            .action("/login", "Sign in again"),
            AppError::ProviderError { error, summary } => problem(
                StatusCode::BAD_REQUEST,
                "The sign-in page reported a problem",
                "The identity provider ended the sign-in with an error.",
            )
            .detail(format!("{error}: {summary}"))
            .action("/login", "Sign in again"),
            AppError::ProviderUnreachable(_) => problem(
                StatusCode::BAD_GATEWAY,
                "The sign-in service is unreachable",
                "graphnote could not reach the Microsoft identity platform. Try again in a moment.",
            ),
            AppError::ReauthLoop => problem(
                StatusCode::UNAUTHORIZED,
                "Your sign-in keeps expiring",
                "graphnote had to ask you to sign in again twice in a minute. Sign out, then sign in again; if it keeps happening, tell your administrator.",
            )
            .action("/logout", "Sign out"),
            AppError::Graph(e) => graph_problem(e),
            AppError::Store(_) => problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "graphnote is temporarily unavailable",
                "graphnote cannot reach its session storage. Nothing was lost; try again in a moment.",
            ),
            AppError::NotFound => problem(StatusCode::NOT_FOUND, "Page not found", "There is nothing at this address.")
                .action("/", "Home"),
            AppError::TooLarge => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request too large",
                "graphnote does not accept requests this large.",
            ),
            AppError::BadRequest(what) => {
                problem(StatusCode::BAD_REQUEST, "Bad request", "graphnote cannot use this request.").detail(what.clone())
            }
            AppError::Internal(_) => problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "graphnote ran into a problem it did not expect. Try again; if it keeps happening, report the request id below.",
            ),
            AppError::Reauthenticate { .. } | AppError::ConsentNeeded { .. } => {
                problem(StatusCode::FOUND, "Redirecting", "")
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Reauthenticate { next } => {
                return Redirect::to(&prefixed(&format!("/login?next={}", encode(next))))
                    .into_response();
            }
            AppError::ConsentNeeded { next, feature } => {
                return Redirect::to(&prefixed(&format!(
                    "/login?next={}&consent={feature}",
                    encode(next)
                )))
                .into_response();
            }
            _ => {}
        }
        let p = self.problem();
        // Server-side detail goes to the log (with the request id), never secrets: the error
        // types carry none.
        if p.status.is_server_error() {
            tracing::error!(error = %self, status = p.status.as_u16(), "request failed");
        } else {
            tracing::info!(error = %self, status = p.status.as_u16(), "request refused");
        }
        let page = ErrorPage {
            layout: Layout::new(None),
            status: p.status.as_u16(),
            title: p.title.to_string(),
            message: p.message,
            // Internal and store details stay in the log.
            detail: match self {
                AppError::Internal(_) | AppError::Store(_) | AppError::ProviderUnreachable(_) => {
                    None
                }
                _ => p.detail,
            },
            action: p.action,
        };
        let mut response = render(&page, p.status);
        if let Some(wait) = p.retry_after
            && let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Percent-encodes a path for a query value.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
