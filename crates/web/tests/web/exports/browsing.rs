//! Browsing while an export waits for OneNote's hourly window: the export keeps to its share of
//! the hour (three quarters while the owner is away, half while they browse), so the owner's
//! page views still go — each one answered within the app's wait limit, none refused by
//! OneNote — and the view that finally has to wait says it is graphnote keeping to OneNote's
//! limit, when the next call goes, with the navigation bar.

use super::*;

/// OneNote's hourly limit in this test, on both sides: small, so the export fills its share of
/// the hour (Katherine's notebook takes some 350 calls) within seconds.
const PER_HOUR: u32 = 60;
/// How long a page view may wait for the budget before it is answered with the waiting page.
const WAIT_SECONDS: u64 = 5;

#[tokio::test]
async fn an_export_held_back_by_the_hour_leaves_the_owner_browsing() {
    let dir = TempDir::new();
    browse_while_an_export_waits(&sqlite_store(&dir), &dir).await;
}

/// The same with the windows kept in Redis (what several instances share).
#[tokio::test]
async fn an_export_held_back_by_the_hour_leaves_the_owner_browsing_on_redis() {
    let redis = RedisServer::start().await;
    let dir = TempDir::new();
    browse_while_an_export_waits(&redis.url(), &dir).await;
}

async fn browse_while_an_export_waits(store: &str, dir: &TempDir) {
    let emu = TestEmulator::start().await;
    let app = TestApp::start_with(&emu, store, |env| {
        env.insert("ONENOTE_MAX_CONCURRENT".into(), "5".into());
        env.insert("ONENOTE_PER_MINUTE".into(), "1000".into());
        env.insert("ONENOTE_PER_HOUR".into(), PER_HOUR.to_string());
        env.insert("ONENOTE_WAIT_SECONDS".into(), WAIT_SECONDS.to_string());
        quick_exports(env, &dir.0);
    })
    .await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 1000, "per_hour": PER_HOUR, "concurrent": 5}),
    )
    .await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    let since = emu.log_position().await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    let id = start_export(&user, &app, "notebook", Some(&notebook)).await;

    // The export runs until its share of the hour is used, then waits for the window.
    let mut calls = 0;
    let mut still_since = Instant::now();
    while still_since.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = status(&user, &app, &id).await["calls"]
            .as_u64()
            .unwrap_or(0);
        if now != calls {
            (calls, still_since) = (now, Instant::now());
        }
    }
    assert_eq!(status(&user, &app, &id).await["state"], "running");
    assert!(
        calls as f64 <= 0.75 * f64::from(PER_HOUR),
        "the export took {calls} of {PER_HOUR} calls this hour"
    );

    // The owner browses text pages (two OneNote calls each): every view answers at once.
    let pages: Vec<String> = emulator_pages(&emu, KATHERINE)
        .await
        .into_iter()
        .filter(|p| p["resources"].as_array().is_some_and(Vec::is_empty))
        .map(|p| p["id"].as_str().unwrap().to_string())
        .take(8)
        .collect();
    assert_eq!(pages.len(), 8);
    for page in &pages {
        let asked = Instant::now();
        let view = user.get(&app.url(&format!("/onenote/pages/{page}"))).await;
        assert_eq!(
            view.status(),
            StatusCode::OK,
            "a page view while the export waits"
        );
        assert!(
            asked.elapsed() < Duration::from_secs(WAIT_SECONDS),
            "a page view waited {:?}",
            asked.elapsed()
        );
    }
    // The export took nothing more while the owner browsed.
    let after = status(&user, &app, &id).await;
    assert_eq!(after["calls"].as_u64().unwrap(), calls, "{after}");

    // Browsing on until the hour is used: the page that must wait says why, and when.
    let mut waiting = None;
    for page in pages.iter().cycle().take(40) {
        let view = user.get(&app.url(&format!("/onenote/pages/{page}"))).await;
        if view.status() != StatusCode::OK {
            waiting = Some((view.status(), view.text().await.unwrap()));
            break;
        }
    }
    let (status_code, html) = waiting.expect("the hour's calls ran out at last");
    assert_eq!(status_code, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Keeping to OneNote"), "{html}");
    assert!(
        html.contains(" UTC (in about "),
        "a time, not seconds: {html}"
    );
    assert!(
        html.contains("id=\"sign-out\"") && html.contains("/onenote\">OneNote</a>"),
        "the navigation bar: {html}"
    );

    let throttled = emu
        .log_since(since)
        .await
        .into_iter()
        .filter(|e| e["status"] == 429)
        .count();
    assert_eq!(throttled, 0, "OneNote never had to refuse a call");
    app.stop().await;
}
