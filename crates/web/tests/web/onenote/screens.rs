//! A section's pages come 50 to a screen, and `?page=` has one rule: a whole number from 1 to
//! the last screen. The pager says "Page 2 of 3"; a screen past the end is a 404 page that says
//! how many there are and links back to the first; what is not a number is a 400 page in the
//! app's own words (never serde's), also with the app's layout.

use super::*;

#[tokio::test]
async fn page_numbers_follow_one_rule_with_one_clear_message() {
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, generous_onenote_limits).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, "katherine@contoso.example")
        .await;
    // The big section: some 144 pages, three screens.
    let pages = emu
        .call_admin(
            Method::GET,
            "/onenote/katherine@contoso.example/pages",
            serde_json::Value::Null,
        )
        .await;
    let in_section: Vec<&serde_json::Value> = pages["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["section"]["displayName"] == "Trajectories")
        .collect();
    let section = in_section[0]["section"]["id"].as_str().unwrap();
    let screens = in_section.len().div_ceil(50);
    assert!(screens >= 3, "{} pages", in_section.len());
    let url = |query: &str| app.url(&format!("/onenote/sections/{section}{query}"));

    let second = user.get(&url("?page=2")).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert!(
        second
            .text()
            .await
            .unwrap()
            .contains(&format!("Page 2 of {screens}"))
    );

    for past in [screens + 1, 99_999_999] {
        let answer = user.get(&url(&format!("?page={past}"))).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "page={past}");
        let body = answer.text().await.unwrap();
        assert!(
            body.contains(&format!("fill {screens} screens"))
                && body.contains(&format!("there is no page {past}")),
            "page={past}: {body}"
        );
        assert!(
            body.contains(&format!("href=\"/onenote/sections/{section}\"")),
            "a link back to the first screen"
        );
        assert!(body.contains("/static/app.css"), "the app's layout");
        assert!(
            body.contains("id=\"sign-out\""),
            "the navigation bar: {body}"
        );
    }
    for wrong in ["0", "-1", "abc", "2.5", ""] {
        let answer = user.get(&url(&format!("?page={wrong}"))).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "page={wrong}");
        let body = answer.text().await.unwrap();
        assert!(
            body.contains("page= takes a screen number"),
            "page={wrong}: {body}"
        );
        assert!(!body.contains("invalid digit"), "no serde message: {body}");
        assert!(
            body.contains("id=\"sign-out\""),
            "the navigation bar: {body}"
        );
    }
}
