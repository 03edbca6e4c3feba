//! Running graphnote for real: behind a reverse proxy under a path prefix (forwarded headers
//! believed only from trusted proxies), `/metrics` moving, `SESSION_SECRET` key rotation, Redis
//! with a password and over TLS, Redis going away and coming back, and the certificate
//! credential (`private_key_jwt`).

use crate::support::ops::*;
use crate::support::*;
use emulator::seed::DEMO_CLIENT_ID;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn behind_a_trusted_proxy_under_a_prefix_and_ignoring_untrusted_forwarding() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_port = proxy.local_addr().unwrap().port();
    let store = format!("sqlite:{}", dir.0.join("a.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert(
            "PUBLIC_URL".into(),
            format!("http://127.0.0.1:{proxy_port}/app"),
        );
        env.insert("TRUSTED_PROXIES".into(), "127.0.0.1/32, ::1".into());
    })
    .await;
    start_proxy(proxy, format!("http://{}", app.state.config.listen)).await;
    let public = format!("http://localhost:{proxy_port}/app");

    let user = User::new();
    let login = user.get(&format!("{public}/login")).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        query_param(&location(&login), "redirect_uri").as_deref(),
        Some(format!("{public}/getAToken").as_str()),
        "the trusted proxy's host decides the redirect URI"
    );
    let done = match user
        .browser
        .sign_in(
            &location(&login),
            "ada@contoso.example",
            emulator::seed::DEMO_PASSWORD,
            true,
        )
        .await
    {
        emulator::testing::SignInOutcome::Redirect(callback) => user.get(callback.as_str()).await,
        other => panic!("{other:?}"),
    };
    assert_eq!(location(&done), "/app/");
    assert!(set_cookie(&done).unwrap().starts_with("graphnote_session="));
    assert_eq!(
        user.get(&format!("{public}/")).await.status(),
        StatusCode::OK,
        "home under the prefix"
    );
    let me = user.get(&format!("{public}/msal-demo?format=json")).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        me.json::<serde_json::Value>().await.unwrap()["userPrincipalName"],
        "ada@contoso.example"
    );
    let out = user.get(&format!("{public}/logout")).await;
    assert_eq!(
        query_param(&location(&out), "post_logout_redirect_uri").as_deref(),
        Some(format!("{public}/").as_str())
    );
    // The provider sends the browser back to the prefix's home: it says "signed out" once
    // (the mark's cookie is the prefix's), then wants a new sign-in.
    let home = user.get(&format!("{public}/")).await;
    assert_eq!(home.status(), StatusCode::OK, "signed out");
    assert!(home.text().await.unwrap().contains("You have signed out"));
    assert_eq!(
        user.get(&format!("{public}/")).await.status(),
        StatusCode::SEE_OTHER,
        "signed out"
    );

    // The same headers from a peer that is not a trusted proxy change nothing.
    let untrusted = TestApp::start_with(
        &emu,
        &format!("sqlite:{}", dir.0.join("b.sqlite3").display()),
        |env| {
            env.insert("PUBLIC_URL".into(), "https://notes.example.com/app".into());
            env.insert("TRUSTED_PROXIES".into(), "10.0.0.0/8".into());
        },
    )
    .await;
    let direct = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(
            untrusted.base_url.replace(
                "https://notes.example.com",
                &format!("http://{}", untrusted.state.config.listen),
            ) + "/login",
        )
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "http")
        .header("forwarded", "for=203.0.113.9;host=evil.example;proto=http")
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&direct), "redirect_uri").as_deref(),
        Some("https://notes.example.com/app/getAToken")
    );
}

fn counter(metrics: &str, name: &str, labels: &[&str]) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn metrics_move_with_the_traffic() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let scrape = || async {
        User::new()
            .get(&app.url("/metrics"))
            .await
            .text()
            .await
            .unwrap()
    };
    let before = scrape().await;
    assert!(before.contains("# TYPE") || before.is_empty());

    let user = User::new();
    user.sign_in(&app, "grace@contoso.example").await;
    assert_eq!(
        user.get(&app.url("/msal-demo?format=json")).await.status(),
        StatusCode::OK
    );
    emu.call_admin(Method::POST, "/tokens/expire", json!({}))
        .await;
    assert_eq!(
        user.get(&app.url("/msal-demo?format=json")).await.status(),
        StatusCode::OK
    );
    let after = scrape().await;

    let moved = |name: &str, labels: &[&str]| {
        counter(&after, name, labels) - counter(&before, name, labels)
    };
    assert!(
        moved(
            "graphnote_http_requests_total",
            &["route=\"/msal-demo\"", "status=\"200\""]
        ) >= 2.0,
        "{after}"
    );
    assert!(moved("graphnote_signins_total", &["outcome=\"success\""]) >= 1.0);
    assert!(moved("graphnote_token_refreshes_total", &["outcome=\"success\""]) >= 1.0);
    assert!(moved("graphnote_graph_requests_total", &["status=\"200\""]) >= 2.0);
    assert!(moved("graphnote_graph_requests_total", &["status=\"401\""]) >= 1.0);
    assert!(
        moved(
            "graphnote_http_request_duration_seconds_count",
            &["route=\"/msal-demo\""]
        ) >= 2.0
    );
    assert!(
        after.contains("graphnote_http_request_duration_seconds_bucket"),
        "latency is a histogram"
    );
    assert!(
        moved(
            "graphnote_session_store_duration_seconds_count",
            &["op=\"load\""]
        ) >= 2.0,
        "store latency is measured"
    );
}

#[tokio::test]
async fn session_secret_keys_rotate_without_signing_anyone_out() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let with_keys = |keys: &'static str| {
        move |env: &mut std::collections::HashMap<String, String>| {
            env.insert("SESSION_SECRET".into(), keys.into());
        }
    };

    let first = TestApp::start_with(
        &emu,
        &store,
        with_keys("key-one-0123456789abcdefghijklmnopqrstu"),
    )
    .await;
    let cookie = User::new().sign_in(&first, "alan@contoso.example").await;
    first.stop().await;

    // Keys "2,1": the session sealed under key 1 still works, and is sealed again under key 2.
    let rotated = TestApp::start_with(
        &emu,
        &store,
        with_keys(
            "key-two-0123456789abcdefghijklmnopqrstu,key-one-0123456789abcdefghijklmnopqrstu",
        ),
    )
    .await;
    assert_eq!(
        get_with_cookie(&rotated.url("/msal-demo?format=json"), &cookie)
            .await
            .status(),
        StatusCode::OK
    );
    rotated.stop().await;

    // Key 2 alone opens it now.
    let only_new = TestApp::start_with(
        &emu,
        &store,
        with_keys("key-two-0123456789abcdefghijklmnopqrstu"),
    )
    .await;
    let home = get_with_cookie(&only_new.url("/"), &cookie).await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Alan Turing"));
}

#[tokio::test]
async fn redis_going_away_is_a_503_and_coming_back_loses_nothing() {
    let dir = TempDir::new();
    let port = free_port();
    let mut redis = RedisServer::persistent(port, &dir.0).await;
    let emu = TestEmulator::start().await;
    let app = TestApp::start_with(&emu, &format!("redis://127.0.0.1:{port}/0"), |_| {}).await;
    let cookie = User::new().sign_in(&app, "ada@contoso.example").await;
    assert_eq!(
        get_with_cookie(&app.url("/"), &cookie).await.status(),
        StatusCode::OK
    );

    redis.stop();
    let down = get_with_cookie(&app.url("/"), &cookie).await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        User::new().get(&app.url("/readyz")).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    let _back = RedisServer::persistent(port, &dir.0).await;
    let mut recovered = false;
    for _ in 0..50 {
        if User::new().get(&app.url("/readyz")).await.status() == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(recovered, "ready again without a restart");
    let home = get_with_cookie(&app.url("/"), &cookie).await;
    assert_eq!(home.status(), StatusCode::OK, "the session survived");
    assert!(home.text().await.unwrap().contains("Ada Lovelace"));
}

/// Redis restarts while nobody is using the app (a failover, an upgrade): the connection each
/// instance holds is dead, and the first request to use it must still be served.
#[tokio::test]
async fn the_first_request_after_redis_restarts_is_served() {
    let dir = TempDir::new();
    let port = free_port();
    let mut redis = RedisServer::persistent(port, &dir.0).await;
    let emu = TestEmulator::start().await;
    let store = format!("redis://127.0.0.1:{port}/0");
    let a = TestApp::start_with(&emu, &store, |_| {}).await;
    let b = TestApp::start_with(&emu, &store, |_| {}).await;
    let cookie = User::new().sign_in(&a, "ada@contoso.example").await;
    for app in [&a, &b] {
        assert_eq!(
            get_with_cookie(&app.url("/"), &cookie).await.status(),
            StatusCode::OK
        );
    }

    redis.stop();
    let _back = RedisServer::persistent(port, &dir.0).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    for (name, app) in [("A", &a), ("B", &b)] {
        let first = get_with_cookie(&app.url("/"), &cookie).await;
        assert_eq!(
            first.status(),
            StatusCode::OK,
            "the first request through instance {name} after the restart"
        );
        assert!(first.text().await.unwrap().contains("Ada Lovelace"));
    }
}

#[tokio::test]
async fn redis_with_a_password_over_tls() {
    let dir = TempDir::new();
    let tls = emulator::tls::TlsMaterial::ephemeral().unwrap();
    let (ca, cert, key) = (
        dir.0.join("ca.pem"),
        dir.0.join("cert.pem"),
        dir.0.join("key.pem"),
    );
    std::fs::write(&ca, &tls.ca_pem).unwrap();
    std::fs::write(&cert, &tls.cert_pem).unwrap();
    std::fs::write(&key, &tls.key_pem).unwrap();
    let port = free_port();
    let port_text = port.to_string();
    let _redis = RedisServer::start_with(
        port,
        &[
            "--port",
            "0",
            "--tls-port",
            &port_text,
            "--tls-cert-file",
            cert.to_str().unwrap(),
            "--tls-key-file",
            key.to_str().unwrap(),
            "--tls-ca-cert-file",
            ca.to_str().unwrap(),
            "--tls-auth-clients",
            "no",
            "--requirepass",
            "s3cret-redis-password",
        ],
    )
    .await;
    let emu = TestEmulator::start().await;
    let ca_path = ca.display().to_string();
    let app = TestApp::start_with(
        &emu,
        &format!("rediss://:s3cret-redis-password@127.0.0.1:{port}/0"),
        |env| {
            env.insert("CA_BUNDLE".into(), ca_path.clone());
        },
    )
    .await;
    assert_eq!(
        User::new().get(&app.url("/readyz")).await.status(),
        StatusCode::OK
    );
    let cookie = User::new().sign_in(&app, "grace@contoso.example").await;
    assert_eq!(
        get_with_cookie(&app.url("/msal-demo?format=json"), &cookie)
            .await
            .status(),
        StatusCode::OK
    );

    let ca_path = ca.display().to_string();
    let wrong = TestApp::start_with(
        &emu,
        &format!("rediss://:wrong@127.0.0.1:{port}/0"),
        |env| {
            env.insert("CA_BUNDLE".into(), ca_path.clone());
        },
    )
    .await;
    assert_eq!(
        User::new().get(&wrong.url("/readyz")).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn the_certificate_credential_signs_in_and_a_wrong_one_is_refused_clearly() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let (bundle, cert) = client_certificate();
    let (other_bundle, _) = client_certificate();
    emu.call_admin(
        Method::PATCH,
        &format!("/clients/{DEMO_CLIENT_ID}"),
        json!({"certificates": [cert]}),
    )
    .await;
    let (good, bad) = (dir.0.join("good.pem"), dir.0.join("bad.pem"));
    std::fs::write(&good, bundle).unwrap();
    std::fs::write(&bad, other_bundle).unwrap();

    let use_cert = |path: std::path::PathBuf| {
        move |env: &mut std::collections::HashMap<String, String>| {
            env.remove("CLIENT_SECRET");
            env.insert("CLIENT_CERTIFICATE_PATH".into(), path.display().to_string());
        }
    };
    let app = TestApp::start_with(
        &emu,
        &format!("sqlite:{}", dir.0.join("a.sqlite3").display()),
        use_cert(good),
    )
    .await;
    let cookie = User::new().sign_in(&app, "ada@contoso.example").await;
    assert_eq!(
        get_with_cookie(&app.url("/msal-demo?format=json"), &cookie)
            .await
            .status(),
        StatusCode::OK
    );

    let wrong = TestApp::start_with(
        &emu,
        &format!("sqlite:{}", dir.0.join("b.sqlite3").display()),
        use_cert(bad),
    )
    .await;
    let response = User::new()
        .sign_in_at(&wrong, "/login", "ada@contoso.example")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Sign-in could not be completed") && page.contains("AADSTS700027"),
        "{page}"
    );
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_408() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start_with(
        &emu,
        &format!("sqlite:{}", dir.0.join("s.sqlite3").display()),
        |env| {
            env.insert("REQUEST_TIMEOUT_SECONDS".into(), "1".into());
        },
    )
    .await;
    let cookie = User::new().sign_in(&app, "alan@contoso.example").await;
    emu.call_admin(
        Method::POST,
        "/faults",
        json!({"path": "/v1.0/me", "count": 1, "answer": {"kind": "latency", "ms": 3000}}),
    )
    .await;
    let slow = get_with_cookie(&app.url("/msal-demo?format=json"), &cookie).await;
    assert_eq!(slow.status(), StatusCode::REQUEST_TIMEOUT);
    // The next request is fine again.
    assert_eq!(
        get_with_cookie(&app.url("/msal-demo?format=json"), &cookie)
            .await
            .status(),
        StatusCode::OK
    );
}
