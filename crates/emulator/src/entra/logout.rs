//! `GET|POST /{tenant}/oauth2/v2.0/logout`: ends the browser's session at the emulator, tells the
//! apps used in that session through their front-channel logout URLs (hidden iframes carrying
//! `sid` and `iss`, as Entra's sign-out page does), and returns to `post_logout_redirect_uri` only
//! when it is registered for the app, so the endpoint is never an open redirect.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;
use url::Url;

use super::authorize::{SESSION_COOKIE, redirect_uri_registered, session_cookie};
use super::error::EntraError;
use super::params::BrowserParams;
use super::redirect::found;
use crate::pages::{self, SignedOutPage};
use crate::state::SharedEmulator;

/// `GET|POST /{tenant}/oauth2/v2.0/logout`
pub async fn logout(
    State(emu): State<SharedEmulator>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    BrowserParams(params): BrowserParams,
) -> Response {
    if let Err(err) = params.reject_duplicates() {
        return err.into_page();
    }
    if emu.directory.authority(&tenant).is_none() {
        return EntraError::unknown_tenant(&tenant).into_page();
    }

    let session = session_cookie(&headers).and_then(|id| emu.grants.end_session(&id));
    if let Some(s) = &session {
        emu.grants.end_refresh_tokens_of_session(s.sid);
    }
    let user_tenant = session
        .as_ref()
        .and_then(|s| emu.directory.user_by_id(s.user))
        .map(|u| u.tenant_id);

    // Which apps may name the return address: the one in `client_id`, the audience of
    // `id_token_hint`, or the apps used in this browser session.
    let mut candidates: Vec<String> = Vec::new();
    if let Some(id) = params.get("client_id") {
        candidates.push(id.to_string());
    }
    if let Some(aud) = params
        .get("id_token_hint")
        .and_then(|t| hint_audience(&emu, t))
    {
        candidates.push(aud);
    }
    if let Some(s) = &session {
        candidates.extend(s.clients.iter().cloned());
    }

    let continue_to = params.get("post_logout_redirect_uri").and_then(|uri| {
        let url = Url::parse(uri).ok()?;
        let allowed = candidates
            .iter()
            .filter_map(|id| emu.directory.client(id))
            .any(|client| redirect_uri_registered(&client, &url));
        allowed.then(|| {
            let mut url = url;
            if let Some(state) = params.get("state") {
                url.query_pairs_mut().append_pair("state", state);
            }
            url.to_string()
        })
    });

    let front_channel: Vec<String> = match (&session, user_tenant) {
        (Some(s), Some(tid)) => s
            .clients
            .iter()
            .filter_map(|id| emu.directory.client(id))
            .filter_map(|client| client.front_channel_logout_url.clone())
            .filter_map(|url| {
                let mut url = Url::parse(&url).ok()?;
                url.query_pairs_mut()
                    .append_pair("sid", &s.sid.to_string())
                    .append_pair("iss", &emu.issuer_for(tid));
                Some(url.to_string())
            })
            .collect(),
        _ => vec![],
    };

    let mut response = match (&continue_to, front_channel.is_empty()) {
        (Some(target), true) => found(target),
        _ => pages::render(&SignedOutPage {
            front_channel,
            continue_to,
        }),
    };
    let expired = format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly");
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The `aud` of an ID token the emulator signed (expired ones count: the hint is often old).
fn hint_audience(emu: &SharedEmulator, token: &str) -> Option<String> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    let key = emu.keys.find(header.kid.as_deref()?)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.set_required_spec_claims::<&str>(&[]);
    let data = jsonwebtoken::decode::<Value>(token, &key.decoding, &validation).ok()?;
    data.claims["aud"].as_str().map(str::to_string)
}
