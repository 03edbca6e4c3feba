//! The emulator's identity side against raw HTTP: discovery for every tenant form, JWKS and key
//! rotation, instance discovery, and every error Entra returns, in Entra's shape — including bad
//! input at every endpoint, which must get a 4xx and never a 5xx.

use std::collections::HashMap;

use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD};
use emulator::testing::{FormBrowser, Pkce, TestEmulator};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const CONTOSO: &str = "4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f";
const OTHER_CLIENT_ID: &str = "0be7c1a5-3c2d-4f4e-8a6b-9c8d7e6f5a4b";
const OTHER_CLIENT_SECRET: &str = "ot8Q~emulator-other-app-secret";
const REDIRECT: &str = "http://localhost:5000/getAToken";

fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn admin(emu: &TestEmulator, method: Method, path: &str, body: Value) {
    let r = http()
        .request(method, emu.admin(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "admin {path}: {}", r.status());
}

fn authorize_url(emu: &TestEmulator, tenant: &str, params: &[(&str, &str)]) -> String {
    let mut url =
        url::Url::parse(&format!("{}/oauth2/v2.0/authorize", emu.authority(tenant))).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// A code for `user` from the demo client (PKCE S256 unless `extra` overrides).
async fn code_for(
    emu: &TestEmulator,
    browser: &FormBrowser,
    user: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> (HashMap<String, String>, Pkce) {
    let pkce = Pkce::new();
    let mut params = vec![
        ("client_id", DEMO_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "st&te with spaces/ünïcode"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("client_info", "1"),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        params.push((k, v));
    }
    let url = authorize_url(emu, CONTOSO, &params);
    (
        browser
            .sign_in(&url, user, DEMO_PASSWORD, true)
            .await
            .params(),
        pkce,
    )
}

async fn token(emu: &TestEmulator, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = http()
        .post(format!("{}/oauth2/v2.0/token", emu.authority(tenant)))
        .header("client-request-id", "6f2b9a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b")
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn redeem_form<'a>(code: &'a str, verifier: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        ("scope", "User.Read openid profile offline_access"),
        ("client_info", "1"),
    ]
}

/// Asserts Entra's error JSON: the `error`, an `AADSTS{code}:` description, `error_codes`.
fn assert_entra(
    status: StatusCode,
    body: &Value,
    expected_status: StatusCode,
    error: &str,
    code: u64,
) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: ") && description.contains("\r\nTimestamp: "));
    assert!(body["trace_id"].is_string() && body["timestamp"].is_string());
}

#[tokio::test]
async fn discovery_for_every_tenant_form() {
    let emu = TestEmulator::start().await;
    let base = &emu.base_url;
    for tenant in [CONTOSO, "contoso.example", "CONTOSO.onmicrosoft.com"] {
        let doc: Value = http()
            .get(format!(
                "{}/v2.0/.well-known/openid-configuration",
                emu.authority(tenant)
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["issuer"], format!("{base}/{CONTOSO}/v2.0"), "{tenant}");
        assert_eq!(
            doc["token_endpoint"],
            format!("{base}/{CONTOSO}/oauth2/v2.0/token")
        );
        assert_eq!(doc["tenant_region_scope"], "EU");
        for field in [
            "authorization_endpoint",
            "jwks_uri",
            "end_session_endpoint",
            "response_modes_supported",
            "subject_types_supported",
            "id_token_signing_alg_values_supported",
            "claims_supported",
            "msgraph_host",
        ] {
            assert!(!doc[field].is_null(), "{field} missing");
        }
    }
    for tenant in ["common", "organizations"] {
        let doc: Value = http()
            .get(format!(
                "{}//v2.0/.well-known/openid-configuration",
                emu.authority(tenant)
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["issuer"], format!("{base}/{{tenantid}}/v2.0"));
        assert_eq!(
            doc["token_endpoint"],
            format!("{base}/{tenant}/oauth2/v2.0/token")
        );
        assert!(doc["tenant_region_scope"].is_null());
    }
    let r = http()
        .get(format!(
            "{}/v2.0/.well-known/openid-configuration",
            emu.authority("nowhere.example")
        ))
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_entra(
        status,
        &r.json().await.unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
    );
}

async fn fresh_id_token(emu: &TestEmulator, browser: &FormBrowser) -> String {
    let (params, pkce) = code_for(
        emu,
        browser,
        "ada@contoso.example",
        "User.Read openid profile offline_access",
        &[],
    )
    .await;
    let (status, body) = token(emu, "common", &redeem_form(&params["code"], &pkce.verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id_token"].as_str().unwrap().to_string()
}

async fn published_keys(emu: &TestEmulator) -> Value {
    let url = format!("{}/discovery/v2.0/keys", emu.authority("common"));
    http()
        .get(url)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
}

/// Verifies an ID token with the key its `kid` names in `jwks`, and returns its claims.
fn verify(token: &str, jwks: &Value) -> Value {
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("kid published");
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[DEMO_CLIENT_ID]);
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .unwrap()
        .claims
}

#[tokio::test]
async fn id_tokens_verify_against_the_published_keys_before_and_after_rotation() {
    let emu = TestEmulator::start().await;
    let browser = FormBrowser::new(None);
    let before = fresh_id_token(&emu, &browser).await;
    let claims = verify(&before, &published_keys(&emu).await);
    // Tokens from /common carry the real tenant's issuer, while discovery carries the template.
    assert_eq!(claims["iss"], format!("{}/{CONTOSO}/v2.0", emu.base_url));
    assert_eq!(claims["tid"], CONTOSO);
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    for claim in [
        "sub",
        "oid",
        "name",
        "preferred_username",
        "sid",
        "iat",
        "nbf",
        "exp",
        "ver",
    ] {
        assert!(!claims[claim].is_null(), "{claim}");
    }
    assert!(
        claims["auth_time"].is_null(),
        "auth_time only when max_age is asked"
    );

    admin(&emu, Method::POST, "/keys/rotate", json!({})).await;
    let keys = published_keys(&emu).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 2);
    let after = fresh_id_token(&emu, &browser).await;
    assert_ne!(
        jsonwebtoken::decode_header(&before).unwrap().kid,
        jsonwebtoken::decode_header(&after).unwrap().kid
    );
    verify(&before, &keys);
    verify(&after, &keys);
    admin(&emu, Method::POST, "/keys/retire", json!({})).await;
    assert_eq!(
        published_keys(&emu).await["keys"].as_array().unwrap().len(),
        1
    );

    let (params, pkce) = code_for(
        &emu,
        &browser,
        "ada@contoso.example",
        "User.Read openid profile",
        &[("max_age", "3600")],
    )
    .await;
    let (_, body) = token(
        &emu,
        "common",
        &redeem_form(&params["code"], &pkce.verifier),
    )
    .await;
    let claims = verify(
        body["id_token"].as_str().unwrap(),
        &published_keys(&emu).await,
    );
    assert!(
        claims["auth_time"].is_i64(),
        "auth_time when max_age was sent"
    );
}

#[tokio::test]
async fn instance_discovery_versions_and_unknown_hosts() {
    let emu = TestEmulator::start().await;
    let host = url::Url::parse(&emu.base_url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    let get = |query: String| {
        let url = format!("{}/common/discovery/instance?{query}", emu.base_url);
        async move {
            let r = http().get(url).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let endpoint = format!("https://{host}/{CONTOSO}/oauth2/v2.0/authorize");
    let (status, v10) = get(format!("api-version=1.0&authorization_endpoint={endpoint}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v10["tenant_discovery_endpoint"],
        format!(
            "{}/{CONTOSO}/v2.0/.well-known/openid-configuration",
            emu.base_url
        )
    );
    assert!(v10["metadata"].is_null());
    let (_, v11) = get(format!("api-version=1.1&authorization_endpoint={endpoint}")).await;
    assert!(
        v11["metadata"][0]["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().starts_with(&host))
    );
    let (status, unknown) = get(
        "api-version=1.1&authorization_endpoint=https://login.evil.example/common/oauth2/authorize"
            .into(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown["error"], "invalid_instance");
    let (status, missing) = get(format!("authorization_endpoint={endpoint}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(missing["error_codes"], json!([900144]));
}

#[tokio::test]
async fn authorize_errors_that_are_never_redirected_are_pages() {
    let emu = TestEmulator::start().await;
    let cases: Vec<(String, u32)> = vec![
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", "00000000-0000-0000-0000-000000000000"),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            700016,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", "https://evil.example/cb"),
                    ("scope", "openid"),
                ],
            ),
            50011,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", "http://app.example/getAToken"),
                    ("scope", "openid"),
                ],
            ),
            500117,
        ),
        (
            authorize_url(
                &emu,
                "nowhere.example",
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            90002,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            9000411,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            900144,
        ),
    ];
    for (url, code) in cases {
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(
            r.headers().get("location").is_none(),
            "never redirected: {url}"
        );
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("AADSTS{code}:")), "{code}: {page}");
    }
}

#[tokio::test]
async fn authorize_errors_go_back_to_the_client_with_state() {
    let emu = TestEmulator::start().await;
    let browser = FormBrowser::new(None);
    let base = |extra: &[(&'static str, &'static str)]| {
        let mut p = vec![
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "User.Read openid"),
            ("state", "a b&c=d/é"),
        ];
        for (k, v) in extra {
            p.retain(|(n, _)| n != k);
            p.push((k, v));
        }
        authorize_url(&emu, CONTOSO, &p)
    };
    let expect = |params: HashMap<String, String>, error: &str, code: &str| {
        assert_eq!(params["error"], error, "{params:?}");
        assert!(
            params["error_description"].starts_with(&format!("AADSTS{code}:")),
            "{params:?}"
        );
        assert_eq!(params["state"], "a b&c=d/é", "state is echoed exactly");
    };
    let outcome = browser
        .sign_in(&base(&[("response_type", "token")]), "", "", true)
        .await;
    expect(outcome.params(), "unsupported_response_type", "700054");
    let outcome = browser
        .sign_in(&base(&[("scope", "Mail.Fly")]), "", "", true)
        .await;
    expect(outcome.params(), "invalid_scope", "70011");
    let outcome = browser
        .sign_in(
            &base(&[
                ("code_challenge", "short"),
                ("code_challenge_method", "S256"),
            ]),
            "",
            "",
            true,
        )
        .await;
    expect(outcome.params(), "invalid_request", "501491");
    let outcome = browser
        .sign_in(&base(&[("prompt", "none")]), "", "", true)
        .await;
    expect(outcome.params(), "login_required", "50058");

    // Signed in at the emulator, but Notes.ReadWrite never consented: prompt=none cannot ask.
    let (ok, _) = code_for(
        &emu,
        &browser,
        "alan@contoso.example",
        "User.Read openid",
        &[],
    )
    .await;
    assert!(
        ok.contains_key("code")
            && ok.contains_key("client_info")
            && ok.contains_key("session_state")
    );
    let outcome = browser
        .sign_in(
            &base(&[("prompt", "none"), ("scope", "Notes.ReadWrite")]),
            "",
            "",
            true,
        )
        .await;
    expect(outcome.params(), "consent_required", "65001");
    // With the session, a consented scope needs no form at all (single sign-on).
    let outcome = browser
        .sign_in(&base(&[("prompt", "none")]), "", "", true)
        .await;
    assert!(outcome.params().contains_key("code"));

    let declined = FormBrowser::new(None);
    let outcome = declined
        .sign_in(&base(&[]), "grace@contoso.example", DEMO_PASSWORD, false)
        .await;
    expect(outcome.params(), "access_denied", "65004");

    // Fragment and form_post deliver the same parameters.
    let url = base(&[("response_mode", "fragment")]);
    let r = browser.client.get(&url).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let fragment = url::Url::parse(&location)
        .unwrap()
        .fragment()
        .unwrap()
        .to_string();
    let params: HashMap<String, String> = url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(params["state"], "a b&c=d/é");
    match browser
        .sign_in(&base(&[("response_mode", "form_post")]), "", "", true)
        .await
    {
        emulator::testing::SignInOutcome::FormPost { action, fields } => {
            assert_eq!(action, REDIRECT);
            assert!(fields.iter().any(|(k, v)| k == "state" && v == "a b&c=d/é"));
            assert!(fields.iter().any(|(k, _)| k == "code"));
        }
        other => panic!("{other:?}"),
    }

    // Loopback redirect URIs match on any port.
    let url = base(&[
        ("redirect_uri", "http://localhost:61234/getAToken"),
        ("prompt", "none"),
    ]);
    let outcome = browser.sign_in(&url, "", "", true).await;
    assert!(outcome.params().contains_key("code"));
}

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

fn web_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn bad_input_at_every_endpoint_is_a_4xx_never_a_5xx() {
    let emu = TestEmulator::start().await;
    let b = &emu.base_url;
    let huge = "x".repeat(3 * 1024 * 1024);
    let requests: Vec<(Method, String, Option<String>)> = vec![
        (Method::GET, format!("{b}/common/oauth2/v2.0/token"), None),
        (
            Method::DELETE,
            format!("{b}/common/oauth2/v2.0/authorize"),
            None,
        ),
        (
            Method::PUT,
            format!("{b}/common/v2.0/.well-known/openid-configuration"),
            None,
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some(huge.clone()),
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some("%%%&&&===".into()),
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some(
                "grant_type=refresh_token&client_id=x&refresh_token=eyJhbGciOiJub25lIn0.e30."
                    .into(),
            ),
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some(String::from_utf8_lossy(&[0xff, 0xfe, 0x00]).into_owned()),
        ),
        (
            Method::POST,
            format!("{b}/{}/oauth2/v2.0/token", "a".repeat(5000)),
            Some("grant_type=x".into()),
        ),
        (
            Method::GET,
            format!("{b}/common/oauth2/v2.0/authorize?client_id=%00&redirect_uri=%ff"),
            None,
        ),
        (
            Method::GET,
            format!("{b}/common/oauth2/v2.0/authorize?{}", "a=b&".repeat(2000)),
            None,
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/authorize"),
            Some(huge),
        ),
        (
            Method::POST,
            format!("{b}/common/login"),
            Some("ticket=nope&username=a&password=b".into()),
        ),
        (
            Method::POST,
            format!("{b}/common/consent"),
            Some("ticket=nope&consent=accept".into()),
        ),
        (
            Method::GET,
            format!("{b}/nowhere.example/discovery/v2.0/keys"),
            None,
        ),
        (
            Method::GET,
            format!("{b}/common/discovery/instance?api-version=9&authorization_endpoint=::"),
            None,
        ),
        (Method::GET, format!("{b}/definitely/not/a/path"), None),
    ];
    for (method, url, body) in requests {
        let mut request = http().request(method.clone(), &url);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
        }
        let r = request.send().await.unwrap();
        let status = r.status();
        assert!(status.is_client_error(), "{method} {:.80}: {status}", url);
        let text = r.text().await.unwrap();
        assert!(
            text.contains("AADSTS") || text.contains("error"),
            "Entra-shaped: {method} {:.80}: {text:.200}",
            url
        );
    }
    // Sign-out with garbage hints still signs out, and goes nowhere it was not allowed to.
    for query in [
        "id_token_hint=not.a.jwt&post_logout_redirect_uri=javascript:alert(1)",
        "id_token_hint=eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.e30.c2ln&post_logout_redirect_uri=http://127.0.0.1/",
    ] {
        let r = http()
            .get(format!("{b}/common/oauth2/v2.0/logout?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        assert!(r.headers().get("location").is_none(), "{query}");
    }
}
