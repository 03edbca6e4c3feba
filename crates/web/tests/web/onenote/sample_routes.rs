//! The Python sample's OneNote route names: `/onenote-demo`, `/onenotepage?page_url=…` and
//! `/onenotepagemd?page_url=…` lead to graphnote's own pages for a Graph page-content URL of the
//! signed-in user, and every other `page_url` — other hosts, other users, paths that are not a
//! page's content, encoded tricks — is a clear 400 page, with nothing fetched from it.

use super::*;

async fn first_page(emu: &TestEmulator, user: &str) -> serde_json::Value {
    let token = emu.user_token(user, "Notes.Read").await;
    let pages: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/v1.0/me/onenote/pages?$filter=title eq 'Weekly plan'",
            emu.base_url
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    pages["value"][0].clone()
}

#[tokio::test]
async fn the_samples_route_names_lead_to_the_page_and_its_markdown() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, "ada@contoso.example").await;
    let page = first_page(&emu, "ada@contoso.example").await;
    let id = page["id"].as_str().unwrap();
    let content_url = page["contentUrl"].as_str().unwrap();

    let demo = user.get(&app.url("/onenote-demo")).await;
    assert!(demo.status().is_redirection());
    assert_eq!(location(&demo), "/onenote");

    let spellings = [
        content_url.to_string(),
        format!("{}/v1.0/me/onenote/pages/{id}/content", emu.base_url),
        format!(
            "{}/v1.0/users/ada@contoso.example/onenote/pages/{id}/$value",
            emu.base_url
        ),
    ];
    for page_url in &spellings {
        let encoded =
            percent_encoding::utf8_percent_encode(page_url, percent_encoding::NON_ALPHANUMERIC);
        let view = user
            .get(&app.url(&format!("/onenotepage?page_url={encoded}")))
            .await;
        assert!(
            view.status().is_redirection(),
            "{page_url}: {}",
            view.status()
        );
        assert_eq!(location(&view), format!("/onenote/pages/{id}"));
        let md = user
            .get(&app.url(&format!("/onenotepagemd?page_url={encoded}")))
            .await;
        assert_eq!(location(&md), format!("/onenote/pages/{id}.md"));
    }

    // Followed through, they are the page and its Markdown.
    let encoded =
        percent_encoding::utf8_percent_encode(content_url, percent_encoding::NON_ALPHANUMERIC);
    let view = user
        .get(&app.url(&format!("/onenotepage?page_url={encoded}")))
        .await;
    let view = user.get(&app.url(&location(&view))).await;
    assert_eq!(view.status(), StatusCode::OK);
    assert!(view.text().await.unwrap().contains("Weekly plan"));
    let md = user
        .get(&app.url(&format!("/onenotepagemd?page_url={encoded}")))
        .await;
    let md = user.get(&app.url(&location(&md))).await;
    assert_eq!(md.headers()["content-type"], "text/markdown; charset=utf-8");
    assert!(md.text().await.unwrap().contains("title: \"Weekly plan\""));
}

#[tokio::test]
async fn hostile_page_urls_are_a_clear_400_and_nothing_is_fetched() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, "ada@contoso.example").await;
    let page = first_page(&emu, "ada@contoso.example").await;
    let id = page["id"].as_str().unwrap();
    let grace = first_page(&emu, "grace@contoso.example").await;
    let grace_id = grace["id"].as_str().unwrap();
    let base = &emu.base_url;
    let log_before = emu.log_position().await;

    for page_url in [
        format!("https://evil.example/v1.0/me/onenote/pages/{id}/content"),
        format!("{base}.evil.example/v1.0/me/onenote/pages/{id}/content"),
        format!(
            "{}/v1.0/me/onenote/pages/{id}/content",
            base.replacen("://", "://attacker@", 1)
        ),
        format!("{base}/v1.0/users/grace@contoso.example/onenote/pages/{grace_id}/content"),
        format!("{base}/v1.0/users('grace%40contoso.example')/onenote/pages/{grace_id}/content"),
        format!(
            "{base}/v1.0/me/onenote/pages/{id}/../../../users/grace@contoso.example/onenote/pages/{grace_id}/content"
        ),
        format!("{base}/v1.0/me/onenote/pages/%2e%2e%2f%2e%2e/content"),
        format!("{base}/v1.0/me/onenote/pages/{id}%2Fcontent%3F/content"),
        format!("{base}/v1.0/me/onenote/resources/{id}/$value"),
        format!("{base}/v1.0/me/drive/root/content"),
        "http://169.254.169.254/latest/meta-data/".into(),
        "file:///etc/passwd".into(),
        "javascript:alert(1)".into(),
        String::new(),
    ] {
        for route in ["/onenotepage", "/onenotepagemd"] {
            let encoded = percent_encoding::utf8_percent_encode(
                &page_url,
                percent_encoding::NON_ALPHANUMERIC,
            );
            let answer = user
                .get(&app.url(&format!("{route}?page_url={encoded}")))
                .await;
            assert_eq!(
                answer.status(),
                StatusCode::BAD_REQUEST,
                "{route} {page_url}"
            );
            let body = answer.text().await.unwrap();
            assert!(
                body.contains("page_url"),
                "a page that says what is wrong: {body}"
            );
            assert!(
                !body.contains("169.254") && !body.contains("evil.example"),
                "{body}"
            );
        }
    }
    let missing = user.get(&app.url("/onenotepage")).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    // Nothing went to Graph for any of them.
    let calls = emu.log_since(log_before).await;
    assert!(
        calls
            .iter()
            .all(|c| !c["path"].as_str().unwrap_or_default().contains("/onenote/")),
        "{calls:?}"
    );
}
