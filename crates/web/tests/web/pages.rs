//! The pages people meet when something is not right: consent declined, admin consent needed,
//! an error from the provider, a refresh token that stopped working (one clean re-sign-in, and a
//! stop instead of a loop), and a session store that is down.

use crate::support::*;
use emulator::testing::{SignInOutcome, TestEmulator};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn page_says(response: reqwest::Response, status: StatusCode, says: &str) {
    assert_eq!(response.status(), status);
    let body = response.text().await.unwrap();
    assert!(body.contains(says), "expected {says:?} in: {body}");
}

#[tokio::test]
async fn declined_consent_and_admin_consent_have_their_pages() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    let declined = user
        .sign_in_answering(&app, "/login", "alan@contoso.example", false)
        .await;
    page_says(
        declined,
        StatusCode::FORBIDDEN,
        "Permissions were not granted",
    )
    .await;

    // Declining only OneNote's permission, signed in: the rest of the app still works, the page
    // keeps the navigation, and "Try again" goes back to OneNote.
    let user = User::new();
    user.sign_in(&app, "alan@contoso.example").await;
    let declined = user
        .sign_in_answering(&app, "/onenote", "alan@contoso.example", false)
        .await;
    assert_eq!(declined.status(), StatusCode::FORBIDDEN);
    let body = declined.text().await.unwrap();
    assert!(body.contains("Permission not given"), "{body}");
    assert!(body.contains("The rest of graphnote works"), "{body}");
    assert!(
        body.contains("id=\"sign-out\""),
        "the navigation bar: {body}"
    );
    assert!(
        body.contains("href=\"/onenote\">Try again"),
        "back to OneNote: {body}"
    );
    assert_eq!(
        user.get(&app.url("/msal-demo")).await.status(),
        StatusCode::OK
    );

    let admin_app = TestApp::start_with(
        &emu,
        &format!("sqlite:{}", dir.0.join("b.sqlite3").display()),
        |env| {
            env.insert("SCOPE".into(), "User.Read User.Read.All".into());
        },
    )
    .await;
    let response = User::new()
        .sign_in_at(&admin_app, "/login", "alan@contoso.example")
        .await;
    page_says(
        response,
        StatusCode::FORBIDDEN,
        "An administrator must approve",
    )
    .await;
}

#[tokio::test]
async fn an_error_from_the_provider_is_explained() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    let login = user.get(&app.url("/login")).await;
    let callback = match user
        .browser
        .sign_in(
            &location(&login),
            "grace@contoso.example",
            emulator::seed::DEMO_PASSWORD,
            true,
        )
        .await
    {
        SignInOutcome::Redirect(url) => url,
        other => panic!("{other:?}"),
    };
    let state: String = callback
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut error = callback.clone();
    error
        .query_pairs_mut()
        .clear()
        .append_pair("error", "temporarily_unavailable")
        .append_pair(
            "error_description",
            "AADSTS90033: A transient error has occurred. <script>alert(1)</script>",
        )
        .append_pair("state", &state);
    let response = user.get(error.as_str()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.text().await.unwrap();
    assert!(body.contains("temporarily_unavailable") && body.contains("AADSTS90033"));
    assert!(
        !body.contains("<script>alert(1)"),
        "the description is escaped"
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_means_one_clean_sign_in_not_a_loop() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in(&app, "ada@contoso.example").await;

    emu.call_admin(Method::POST, "/users/ada@contoso.example/revoke", json!({}))
        .await;
    emu.call_admin(Method::POST, "/tokens/expire", json!({}))
        .await;
    let response = user.get(&app.url("/msal-demo")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Fmsal-demo");

    // Signing in again brings the user back to the page, which works.
    let back = user
        .sign_in_at(&app, "/msal-demo", "ada@contoso.example")
        .await;
    assert_eq!(location(&back), "/msal-demo");
    assert_eq!(
        user.get(&app.url("/msal-demo")).await.status(),
        StatusCode::OK
    );

    // If the new tokens are refused again at once, the app stops instead of looping.
    emu.call_admin(Method::POST, "/users/ada@contoso.example/revoke", json!({}))
        .await;
    emu.call_admin(Method::POST, "/tokens/expire", json!({}))
        .await;
    page_says(
        user.get(&app.url("/msal-demo")).await,
        StatusCode::UNAUTHORIZED,
        "keeps expiring",
    )
    .await;
}

#[tokio::test]
async fn an_unreachable_session_store_is_a_503_and_not_ready() {
    let mut redis = RedisServer::start().await;
    let emu = TestEmulator::start().await;
    let app = TestApp::start_with(&emu, &redis.url(), |_| {}).await;
    let user = User::new();
    let cookie = user.sign_in(&app, "grace@contoso.example").await;
    assert_eq!(
        User::new().get(&app.url("/readyz")).await.status(),
        StatusCode::OK
    );

    redis.stop();
    page_says(
        get_with_cookie(&app.url("/"), &cookie).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily unavailable",
    )
    .await;
    assert_eq!(
        User::new().get(&app.url("/readyz")).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        User::new().get(&app.url("/healthz")).await.status(),
        StatusCode::OK
    );
}

/// A query string the app cannot read gets the app's own 400 page (its layout, the request id),
/// never the framework's plain-text rejection.
#[tokio::test]
async fn unreadable_query_strings_get_the_apps_own_page() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let cookie = User::new().sign_in(&app, "ada@contoso.example").await;
    for path in [
        "/login?next=/a&next=/b",
        "/login?consent=onenote&consent=onenote",
        "/onenote/sections/0-1?page=abc",
        "/onenote/sections/0-1?page=-1",
        "/msal-demo?format=json&format=html",
        "/signout-oidc?sid=a&sid=b",
        "/getAToken?state=a&state=b",
    ] {
        let response = get_with_cookie(&app.url(path), &cookie).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        let body = response.text().await.unwrap();
        assert!(body.contains("Bad request"), "{path}: {body}");
        assert!(
            body.contains("/static/app.css"),
            "{path}: not the app's layout: {body}"
        );
        assert!(
            body.contains(&request_id),
            "{path}: no request id on the page"
        );
    }
}

/// Cancelling a step-up's second factor ends on a page that says so (and offers to sign in
/// again), not in a loop and not on an error.
#[tokio::test]
async fn cancelling_a_second_factor_is_a_clear_page() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, "ada@contoso.example").await;
    emu.call_admin(
        Method::PUT,
        "/step-up",
        json!({"path": "/v1.0/me/onenote", "acrs": "c1"}),
    )
    .await;
    let cancelled = user
        .sign_in_answering(&app, "/onenote", "ada@contoso.example", false)
        .await;
    page_says(cancelled, StatusCode::UNAUTHORIZED, "Sign-in was cancelled").await;
}
