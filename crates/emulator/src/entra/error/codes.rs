//! Every error the emulator's Entra endpoints answer, one constructor each, with Entra's `error`,
//! AADSTS code and wording (docs/protocol.md §4.3, §5.4, §5.5).

use axum::http::StatusCode;

use super::{EntraError, display_safe};

impl EntraError {
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

    /// The user cancelled the second factor of a step-up sign-in.
    pub fn second_factor_cancelled() -> Self {
        Self::bad_request(
            "access_denied",
            500121,
            "Authentication failed during strong authentication request.",
        )
        .with_suberror("cancel")
    }

    /// A token request asks for an authentication context the sign-in behind it did not pass a
    /// second factor for: the user must sign in interactively.
    pub fn multi_factor_required() -> Self {
        Self::bad_request(
            "interaction_required",
            50076,
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
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
}
