//! The forms behind the authorize endpoint: sign-in (username and password), the second factor
//! (step-up) and consent. Each continues the authorize request it carries a ticket for.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::authorize::{
    PENDING_LIFETIME_SECS, SESSION_COOKIE, after_sign_in, authority_of, error_redirect, issue_code,
    sign_in_expired,
};
use super::compare::constant_time_eq;
use super::error::EntraError;
use super::params::Params;
use super::second_factor;
use crate::clock::unix_now;
use crate::pages::{self, SignInPage};
use crate::state::SharedEmulator;

/// `POST /{tenant}/login`: the sign-in form.
pub async fn sign_in(
    State(emu): State<SharedEmulator>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return EntraError::body_too_large().into_page();
    };
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let Some(pending) = form.get("ticket").and_then(|t| emu.grants.pending(t)) else {
        return sign_in_expired();
    };
    if unix_now() - pending.created > PENDING_LIFETIME_SECS {
        return sign_in_expired();
    }
    let ticket = form.get("ticket").unwrap_or_default().to_string();
    let username = form.get("username").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    let client = match emu.directory.client(&pending.request.client_id) {
        Some(c) => c,
        None => return EntraError::unknown_client(&pending.request.client_id).into_page(),
    };
    let retry = |message: String| {
        let mut response = pages::render(&SignInPage {
            app_name: &client.display_name,
            action: format!("/{}/login", pending.request.authority),
            ticket: &ticket,
            username,
            error: Some(message),
        });
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        response
    };
    let Some(user) = emu.directory.user(username) else {
        return retry(
            "AADSTS50034: This username may be incorrect. Make sure you typed it correctly.".into(),
        );
    };
    if !constant_time_eq(user.profile.password.as_bytes(), password.as_bytes()) {
        return retry("AADSTS50126: Your account or password is incorrect.".into());
    }
    if !authority_of(&emu, &pending.request).admits(user.tenant_id) {
        let err = EntraError::user_not_in_tenant(user.upn());
        return retry(format!("AADSTS{}: {}", err.code, err.message));
    }
    let (session_id, _) = emu.grants.start_session(user.id());
    emu.grants
        .update_pending(&ticket, user.id(), session_id.clone());
    let force_consent = pending.request.prompt.as_deref() == Some("consent");
    let mut response = after_sign_in(&emu, &client, &ticket, &user, force_consent);
    let secure = emu.base_url.starts_with("https://");
    let cookie = if secure {
        format!("{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; Secure; SameSite=None")
    } else {
        format!("{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax")
    };
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `POST /{tenant}/consent`: the consent form.
pub async fn consent(
    State(emu): State<SharedEmulator>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return EntraError::body_too_large().into_page();
    };
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let ticket = form.get("ticket").unwrap_or_default().to_string();
    let Some(pending) = emu.grants.pending(&ticket) else {
        return sign_in_expired();
    };
    let (Some(user_id), Some(session_id)) = (pending.user, pending.browser_session.clone()) else {
        return sign_in_expired();
    };
    match form.get("consent") {
        Some("accept") => {
            emu.grants.take_pending(&ticket);
            let request = pending.request;
            emu.grants
                .grant_consent(user_id, &request.client_id, request.scopes.consentable());
            let Some(session) = emu.grants.session(&session_id) else {
                return sign_in_expired();
            };
            issue_code(&emu, request, &session_id, &session)
        }
        Some("deny") => {
            emu.grants.take_pending(&ticket);
            error_redirect(&pending.request, &EntraError::consent_declined())
        }
        _ => EntraError::missing_parameter("consent").into_page(),
    }
}

/// `POST /{tenant}/second-factor`: the second factor of a step-up sign-in. Any six digits
/// pass (this is an emulator); cancelling ends the sign-in with `access_denied`.
pub async fn second_factor(
    State(emu): State<SharedEmulator>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return EntraError::body_too_large().into_page();
    };
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let ticket = form.get("ticket").unwrap_or_default().to_string();
    let Some(pending) = emu.grants.pending(&ticket) else {
        return sign_in_expired();
    };
    let (Some(user_id), Some(session_id)) = (pending.user, pending.browser_session.clone()) else {
        return sign_in_expired();
    };
    let (Some(user), Some(client)) = (
        emu.directory.user_by_id(user_id),
        emu.directory.client(&pending.request.client_id),
    ) else {
        return sign_in_expired();
    };
    let Some(acrs) = second_factor::needed(&emu, &pending) else {
        // Nothing (more) to verify: carry on.
        return after_sign_in(&emu, &client, &ticket, &user, false);
    };
    match form.get("second_factor") {
        Some("verify") => {
            let code = form.get("otc").unwrap_or_default().trim();
            if !second_factor::acceptable(code) {
                let mut response = second_factor::page(
                    &client,
                    &user,
                    &pending.request.authority,
                    &ticket,
                    Some("AADSTS50181: That code is not right. Enter the six digits."),
                );
                *response.status_mut() = StatusCode::UNAUTHORIZED;
                return response;
            }
            emu.grants.satisfy_acrs(&session_id, &acrs);
            let force_consent = pending.request.prompt.as_deref() == Some("consent");
            after_sign_in(&emu, &client, &ticket, &user, force_consent)
        }
        Some("cancel") => {
            emu.grants.take_pending(&ticket);
            error_redirect(&pending.request, &EntraError::second_factor_cancelled())
        }
        _ => EntraError::missing_parameter("second_factor").into_page(),
    }
}
