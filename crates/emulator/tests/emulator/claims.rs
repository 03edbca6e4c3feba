//! Continuous Access Evaluation and step-up, as an app that declares `cp1` meets them: long-lived
//! CAE tokens, a revocation that turns the next Graph call into a claims challenge, and a step-up
//! switch that asks for a second factor at authorize and refuses refreshes without it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use emulator::testing::TestEmulator;
use emulator::testing::tokens::{self, TokenRequest};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const CP1: &str = r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#;
const C1: &str =
    r#"{"access_token":{"acrs":{"essential":true,"value":"c1"},"xms_cc":{"values":["cp1"]}}}"#;

/// The token endpoint's answer for Ada through the forms, with `claims` at authorize and at
/// redemption.
async fn answer(emu: &TestEmulator, claims: Option<&str>) -> Value {
    let authority = emu.authority(CONTOSO);
    let request = TokenRequest {
        claims,
        ..TokenRequest::demo_app(&authority, ADA, "User.Read Notes.Read")
    };
    tokens::delegated_answer(&emu.browser(), &request)
        .await
        .unwrap()
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The decoded `claims` of a `WWW-Authenticate: … error="insufficient_claims"` challenge.
fn challenge(answer: &Answer) -> Value {
    let header = answer.header("www-authenticate").unwrap_or_default();
    assert!(header.contains("insufficient_claims"), "{header}");
    let start = header.find("claims=\"").unwrap() + 8;
    let end = header[start..].find('"').unwrap() + start;
    serde_json::from_slice(&STANDARD.decode(&header[start..end]).unwrap()).unwrap()
}

#[tokio::test]
async fn cae_clients_get_long_tokens_and_a_challenge_after_revocation() {
    let emu = TestEmulator::start().await;
    let cae = answer(&emu, Some(CP1)).await;
    let plain = answer(&emu, None).await;
    let cae_token = cae["access_token"].as_str().unwrap();
    let plain_token = plain["access_token"].as_str().unwrap();
    let cae_claims = claims_of(cae_token);
    assert_eq!(cae_claims["xms_cc"], json!(["cp1"]));
    let lifetime = cae_claims["exp"].as_i64().unwrap() - cae_claims["iat"].as_i64().unwrap();
    assert!(
        lifetime >= 20 * 3600,
        "a CAE token lives about a day: {lifetime} s"
    );
    let plain_claims = claims_of(plain_token);
    assert!(plain_claims.get("xms_cc").is_none());
    let lifetime = plain_claims["exp"].as_i64().unwrap() - plain_claims["iat"].as_i64().unwrap();
    assert!(lifetime <= 5400, "{lifetime}");

    let cae_graph = Graph::new(&emu, cae_token);
    let plain_graph = Graph::new(&emu, plain_token);
    assert_eq!(cae_graph.get("/me").await.status, 200);
    emu.call_admin(Method::POST, &format!("/users/{ADA}/revoke"), Value::Null)
        .await;

    let challenged = cae_graph.get("/me").await;
    assert_eq!(challenged.status, 401, "{}", challenged.text());
    assert_eq!(challenged.error_code(), "InvalidAuthenticationToken");
    let claims = challenge(&challenged);
    assert_eq!(claims["access_token"]["nbf"]["essential"], true, "{claims}");
    // A client that cannot handle challenges keeps its token until it expires, as with Entra.
    assert_eq!(plain_graph.get("/me").await.status, 200);
    // Refresh tokens were revoked too: the challenge can only be met by signing in again.
    let (status, body) = tokens::refresh(
        &reqwest::Client::new(),
        &emu.authority(CONTOSO),
        cae["refresh_token"].as_str().unwrap(),
        "User.Read",
        Some(&claims.to_string()),
    )
    .await
    .unwrap();
    assert_eq!(
        (status.as_u16(), body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let fresh = answer(&emu, Some(CP1)).await;
    let fresh_graph = Graph::new(&emu, fresh["access_token"].as_str().unwrap());
    assert_eq!(
        fresh_graph.get("/me").await.status,
        200,
        "a token from a new sign-in passes"
    );
}

#[tokio::test]
async fn step_up_asks_for_a_second_factor_and_refreshes_without_it_need_interaction() {
    let emu = TestEmulator::start().await;
    let before = answer(&emu, Some(CP1)).await;
    emu.call_admin(
        Method::PUT,
        "/step-up",
        json!({"path": "/v1.0/me/onenote", "acrs": "c1"}),
    )
    .await;
    let graph = Graph::new(&emu, before["access_token"].as_str().unwrap());
    assert_eq!(
        graph.get("/me").await.status,
        200,
        "outside the path: no step-up"
    );
    let challenged = graph.get("/me/onenote/notebooks").await;
    assert_eq!(challenged.status, 401, "{}", challenged.text());
    assert_eq!(
        challenge(&challenged)["access_token"]["acrs"]["value"],
        "c1"
    );

    let (status, body) = tokens::refresh(
        &reqwest::Client::new(),
        &emu.authority(CONTOSO),
        before["refresh_token"].as_str().unwrap(),
        "User.Read Notes.Read",
        Some(C1),
    )
    .await
    .unwrap();
    assert_eq!(status.as_u16(), 400, "{body}");
    assert_eq!(body["error"], "interaction_required", "{body}");
    assert_eq!(body["error_codes"][0], 50076, "{body}");

    let since = emu.log_position().await;
    let stepped = answer(&emu, Some(C1)).await;
    let second_factors = emu
        .log_since(since)
        .await
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").ends_with("/second-factor"))
        .count();
    assert_eq!(second_factors, 1, "the second factor was asked once");
    let token = stepped["access_token"].as_str().unwrap();
    assert_eq!(claims_of(token)["acrs"], json!(["c1"]));
    assert_eq!(
        Graph::new(&emu, token)
            .get("/me/onenote/notebooks")
            .await
            .status,
        200
    );
    // The refresh token of the stepped-up sign-in carries the second factor forward.
    let (status, body) = tokens::refresh(
        &reqwest::Client::new(),
        &emu.authority(CONTOSO),
        stepped["refresh_token"].as_str().unwrap(),
        "User.Read",
        Some(C1),
    )
    .await
    .unwrap();
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(
        claims_of(body["access_token"].as_str().unwrap())["acrs"],
        json!(["c1"])
    );

    emu.call_admin(Method::DELETE, "/step-up", Value::Null)
        .await;
    assert_eq!(
        graph.get("/me/onenote/notebooks").await.status,
        200,
        "switched off"
    );
}
