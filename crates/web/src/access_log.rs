//! The access log: one line per request, made once when its response is ready, with what an
//! operator needs — method, route template, status, latency, request id and client IP.
//!
//! A request also gets a span holding only its id, so that whatever else is logged while it is
//! served names the request. The line itself is logged outside that span: its fields say all of
//! it once, and the formatter has no span context to walk. This replaces tower-http's
//! `TraceLayer`, whose span (id, method, path, client IP, each formatted when recorded) and
//! `finished processing request` event cost as much again as serving `/` (docs/benchmarks.md,
//! "Request logs"); the message is kept, so what operators search for still finds the lines.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::Span;
use tracing::instrument::Instrumented;

use crate::context::RequestContext;
use crate::metrics::Route;

/// Layer, after the request's context is recorded ([`crate::context::record`]): the request's
/// span, and its line when the response is ready.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessLogLayer;

impl<S> Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;

    fn layer(&self, inner: S) -> AccessLog<S> {
        AccessLog { inner }
    }
}

/// The service of [`AccessLogLayer`].
#[derive(Debug, Clone)]
pub struct AccessLog<S> {
    inner: S,
}

impl<S, RequestBody, ResponseBody> Service<Request<RequestBody>> for AccessLog<S>
where
    S: Service<Request<RequestBody>, Response = Response<ResponseBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Logged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        let context = request.extensions().get::<RequestContext>().cloned();
        let span = match &context {
            Some(context) => tracing::info_span!("request", request_id = %context.request_id),
            None => Span::none(),
        };
        let method = request.method().clone();
        let response = span.in_scope(|| self.inner.call(request)).instrument(span);
        Logged {
            response,
            method,
            context,
            started: Instant::now(),
        }
    }
}

pin_project! {
    /// A response on its way, with what its line needs.
    pub struct Logged<F> {
        #[pin]
        response: Instrumented<F>,
        method: Method,
        context: Option<RequestContext>,
        started: Instant,
    }
}

impl<F, B, E> Future for Logged<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let result = ready!(this.response.poll(cx));
        if let Ok(response) = &result {
            let route = response.extensions().get::<Route>().map_or("-", |r| r.0);
            let (request_id, client_ip) = match this.context {
                Some(context) => (&*context.request_id, context.client_ip),
                None => ("-", None),
            };
            tracing::info!(
                request_id = %request_id,
                method = %this.method,
                path = %route,
                status = response.status().as_u16(),
                latency = %Latency(this.started.elapsed()),
                client_ip = client_ip.map(tracing::field::display),
                "finished processing request"
            );
        }
        Poll::Ready(result)
    }
}

/// A request's latency as its line shows it: whole microseconds (`1234µs`), one unit for every
/// line, so a log collector compares them without parsing `Duration`'s mixed `1.2ms`/`850µs`,
/// and an integer to format instead of a float.
struct Latency(std::time::Duration);

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}µs", self.0.as_micros())
    }
}
