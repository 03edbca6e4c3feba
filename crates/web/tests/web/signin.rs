//! The product's core flows against the in-process emulator: sign-in, the Graph call with silent
//! refresh, sign-out, front-channel logout, and sessions that survive a restart.

use crate::support::*;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn sign_in_call_graph_refresh_once_and_sign_out() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let ada = User::new();

    // Anonymous visitors are sent to sign in.
    let home = ada.get(&app.url("/")).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert!(location(&home).starts_with("/login"));

    let cookie = ada.sign_in(&app, "ada@contoso.example").await;
    let home = ada.get(&app.url("/")).await;
    assert_eq!(home.status(), StatusCode::OK);
    let page = home.text().await.unwrap();
    assert!(
        page.contains("Ada Lovelace"),
        "the home page names the user"
    );

    let me: serde_json::Value = ada
        .browser
        .client
        .get(app.url("/msal-demo"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["userPrincipalName"], "ada@contoso.example");
    assert_eq!(me["displayName"], "Ada Lovelace");
    let html = ada.get(&app.url("/msal-demo")).await.text().await.unwrap();
    assert!(html.contains("&quot;displayName&quot;") || html.contains("displayName"));

    // The provider cuts the access token short: the app refreshes exactly once and carries on.
    let since = emu.log_position().await;
    emu.call_admin(Method::POST, "/tokens/expire", json!({}))
        .await;
    for _ in 0..3 {
        let again = ada.get(&app.url("/msal-demo?format=json")).await;
        assert_eq!(again.status(), StatusCode::OK);
    }
    assert_eq!(emu.grants_since(since, "refresh_token").await, 1);

    // Sign-out ends at the provider's end-session endpoint, coming back to the app.
    let out = ada.get(&app.url("/logout")).await;
    let target = url::Url::parse(&location(&out)).unwrap();
    assert_eq!(target.path(), "/common/oauth2/v2.0/logout");
    let query: std::collections::HashMap<_, _> = target.query_pairs().into_owned().collect();
    assert_eq!(
        query["post_logout_redirect_uri"],
        format!("{}/", app.base_url)
    );
    assert!(query.contains_key("logout_hint"));
    // The old cookie is worthless now.
    let replay = get_with_cookie(&app.url("/msal-demo"), &cookie).await;
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert!(location(&replay).starts_with("/login"));
}

#[tokio::test]
async fn sessions_survive_a_restart_on_the_same_sqlite_file() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    let first = TestApp::start_with(&emu, &store, |_| {}).await;
    let grace = User::new();
    let cookie = grace.sign_in(&first, "grace@contoso.example").await;
    first.stop().await;

    let second = TestApp::start_with(&emu, &store, |_| {}).await;
    let home = get_with_cookie(&second.url("/"), &cookie).await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Grace Hopper"));
}

#[tokio::test]
async fn front_channel_logout_ends_the_sessions_of_that_provider_session() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    emu.call_admin(
        Method::PATCH,
        &format!("/clients/{}", emulator::seed::DEMO_CLIENT_ID),
        json!({"front_channel_logout_url": app.url("/signout-oidc")}),
    )
    .await;
    let alan = User::new();
    let cookie = alan.sign_in(&app, "alan@contoso.example").await;

    // Signing out at the provider (e.g. from another app) renders the front-channel iframes.
    let page = alan
        .get(&format!("{}/oauth2/v2.0/logout", emu.authority("common")))
        .await;
    let body = page.text().await.unwrap();
    let src = attribute_after(&body, "<iframe src=\"").expect("a front-channel iframe");
    assert!(src.starts_with(&app.url("/signout-oidc?sid=")), "{src}");
    let called = User::new().get(&src).await;
    assert_eq!(called.status(), StatusCode::OK);

    let after = get_with_cookie(&app.url("/"), &cookie).await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session ended");
}
