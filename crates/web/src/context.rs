//! What every part of handling a request may need to know about it: its id (for logs and error
//! pages), the app's path prefix (for links) and the base URL the client reached the app at (for
//! redirect URIs; see [`crate::forwarded`]). [`record`] works it out once per request and puts it
//! in the request's extensions; handlers take it as an extractor.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::forwarded::ProxyPolicy;
use crate::session::UserSummary;

/// The header that carries a request's id, in and out. A `HeaderName` made once: looking a
/// header up by a string parses the name on every call.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, the app's path prefix and the base URL the client reached the app at.
/// Cheap to clone (shared text): the error-page layer and most handlers each take a copy.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: Arc<str>,
    /// "" or e.g. "/app".
    pub prefix: Arc<str>,
    /// `scheme://host[:port]` + prefix, no trailing slash.
    pub public_base: Arc<str>,
    /// The client's address, as the proxy policy works it out (`None` for a request that came
    /// through no socket, as in tests that call the router directly).
    pub client_ip: Option<std::net::IpAddr>,
    /// Who the request was made by, once [`crate::extract::SignedIn`] has found out: shared
    /// with the error-page layer's copy, so a page that failed still shows its navigation.
    pub signed_in: Arc<OnceLock<UserSummary>>,
    /// Whether the MCP server is served (`MCP=on`): the header then links to the connected
    /// apps.
    pub mcp: bool,
}

impl RequestContext {
    /// An app-relative path (`/onenote`) as the browser must see it (`/app/onenote`).
    pub fn path(&self, app_path: &str) -> String {
        format!("{}{app_path}", self.prefix)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = Infallible;

    /// The context [`record`] recorded. Every route runs behind the app's layers, which call
    /// it; should a request ever arrive without it, it gets the context of an app at the root with no request id,
    /// which is what [`record`] would give a request without headers.
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
            client_ip: None,
            signed_in: Arc::default(),
            mcp: false,
        })
}

/// Records the request's context in its extensions (a step of the app's layers, before any
/// route). The request id comes from `x-request-id`, set by tower-http's request-id layer just
/// before; the origin from the proxy policy.
pub fn record(policy: &ProxyPolicy, mcp: bool, mut request: Request) -> Request {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .into();
    let origin = policy.origin(crate::server::peer(&request), request.headers());
    let context = RequestContext {
        request_id,
        prefix: policy.prefix().clone(),
        public_base: origin.public_base,
        client_ip: origin.client_ip,
        signed_in: Arc::default(),
        mcp,
    };
    request.extensions_mut().insert(context);
    request
}

/// Request ids for tower-http's request-id layer: random (v4) UUIDs, as its `MakeRequestUuid`
/// makes them, but written straight into the header value rather than through a `String`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeRandomRequestId;

impl MakeRequestId for MakeRandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        let id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut text);
        HeaderValue::from_str(id).ok().map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_fresh_random_uuids() {
        let request = Request::new(());
        let mut make = MakeRandomRequestId;
        let mut id = || {
            let id = make.make_request_id(&request).unwrap();
            id.header_value().to_str().unwrap().to_string()
        };
        let (first, second) = (id(), id());
        assert_ne!(first, second);
        for text in [first, second] {
            let parsed = uuid::Uuid::parse_str(&text).unwrap();
            assert_eq!(parsed.get_version(), Some(uuid::Version::Random));
            assert_eq!(
                text,
                parsed.hyphenated().to_string(),
                "lower-case, hyphenated"
            );
        }
    }
}
