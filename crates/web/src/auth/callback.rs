//! The redirect URI (`REDIRECT_PATH`, `/getAToken` by default), for `response_mode=query` (GET)
//! and `form_post` (POST). It matches `state` to a sign-in this browser started, redeems the
//! code, validates the ID token, gives the session a new id and stores the sealed token cache.
//!
//! `form_post` meets SameSite: the provider's cross-site POST arrives without the `Lax` session
//! cookie. Such a POST gets a page that posts the same fields again from the app's own origin
//! (automatically with JavaScript, with a button without), and that same-site POST carries the
//! cookie. The code never appears in a URL.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use identity::IdentityClient;
use serde::Deserialize;

use crate::clock::now;
use crate::config::Config;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::exports::Exports;
use crate::extract::{AppForm, AppQuery, MaybeSession};
use crate::pages::{ContinueSignInPage, Layout, render};
use crate::session::{Session, Sessions, UserSummary};

/// What the provider sends back.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    error_subcode: Option<String>,
    session_state: Option<String>,
    client_info: Option<String>,
    /// Set by our own re-post page (form_post without the cookie).
    resubmitted: Option<String>,
}

pub async fn callback_get(
    State(identity): State<Arc<IdentityClient>>,
    State(sessions): State<Arc<Sessions>>,
    State(exports): State<Exports>,
    ctx: RequestContext,
    MaybeSession(session): MaybeSession,
    AppQuery(params): AppQuery<CallbackParams>,
) -> Result<Response, AppError> {
    finish(&identity, &sessions, &exports, &ctx, session, params)
        .await
        .inspect_err(|_| crate::metrics::sign_in("failure"))
}

pub async fn callback_post(
    State(config): State<Arc<Config>>,
    State(identity): State<Arc<IdentityClient>>,
    State(sessions): State<Arc<Sessions>>,
    State(exports): State<Exports>,
    ctx: RequestContext,
    MaybeSession(session): MaybeSession,
    AppForm(params): AppForm<CallbackParams>,
) -> Result<Response, AppError> {
    if session.is_none() && params.resubmitted.is_none() {
        return Ok(repost_page(&ctx, &config.redirect_path, &params));
    }
    finish(&identity, &sessions, &exports, &ctx, session, params)
        .await
        .inspect_err(|_| crate::metrics::sign_in("failure"))
}

fn repost_page(ctx: &RequestContext, redirect_path: &str, params: &CallbackParams) -> Response {
    let mut fields = Vec::new();
    let pairs = [
        ("code", &params.code),
        ("state", &params.state),
        ("error", &params.error),
        ("error_description", &params.error_description),
        ("error_subcode", &params.error_subcode),
        ("session_state", &params.session_state),
        ("client_info", &params.client_info),
    ];
    for (name, value) in pairs {
        if let Some(v) = value {
            fields.push((name.to_string(), v.clone()));
        }
    }
    render(
        &ContinueSignInPage {
            layout: Layout::new(ctx, None),
            action: ctx.path(redirect_path),
            fields,
        },
        StatusCode::OK,
    )
}

async fn finish(
    identity: &IdentityClient,
    sessions: &Sessions,
    exports: &Exports,
    ctx: &RequestContext,
    session: Option<Session>,
    params: CallbackParams,
) -> Result<Response, AppError> {
    let now = now();
    let Some(mut session) = session else {
        return Err(AppError::SignInExpired);
    };
    let state = params.state.as_deref().ok_or(AppError::SignInExpired)?;
    // The pending sign-in is used up whatever happens next, so the answer cannot be replayed
    // (two answers racing: only the one whose write lands finds it).
    let pending = sessions
        .update(&mut session, now, |s| {
            s.take_pending(state, now).ok_or(AppError::SignInExpired)
        })
        .await?;

    if let Some(error) = params.error {
        // Someone already signed in who declines more permissions keeps the app's navigation.
        if let Some(user) = session.user() {
            let _ = ctx.signed_in.set(user.clone());
        }
        return Err(provider_error(
            ProviderAnswer {
                error: &error,
                description: params.error_description.as_deref(),
                subcode: params.error_subcode.as_deref(),
            },
            session.user().is_some(),
            &pending.next,
        ));
    }
    let code = params.code.ok_or_else(|| {
        AppError::BadRequest("the sign-in answer has neither a code nor an error".into())
    })?;
    let (cache, _claims) = identity
        .complete_sign_in(&pending.sign_in, &code, now)
        .await?;

    let account = &cache.account;
    let record = session.record_mut();
    record.user = Some(UserSummary {
        home_account_id: account.home_account_id.clone(),
        name: account.display_name().to_string(),
        username: account.username.clone(),
        tenant_id: account.tid.clone(),
    });
    record.sid = account.sid.clone();
    record.signed_in_at = Some(now);
    // Exports waiting for this account go on with this sign-in.
    exports.signed_in(&account.home_account_id, &cache).await;
    // So do the apps connected through the MCP server.
    crate::mcp::connections::signed_in(exports, &account.home_account_id, &cache).await;
    session.secrets_mut().token_cache = Some(cache);
    // A new id at sign-in: an id planted or seen before sign-in is worthless now.
    sessions.rotate(&mut session, now).await?;
    tracing::info!("user signed in");
    crate::metrics::sign_in("success");

    let mut response = Redirect::to(&ctx.path(&pending.next)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, sessions.cookie.set(session.id()));
    Ok(response)
}

/// The error the provider put on the redirect.
struct ProviderAnswer<'a> {
    error: &'a str,
    description: Option<&'a str>,
    subcode: Option<&'a str>,
}

/// Maps an error the provider put on the redirect to the page that explains it, for a user
/// who is (`signed_in`) or is not signed in yet, coming from `next`.
fn provider_error(answer: ProviderAnswer<'_>, signed_in: bool, next: &str) -> AppError {
    let ProviderAnswer {
        error,
        description,
        subcode,
    } = answer;
    let description = description.unwrap_or("");
    let code = description
        .strip_prefix("AADSTS")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse::<u32>().ok());
    match (error, code) {
        (_, Some(90094 | 900941 | 90099)) => AppError::AdminConsentRequired,
        ("access_denied", Some(65004)) => AppError::ConsentDenied {
            signed_in,
            next: next.to_string(),
        },
        ("access_denied", _) if subcode == Some("cancel") => AppError::SignInCancelled,
        _ => AppError::ProviderError {
            error: error.chars().filter(|c| !c.is_control()).take(64).collect(),
            summary: description
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect(),
        },
    }
}
