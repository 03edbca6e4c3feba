//! The identity client against the in-process emulator: the whole auth-code flow, validation of
//! every kind of bad ID token the emulator can serve, refresh, revocation, key rotation, and TLS
//! trust through an extra CA.

use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD};
use emulator::testing::{FormBrowser, TestEmulator};
use identity::{
    Authority, ClientConfig, ClientCredential, IdTokenError, IdentityClient, IdentityError,
    ResponseMode, Secret, SignInRequest, TokenCache,
};
use serde_json::json;

const CONTOSO: &str = "4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f";
const REDIRECT: &str = "http://localhost:5000/getAToken";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn client(emu: &TestEmulator, tenant: &str) -> IdentityClient {
    IdentityClient::new(ClientConfig {
        client_id: DEMO_CLIENT_ID.into(),
        credential: ClientCredential::Secret(Secret::new(DEMO_CLIENT_SECRET)),
        authority: Authority::parse(&emu.authority(tenant)).unwrap(),
        extra_ca_pem: emu.tls.as_ref().map(|t| t.ca_pem.clone()),
        response_mode: ResponseMode::Query,
        capabilities: vec![],
    })
    .unwrap()
}

fn request(scopes: &[&str]) -> SignInRequest {
    SignInRequest {
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        redirect_uri: REDIRECT.into(),
        ..Default::default()
    }
}

/// Runs a sign-in through the emulator's forms and returns the redeemed result.
async fn sign_in(
    client: &IdentityClient,
    browser: &FormBrowser,
    user: &str,
    scopes: &[&str],
) -> Result<(TokenCache, identity::IdTokenClaims), IdentityError> {
    let (url, pending) = client.begin_sign_in(&request(scopes), now()).await?;
    let outcome = browser.sign_in(&url, user, DEMO_PASSWORD, true).await;
    let params = outcome.params();
    assert_eq!(params["state"], pending.state, "state comes back exactly");
    client
        .complete_sign_in(&pending, &params["code"], now())
        .await
}

#[tokio::test]
async fn sign_in_against_a_tenant_and_the_common_authority() {
    let emu = TestEmulator::start().await;
    for tenant in [CONTOSO, "contoso.example", "common", "organizations"] {
        let client = client(&emu, tenant);
        let browser = FormBrowser::new(None);
        let (cache, claims) = sign_in(&client, &browser, "ada@contoso.example", &["User.Read"])
            .await
            .unwrap_or_else(|e| panic!("{tenant}: {e}"));
        assert_eq!(
            claims.iss,
            format!("{}/{CONTOSO}/v2.0", emu.base_url),
            "{tenant}"
        );
        assert_eq!(
            claims.preferred_username.as_deref(),
            Some("ada@contoso.example")
        );
        assert_eq!(cache.account.display_name(), "Ada Lovelace");
        assert!(cache.refresh_token.is_some());
        assert!(cache.choose(&["User.Read"], None, now()).is_some());
        assert!(cache.account.sid.is_some() && cache.account.login_hint.is_some());
    }
}

#[tokio::test]
async fn every_kind_of_bad_id_token_is_refused() {
    let emu = TestEmulator::start().await;
    let client = client(&emu, CONTOSO);
    let cases = [
        ("bad_signature", IdTokenError::Signature),
        ("wrong_audience", IdTokenError::Audience),
        ("expired", IdTokenError::Expired),
        ("not_yet_valid", IdTokenError::NotYetValid),
        ("wrong_nonce", IdTokenError::Nonce),
    ];
    for (kind, expected) in cases {
        emu.call_admin(
            reqwest::Method::POST,
            "/faults/id-token",
            json!({"kind": kind}),
        )
        .await;
        let browser = FormBrowser::new(None);
        let err = sign_in(&client, &browser, "grace@contoso.example", &["User.Read"])
            .await
            .expect_err(kind);
        match err {
            IdentityError::IdToken(found) => assert_eq!(found, expected, "{kind}"),
            other => panic!("{kind}: {other}"),
        }
    }
    emu.call_admin(
        reqwest::Method::POST,
        "/faults/id-token",
        json!({"kind": "wrong_issuer"}),
    )
    .await;
    let err = sign_in(
        &client,
        &FormBrowser::new(None),
        "grace@contoso.example",
        &["User.Read"],
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, IdentityError::IdToken(IdTokenError::Issuer { .. })),
        "{err}"
    );
    // With no fault armed the same flow works.
    sign_in(
        &client,
        &FormBrowser::new(None),
        "grace@contoso.example",
        &["User.Read"],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn refresh_rotates_tokens_and_revocation_asks_for_a_new_sign_in() {
    let emu = TestEmulator::start().await;
    let client = client(&emu, CONTOSO);
    let browser = FormBrowser::new(None);
    let (cache, _) = sign_in(&client, &browser, "alan@contoso.example", &["User.Read"])
        .await
        .unwrap();
    let refreshed = client
        .refresh(&cache, &["User.Read".into()], None, now())
        .await
        .unwrap();
    assert_ne!(
        refreshed.refresh_token, cache.refresh_token,
        "a new refresh token each time"
    );
    assert_ne!(
        refreshed.access_tokens[0].secret,
        cache.access_tokens[0].secret
    );

    // Asking for a scope the user never granted is a consent problem, not a broken session.
    let err = client
        .refresh(&refreshed, &["Notes.ReadWrite".into()], None, now())
        .await
        .unwrap_err();
    assert!(err.token_error().unwrap().needs_consent(), "{err}");

    emu.call_admin(
        reqwest::Method::POST,
        "/users/alan@contoso.example/revoke",
        json!({}),
    )
    .await;
    let err = client
        .refresh(&refreshed, &["User.Read".into()], None, now())
        .await
        .unwrap_err();
    assert!(err.needs_interaction(), "{err}");
    assert_eq!(err.token_error().unwrap().code(), Some(50173));
}

#[tokio::test]
async fn a_rotated_signing_key_is_picked_up_and_a_tampered_code_exchange_fails() {
    let emu = TestEmulator::start().await;
    let client = client(&emu, CONTOSO);
    sign_in(
        &client,
        &FormBrowser::new(None),
        "ada@contoso.example",
        &["User.Read"],
    )
    .await
    .unwrap();
    emu.call_admin(reqwest::Method::POST, "/keys/rotate", json!({}))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // The new kid is unknown to the cached key set: the client fetches the keys again.
    sign_in(
        &client,
        &FormBrowser::new(None),
        "ada@contoso.example",
        &["User.Read"],
    )
    .await
    .unwrap();

    // A wrong PKCE verifier is refused by the provider.
    let (url, mut pending) = client
        .begin_sign_in(&request(&["User.Read"]), now())
        .await
        .unwrap();
    let params = FormBrowser::new(None)
        .sign_in(&url, "ada@contoso.example", DEMO_PASSWORD, true)
        .await
        .params();
    pending.code_verifier = Secret::new(identity::pkce::random_urlsafe(32));
    let err = client
        .complete_sign_in(&pending, &params["code"], now())
        .await
        .unwrap_err();
    assert_eq!(err.token_error().unwrap().code(), Some(501481));
}

#[tokio::test]
async fn end_session_url_returns_to_the_app_with_a_logout_hint() {
    let emu = TestEmulator::start().await;
    let client = client(&emu, CONTOSO);
    let (cache, _) = sign_in(
        &client,
        &FormBrowser::new(None),
        "ada@contoso.example",
        &["User.Read"],
    )
    .await
    .unwrap();
    let url = client
        .end_session_url("http://localhost:5000/", Some(&cache))
        .await
        .unwrap()
        .unwrap();
    let url = url::Url::parse(&url).unwrap();
    assert_eq!(url.path(), format!("/{CONTOSO}/oauth2/v2.0/logout"));
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["post_logout_redirect_uri"], "http://localhost:5000/");
    assert_eq!(
        Some(&query["logout_hint"]),
        cache.account.login_hint.as_ref()
    );
}

#[tokio::test]
async fn https_works_only_with_the_emulator_ca_trusted() {
    let emu = TestEmulator::start_https().await;
    let trusted = client(&emu, CONTOSO);
    let ca = emu.tls.as_ref().unwrap().ca_pem.clone();
    let (cache, _) = sign_in(
        &trusted,
        &FormBrowser::new(Some(&ca)),
        "ada@contoso.example",
        &["User.Read"],
    )
    .await
    .unwrap();
    assert!(cache.refresh_token.is_some());

    let untrusted = IdentityClient::new(ClientConfig {
        extra_ca_pem: None,
        ..trusted.config().clone()
    })
    .unwrap();
    let err = untrusted
        .provider()
        .await
        .err()
        .expect("an untrusted certificate fails");
    assert!(matches!(err, IdentityError::Unreachable { .. }), "{err}");
}
