//! The token endpoint's errors, each in Entra's shape with its AADSTS code.

use super::*;

#[tokio::test]
async fn token_endpoint_errors_are_entra_shaped() {
    let emu = TestEmulator::start().await;
    let browser = FormBrowser::new(None);
    let (params, pkce) = code_for(
        &emu,
        &browser,
        "ada@contoso.example",
        "User.Read openid profile offline_access",
        &[],
    )
    .await;
    let code = params["code"].clone();

    let mut form = redeem_form(&code, &pkce.verifier);
    form.retain(|(k, _)| *k != "client_secret");
    form.push(("client_secret", "wrong"));
    let (s, b) = token(&emu, CONTOSO, &form).await;
    assert_entra(s, &b, StatusCode::UNAUTHORIZED, "invalid_client", 7000215);
    assert_eq!(
        b["correlation_id"], "6f2b9a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
        "the client's request id is echoed"
    );
    form.retain(|(k, _)| *k != "client_secret");
    let (s, b) = token(&emu, CONTOSO, &form).await;
    assert_entra(s, &b, StatusCode::UNAUTHORIZED, "invalid_client", 7000218);

    let mut form = redeem_form(&code, &pkce.verifier);
    form.retain(|(k, _)| *k != "redirect_uri");
    form.push(("redirect_uri", "http://localhost:5000/other"));
    let (s, b) = token(&emu, CONTOSO, &form).await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 70002);

    // A failed redemption burns the code, so a second try is "already redeemed".
    let (s, b) = token(&emu, CONTOSO, &redeem_form(&code, &pkce.verifier)).await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 54005);

    let (params, _) = code_for(
        &emu,
        &browser,
        "ada@contoso.example",
        "User.Read openid offline_access",
        &[],
    )
    .await;
    let (s, b) = token(
        &emu,
        CONTOSO,
        &redeem_form(
            &params["code"],
            "a-verifier-that-does-not-match-the-challenge",
        ),
    )
    .await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 501481);

    // Plain PKCE works when the challenge was plain.
    let verifier = "plain-verifier-0123456789-0123456789-0123456789";
    let (params, _) = code_for(
        &emu,
        &browser,
        "ada@contoso.example",
        "User.Read openid offline_access",
        &[
            ("code_challenge", verifier),
            ("code_challenge_method", "plain"),
        ],
    )
    .await;
    let (s, b) = token(&emu, CONTOSO, &redeem_form(&params["code"], verifier)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let refresh_token = b["refresh_token"].as_str().unwrap().to_string();

    // A code for the demo app cannot be redeemed by another app.
    let (params, pkce) = code_for(
        &emu,
        &browser,
        "ada@contoso.example",
        "User.Read openid",
        &[],
    )
    .await;
    let mut form = redeem_form(&params["code"], &pkce.verifier);
    form.retain(|(k, _)| !matches!(*k, "client_id" | "client_secret"));
    form.extend([
        ("client_id", OTHER_CLIENT_ID),
        ("client_secret", OTHER_CLIENT_SECRET),
    ]);
    let (s, b) = token(&emu, CONTOSO, &form).await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 70000);

    // Codes expire.
    admin(&emu, Method::PUT, "/lifetimes", json!({"code": 1})).await;
    let (params, pkce) = code_for(
        &emu,
        &browser,
        "ada@contoso.example",
        "User.Read openid",
        &[],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (s, b) = token(&emu, CONTOSO, &redeem_form(&params["code"], &pkce.verifier)).await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 70008);
    admin(&emu, Method::PUT, "/lifetimes", json!({})).await;

    // Refresh: works with HTTP Basic, refuses unconsented scopes, other apps and revoked tokens.
    let r = http()
        .post(format!("{}/oauth2/v2.0/token", emu.authority(CONTOSO)))
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
            ("scope", "User.Read openid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rotated: Value = r.json().await.unwrap();
    assert_ne!(
        rotated["refresh_token"],
        refresh_token.as_str(),
        "refresh tokens rotate"
    );
    let refresh = |rt: String, scope: &'static str, id: &'static str, secret: &'static str| {
        let emu = &emu;
        async move {
            token(
                emu,
                CONTOSO,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", id),
                    ("client_secret", secret),
                    ("refresh_token", &rt),
                    ("scope", scope),
                ],
            )
            .await
        }
    };
    let (s, b) = refresh(
        refresh_token.clone(),
        "Notes.ReadWrite",
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 65001);
    assert_eq!(b["suberror"], "consent_required");
    let (s, b) = refresh(
        refresh_token.clone(),
        "User.Read",
        OTHER_CLIENT_ID,
        OTHER_CLIENT_SECRET,
    )
    .await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 700024);
    let (s, b) = refresh(
        "1.Agarbage".into(),
        "User.Read",
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 9002313);
    admin(
        &emu,
        Method::POST,
        "/users/ada@contoso.example/revoke",
        json!({}),
    )
    .await;
    let (s, b) = refresh(
        refresh_token.clone(),
        "User.Read",
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 50173);
    assert_eq!(b["suberror"], "bad_token");

    admin(&emu, Method::PUT, "/lifetimes", json!({"refresh_token": 1})).await;
    let (params, pkce) = code_for(
        &emu,
        &FormBrowser::new(None),
        "grace@contoso.example",
        "User.Read openid offline_access",
        &[],
    )
    .await;
    let (_, b) = token(&emu, CONTOSO, &redeem_form(&params["code"], &pkce.verifier)).await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (s, b) = refresh(
        b["refresh_token"].as_str().unwrap().into(),
        "User.Read",
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_grant", 700082);
    admin(&emu, Method::PUT, "/lifetimes", json!({})).await;

    let (s, b) = token(
        &emu,
        CONTOSO,
        &[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ],
    )
    .await;
    assert_entra(
        s,
        &b,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
        70003,
    );
    let (s, b) = token(
        &emu,
        CONTOSO,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ],
    )
    .await;
    assert_entra(
        s,
        &b,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        700016,
    );
    let (s, b) = token(
        &emu,
        CONTOSO,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("scope", "User.Read"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"], "invalid_scope");
    let (s, b) = token(
        &emu,
        CONTOSO,
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_entra(s, &b, StatusCode::BAD_REQUEST, "invalid_request", 9000411);
}
