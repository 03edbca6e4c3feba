//! The emulator's identity side against raw HTTP: discovery for every tenant form, JWKS and key
//! rotation, instance discovery, and every error Entra returns, in Entra's shape — including bad
//! input at every endpoint, which must get a 4xx and never a 5xx.

mod authorize;
mod bad_input;
mod discovery;
mod logout;
mod token_endpoint;

use std::collections::HashMap;

use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD};
use emulator::testing::{FormBrowser, Pkce, TestEmulator};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const CONTOSO: &str = "4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f";
const OTHER_CLIENT_ID: &str = "0be7c1a5-3c2d-4f4e-8a6b-9c8d7e6f5a4b";
const OTHER_CLIENT_SECRET: &str = "ot8Q~emulator-other-app-secret";
const REDIRECT: &str = "http://localhost:5000/getAToken";

fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn admin(emu: &TestEmulator, method: Method, path: &str, body: Value) {
    let r = http()
        .request(method, emu.admin(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "admin {path}: {}", r.status());
}

fn authorize_url(emu: &TestEmulator, tenant: &str, params: &[(&str, &str)]) -> String {
    let mut url =
        url::Url::parse(&format!("{}/oauth2/v2.0/authorize", emu.authority(tenant))).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// A code for `user` from the demo client (PKCE S256 unless `extra` overrides).
async fn code_for(
    emu: &TestEmulator,
    browser: &FormBrowser,
    user: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> (HashMap<String, String>, Pkce) {
    let pkce = Pkce::new();
    let mut params = vec![
        ("client_id", DEMO_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "st&te with spaces/ünïcode"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("client_info", "1"),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        params.push((k, v));
    }
    let url = authorize_url(emu, CONTOSO, &params);
    (
        browser
            .sign_in(&url, user, DEMO_PASSWORD, true)
            .await
            .params(),
        pkce,
    )
}

async fn token(emu: &TestEmulator, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = http()
        .post(format!("{}/oauth2/v2.0/token", emu.authority(tenant)))
        .header("client-request-id", "6f2b9a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b")
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn redeem_form<'a>(code: &'a str, verifier: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        ("scope", "User.Read openid profile offline_access"),
        ("client_info", "1"),
    ]
}

/// Asserts Entra's error JSON: the `error`, an `AADSTS{code}:` description, `error_codes`.
fn assert_entra(
    status: StatusCode,
    body: &Value,
    expected_status: StatusCode,
    error: &str,
    code: u64,
) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: ") && description.contains("\r\nTimestamp: "));
    assert!(body["trace_id"].is_string() && body["timestamp"].is_string());
}

fn web_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
