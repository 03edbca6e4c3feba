//! Errors shaped exactly as Entra ID shapes them (reference §4.3, §5.4, §5.5): an OAuth `error`,
//! an `AADSTSnnnn:` description with trace/correlation ids and a timestamp, `error_codes`, and
//! optional `suberror`/`claims`. The same value renders as token-endpoint JSON, as the query of an
//! error redirect, or as the emulator's own error page for errors that must not be redirected.

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

    pub fn missing_parameter(name: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    pub fn duplicated_parameter(name: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            9000411,
            format!("The request is not properly formatted. The parameter '{name}' is duplicated."),
        )
    }

    pub fn malformed_request(detail: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            90014,
            format!("The request is malformed: {detail}"),
        )
    }

    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            90015,
            "Requested query string or body is too long.",
        )
    }

    pub fn wrong_method(method: &str, allowed: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            900561,
            format!("The endpoint only accepts {allowed} requests. Received a {method} request."),
        )
    }

    pub fn unknown_tenant(tenant: &str) -> Self {
        Self::bad_request(
            "invalid_tenant",
            90002,
            format!(
                "Tenant '{}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
                display_safe(tenant)
            ),
        )
    }

    pub fn unknown_instance() -> Self {
        Self::bad_request("invalid_instance", 50049, "Unknown or invalid instance.")
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request",
            900561,
            "The requested endpoint does not exist.",
        )
    }

    // --- authorize ---------------------------------------------------------------------------

    pub fn unknown_client(client_id: &str) -> Self {
        Self::bad_request(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{}' was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
                display_safe(client_id)
            ),
        )
    }

    pub fn redirect_uri_mismatch(client_id: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            50011,
            format!(
                "The redirect URI specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
                display_safe(client_id)
            ),
        )
    }

    pub fn insecure_redirect_uri() -> Self {
        Self::bad_request(
            "invalid_request",
            500117,
            "The reply uri specified in the request isn't using a secure scheme.",
        )
    }

    pub fn unsupported_response_type(response_type: &str) -> Self {
        Self::bad_request(
            "unsupported_response_type",
            700054,
            format!(
                "response_type '{}' is not enabled for the application.",
                display_safe(response_type)
            ),
        )
    }

    pub fn unsupported_response_mode(mode: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            900000,
            format!(
                "The response_mode '{}' is not supported.",
                display_safe(mode)
            ),
        )
    }

    pub fn invalid_pkce_method() -> Self {
        Self::bad_request(
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter or invalid code_challenge_method.",
        )
    }

    pub fn invalid_scope(scope: &str) -> Self {
        Self::bad_request(
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {} is not valid.",
                display_safe(scope)
            ),
        )
    }

    pub fn login_required() -> Self {
        Self::bad_request(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        )
    }

    pub fn consent_required(client_id: &str) -> Self {
        Self::bad_request(
            "consent_required",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{}'. Send an interactive authorization request for this user and resource.",
                display_safe(client_id)
            ),
        )
    }

    pub fn consent_declined() -> Self {
        Self::bad_request(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        )
    }

    pub fn admin_consent_required() -> Self {
        Self::bad_request(
            "access_denied",
            90094,
            "The grant requires admin permission.",
        )
    }

    pub fn user_not_in_tenant(upn: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            50020,
            format!(
                "User account '{}' from identity provider does not exist in tenant and cannot access the application.",
                display_safe(upn)
            ),
        )
    }

    // --- token ---------------------------------------------------------------------------------

    pub fn invalid_client_secret(client_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                display_safe(client_id)
            ),
        )
    }

    pub fn missing_client_credential() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    }

    pub fn invalid_client_assertion(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            format!("Client assertion failed signature validation. {detail}"),
        )
    }

    pub fn unsupported_grant_type(grant: &str) -> Self {
        Self::bad_request(
            "unsupported_grant_type",
            70003,
            format!(
                "The app requested an unsupported grant type '{}'.",
                display_safe(grant)
            ),
        )
    }

    pub fn code_malformed() -> Self {
        Self::bad_request(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    }

    pub fn code_redeemed() -> Self {
        Self::bad_request(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        )
    }

    pub fn code_expired() -> Self {
        Self::bad_request(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        )
    }

    pub fn code_for_other_client() -> Self {
        Self::bad_request(
            "invalid_grant",
            70000,
            "The provided authorization code was issued to a different client.",
        )
    }

    pub fn pkce_mismatch() -> Self {
        Self::bad_request(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    }

    pub fn redirect_uri_changed() -> Self {
        Self::bad_request(
            "invalid_grant",
            70002,
            "The reply URL specified in the request does not match the reply URL provided when requesting the authorization code.",
        )
    }

    pub fn wrong_tenant_for_code() -> Self {
        Self::bad_request(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
        )
    }

    pub fn refresh_token_revoked() -> Self {
        Self::bad_request(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        )
        .with_suberror("bad_token")
    }

    pub fn refresh_token_expired() -> Self {
        Self::bad_request(
            "invalid_grant",
            700082,
            "The refresh token has expired due to inactivity.",
        )
        .with_suberror("bad_token")
    }

    pub fn refresh_token_malformed() -> Self {
        Self::bad_request(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid: the refresh token is not valid.",
        )
    }

    pub fn refresh_token_for_other_client() -> Self {
        Self::bad_request(
            "invalid_grant",
            700024,
            "The refresh token was issued to a different client.",
        )
        .with_suberror("client_mismatch")
    }

    pub fn scopes_not_consented(client_id: &str) -> Self {
        Self::bad_request(
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{}'. Send an interactive authorization request for this user and resource.",
                display_safe(client_id)
            ),
        )
        .with_suberror("consent_required")
    }

    pub fn claims_challenge_unmet(claims: String) -> Self {
        Self::bad_request(
            "interaction_required",
            50076,
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
        )
        .with_suberror("basic_action")
        .with_claims(claims)
    }

    pub fn no_user_for_client_credentials() -> Self {
        Self::bad_request(
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
        )
    }

    // --- rendering -----------------------------------------------------------------------------

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
        vec![
            ("error".into(), self.error.into()),
            ("error_description".into(), self.description()),
            ("error_uri".into(), self.error_uri()),
        ]
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
