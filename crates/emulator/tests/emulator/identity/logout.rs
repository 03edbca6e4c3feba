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

/// Signing out ends the browser session's refresh tokens, as Entra ends its grants; a refresh
/// token of another browser session of the same user keeps working.
#[tokio::test]
async fn signing_out_ends_the_sessions_refresh_tokens() {
    let emu = TestEmulator::start().await;
    let scope = "User.Read openid offline_access";
    let mut refresh_tokens = Vec::new();
    let mut browsers = Vec::new();
    for _ in 0..2 {
        let browser = FormBrowser::new(None);
        let (params, pkce) = code_for(&emu, &browser, "ada@contoso.example", scope, &[]).await;
        let (status, body) =
            token(&emu, CONTOSO, &redeem_form(&params["code"], &pkce.verifier)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        refresh_tokens.push(body["refresh_token"].as_str().unwrap().to_string());
        browsers.push(browser);
    }
    let refresh = |rt: &str| {
        vec![
            ("grant_type", "refresh_token".to_string()),
            ("client_id", DEMO_CLIENT_ID.to_string()),
            ("client_secret", DEMO_CLIENT_SECRET.to_string()),
            ("refresh_token", rt.to_string()),
            ("scope", scope.to_string()),
        ]
    };
    let signed_out = browsers[0]
        .client
        .get(format!(
            "{}/oauth2/v2.0/logout?client_id={DEMO_CLIENT_ID}",
            emu.authority("common")
        ))
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_success() || signed_out.status().is_redirection());

    let form = refresh(&refresh_tokens[0]);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = token(&emu, CONTOSO, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");

    let form = refresh(&refresh_tokens[1]);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = token(&emu, CONTOSO, &form).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the other browser's session lives on: {body}"
    );
}
