//! Per-request context available anywhere while a request is handled (error pages need the
//! request id and the path prefix without every handler passing them along).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// What every part of handling a request may need to know.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub prefix: String,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// The context of the request being handled, if any.
pub fn current() -> Option<RequestContext> {
    CONTEXT.try_with(|c| c.clone()).ok()
}

/// Middleware: runs the rest of the request inside its context. The request id comes from
/// `x-request-id`, set by tower-http's request-id layer just before.
pub async fn scope(prefix: String, request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    CONTEXT
        .scope(RequestContext { request_id, prefix }, next.run(request))
        .await
}
