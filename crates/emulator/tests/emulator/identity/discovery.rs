//! Discovery for every tenant form, ID tokens against the published keys before and after
//! rotation, and MSAL's instance discovery.

use super::*;

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
