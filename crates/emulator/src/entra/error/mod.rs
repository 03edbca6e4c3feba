//! Errors shaped exactly as Entra ID shapes them (docs/protocol.md §4.3, §5.4, §5.5): an OAuth `error`,
//! an `AADSTSnnnn:` description with trace/correlation ids and a timestamp, `error_codes`, and
//! optional `suberror`/`claims`. The same value renders as token-endpoint JSON, as the query of an
//! error redirect, or as the emulator's own error page for errors that must not be redirected.

mod codes;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::clock::entra_timestamp;
use crate::pages;

/// One Entra error. Build it with the named constructors, which carry the real AADSTS codes.
/// Boxed, so the `Result`s that carry it stay small.
#[derive(Debug, Clone)]
pub struct EntraError(Box<Details>);

/// The parts of an [`EntraError`].
#[derive(Debug, Clone)]
pub struct Details {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
    pub suberror: Option<&'static str>,
    pub claims: Option<String>,
    pub correlation_id: String,
    pub trace_id: Uuid,
    pub at: OffsetDateTime,
}

impl std::ops::Deref for EntraError {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for EntraError {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

impl EntraError {
    pub fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        message: impl Into<String>,
    ) -> Self {
        EntraError(Box::new(Details {
            status,
            error,
            code,
            message: message.into(),
            suberror: None,
            claims: None,
            correlation_id: Uuid::new_v4().to_string(),
            trace_id: Uuid::new_v4(),
            at: OffsetDateTime::now_utc(),
        }))
    }

    fn bad_request(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, code, message)
    }

    pub fn with_suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    pub fn with_claims(mut self, claims: String) -> Self {
        self.claims = Some(claims);
        self
    }

    /// Entra echoes the caller's `client-request-id` as the correlation id.
    pub fn correlated(mut self, client_request_id: Option<&str>) -> Self {
        if let Some(id) = client_request_id.filter(|id| Uuid::parse_str(id).is_ok()) {
            self.correlation_id = id.to_string();
        }
        self
    }

    // --- request shape -------------------------------------------------------------------------
}

impl EntraError {
    /// `AADSTSnnnn: message` followed by the trace, correlation and timestamp lines.
    pub fn description(&self) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.code,
            self.message,
            self.trace_id,
            self.correlation(),
            entra_timestamp(self.at)
        )
    }

    fn correlation(&self) -> String {
        self.correlation_id.clone()
    }

    pub fn error_uri(&self) -> String {
        format!("https://login.microsoftonline.com/error?code={}", self.code)
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut body = json!({
            "error": self.error,
            "error_description": self.description(),
            "error_codes": [self.code],
            "timestamp": entra_timestamp(self.at),
            "trace_id": self.trace_id.to_string(),
            "correlation_id": self.correlation(),
            "error_uri": self.error_uri(),
        });
        if let Some(sub) = self.suberror {
            body["suberror"] = json!(sub);
        }
        if let Some(claims) = &self.claims {
            body["claims"] = json!(claims);
        }
        body
    }

    /// The parameters of an error redirect: `error`, `error_description`, `error_uri` (state is
    /// added by the caller, last, as Entra does).
    pub fn redirect_params(&self) -> Vec<(String, String)> {
        let mut params = vec![
            ("error".into(), self.error.into()),
            ("error_description".into(), self.description()),
            ("error_uri".into(), self.error_uri()),
        ];
        // A cancelled sign-in says so, as Entra does (`error_subcode=cancel`).
        if self.suberror == Some("cancel") {
            params.push(("error_subcode".into(), "cancel".into()));
        }
        params
    }

    /// The emulator's own error page, for errors Entra refuses to redirect (unknown client,
    /// unregistered redirect URI): the redirect target is not trusted.
    pub fn into_page(self) -> Response {
        let page = pages::ErrorPage {
            code: self.code,
            error: self.error,
            message: &self.message,
            trace_id: self.trace_id.to_string(),
            correlation_id: self.correlation(),
            timestamp: entra_timestamp(self.at),
        };
        (self.status, pages::render(&page)).into_response()
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.to_json())).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        response
    }
}

/// Echoed values go into messages; keep them short and printable so an attacker cannot use an
/// error message to carry a payload of any size.
fn display_safe(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    cleaned
}
