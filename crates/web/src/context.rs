//! What every part of handling a request may need to know about it: its id (for logs and error
//! pages), the app's path prefix (for links) and the base URL the client reached the app at (for
//! redirect URIs; see [`crate::forwarded`]). The [`layer`] middleware works it out once and puts
//! it in the request's extensions; handlers take it as an extractor.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use crate::forwarded::ProxyPolicy;

/// The request's id, the app's path prefix and the base URL the client reached the app at.
/// Cheap to clone (shared text): the error-page layer and most handlers each take a copy.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: Arc<str>,
    /// "" or e.g. "/app".
    pub prefix: Arc<str>,
    /// `scheme://host[:port]` + prefix, no trailing slash.
    pub public_base: Arc<str>,
}

impl RequestContext {
    /// An app-relative path (`/onenote`) as the browser must see it (`/app/onenote`).
    pub fn path(&self, app_path: &str) -> String {
        format!("{}{app_path}", self.prefix)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = Infallible;

    /// The context [`layer`] recorded. Every route runs behind that layer; should a request
    /// ever arrive without it, it gets the context of an app at the root with no request id,
    /// which is what the layer would give a request without headers.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(of(&parts.extensions))
    }
}

/// The context recorded in a request's (or a response's) extensions.
pub fn of(extensions: &axum::http::Extensions) -> RequestContext {
    extensions
        .get::<RequestContext>()
        .cloned()
        .unwrap_or_else(|| RequestContext {
            request_id: "-".into(),
            prefix: "".into(),
            public_base: "".into(),
        })
}

/// Middleware: records the request's context. The request id comes from `x-request-id`, set by
/// tower-http's request-id layer just before; the origin from the proxy policy.
pub async fn layer(policy: Arc<ProxyPolicy>, mut request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .into();
    let origin = policy.origin(crate::server::peer(&request), request.headers());
    if let Some(ip) = origin.client_ip {
        tracing::Span::current().record("client_ip", tracing::field::display(ip));
    }
    let context = RequestContext {
        request_id,
        prefix: policy.public_url.path().trim_end_matches('/').into(),
        public_base: origin.public_base.into(),
    };
    request.extensions_mut().insert(context);
    next.run(request).await
}
