//! Signing out returns only to registered addresses.

use super::*;

#[tokio::test]
async fn logout_returns_only_to_registered_addresses() {
    let emu = TestEmulator::start().await;
    let browser = FormBrowser::new(None);
    code_for(
        &emu,
        &browser,
        "ada@contoso.example",
        "User.Read openid",
        &[],
    )
    .await;
    let logout = |uri: &'static str| {
        format!(
            "{}/oauth2/v2.0/logout?post_logout_redirect_uri={}&state=xyz&client_id={DEMO_CLIENT_ID}",
            emu.authority("common"),
            web_encode(uri)
        )
    };
    let r = browser
        .client
        .get(logout("http://127.0.0.1:5000/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], "http://127.0.0.1:5000/?state=xyz");
    let r = browser
        .client
        .get(logout("https://evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "an unregistered address gets the signed-out page"
    );
    assert!(r.headers().get("location").is_none());
    assert!(!r.text().await.unwrap().contains("evil.example"));
}
