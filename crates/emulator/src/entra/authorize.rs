//! `/{tenant}/oauth2/v2.0/authorize`, and what happens once the user is known (second factor,
//! consent, the code); the forms themselves are in [`super::forms`].
//!
//! Validation follows Entra's order: problems with the tenant, the client or the redirect URI are
//! shown on the emulator's own error page (the redirect target cannot be trusted); everything
//! after that goes back to the client as an error redirect carrying `state`. A browser that
//! signed in before (the emulator's session cookie) is not asked for its password again unless
//! `prompt=login`; scopes the user has not granted to the client bring up the consent form.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use url::Url;

use super::error::EntraError;
use super::grants::{AuthCode, AuthorizeRequest, BrowserSession, PkceChallenge, ResponseMode};
use super::params::{BrowserParams, Params};
use super::redirect::found;
use super::scopes::{ScopeSet, needs_admin_consent};
use super::second_factor;
use super::tokens::client_info;
use crate::clock::unix_now;
use crate::directory::{Authority, User};
use crate::pages::{self, ConsentPage, FormPostPage, SignInPage, describe_scope};
use crate::request_log::LogDetail;
use crate::seed::ClientSeed;
use crate::state::SharedEmulator;

/// The emulator's single-sign-on cookie.
pub const SESSION_COOKIE: &str = "emulator_session";

/// How long a sign-in form stays usable (Entra's flow token lasts about this long).
pub(super) const PENDING_LIFETIME_SECS: i64 = 30 * 60;

/// `GET|POST /{tenant}/oauth2/v2.0/authorize`
pub async fn authorize(
    State(emu): State<SharedEmulator>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    BrowserParams(params): BrowserParams,
) -> Response {
    let (client, request) = match validate(&emu, &tenant, &params) {
        Ok(Validated::Ok(client, request)) => (client, *request),
        Ok(Validated::Redirect(request, err)) => return error_redirect(&request, &err),
        Err(err) => return err.into_page(),
    };
    let session = session_cookie(&headers).and_then(|id| emu.grants.session(&id).map(|s| (id, s)));
    let prompt = request.prompt.clone();
    let prompt = prompt.as_deref();

    let usable_session = session.filter(|(_, s)| {
        let fresh_enough = request
            .max_age
            .is_none_or(|max| unix_now() - s.auth_time <= max);
        let admitted = emu
            .directory
            .user_by_id(s.user)
            .is_some_and(|u| authority_of(&emu, &request).admits(u.tenant_id));
        fresh_enough && admitted && prompt != Some("login")
    });

    match usable_session {
        Some((session_id, s)) => {
            let user = match emu.directory.user_by_id(s.user) {
                Some(user) => user,
                None => return error_redirect(&request, &EntraError::login_required()),
            };
            let ticket = emu.grants.add_pending(request, Some(session_id.clone()));
            emu.grants.update_pending(&ticket, user.id(), session_id);
            after_sign_in(&emu, &client, &ticket, &user, prompt == Some("consent"))
        }
        None if prompt == Some("none") => error_redirect(&request, &EntraError::login_required()),
        None => {
            let login_hint = request.login_hint.clone().unwrap_or_default();
            let authority = request.authority.clone();
            let ticket = emu.grants.add_pending(request, None);
            pages::render(&SignInPage {
                app_name: &client.display_name,
                action: format!("/{authority}/login"),
                ticket: &ticket,
                username: &login_hint,
                error: None,
            })
        }
    }
}

/// After the user is known: ask for a second factor or consent if needed, else issue the code.
pub(super) fn after_sign_in(
    emu: &SharedEmulator,
    client: &ClientSeed,
    ticket: &str,
    user: &User,
    force_consent: bool,
) -> Response {
    let Some(pending) = emu.grants.pending(ticket) else {
        return sign_in_expired();
    };
    if second_factor::needed(emu, &pending).is_some() {
        return second_factor::page(client, user, &pending.request.authority, ticket, None);
    }
    let request = &pending.request;
    let wanted = requested_permissions(client, &request.scopes);
    let granted = emu.grants.consented(user.id(), &client.client_id);
    let admin_granted: BTreeSet<&str> = client
        .admin_consented_scopes
        .iter()
        .map(String::as_str)
        .collect();
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|s| force_consent || (!granted.contains(*s) && !admin_granted.contains(s)))
        .collect();

    let tenant = emu.directory.tenant_by_id(user.tenant_id);
    let admin_only = |s: &str| {
        needs_admin_consent(s) || tenant.as_ref().is_some_and(|t| t.needs_admin_approval(s))
    };
    if missing
        .iter()
        .any(|s| admin_only(s) && !admin_granted.contains(s))
    {
        emu.grants.take_pending(ticket);
        return error_redirect(request, &EntraError::admin_consent_required());
    }
    if !missing.is_empty() {
        if request.prompt.as_deref() == Some("none") {
            emu.grants.take_pending(ticket);
            return error_redirect(request, &EntraError::consent_required(&client.client_id));
        }
        return pages::render(&ConsentPage {
            app_name: &client.display_name,
            user: user.upn(),
            action: format!("/{}/consent", request.authority),
            ticket,
            scopes: missing
                .iter()
                .map(|s| (s.to_string(), describe_scope(s)))
                .collect(),
        });
    }
    let Some(pending) = emu.grants.take_pending(ticket) else {
        return sign_in_expired();
    };
    let session_id = pending.browser_session.unwrap_or_default();
    match emu.grants.session(&session_id) {
        Some(session) => issue_code(emu, pending.request, &session_id, &session),
        None => sign_in_expired(),
    }
}

/// What consent is needed for: named scopes, or the app's registered permissions for `.default`.
fn requested_permissions(client: &ClientSeed, scopes: &ScopeSet) -> BTreeSet<&'static str> {
    let mut wanted = scopes.consentable();
    if scopes.is_default() {
        // A delegated `.default` asks for what the app registration lists; the demo app lists
        // the same names a user can consent to, plus `User.Read`.
        wanted.insert("User.Read");
        for name in &client.admin_consented_scopes {
            if let Some(canonical) = super::scopes::graph_permission(name) {
                wanted.insert(canonical);
            }
        }
    }
    wanted
}

pub(super) fn issue_code(
    emu: &SharedEmulator,
    request: AuthorizeRequest,
    session_id: &str,
    session: &BrowserSession,
) -> Response {
    let lifetime = emu.settings.lifetimes().code as i64;
    let user = emu.directory.user_by_id(session.user);
    let code = emu.grants.issue_code(AuthCode {
        request: request.clone(),
        user: session.user,
        sid: session.sid,
        auth_time: session.auth_time,
        expires_at: unix_now() + lifetime,
        redeemed: false,
        satisfied_acrs: session.satisfied_acrs.clone(),
    });
    emu.grants
        .note_client_in_session(session_id, &request.client_id);
    let mut params = vec![("code".to_string(), code)];
    if request.client_info
        && let Some(user) = &user
    {
        params.push(("client_info".into(), client_info(user)));
    }
    if let Some(state) = &request.state {
        params.push(("state".into(), state.clone()));
    }
    params.push(("session_state".into(), session.sid.to_string()));
    let mut response = deliver(&request, &params);
    response.extensions_mut().insert(LogDetail {
        user: user.map(|u| u.upn().to_string()),
        client_id: Some(request.client_id.clone()),
        grant_type: None,
        claims: Vec::new(),
    });
    response
}

/// Sends parameters back to the client the way `response_mode` says.
fn deliver(request: &AuthorizeRequest, params: &[(String, String)]) -> Response {
    match request.response_mode {
        ResponseMode::FormPost => pages::render(&FormPostPage {
            action: &request.redirect_uri,
            fields: params,
        }),
        mode => {
            let encoded = serde_urlencoded::to_string(params).unwrap_or_default();
            let mut target = request.redirect_uri.clone();
            if mode == ResponseMode::Fragment {
                target.push('#');
            } else {
                target.push(if target.contains('?') { '&' } else { '?' });
            }
            target.push_str(&encoded);
            found(&target)
        }
    }
}

/// An error sent back to the client (state last, as Entra does).
pub(super) fn error_redirect(request: &AuthorizeRequest, err: &EntraError) -> Response {
    let mut params = err.redirect_params();
    if let Some(state) = &request.state {
        params.push(("state".into(), state.clone()));
    }
    deliver(request, &params)
}

pub(super) fn sign_in_expired() -> Response {
    EntraError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        50089,
        "Authentication failed due to flow token expired. Go back to the application and sign in again.",
    )
    .into_page()
}

/// The outcome of checking an authorize request.
enum Validated {
    Ok(std::sync::Arc<ClientSeed>, Box<AuthorizeRequest>),
    /// The client and redirect URI are trustworthy, so the error goes back to the client.
    Redirect(Box<AuthorizeRequest>, EntraError),
}

fn validate(emu: &SharedEmulator, tenant: &str, params: &Params) -> Result<Validated, EntraError> {
    params.reject_duplicates()?;
    if emu.directory.authority(tenant).is_none() {
        return Err(EntraError::unknown_tenant(tenant));
    }
    let client_id = params.require("client_id")?;
    let client = emu
        .directory
        .client(client_id)
        .ok_or_else(|| EntraError::unknown_client(client_id))?;
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) => uri.to_string(),
        None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
        None => return Err(EntraError::missing_parameter("redirect_uri")),
    };
    let redirect =
        Url::parse(&redirect_uri).map_err(|_| EntraError::redirect_uri_mismatch(client_id))?;
    if redirect.scheme() == "http" && !is_loopback(&redirect) {
        return Err(EntraError::insecure_redirect_uri());
    }
    if !redirect_uri_registered(&client, &redirect) {
        return Err(EntraError::redirect_uri_mismatch(client_id));
    }

    // From here on errors are redirected, so build the request first.
    let mut request = AuthorizeRequest {
        authority: tenant.to_string(),
        client_id: client.client_id.clone(),
        redirect_uri: redirect.to_string(),
        response_mode: ResponseMode::Query,
        scopes: ScopeSet::default(),
        state: params.get("state").map(str::to_string),
        nonce: params.get("nonce").map(str::to_string),
        pkce: None,
        prompt: params.get("prompt").map(str::to_string),
        login_hint: params.get("login_hint").map(str::to_string),
        max_age: None,
        claims: params.get("claims").map(str::to_string),
        client_info: params.get("client_info") == Some("1"),
    };
    let redirect_err = |request: AuthorizeRequest, err: EntraError| {
        Ok(Validated::Redirect(Box::new(request), err))
    };
    match params.get("response_mode") {
        None | Some("query") => {}
        Some("fragment") => request.response_mode = ResponseMode::Fragment,
        Some("form_post") => request.response_mode = ResponseMode::FormPost,
        Some(other) => return redirect_err(request, EntraError::unsupported_response_mode(other)),
    }
    match params.get("response_type") {
        Some("code") => {}
        Some(other) => return redirect_err(request, EntraError::unsupported_response_type(other)),
        None => return redirect_err(request, EntraError::missing_parameter("response_type")),
    }
    match params.get("scope").map(ScopeSet::parse) {
        Some(Ok(scopes)) => request.scopes = scopes,
        Some(Err(err)) => return redirect_err(request, err),
        None => return redirect_err(request, EntraError::missing_parameter("scope")),
    }
    if let Some(challenge) = params.get("code_challenge") {
        let s256 = match params.get("code_challenge_method") {
            Some("S256") => true,
            None | Some("plain") => false,
            Some(_) => return redirect_err(request, EntraError::invalid_pkce_method()),
        };
        let valid_len = if s256 {
            challenge.len() == 43
        } else {
            (43..=128).contains(&challenge.len())
        };
        if !valid_len {
            return redirect_err(request, EntraError::invalid_pkce_method());
        }
        request.pkce = Some(PkceChallenge {
            challenge: challenge.to_string(),
            s256,
        });
    }
    if let Some(prompt) = &request.prompt
        && !["login", "none", "consent", "select_account", "create"].contains(&prompt.as_str())
    {
        let err = EntraError::malformed_request(
            "prompt must be login, none, consent, select_account or create",
        );
        return redirect_err(request, err);
    }
    if let Some(max_age) = params.get("max_age") {
        match max_age.parse::<i64>() {
            Ok(v) if v >= 0 => request.max_age = Some(v),
            _ => {
                let err = EntraError::malformed_request("max_age must be a number of seconds");
                return redirect_err(request, err);
            }
        }
    }
    Ok(Validated::Ok(client, Box::new(request)))
}

pub(super) fn authority_of(emu: &SharedEmulator, request: &AuthorizeRequest) -> Authority {
    emu.directory
        .authority(&request.authority)
        .unwrap_or(Authority::Common)
}

/// Loopback hosts: any port matches (Entra's rule for native and local development apps).
fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// Exact match on scheme, host, path and query; the port too, except on loopback.
pub fn redirect_uri_registered(client: &ClientSeed, wanted: &Url) -> bool {
    client.redirect_uris.iter().any(|registered| {
        let Ok(registered) = Url::parse(registered) else {
            return false;
        };
        registered.scheme() == wanted.scheme()
            && registered.host_str() == wanted.host_str()
            && registered.path() == wanted.path()
            && registered.query() == wanted.query()
            && (is_loopback(wanted)
                || registered.port_or_known_default() == wanted.port_or_known_default())
    })
}

/// Reads the emulator's session cookie.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}
