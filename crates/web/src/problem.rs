//! What each [`AppError`] looks like to the person who met it: a title, what happened and what
//! to do, a detail line where it helps (never a token, never internal detail: those stay in the
//! log), a link to the way out, and how long to wait when Graph asked for patience.

use std::time::Duration;

use axum::http::StatusCode;
use graph::GraphError;
use identity::IdentityError;

use crate::error::AppError;
use crate::exports::store::JobError;

/// An error page's parts. `action` is an app-relative path and its label.
pub struct Problem {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    pub detail: Option<String>,
    pub action: Option<(std::borrow::Cow<'static, str>, &'static str)>,
    pub retry_after: Option<Duration>,
}

impl Problem {
    fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            status,
            title,
            message: message.into(),
            detail: None,
            action: None,
            retry_after: None,
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    fn action(
        mut self,
        path: impl Into<std::borrow::Cow<'static, str>>,
        label: &'static str,
    ) -> Problem {
        self.action = Some((path.into(), label));
        self
    }
}

/// The page for `error`.
pub fn of(error: &AppError) -> Problem {
    let status = error.status();
    let page = |title, message: &str| Problem::new(status, title, message);
    match error {
        AppError::SignInExpired => page(
            "This sign-in attempt has expired",
            "The answer from the sign-in page does not match a sign-in started in this browser, or it took too long. Nothing was changed. Start again.",
        )
        .action("/login", "Sign in again"),
        AppError::Identity(IdentityError::Token(t)) => page(
            "Sign-in could not be completed",
            "The identity provider refused to complete this sign-in (the link may have been used already). Start again.",
        )
        .detail(t.summary())
        .action("/login", "Sign in again"),
        AppError::Identity(IdentityError::Unreachable { .. } | IdentityError::BadMetadata { .. }) => page(
            "The sign-in service is unreachable",
            "graphnote could not reach the Microsoft identity platform. Try again in a moment.",
        ),
        AppError::InvalidIdToken(e) => page(
            "The sign-in response could not be verified",
            "graphnote checks every sign-in response and this one failed the check, so you were not signed in. Start again; if it keeps happening, tell your administrator.",
        )
        .detail(e.to_string())
        .action("/login", "Sign in again"),
        AppError::ConsentDenied { signed_in: true, next } => page(
            "Permission not given",
            "You did not allow graphnote to read what this page needs. The rest of graphnote works as before; to use this page, open it again and allow it.",
        )
        .action(next.clone(), "Try again"),
        AppError::ConsentDenied { signed_in: false, .. } => page(
            "Permissions were not granted",
            "graphnote needs the permissions it asked for to sign you in. You can sign in again and accept them.",
        )
        .action("/login", "Try again"),
        AppError::SignInCancelled => page(
            "Sign-in was cancelled",
            "You stopped the sign-in before it was complete, so graphnote cannot show this page. Nothing was changed; sign in again when you are ready.",
        )
        .action("/login", "Sign in again"),
        AppError::AdminConsentRequired => page(
            "An administrator must approve graphnote",
            "Your organisation requires an administrator to grant graphnote the permissions it needs. Ask your administrator to grant admin consent for graphnote, then sign in again.",
        )
        .action("/login", "Sign in again"),
        AppError::ProviderError { error, summary } => page(
            "The sign-in page reported a problem",
            "The identity provider ended the sign-in with an error.",
        )
        .detail(format!("{error}: {summary}"))
        .action("/login", "Sign in again"),
        AppError::ReauthLoop => page(
            "Your sign-in keeps expiring",
            "graphnote had to ask you to sign in again twice in a minute. Sign out, then sign in again; if it keeps happening, tell your administrator.",
        )
        .action("/logout", "Sign out"),
        AppError::Graph(e) => graph(status, e),
        AppError::Store(_) => page(
            "graphnote is temporarily unavailable",
            "graphnote cannot reach its session storage. Nothing was lost; try again in a moment.",
        ),
        AppError::Jobs(JobError::Refused(refused)) => page(
            "Not possible now",
            &format!(
                "This export is {} now, so that cannot be done. Reload its page to see where it is.",
                refused.from.as_str()
            ),
        )
        .action("/onenote/exports", "Your exports"),
        AppError::Jobs(_) => page(
            "Exports are temporarily unavailable",
            "graphnote cannot reach the storage of its exports. Nothing was lost; try again in a moment.",
        ),
        AppError::NotFound => {
            page("Page not found", "There is nothing at this address.").action("/", "Home")
        }
        AppError::SignInToContinue { next } => page(
            "Your session has ended",
            "You were signed out (in another tab, or after a while away), so graphnote did not do what the button asked. Sign in again: you will come back to the page you were on, and can press it again there.",
        )
        .action(format!("/login?next={}", crate::error::encode(next)), "Sign in again"),
        AppError::LinkTargetNotFound => page(
            "This link leads nowhere graphnote can find",
            "The link names a OneNote page that is not in the notebooks your account shows graphnote: it may have been deleted or moved, or it lives in a notebook shared from elsewhere.",
        )
        .action("/onenote", "Your notebooks"),
        AppError::NoSuchScreen {
            asked,
            last,
            section,
        } => page(
            "No such page of this section",
            &format!(
                "This section's pages fill {last} {} (50 pages each): there is no page {asked}.",
                if *last == 1 { "screen" } else { "screens" }
            ),
        )
        .action(section.clone(), "Back to the first page"),
        AppError::TooLarge => page(
            "Request too large",
            "graphnote does not accept requests this large.",
        ),
        AppError::UploadTooLarge { limit } => page(
            "These files are too large",
            &format!(
                "graphnote takes at most {} in one upload, and nothing of this one was kept. \
                 Upload fewer files at a time, or convert them on your own machine with \
                 `graphnote convert`.",
                export::status::human_bytes(*limit)
            ),
        )
        .action("/onenote/exports", "Your exports"),
        AppError::Forbidden(what) => page("Refused", what),
        AppError::Conflict(what) => page("Not possible right now", what).action("/onenote/exports", "Your exports"),
        AppError::BadRequest(what) => {
            page("Bad request", "graphnote cannot use this request.").detail(what.clone())
        }
        AppError::Identity(_) | AppError::Internal { .. } => page(
            "Something went wrong",
            "graphnote ran into a problem it did not expect. Try again; if it keeps happening, report the request id below.",
        ),
        AppError::Reauthenticate { .. } | AppError::ConsentNeeded { .. } => {
            page("Redirecting", "")
        }
    }
}

fn graph(status: StatusCode, e: &GraphError) -> Problem {
    let page = |title, message: &str| Problem::new(status, title, message);
    match e {
        GraphError::Throttled { retry_after } => {
            let when = match retry_after {
                Some(d) => format!("Try again in {} seconds.", d.as_secs().max(1)),
                None => "Wait a minute, then try again.".to_string(),
            };
            Problem {
                retry_after: Some(retry_after.unwrap_or(Duration::from_secs(60))),
                ..page(
                    "Microsoft Graph is busy",
                    &format!("Microsoft Graph is limiting how many requests graphnote can make for you right now. {when}"),
                )
            }
        }
        GraphError::Paced { retry_after } => Problem {
            retry_after: Some(*retry_after),
            ..page(
                "Keeping to OneNote's limit",
                &format!(
                    "OneNote lets an app make only so many requests for each account (120 a \
                     minute and 400 an hour), and graphnote keeps within that so OneNote never \
                     has to refuse you. The next request for you can go {}. Nothing was lost.",
                    crate::clock::when_next(*retry_after)
                ),
            )
        },
        GraphError::Unavailable { status, retry_after } => Problem {
            retry_after: *retry_after,
            ..page(
                "Microsoft Graph is unavailable",
                "Microsoft Graph did not answer properly. This is usually brief: try again in a moment.",
            )
            .detail(format!("Graph answered HTTP {status}"))
        },
        GraphError::GateUnavailable(_) => page(
            "graphnote is temporarily unavailable",
            "graphnote cannot reach its session storage, which keeps count of your OneNote requests. Nothing was lost; try again in a moment.",
        ),
        GraphError::Forbidden { code, .. } => page(
            "Access denied by Microsoft Graph",
            "Your account or your organisation does not allow graphnote to read this.",
        )
        .detail(format!("Graph error {code}")),
        GraphError::Unauthorized { code, .. } => page(
            "Microsoft Graph did not accept your sign-in",
            "Sign out and sign in again.",
        )
        .detail(format!("Graph error {code}"))
        .action("/logout", "Sign out"),
        _ if status == StatusCode::NOT_FOUND => page(
            "Not found",
            "Microsoft Graph has no such item for your account. It may have been deleted or moved.",
        )
        .action("/onenote", "Your notebooks"),
        other => page(
            "Microsoft Graph failed",
            "graphnote could not get an answer from Microsoft Graph. Try again in a moment.",
        )
        .detail(other.to_string()),
    }
}
