//! Errors shaped as Microsoft Graph shapes them (docs/protocol.md §9.4, §10.8):
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
//! Directory-style calls use Graph's string codes (`InvalidAuthenticationToken`,
//! `Authorization_RequestDenied`, …); OneNote uses numeric codes written as strings (`"20102"`).
//! An error knows nothing of the request it answers: [`GraphError::render`] adds the request's
//! ids, so handlers can build errors anywhere and return them with `?`.

use std::borrow::Cow;

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::request::RequestIds;
use crate::entra::scopes::GRAPH_APP_ID;

/// The message OneNote sends with its 429s (docs/protocol.md §10.7).
pub const THROTTLED_MESSAGE: &str =
    "The app has issued too many requests on behalf of this user in a short time period.";

/// One Graph error: status, code, message and any headers it needs (`WWW-Authenticate`,
/// `Retry-After`, `Allow`).
#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    pub headers: Vec<(HeaderName, String)>,
}

impl GraphError {
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        GraphError {
            status,
            code: code.into(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// A OneNote error: the numeric code travels as a string.
    pub fn onenote(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self::new(status, code.to_string(), message)
    }

    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    // --- authentication (§9.4) ----------------------------------------------------------------

    /// 401 `InvalidAuthenticationToken` with the `WWW-Authenticate` challenge Graph sends.
    pub fn invalid_token(base_url: &str, message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
        .with_header(header::WWW_AUTHENTICATE, bearer_challenge(base_url))
    }

    /// 401 with a claims challenge (`error="insufficient_claims"`, the claims base64-encoded),
    /// as Graph answers under Continuous Access Evaluation and Conditional Access.
    pub fn claims_challenge(base_url: &str, claims: &serde_json::Value) -> Self {
        use base64::Engine;
        let challenge = format!(
            "{}, error=\"insufficient_claims\", claims=\"{}\"",
            bearer_challenge(base_url),
            base64::engine::general_purpose::STANDARD.encode(claims.to_string())
        );
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies",
        )
        .with_header(header::WWW_AUTHENTICATE, challenge)
    }

    // --- directory-style errors (/me, /users) --------------------------------------------------

    pub fn insufficient_privileges() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    pub fn me_needs_delegated_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        )
    }

    pub fn user_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// An unknown path under `/v1.0/`.
    pub fn segment_not_found(segment: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// A method the route does not support. Graph answers these with a `BadRequest`-coded 405;
    /// the emulator adds `Allow` so clients can see what would have worked.
    pub fn method_not_allowed(method: &str, allow: &'static str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest",
            format!("The HTTP method '{method}' is not allowed for this resource."),
        )
        .with_header(header::ALLOW, allow)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn image_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ImageNotFound",
            "Exception of type 'Microsoft.People.Image.Common.Exceptions.ImageNotFoundException' was thrown.",
        )
    }

    // --- OneNote (§10.8) -----------------------------------------------------------------------

    /// 40004 for an app-only token: OneNote stopped supporting them on 31 March 2025
    /// (docs/protocol.md §10.1).
    pub fn app_only_onenote() -> Self {
        Self::onenote(
            StatusCode::FORBIDDEN,
            40004,
            "The OneNote API no longer supports app-only authentication; use a delegated token.",
        )
    }

    /// 20102: the id names nothing the caller can see (including other users' entities).
    pub fn onenote_not_found() -> Self {
        Self::onenote(
            StatusCode::NOT_FOUND,
            20102,
            "The specified resource ID does not exist.",
        )
    }

    /// 20112: an id that cannot be a OneNote id at all.
    pub fn onenote_invalid_id(id: &str) -> Self {
        Self::onenote(
            StatusCode::BAD_REQUEST,
            20112,
            format!("The entity id '{id}' is not valid."),
        )
    }

    /// 20143: a malformed OData query, with what was wrong.
    pub fn invalid_odata(detail: impl std::fmt::Display) -> Self {
        Self::onenote(
            StatusCode::BAD_REQUEST,
            20143,
            format!("The OData query is invalid. {detail}"),
        )
    }

    /// 40004: the token lacks the scopes the OneNote call needs.
    pub fn onenote_missing_scope(base_url: &str, needed: &str) -> Self {
        Self::onenote(
            StatusCode::FORBIDDEN,
            40004,
            "The OAuth token doesn't have the required scopes to perform the requested action.",
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            format!(
                "{}, error=\"insufficient_scope\", scope=\"{needed}\"",
                bearer_challenge(base_url)
            ),
        )
    }

    /// 429 20166, without `Retry-After` (OneNote never sends one).
    pub fn throttled() -> Self {
        Self::onenote(StatusCode::TOO_MANY_REQUESTS, 20166, THROTTLED_MESSAGE)
    }

    /// 413 20008.
    pub fn too_large() -> Self {
        Self::onenote(
            StatusCode::PAYLOAD_TOO_LARGE,
            20008,
            "The size of the request is too large.",
        )
    }

    /// Renders the error for one request: JSON body with the request's ids and date.
    pub fn render(&self, ids: &RequestIds) -> Response {
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": ids.date,
                    "request-id": ids.request_id,
                    "client-request-id": ids.client_request_id,
                }
            }
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().append(name.clone(), value);
            }
        }
        response
    }
}

/// The `WWW-Authenticate` value of Graph's 401s, pointing at the emulator's own authority.
pub fn bearer_challenge(base_url: &str) -> String {
    format!(
        "Bearer realm=\"\", authorization_uri=\"{base_url}/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\""
    )
}
