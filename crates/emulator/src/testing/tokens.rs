//! Access tokens minted the way a real client gets them: the auth-code flow with PKCE through
//! the emulator's sign-in and consent forms, or client credentials.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde_json::Value;

use super::browser::{FormBrowser, SignInOutcome};
use crate::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD};

/// A PKCE verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Pkce {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let verifier = URL_SAFE_NO_PAD.encode(raw);
        let challenge =
            URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// A token could not be had; says what the emulator answered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(String);

/// A delegated token request.
pub struct TokenRequest<'a> {
    /// `{base}/{tenant}`.
    pub authority: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_uri: &'a str,
    pub user: &'a str,
    pub password: &'a str,
    /// Resource scopes, space-separated (`openid profile offline_access` are added at
    /// authorize).
    pub scopes: &'a str,
    /// A `claims` parameter for the token request (claims challenges).
    pub claims: Option<&'a str>,
}

impl<'a> TokenRequest<'a> {
    /// The demo app asking for `user` (with the demo password) at `authority`.
    pub fn demo_app(authority: &'a str, user: &'a str, scopes: &'a str) -> TokenRequest<'a> {
        TokenRequest {
            authority,
            client_id: DEMO_CLIENT_ID,
            client_secret: DEMO_CLIENT_SECRET,
            redirect_uri: "http://localhost/getAToken",
            user,
            password: DEMO_PASSWORD,
            scopes,
            claims: None,
        }
    }
}

/// An access token through the auth-code flow: authorize (sign-in and consent forms, accepted),
/// then the code redeemed with its PKCE verifier.
pub async fn delegated(
    browser: &FormBrowser,
    request: &TokenRequest<'_>,
) -> Result<String, TokenError> {
    let answer = delegated_answer(browser, request).await?;
    access_token_of(&answer)
}

/// The token endpoint's whole answer (access, refresh and ID tokens) for the auth-code flow.
pub async fn delegated_answer(
    browser: &FormBrowser,
    request: &TokenRequest<'_>,
) -> Result<Value, TokenError> {
    let pkce = Pkce::new();
    let scope = format!("{} openid profile offline_access", request.scopes);
    let mut authorize = url::Url::parse(&format!("{}/oauth2/v2.0/authorize", request.authority))
        .map_err(|e| TokenError(format!("authority {:?}: {e}", request.authority)))?;
    authorize
        .query_pairs_mut()
        .append_pair("client_id", request.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", request.redirect_uri)
        .append_pair("scope", &scope)
        .append_pair("state", "s")
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    if let Some(claims) = request.claims {
        authorize.query_pairs_mut().append_pair("claims", claims);
    }
    let outcome = browser
        .sign_in(authorize.as_str(), request.user, request.password, true)
        .await;
    let code = match &outcome {
        SignInOutcome::Redirect(url) => url
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned()),
        _ => None,
    }
    .ok_or_else(|| TokenError(format!("the sign-in gave no code: {outcome:?}")))?;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", request.client_id),
        ("client_secret", request.client_secret),
        ("code", &code),
        ("redirect_uri", request.redirect_uri),
        ("code_verifier", &pkce.verifier),
        ("scope", &scope),
    ];
    if let Some(claims) = request.claims {
        form.push(("claims", claims));
    }
    token_endpoint(&browser.client, request.authority, &form)
        .await
        .and_then(|(status, answer)| {
            if status.is_success() {
                Ok(answer)
            } else {
                Err(TokenError(format!("HTTP {status}: {answer}")))
            }
        })
}

/// A refresh-token grant of the demo app; the status and the JSON answer, whatever they are.
pub async fn refresh(
    http: &reqwest::Client,
    authority: &str,
    refresh_token: &str,
    scopes: &str,
    claims: Option<&str>,
) -> Result<(reqwest::StatusCode, Value), TokenError> {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("refresh_token", refresh_token),
        ("scope", scopes),
    ];
    if let Some(claims) = claims {
        form.push(("claims", claims));
    }
    token_endpoint(http, authority, &form).await
}

/// An app-only token (client credentials) of the demo app for Graph.
pub async fn app_only(http: &reqwest::Client, authority: &str) -> Result<String, TokenError> {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    redeem(http, authority, &form).await
}

async fn redeem(
    http: &reqwest::Client,
    authority: &str,
    form: &[(&str, &str)],
) -> Result<String, TokenError> {
    let (_, answer) = token_endpoint(http, authority, form).await?;
    access_token_of(&answer)
}

async fn token_endpoint(
    http: &reqwest::Client,
    authority: &str,
    form: &[(&str, &str)],
) -> Result<(reqwest::StatusCode, Value), TokenError> {
    let response = http
        .post(format!("{authority}/oauth2/v2.0/token"))
        .form(form)
        .send()
        .await
        .map_err(|e| TokenError(format!("token endpoint: {e}")))?;
    let status = response.status();
    let answer = response
        .json()
        .await
        .map_err(|e| TokenError(format!("token endpoint answer: {e}")))?;
    Ok((status, answer))
}

fn access_token_of(answer: &Value) -> Result<String, TokenError> {
    answer["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| TokenError(format!("no access token: {answer}")))
}
