//! Attacks on sign-in and sessions, each a test that fails if the hole opens: forged, missing and
//! replayed `state`, replayed and injected codes, every kind of bad ID token, session fixation,
//! tampered and unknown cookies, open redirects through `next`, and tokens in the store.

use crate::support::*;
use emulator::seed::DEMO_PASSWORD;
use emulator::testing::{SignInOutcome, TestEmulator};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Runs the provider side of a sign-in started at `/login` and returns the callback URL the
/// provider sent the browser to (not yet visited).
async fn callback_url(user: &User, app: &TestApp, upn: &str) -> url::Url {
    let login = user.get(&app.url("/login")).await;
    match user
        .browser
        .sign_in(&location(&login), upn, DEMO_PASSWORD, true)
        .await
    {
        SignInOutcome::Redirect(url) => url,
        other => panic!("unexpected sign-in outcome {other:?}"),
    }
}

fn with_param(url: &url::Url, name: &str, value: Option<&str>) -> String {
    let mut out = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != name)
        .collect();
    {
        let mut q = out.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        if let Some(v) = value {
            q.append_pair(name, v);
        }
    }
    out.to_string()
}

fn param(url: &url::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// Asserts a clear error page (4xx, HTML, says what happened) and that the browser is not
/// signed in afterwards.
async fn assert_refused(
    user: &User,
    app: &TestApp,
    response: reqwest::Response,
    expected: StatusCode,
    says: &str,
) {
    assert_eq!(response.status(), expected);
    assert!(
        set_cookie(&response).is_none(),
        "no new session on a refused sign-in"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains(says), "the page says {says:?}: {page}");
    assert!(
        !page.contains("panicked") && !page.contains("eyJ"),
        "no internals on the page"
    );
    let home = user.get(&app.url("/")).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "still not signed in");
}

#[tokio::test]
async fn forged_missing_and_replayed_state_are_refused() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;

    let user = User::new();
    let callback = callback_url(&user, &app, "ada@contoso.example").await;
    let forged = user
        .get(&with_param(&callback, "state", Some("forged-state")))
        .await;
    assert_refused(&user, &app, forged, StatusCode::BAD_REQUEST, "expired").await;
    let missing = user.get(&with_param(&callback, "state", None)).await;
    assert_refused(&user, &app, missing, StatusCode::BAD_REQUEST, "expired").await;

    // The real answer works once…
    let user = User::new();
    let callback = callback_url(&user, &app, "ada@contoso.example").await;
    assert_eq!(
        user.get(callback.as_str()).await.status(),
        StatusCode::SEE_OTHER
    );
    // …and never again, even in the same browser.
    let fresh = User::new();
    let replayed = fresh.get(callback.as_str()).await;
    assert_refused(&fresh, &app, replayed, StatusCode::BAD_REQUEST, "expired").await;
}

#[tokio::test]
async fn replayed_and_injected_codes_are_refused() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;

    // Replay: an already redeemed code with a fresh, valid state.
    let user = User::new();
    let first = callback_url(&user, &app, "grace@contoso.example").await;
    assert_eq!(
        user.get(first.as_str()).await.status(),
        StatusCode::SEE_OTHER
    );
    let attacker = User::new();
    let second = callback_url(&attacker, &app, "mallory@fabrikam.example").await;
    let replay = with_param(&second, "code", Some(&param(&first, "code")));
    let response = attacker.get(&replay).await;
    assert_refused(
        &attacker,
        &app,
        response,
        StatusCode::BAD_REQUEST,
        "could not be completed",
    )
    .await;

    // Injection: the victim's unredeemed code in the attacker's own sign-in. State matches the
    // attacker's session, but PKCE binds the code to the victim's verifier.
    let victim = User::new();
    let victims = callback_url(&victim, &app, "ada@contoso.example").await;
    let attacker = User::new();
    let own = callback_url(&attacker, &app, "mallory@fabrikam.example").await;
    let injected = with_param(&own, "code", Some(&param(&victims, "code")));
    let response = attacker.get(&injected).await;
    assert_refused(
        &attacker,
        &app,
        response,
        StatusCode::BAD_REQUEST,
        "could not be completed",
    )
    .await;

    // Login CSRF: the attacker's complete callback URL opened in the victim's browser.
    let attacker = User::new();
    let planted = callback_url(&attacker, &app, "mallory@fabrikam.example").await;
    let victim = User::new();
    let _ = victim.get(&app.url("/login")).await; // the victim has a session of their own
    let response = victim.get(planted.as_str()).await;
    assert_refused(&victim, &app, response, StatusCode::BAD_REQUEST, "expired").await;
}

#[tokio::test]
async fn every_kind_of_bad_id_token_gets_a_page_and_no_session() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    for kind in [
        "bad_signature",
        "wrong_audience",
        "wrong_issuer",
        "expired",
        "not_yet_valid",
        "wrong_nonce",
    ] {
        emu.call_admin(Method::POST, "/faults/id-token", json!({"kind": kind}))
            .await;
        let user = User::new();
        let response = user
            .sign_in_at(&app, "/login", "alan@contoso.example")
            .await;
        assert_refused(
            &user,
            &app,
            response,
            StatusCode::BAD_REQUEST,
            "could not be verified",
        )
        .await;
    }
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_bad_cookies_are_just_anonymous() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    let before = set_cookie(&user.get(&app.url("/login")).await).expect("a pre-sign-in session");
    let after = user.sign_in(&app, "ada@contoso.example").await;
    assert_ne!(
        before, after,
        "fixation: the pre-sign-in id must not survive"
    );
    let fixed = get_with_cookie(&app.url("/"), &before).await;
    assert_eq!(
        fixed.status(),
        StatusCode::SEE_OTHER,
        "the old id is not signed in"
    );
    assert_eq!(
        get_with_cookie(&app.url("/"), &after).await.status(),
        StatusCode::OK
    );

    let (name, value) = after.split_once('=').unwrap();
    let mut tampered: Vec<char> = value.chars().collect();
    tampered[5] = if tampered[5] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let unknown = "A".repeat(43);
    for bad in [
        format!("{name}={tampered}"),
        format!("{name}={unknown}"),
        format!("{name}=<script>alert(1)</script>"),
        format!("{name}={}", "x".repeat(5000)),
        format!("{name}="),
    ] {
        let response = get_with_cookie(&app.url("/msal-demo"), &bad).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{bad:.40}");
        assert!(location(&response).starts_with("/login"));
    }
}

#[tokio::test]
async fn next_never_leaves_the_app() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    for evil in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
    ] {
        let user = User::new();
        let start = format!("/login?next={}", web::error::encode(evil));
        let done = user.sign_in_at(&app, &start, "grace@contoso.example").await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&done), "/", "next={evil}");
    }
    let user = User::new();
    let done = user
        .sign_in_at(
            &app,
            "/login?next=%2Fmsal-demo%3Fformat%3Djson",
            "grace@contoso.example",
        )
        .await;
    assert_eq!(
        location(&done),
        "/msal-demo?format=json",
        "a local next is honoured"
    );
}

#[tokio::test]
async fn the_sqlite_store_holds_no_token_and_no_cookie_value() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    let cookie = user.sign_in(&app, "ada@contoso.example").await;
    assert_eq!(
        user.get(&app.url("/msal-demo?format=json")).await.status(),
        StatusCode::OK
    );

    // Every file the app wrote: the session store and the data folder (export jobs) in it.
    let mut bytes = Vec::new();
    let mut folders = vec![dir.0.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                bytes.extend(std::fs::read(path).unwrap());
            }
        }
    }
    assert_no_secrets_stored(&app, &cookie, &bytes).await;
}
