//! What makes real Graph clients fail, on demand: fault rules of each kind, OneNote's throttle
//! (rate and concurrency, per app per user, no `Retry-After`), and access tokens that are
//! expired, forged, of another audience or signed by rotated keys.

use crate::support::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use emulator::testing::TestEmulator;
use reqwest::Method;
use serde_json::{Value, json};

async fn arm(graph: &Graph, rule: Value) -> Value {
    graph.admin(Method::POST, "/faults", Some(rule)).await
}

#[tokio::test]
async fn status_faults_match_method_path_user_and_count() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "User.Read Notes.Read").await);
    let grace = Graph::new(&emu, &token(&emu, GRACE, "User.Read Notes.Read").await);

    arm(
        &ada,
        json!({"method": "GET", "path": "/v1.0/me/onenote/notebooks", "user": ADA, "count": 2,
        "answer": {"kind": "status", "status": 503, "retry_after": 7}}),
    )
    .await;
    for _ in 0..2 {
        let answer = ada.get("/me/onenote/notebooks").await;
        assert_eq!((answer.status, answer.error_code()), (503, "10002".into()));
        assert_eq!(answer.header("retry-after").as_deref(), Some("7"));
    }
    assert_eq!(
        ada.get("/me/onenote/notebooks").await.status,
        200,
        "the rule ran out"
    );

    // Only the named user, only the method, only the path prefix.
    arm(&ada, json!({"path": "/v1.0/me/onenote", "user": ADA, "answer": {"kind": "status", "status": 429}})).await;
    assert_eq!(grace.get("/me/onenote/notebooks").await.status, 200);
    assert_eq!(ada.get("/me").await.status, 200);
    let throttled = ada.get("/me/onenote/sections").await;
    assert_eq!(
        (throttled.status, throttled.error_code()),
        (429, "20166".into())
    );
    assert!(throttled.header("retry-after").is_none());

    for (status, code) in [
        (500, "generalException"),
        (504, "gatewayTimeout"),
        (429, "TooManyRequests"),
    ] {
        arm(&ada, json!({"method": "GET", "path": "/v1.0/me", "answer": {"kind": "status", "status": status, "retry_after": 1}})).await;
        let answer = ada.get("/me").await;
        assert_eq!(
            (answer.status, answer.error_code()),
            (status, code.to_string())
        );
        assert_eq!(answer.header("retry-after").as_deref(), Some("1"));
    }
    let rules = ada.admin(Method::GET, "/faults", None).await;
    assert!(
        rules["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["remaining"] == 0)
    );
    ada.admin(Method::DELETE, "/faults", None).await;
    assert_eq!(
        ada.admin(Method::GET, "/faults", None).await["rules"],
        json!([])
    );

    // Bad rules are refused.
    let bad = reqwest::Client::new()
        .post(emu.admin("/faults"))
        .json(&json!({"path": "/v1.0/me", "answer": {"kind": "status", "status": 200}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn latency_consent_and_claims_challenges() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "User.Read Notes.Read").await);

    arm(
        &ada,
        json!({"path": "/v1.0/me", "answer": {"kind": "latency", "ms": 300}}),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(ada.get("/me").await.status, 200);
    assert!(started.elapsed().as_millis() >= 300);

    arm(
        &ada,
        json!({"path": "/v1.0/me/onenote", "answer": {"kind": "consent_required"}}),
    )
    .await;
    let consent = ada.get("/me/onenote/pages").await;
    assert_eq!(
        (consent.status, consent.error_code()),
        (403, "40004".into())
    );
    let challenge = consent.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"Notes.Read\""),
        "{challenge}"
    );

    arm(&ada, json!({"path": "/v1.0/me", "count": 10, "answer": {"kind": "claims_challenge", "acrs": "c1"}})).await;
    let refused = ada.get("/me").await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (401, "InvalidAuthenticationToken".into())
    );
    let header = refused.header("www-authenticate").unwrap();
    assert!(
        header.starts_with(&format!(
            "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\"",
            emu.base_url
        )),
        "{header}"
    );
    assert!(header.contains("error=\"insufficient_claims\""));
    let claims_b64 = header
        .split("claims=\"")
        .nth(1)
        .unwrap()
        .trim_end_matches('"');
    let claims: Value = serde_json::from_slice(&STANDARD.decode(claims_b64).unwrap()).unwrap();
    assert_eq!(
        claims,
        json!({"access_token": {"acrs": {"essential": true, "value": "c1"}}})
    );
    // The same token is challenged again; a token obtained with the claims passes.
    assert_eq!(ada.get("/me").await.status, 401);
    let stepped_up = Graph::new(
        &emu,
        &token_with_claims(&emu, ADA, "User.Read", Some(&claims.to_string())).await,
    );
    assert_eq!(stepped_up.get("/me").await.status, 200);
}

#[tokio::test]
async fn onenote_throttle_per_app_per_user_without_retry_after() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "User.Read Notes.Read").await);
    let grace = Graph::new(&emu, &token(&emu, GRACE, "Notes.Read").await);
    let limits = ada.admin(Method::GET, "/limits", None).await;
    assert_eq!(
        limits,
        json!({"per_minute": 120, "per_hour": 400, "concurrent": 5, "sections_for_all_pages": 1000})
    );

    ada.admin(
        Method::PUT,
        "/limits",
        Some(json!({"per_minute": 3, "per_hour": 100, "concurrent": 5})),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(ada.get("/me/onenote/notebooks").await.status, 200);
    }
    let throttled = ada.get("/me/onenote/notebooks").await;
    assert_eq!(
        (throttled.status, throttled.error_code()),
        (429, "20166".into())
    );
    assert_eq!(
        throttled.json()["error"]["message"],
        "The app has issued too many requests on behalf of this user in a short time period."
    );
    assert!(throttled.header("retry-after").is_none());
    assert_eq!(
        grace.get("/me/onenote/notebooks").await.status,
        200,
        "another user is not affected"
    );
    assert_eq!(
        ada.get("/me").await.status,
        200,
        "only OneNote is throttled"
    );
    let log = ada.admin(Method::GET, "/log", None).await;
    let logged = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == 429)
        .unwrap();
    assert_eq!(logged["user"], ADA);
    assert_eq!(logged["client_id"], emulator::seed::DEMO_CLIENT_ID);

    // Concurrency: one slot, a slow request holds it.
    ada.admin(
        Method::PUT,
        "/limits",
        Some(json!({"per_minute": 100, "per_hour": 100, "concurrent": 1})),
    )
    .await;
    arm(
        &ada,
        json!({"path": "/v1.0/me/onenote/notebooks", "answer": {"kind": "latency", "ms": 800}}),
    )
    .await;
    let slow = tokio::spawn({
        let ada = ada.clone();
        async move { ada.get("/me/onenote/notebooks").await.status }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let second = ada.get("/me/onenote/sections").await;
    assert_eq!((second.status, second.error_code()), (429, "20166".into()));
    assert_eq!(slow.await.unwrap(), 200);
    assert_eq!(
        ada.get("/me/onenote/sections").await.status,
        200,
        "the slot is free again"
    );
    ada.admin(Method::PUT, "/limits", Some(json!({}))).await;
}

#[tokio::test]
async fn bad_expired_foreign_and_rotated_tokens() {
    let emu = TestEmulator::start().await;
    let plain = reqwest::Client::new();
    let me = format!("{}/v1.0/me", emu.base_url);
    for (auth, message) in [
        (None, "Access token is empty."),
        (Some("Bearer "), "Access token is empty."),
        (Some("Basic abc"), "Access token is empty."),
        (
            Some("Bearer garbage"),
            "IDX14100: JWT is not well formed, there are no dots (.).",
        ),
        (Some("Bearer a.b.c"), "Access token validation failure."),
    ] {
        let mut request = plain.get(&me);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(
            challenge,
            format!(
                "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                emu.base_url
            )
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
        assert_eq!(body["error"]["message"], message);
    }

    let token = token(&emu, ADA, "User.Read").await;
    // A forged signature (payload of a real token, signature of another).
    let other = token_with_claims(&emu, GRACE, "User.Read", None).await;
    let mut parts: Vec<&str> = token.split('.').collect();
    let other_sig = other.split('.').nth(2).unwrap();
    parts[2] = other_sig;
    let forged = Graph::new(&emu, &parts.join("."));
    assert_eq!(forged.get("/me").await.status, 401);

    // Rotation: tokens signed by the old key keep working until it is retired.
    let ada = Graph::new(&emu, &token);
    ada.admin(Method::POST, "/keys/rotate", None).await;
    assert_eq!(ada.get("/me").await.status, 200);
    let fresh = Graph::new(&emu, &crate::support::token(&emu, ADA, "User.Read").await);
    ada.admin(Method::POST, "/keys/retire", None).await;
    assert_eq!(ada.get("/me").await.status, 401);
    assert_eq!(fresh.get("/me").await.status, 200);

    // Expired early through the admin API.
    fresh.admin(Method::POST, "/tokens/expire", None).await;
    let expired = fresh.get("/me").await;
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.json()["error"]["message"],
        "Access token has expired or is not yet valid."
    );
}
