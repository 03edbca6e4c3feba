//! Server-side request forgery: resource ids and URLs inside page HTML never make the app fetch
//! anything but the signed-in user's own resources, by id, from Graph.

use super::*;

/// A listener standing for any host the app must never be made to fetch from; counts
/// connections.
async fn bait_host() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 0\r\n\r\n",
                )
                .await;
        }
    });
    (address, hits)
}

#[tokio::test]
async fn resource_ids_that_are_urls_make_the_app_fetch_nothing() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let (bait, hits) = bait_host().await;
    let emulator_host = emu.base_url.trim_start_matches("http://").to_string();
    let user = User::new();
    user.sign_in_for_onenote(&app, GRACE).await;

    let since = emu.log_position().await;
    let encoded = |s: &str| web::error::encode(s).replace('+', "%20");
    let mut ids: Vec<String> = [
        format!("http://{bait}/x.png"),
        format!("https://{bait}/x.png"),
        format!("//{bait}/x.png"),
        format!("{bait}/x.png"),
        format!("x@{bait}"),
        format!("0-abc!1-def@{bait}"),
        format!("http://{emulator_host}/_emulator/info"),
        format!("{emulator_host}/_emulator/info"),
        "../../_emulator/info".to_string(),
        "..\\..\\_emulator\\info".to_string(),
        "file:///etc/passwd".to_string(),
        "0-abc!1-def?$select=id".to_string(),
        "0-abc!1-def#x".to_string(),
        "0-abc!1-def/$value".to_string(),
    ]
    .iter()
    .map(|id| encoded(id))
    .collect();
    ids.push(format!("http:%252F%252F{bait}%252Fx"));
    ids.push(format!("%40{bait}"));
    for id in &ids {
        for path in [
            format!("/onenote/resources/{id}"),
            format!("/onenote/pages/{id}"),
            format!("/onenote/pages/{id}.zip"),
            format!("/onenote/sections/{id}"),
        ] {
            let response = user.get(&app.url(&path)).await;
            assert!(
                matches!(
                    response.status(),
                    StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
                ),
                "{path}: {}",
                response.status()
            );
        }
    }
    // Unencoded slashes do not even match a route.
    let raw = user
        .get(&format!(
            "{}/onenote/resources/http://{bait}/x.png",
            app.base_url
        ))
        .await;
    assert_eq!(raw.status(), StatusCode::NOT_FOUND);

    assert_eq!(
        emu.log_since(since).await,
        Vec::<serde_json::Value>::new(),
        "no id that is not an id reached Graph"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was fetched");
}

#[tokio::test]
async fn urls_inside_a_page_make_the_app_fetch_only_that_users_resources_by_id() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let (bait, hits) = bait_host().await;
    let listed: serde_json::Value = reqwest::get(emu.admin(&format!("/onenote/{ADA}/resources")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let adas = listed["resources"][0]["id"].as_str().unwrap().to_string();

    // Grace's page points at the bait host, at the emulator's admin API, at a Graph-shaped URL
    // on the bait host, and at Ada's resource under Ada's name.
    let token = emu.user_token(GRACE, "Notes.ReadWrite openid").await;
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
    let html = format!(
        r#"<html><head><title>Links</title></head><body>
<p>Bait</p>
<img src="http://{bait}/pixel.png" />
<img src="{admin}" />
<img src="http://{bait}/v1.0/me/onenote/resources/0-bait!1-bait/$value" />
<img src="{base}/v1.0/users('{ADA}')/onenote/resources/{adas}/$value" />
<object data="http://{bait}/v1.0/me/onenote/resources/0-obj!1-obj/$value" data-attachment="a.pdf" type="application/pdf"></object>
</body></html>"#,
        admin = emu.admin("/info"),
        base = emu.base_url,
    );
    let created = graph
        .post(format!(
            "{}/v1.0/me/onenote/sections/{section}/pages",
            emu.base_url
        ))
        .bearer_auth(&token)
        .header("content-type", "text/html")
        .body(html)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let page: serde_json::Value = created.json().await.unwrap();
    let page = page["id"].as_str().unwrap().to_string();

    let user = User::new();
    user.sign_in_for_onenote(&app, GRACE).await;
    let since = emu.log_position().await;
    let view = user.get(&app.url(&format!("/onenote/pages/{page}"))).await;
    assert_eq!(view.status(), StatusCode::OK);
    let view = view.text().await.unwrap();
    assert!(!view.contains(&bait), "no bait URL is shown to the browser");
    assert!(!view.contains("/_emulator"), "no admin URL either");
    let md = user
        .get(&app.url(&format!("/onenote/pages/{page}.md")))
        .await;
    assert_eq!(md.status(), StatusCode::OK);
    let zip = user
        .get(&app.url(&format!("/onenote/pages/{page}.zip")))
        .await;
    // Ada's resource is not Grace's: Graph says 404 and so does the app, with nothing of Ada's.
    assert!(
        zip.status() == StatusCode::OK || zip.status() == StatusCode::NOT_FOUND,
        "{}",
        zip.status()
    );

    for entry in emu.log_since(since).await {
        let path = entry["path"].as_str().unwrap();
        assert!(
            path.starts_with("/v1.0/me/onenote/"),
            "the app only talks to Graph about the signed-in user: {entry}"
        );
        assert_eq!(entry["user"], GRACE, "{entry}");
        assert_eq!(entry["method"], "GET");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the app never fetched a URL from the page"
    );
}
