//! Per-request context available anywhere while a request is handled (error pages need the
//! request id and the path prefix without every handler passing them along).

use std::sync::Arc;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::forwarded::ProxyPolicy;

/// What every part of handling a request may need to know.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub prefix: String,
    /// The base URL the client reached the app at (see [`crate::forwarded`]).
    pub public_base: String,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// The context of the request being handled, if any.
pub fn current() -> Option<RequestContext> {
    CONTEXT.try_with(|c| c.clone()).ok()
}

/// Middleware: runs the rest of the request inside its context. The request id comes from
/// `x-request-id`, set by tower-http's request-id layer just before; the origin from the proxy
/// policy.
pub async fn scope(policy: Arc<ProxyPolicy>, request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let origin = policy.origin(crate::server::peer(&request), request.headers());
    if let Some(ip) = origin.client_ip {
        tracing::Span::current().record("client_ip", tracing::field::display(ip));
    }
    let context = RequestContext {
        request_id,
        prefix: policy.public_url.path().trim_end_matches('/').to_string(),
        public_base: origin.public_base,
    };
    CONTEXT.scope(context, next.run(request)).await
}

/// The base URL of the current request (`PUBLIC_URL` unless a trusted proxy said otherwise).
pub fn public_base(fallback: &str) -> String {
    current()
        .map(|c| c.public_base)
        .unwrap_or_else(|| fallback.to_string())
}
