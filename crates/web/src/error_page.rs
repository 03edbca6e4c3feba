//! Middleware that turns a failed request into what the person sees: the redirect that fixes it
//! ("sign in again", "consent needed"), or the page that says what happened and what to do,
//! with the request id and the app's path prefix. It is also where failures are logged, once,
//! with the chain of their causes (causes carry no secrets: see [`crate::error`]).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::context::{self, RequestContext};
use crate::error::{AppError, Chain, Failure, encode};
use crate::pages::{ErrorPage, Layout, render};
use crate::session::StoreError;

/// Layer: renders the responses that stand for an [`AppError`] (see [`respond`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorPageLayer;

impl<S> Layer<S> for ErrorPageLayer {
    type Service = ErrorPages<S>;

    fn layer(&self, inner: S) -> ErrorPages<S> {
        ErrorPages { inner }
    }
}

/// The service of [`ErrorPageLayer`].
#[derive(Debug, Clone)]
pub struct ErrorPages<S> {
    inner: S,
}

impl<S> Service<Request> for ErrorPages<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Finished<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The context goes with the request; a failure's page needs it afterwards.
        let ctx = context::of(request.extensions());
        Finished {
            inner: self.inner.call(request),
            ctx,
        }
    }
}

pin_project! {
    /// A response on its way, with the context its error page would need.
    pub struct Finished<F> {
        #[pin]
        inner: F,
        ctx: RequestContext,
    }
}

impl<F, E> Future for Finished<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        Poll::Ready(Ok(match response.extensions_mut().remove::<Failure>() {
            Some(Failure(error)) => {
                let mut page = respond(this.ctx, &error);
                // The access log names the route the failure came from.
                if let Some(route) = response.extensions_mut().remove::<crate::metrics::Route>() {
                    page.extensions_mut().insert(route);
                }
                page
            }
            None => response,
        }))
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
        layout: Layout::new(ctx, ctx.signed_in.get()),
        status,
        title: problem.title.to_string(),
        message: problem.message,
        detail: problem.detail,
        action: problem
            .action
            .map(|(path, label)| (ctx.path(&path), label.to_string())),
    };
    let mut response = render(&page, problem.status);
    if let Some(wait) = problem.retry_after
        && let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
