//! Claims challenges in the browser, as Continuous Access Evaluation and Conditional Access send
//! them: a challenge a refresh can meet costs the person nothing; one only a sign-in can meet
//! costs them one sign-in (or one second factor) and brings them back to the page they asked
//! for. Never a 401 or a 500, never a loop.

use reqwest::Method;
use serde_json::Value;

use super::*;

/// Signs Ada in through the app in Chrome and returns the emulator log position after it.
async fn signed_in(chrome: &Chrome, app: &TestApp, emu: &TestEmulator) -> u64 {
    chrome.goto(&app.url("/")).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    chrome.wait_for_page(&app.url("/"), "#user-name").await;
    emu.log_position().await
}

/// The `/me` JSON the profile page shows, once Chrome is on it.
async fn shown_me(chrome: &Chrome, app: &TestApp) -> Value {
    let shown = chrome
        .wait_for_page(&app.url("/msal-demo"), "#graph-me")
        .await
        .text()
        .await
        .unwrap();
    serde_json::from_str(&shown).expect("the page shows JSON")
}

fn token_grants(log: &[Value]) -> Vec<&Value> {
    log.iter()
        .filter(|e| {
            e["grant_type"] == "refresh_token"
                && e["path"].as_str().unwrap_or("").ends_with("/token")
        })
        .collect()
}

fn sign_in_pages(log: &[Value]) -> usize {
    log.iter()
        .filter(|e| {
            e["method"] == "GET" && e["path"].as_str().unwrap_or("").ends_with("/authorize")
        })
        .count()
}

#[tokio::test]
async fn a_challenge_a_refresh_can_meet_costs_the_person_nothing() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("claims-refresh").await;
    let since = signed_in(&chrome, &app, &emu).await;
    // Only a token carrying the authentication context c1 gets /me from now on.
    emu.call_admin(
        Method::POST,
        "/faults",
        json!({"path": "/v1.0/me", "count": 1000, "answer": {"kind": "claims_challenge", "acrs": "c1"}}),
    )
    .await;

    chrome.goto(&app.url("/msal-demo")).await;
    let me = shown_me(&chrome, &app).await;
    assert_eq!(me["userPrincipalName"], ADA);
    chrome.screenshot("after-claims-refresh").await;
    let log = emu.log_since(since).await;
    let grants = token_grants(&log);
    assert_eq!(grants.len(), 1, "exactly one refresh");
    assert_eq!(grants[0]["status"], 200);
    let claims: Vec<&str> = grants[0]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        claims.contains(&"acrs=c1"),
        "the refresh carried the challenge: {claims:?}"
    );
    assert!(
        claims.contains(&"xms_cc=cp1"),
        "and the app's capability: {claims:?}"
    );
    assert_eq!(sign_in_pages(&log), 0, "no sign-in page");
    chrome.quit().await;
}

#[tokio::test]
async fn a_revoked_session_costs_one_sign_in_and_comes_back_to_the_page() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("claims-revoked").await;
    signed_in(&chrome, &app, &emu).await;
    chrome.goto(&app.url("/msal-demo")).await;
    assert_eq!(shown_me(&chrome, &app).await["userPrincipalName"], ADA);

    emu.call_admin(Method::POST, &format!("/users/{ADA}/revoke"), Value::Null)
        .await;
    let since = emu.log_position().await;
    chrome.goto(&app.url("/msal-demo")).await;
    let pages = chrome
        .sign_in_through_forms(&app.url("/msal-demo"), ADA, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["sign-in"], "one sign-in, nothing else");
    let me = shown_me(&chrome, &app).await;
    assert_eq!(me["userPrincipalName"], ADA);
    chrome.screenshot("after-revocation").await;

    let log = emu.log_since(since).await;
    let grants = token_grants(&log);
    assert_eq!(grants.len(), 1, "one refresh was tried");
    assert_eq!(
        grants[0]["status"], 400,
        "and refused: the session was revoked"
    );
    let challenged = log
        .iter()
        .filter(|e| e["path"] == "/v1.0/me" && e["status"] == 401)
        .count();
    assert_eq!(challenged, 1, "Graph challenged once");
    assert!(
        log.iter().all(|e| e["status"] != 500),
        "nothing failed along the way"
    );
    chrome.quit().await;
}

#[tokio::test]
async fn step_up_asks_for_a_second_factor_once_then_shows_the_notebooks() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("claims-step-up").await;
    signed_in(&chrome, &app, &emu).await;
    emu.call_admin(
        Method::PUT,
        "/step-up",
        json!({"path": "/v1.0/me/onenote", "acrs": "c1"}),
    )
    .await;

    chrome.goto(&app.url("/onenote")).await;
    let pages = chrome
        .sign_in_through_forms(&app.url("/onenote"), ADA, DEMO_PASSWORD)
        .await;
    assert_eq!(
        pages.iter().filter(|p| **p == "second-factor").count(),
        1,
        "the second factor was asked once: {pages:?}"
    );
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    chrome.screenshot("after-step-up").await;
    let text = chrome.body_text().await;
    assert!(text.contains("Your notebooks"), "{text}");
    chrome.quit().await;
}
