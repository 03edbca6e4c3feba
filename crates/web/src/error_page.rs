//! Middleware that turns a failed request into what the person sees: the redirect that fixes it
//! ("sign in again", "consent needed"), or the page that says what happened and what to do,
//! with the request id and the app's path prefix. It is also where failures are logged, once,
//! with the chain of their causes (causes carry no secrets: see [`crate::error`]).

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::context::{self, RequestContext};
use crate::error::{AppError, Chain, Failure, encode};
use crate::pages::{ErrorPage, Layout, render};
use crate::session::StoreError;

/// Middleware: renders the responses that stand for an [`AppError`].
pub async fn finish(request: Request, next: Next) -> Response {
    let ctx = context::of(request.extensions());
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<Failure>() {
        Some(Failure(error)) => respond(&ctx, &error),
        None => response,
    }
}

/// The response for `error` in this request's context.
pub fn respond(ctx: &RequestContext, error: &AppError) -> Response {
    match error {
        AppError::Reauthenticate { next } => {
            return Redirect::to(&ctx.path(&format!("/login?next={}", encode(next))))
                .into_response();
        }
        AppError::Store(StoreError::SessionEnded) => {
            return Redirect::to(&ctx.path("/login")).into_response();
        }
        AppError::ConsentNeeded { next, feature } => {
            return Redirect::to(&ctx.path(&format!(
                "/login?next={}&consent={}",
                encode(next),
                feature.name()
            )))
            .into_response();
        }
        _ => {}
    }
    let problem = crate::problem::of(error);
    let status = problem.status.as_u16();
    if problem.status.is_server_error() {
        tracing::error!(error = %Chain(error), status, "request failed");
    } else {
        tracing::info!(error = %Chain(error), status, "request refused");
    }
    let page = ErrorPage {
        layout: Layout::new(ctx, None),
        status,
        title: problem.title.to_string(),
        message: problem.message,
        detail: problem.detail,
        action: problem
            .action
            .map(|(path, label)| (ctx.path(path), label.to_string())),
    };
    let mut response = render(&page, problem.status);
    if let Some(wait) = problem.retry_after
        && let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
