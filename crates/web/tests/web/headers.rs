//! Security headers on every response — pages, redirects, downloads, images, static assets,
//! health checks, 404s, 405s, 413s and error pages, signed in or not: a Content-Security-Policy
//! without inline script that allows images only from the app and `data:` and forbids framing,
//! `X-Frame-Options`, `X-Content-Type-Options: nosniff`, a `Referrer-Policy` that leaks
//! nothing, and HSTS exactly when `PUBLIC_URL` is https.

use crate::support::*;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};

/// A directive's sources; `None` when the policy does not have it.
fn directive(csp: &str, name: &str) -> Option<Vec<String>> {
    csp.split(';').map(str::trim).find_map(|d| {
        let mut parts = d.split_whitespace();
        (parts.next()? == name).then(|| parts.map(str::to_string).collect())
    })
}

/// The checks every response passes. `https`: whether HSTS must be there.
fn assert_secure_headers(what: &str, response: &reqwest::Response, https: bool) {
    let headers = response.headers();
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
            .to_string()
    };
    let csp = get("content-security-policy");
    let default = directive(&csp, "default-src").unwrap_or_default();
    assert_eq!(default, ["'none'"], "{what}: default-src in {csp}");
    // The effective script sources: script-src, else default-src.
    let script = directive(&csp, "script-src").unwrap_or(default.clone());
    for source in &script {
        assert!(
            source == "'self'" || source == "'none'",
            "{what}: script-src allows {source}: {csp}"
        );
    }
    for extra in ["script-src-elem", "script-src-attr"] {
        assert!(
            directive(&csp, extra).is_none(),
            "{what}: {extra} widens script-src: {csp}"
        );
    }
    let images = directive(&csp, "img-src").unwrap_or(default.clone());
    for source in &images {
        assert!(
            ["'self'", "data:", "'none'"].contains(&source.as_str()),
            "{what}: img-src allows {source}: {csp}"
        );
    }
    assert_eq!(
        directive(&csp, "frame-ancestors").as_deref(),
        Some(&["'none'".to_string()][..]),
        "{what}: frame-ancestors in {csp}"
    );
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    let referrer = get("referrer-policy");
    assert!(
        ["no-referrer", "same-origin", "strict-origin"].contains(&referrer.as_str()),
        "{what}: Referrer-Policy {referrer}"
    );
    match headers.get("strict-transport-security") {
        Some(hsts) if https => {
            let hsts = hsts.to_str().unwrap();
            let max_age: u64 = hsts
                .split(';')
                .find_map(|p| p.trim().strip_prefix("max-age="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            assert!(max_age >= 180 * 24 * 3600, "{what}: {hsts}");
        }
        None if !https => {}
        other => panic!("{what}: HSTS is {other:?} for https={https}"),
    }
}

/// Requests anyone can make, with the status each must get.
fn anonymous_requests() -> Vec<(Method, &'static str, Option<&'static [u8]>, StatusCode)> {
    vec![
        (Method::GET, "/", None, StatusCode::SEE_OTHER),
        (Method::GET, "/login", None, StatusCode::SEE_OTHER),
        (
            Method::GET,
            "/login?consent=nope",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/getAToken?state=forged&code=x",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/getAToken",
            Some(b"state=forged&code=x"),
            StatusCode::OK,
        ),
        (Method::GET, "/logout", None, StatusCode::SEE_OTHER),
        (Method::GET, "/signout-oidc", None, StatusCode::BAD_REQUEST),
        (Method::GET, "/signout-oidc?sid=x", None, StatusCode::OK),
        (Method::GET, "/msal-demo", None, StatusCode::SEE_OTHER),
        (Method::GET, "/onenote", None, StatusCode::SEE_OTHER),
        (
            Method::GET,
            "/onenote/resources/0-abc!1-def",
            None,
            StatusCode::SEE_OTHER,
        ),
        (Method::GET, "/healthz", None, StatusCode::OK),
        (Method::GET, "/readyz", None, StatusCode::OK),
        (Method::GET, "/static/app.css", None, StatusCode::OK),
        (Method::GET, "/static/autosubmit.js", None, StatusCode::OK),
        (Method::GET, "/static/favicon.svg", None, StatusCode::OK),
        (Method::GET, "/favicon.ico", None, StatusCode::OK),
        (Method::GET, "/static/nope.js", None, StatusCode::NOT_FOUND),
        (Method::GET, "/no/such/page", None, StatusCode::NOT_FOUND),
        (Method::DELETE, "/", None, StatusCode::METHOD_NOT_ALLOWED),
        (
            Method::POST,
            "/getAToken",
            Some(&[b'x'; 70 * 1024]),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ]
}

async fn check_anonymous(base: &str, https: bool) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (method, path, body, expected) in anonymous_requests() {
        let mut request = client.request(method.clone(), format!("{base}{path}"));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_vec());
        }
        let response = request.send().await.unwrap();
        let what = format!("{method} {path}");
        assert_eq!(response.status(), expected, "{what}");
        assert_secure_headers(&what, &response, https);
    }
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    check_anonymous(&app.base_url, false).await;

    // Signed in: pages, JSON, downloads, an image, and Graph's errors as pages.
    let user = User::new();
    user.sign_in_for_onenote(&app, "ada@contoso.example").await;
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    let section = index
        .split("/onenote/sections/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let listed: serde_json::Value =
        reqwest::get(emu.admin("/onenote/ada@contoso.example/resources"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let image = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["content_type"].as_str().unwrap().starts_with("image/"))
        .unwrap();
    let resource = image["id"].as_str().unwrap();
    let page = image["page"].as_str().unwrap();
    let attachment = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["content_type"].as_str().unwrap().starts_with("image/"))
        .map(|r| r["id"].as_str().unwrap().to_string())
        .expect("a seeded attachment");
    for (path, expected) in [
        ("/".to_string(), StatusCode::OK),
        ("/msal-demo".to_string(), StatusCode::OK),
        ("/msal-demo?format=json".to_string(), StatusCode::OK),
        ("/onenote".to_string(), StatusCode::OK),
        (format!("/onenote/sections/{section}"), StatusCode::OK),
        (format!("/onenote/pages/{page}"), StatusCode::OK),
        (format!("/onenote/pages/{page}.md"), StatusCode::OK),
        (format!("/onenote/pages/{page}.zip"), StatusCode::OK),
        (format!("/onenote/resources/{resource}"), StatusCode::OK),
        (format!("/onenote/resources/{attachment}"), StatusCode::OK),
        (
            "/onenote/pages/0-nothing!1-here".to_string(),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/onenote/sections/{section}?page=0"),
            StatusCode::BAD_REQUEST,
        ),
        ("/onenote/pages/a%00b".to_string(), StatusCode::NOT_FOUND),
    ] {
        let response = user.get(&app.url(&path)).await;
        assert_eq!(response.status(), expected, "{path}");
        assert_secure_headers(&path, &response, false);
    }
    // Images are inline; anything else is a sandboxed download, never sniffed into HTML.
    let shown = user
        .get(&app.url(&format!("/onenote/resources/{resource}")))
        .await;
    assert!(
        shown.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/")
    );
    let download = user
        .get(&app.url(&format!("/onenote/resources/{attachment}")))
        .await;
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csp = download.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(directive(&csp, "sandbox").is_some(), "{csp}");
}

#[tokio::test]
async fn an_https_public_url_adds_hsts_and_a_host_only_secure_cookie() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    // Behind a TLS-terminating proxy: the app itself listens on plain HTTP.
    let app = TestApp::start_with(&emu, &store, |env| {
        let listen = env["LISTEN"].clone();
        env.insert("PUBLIC_URL".into(), format!("https://{listen}"));
    })
    .await;
    assert!(app.base_url.starts_with("https://"));
    let plain = app.base_url.replacen("https://", "http://", 1);
    check_anonymous(&plain, true).await;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client.get(format!("{plain}/login")).send().await.unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-"), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
}

#[tokio::test]
async fn a_path_prefix_changes_nothing_about_the_headers() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        let listen = env["LISTEN"].clone();
        env.insert("PUBLIC_URL".into(), format!("http://{listen}/notes"));
    })
    .await;
    let root = app.base_url.trim_end_matches("/notes").to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, expected) in [
        ("/notes", StatusCode::SEE_OTHER),
        ("/notes/static/app.css", StatusCode::OK),
        ("/notes/nope", StatusCode::NOT_FOUND),
        ("/", StatusCode::NOT_FOUND),
        ("/other", StatusCode::NOT_FOUND),
    ] {
        let response = client.get(format!("{root}{path}")).send().await.unwrap();
        assert_eq!(response.status(), expected, "{path}");
        assert_secure_headers(path, &response, false);
    }
}
