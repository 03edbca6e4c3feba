//! Throttled OneNote slows the app down, never fails it, and the app stays within the limits.

use super::*;

#[tokio::test]
async fn throttled_onenote_slows_down_but_works_and_stays_within_the_limits() {
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 600, "per_hour": 10000, "concurrent": 2}),
    )
    .await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("ONENOTE_MAX_CONCURRENT".into(), "2".into());
        env.insert("ONENOTE_PER_MINUTE".into(), "600".into());
        env.insert("ONENOTE_PER_HOUR".into(), "10000".into());
    })
    .await;
    let user = User::new();
    user.sign_in_for_onenote(&app, "alan@contoso.example").await;
    let since = emu.log_position().await;

    // Three 429s without Retry-After on resources, as OneNote sends them.
    emu.call_admin(Method::POST, "/faults", json!({"path": "/v1.0/me/onenote/resources", "count": 3, "answer": {"kind": "status", "status": 429}})).await;
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    let reference =
        link_to(&index, "/onenote/sections/", "Reference").expect("the Reference section");
    let listing = user
        .get(&app.url(&format!("/onenote/sections/{reference}")))
        .await
        .text()
        .await
        .unwrap();
    let images_page = link_to(&listing, "/onenote/pages/", "Images").expect("the Images page");
    let zip = user
        .get(&app.url(&format!("/onenote/pages/{images_page}.zip")))
        .await;
    assert_eq!(
        zip.status(),
        StatusCode::OK,
        "the zip waits out the throttling"
    );
    let archive =
        zip::ZipArchive::new(std::io::Cursor::new(zip.bytes().await.unwrap().to_vec())).unwrap();
    assert!(archive.len() >= 3, "Markdown plus the images");

    let log = emu
        .call_admin(
            Method::GET,
            &format!("/log?since={since}"),
            serde_json::Value::Null,
        )
        .await;
    let entries = log["entries"].as_array().unwrap().clone();
    assert_eq!(
        entries.iter().filter(|e| e["status"] == 429).count(),
        3,
        "only the injected 429s: the app caused none"
    );
    assert!(
        max_in_flight(&entries, "alan@contoso.example") <= 2,
        "the app kept to two requests in flight"
    );

    // When OneNote keeps refusing, the page says so and when to come back.
    emu.call_admin(Method::POST, "/faults", json!({"path": "/v1.0/me/onenote/pages", "count": 50, "answer": {"kind": "status", "status": 429}})).await;
    let refused = user
        .get(&app.url(&format!("/onenote/pages/{images_page}")))
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Microsoft Graph is busy")
    );
    emu.call_admin(Method::DELETE, "/faults", serde_json::Value::Null)
        .await;
}
