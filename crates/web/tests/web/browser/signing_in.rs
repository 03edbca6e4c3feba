//! Signing in and out as a person does: typing into the emulator's pages, `form_post` despite
//! the `SameSite=Lax` cookie, and an attacker's cross-site sign-in that must not switch accounts.

use super::*;

#[tokio::test]
async fn a_person_signs_in_reads_their_profile_and_signs_out() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("profile").await;

    chrome.goto(&app.url("/")).await;
    assert!(
        chrome.url().await.starts_with(&emu.base_url),
        "an anonymous visit goes to the sign-in page"
    );
    let pages = chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["sign-in", "consent"], "typed in, then consented");
    let name = chrome.wait_for_page(&app.url("/"), "#user-name").await;
    assert_eq!(name.text().await.unwrap(), display_name(&emu, ADA).await);
    chrome.screenshot("home").await;

    // The session cookie is out of the page's reach and not sent on cross-site POSTs.
    let cookie = session_cookie(&chrome, &app)
        .await
        .expect("a session cookie");
    assert_eq!(cookie.http_only, Some(true));
    assert_eq!(cookie.same_site, Some(SameSite::Lax));
    assert_eq!(chrome.js("return document.cookie").await, json!(""));

    // The profile page, reached by clicking the header's link, shows Graph's /me.
    let link = chrome.wait_for("header a[href$='/msal-demo']").await;
    chrome.click_and_leave(&link).await;
    let shown = chrome.wait_for("#graph-me").await.text().await.unwrap();
    let me: serde_json::Value = serde_json::from_str(&shown).expect("the page shows JSON");
    assert_eq!(me["userPrincipalName"], ADA);
    assert_eq!(me["displayName"], display_name(&emu, ADA).await);
    chrome.screenshot("msal-demo").await;

    // Signing out goes through the provider's sign-out and back to the app, which says so
    // (once: the page after wants a new sign-in), without the navigation of a signed-in user.
    let sign_out = chrome.wait_for("#sign-out").await;
    chrome.click_and_leave(&sign_out).await;
    chrome.wait_for_page(&app.url("/"), "#signed-out").await;
    chrome.screenshot("signed-out").await;
    assert!(
        chrome
            .js("return document.querySelector('#sign-out') === null && \
                   !document.querySelector('footer').textContent.includes('signed in')")
            .await
            == true,
        "{}",
        chrome.body_text().await
    );
    chrome.goto(&app.url("/")).await;
    chrome.wait_for_page(&emu.base_url, "#signin").await;
    if let Some(now) = session_cookie(&chrome, &app).await {
        assert_ne!(now.value, cookie.value, "the signed-in session id is gone");
    }
    let old = format!("{}={}", cookie.name, cookie.value);
    let replay = get_with_cookie(&app.url("/msal-demo"), &old).await;
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&replay).starts_with("/login"),
        "the old session is ended on the server"
    );
    chrome.goto(&app.url("/msal-demo")).await;
    chrome.wait_for_page(&emu.base_url, "#signin").await;
    chrome.quit().await;
}

#[tokio::test]
async fn form_post_sign_in_works_although_the_cookie_is_same_site_lax() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("RESPONSE_MODE".into(), "form_post".into());
    })
    .await;
    // The trap is only real if the provider's POST is cross-site.
    let app_host = url::Url::parse(&app.base_url).unwrap();
    let emu_host = url::Url::parse(&emu.base_url).unwrap();
    assert_ne!(
        app_host.host_str(),
        emu_host.host_str(),
        "app and provider are different sites"
    );

    let chrome = Chrome::start("form-post").await;
    let since = emu.log_position().await;
    chrome.goto(&app.url("/")).await;
    let pages = chrome
        .sign_in_through_forms(&app.base_url, GRACE, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["sign-in", "consent"]);
    let name = chrome.wait_for_page(&app.url("/"), "#user-name").await;
    assert_eq!(name.text().await.unwrap(), display_name(&emu, GRACE).await);
    chrome.screenshot("home").await;
    let cookie = session_cookie(&chrome, &app)
        .await
        .expect("a session cookie");
    assert_eq!(cookie.same_site, Some(SameSite::Lax));

    // The sign-in really was a form_post one.
    let authorize = emu
        .log_since(since)
        .await
        .into_iter()
        .find(|e| {
            e["path"]
                .as_str()
                .unwrap()
                .ends_with("/oauth2/v2.0/authorize")
        })
        .expect("the browser went to the authorize endpoint");
    assert!(
        authorize["query"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "response_mode"),
        "{authorize}"
    );
    // And the signed-in session works on the next page.
    chrome.goto(&app.url("/msal-demo")).await;
    chrome.wait_for("#graph-me").await;
    chrome.quit().await;
}

#[tokio::test]
async fn a_cross_site_post_of_the_attackers_sign_in_does_not_switch_the_victims_account() {
    // Login CSRF in a real browser, with form_post: the attacker completes the provider's side
    // of a sign-in as themself and hands the answer (code + state) to the victim's browser as
    // an auto-submitting cross-site form. The victim must stay who they are.
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("RESPONSE_MODE".into(), "form_post".into());
    })
    .await;
    let attacker = User::new();
    let login = attacker.get(&app.url("/login")).await;
    let (action, fields) = match attacker
        .browser
        .sign_in(
            &location(&login),
            "mallory@fabrikam.example",
            DEMO_PASSWORD,
            true,
        )
        .await
    {
        emulator::testing::SignInOutcome::FormPost { action, fields } => (action, fields),
        other => panic!("expected a form_post answer, got {other:?}"),
    };
    let inputs: String = fields
        .iter()
        .map(|(k, v)| format!("<input type=hidden name=\"{k}\" value=\"{v}\">"))
        .collect();
    let site = attacker_site(vec![(
        "/prize",
        format!(
            "<!DOCTYPE html><title>Prize</title><form id=f method=post action=\"{action}\">\
             {inputs}</form><script>document.getElementById('f').submit()</script>"
        ),
    )])
    .await;

    let chrome = Chrome::start("login-csrf").await;
    chrome.goto(&app.url("/")).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    chrome.wait_for_page(&app.url("/"), "#user-name").await;

    chrome.goto(&format!("{site}/prize")).await;
    // The app's re-post page sends it on with the victim's cookie; the state is not the
    // victim's, so the sign-in is refused.
    let refused = chrome.wait_for_page(&app.base_url, ".problem").await;
    assert!(
        refused.text().await.unwrap().contains("expired"),
        "{}",
        chrome.body_text().await
    );
    chrome.screenshot("refused").await;
    chrome.goto(&app.url("/")).await;
    let name = chrome.wait_for("#user-name").await;
    assert_eq!(
        name.text().await.unwrap(),
        display_name(&emu, ADA).await,
        "the victim is still signed in as themself"
    );
    chrome.quit().await;
}
