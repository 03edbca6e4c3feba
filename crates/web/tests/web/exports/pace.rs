//! An export at OneNote's own limit: with the emulator and the app both allowing L calls a
//! minute, the export keeps to its share of it — never a 429 from OneNote — and uses that share:
//! with its owner browsing throughout (a page view every 15 s), half of each window, so pages and
//! resources per minute over the run of at least 0.9·L/2. Meanwhile the owner's page views do
//! not wait for the windows the export fills (the other half is theirs).

use super::*;

/// L: small enough that the export-sized notebook (some 340 calls) needs the budget three times
/// over at the export's share.
const PER_MINUTE: u32 = 240;

#[tokio::test]
async fn an_export_runs_at_onenotes_limit_and_is_never_throttled() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start_with(&emu, &sqlite_store(&dir), |env| {
        env.insert("ONENOTE_MAX_CONCURRENT".into(), "5".into());
        env.insert("ONENOTE_PER_MINUTE".into(), PER_MINUTE.to_string());
        env.insert("ONENOTE_PER_HOUR".into(), "100000".into());
        quick_exports(env, &dir.0);
    })
    .await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    // Set now, the emulator's windows start empty: they never hold more than the app's.
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": PER_MINUTE, "per_hour": 100000, "concurrent": 5}),
    )
    .await;

    let page = emulator_pages(&emu, KATHERINE).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let since = emu.log_position().await;
    let started = Instant::now();
    let id = start_export(&user, &app, "notebook", Some(&notebook)).await;
    // A page view every 15 s while it runs (what a person reading notes might do).
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let viewer = {
        let client = user.browser.client.clone();
        let url = app.url(&format!("/onenote/pages/{page}"));
        tokio::spawn(async move {
            let mut waits = Vec::new();
            loop {
                tokio::select! {
                    _ = stopped.changed() => return waits,
                    _ = tokio::time::sleep(Duration::from_secs(15)) => {}
                }
                let asked = Instant::now();
                let answer = client.get(&url).send().await.unwrap();
                assert_eq!(
                    answer.status(),
                    StatusCode::OK,
                    "a page view during the export"
                );
                waits.push(asked.elapsed());
            }
        })
    };
    let done = wait_for(&user, &app, &id, &["done"]).await;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    stop.send(true).unwrap();
    let views = viewer.await.unwrap();
    let slowest = views.iter().max().copied().unwrap_or_default();
    eprintln!(
        "page views during the export: {} in {:?}, slowest {slowest:?}",
        views.len(),
        views
    );
    assert!(views.len() >= 3, "the page was viewed during the export");
    assert!(
        slowest < Duration::from_secs(5),
        "a page view waited {slowest:?}: for a window the export filled?"
    );

    let onenote: Vec<Value> = emu
        .log_since(since)
        .await
        .into_iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/onenote/"))
        .collect();
    let throttled = onenote.iter().filter(|e| e["status"] == 429).count();
    assert_eq!(throttled, 0, "OneNote never had to throttle the export");
    assert!(
        onenote.len() as f64 > f64::from(PER_MINUTE),
        "the run needed the export's share more than twice: {} calls",
        onenote.len()
    );
    assert_eq!(done["skipped"], json!([]), "nothing was skipped");
    let items = done["pages_done"].as_u64().unwrap() + done["resources_done"].as_u64().unwrap();
    let per_minute = items as f64 / minutes;
    eprintln!(
        "export pace: {items} pages and resources, {} OneNote calls, in {minutes:.2} min: \
         {per_minute:.0} a minute at L = {PER_MINUTE}",
        onenote.len()
    );
    // Its owner browses throughout: the export's share is half of each window.
    let share = f64::from(PER_MINUTE) / 2.0;
    assert!(
        per_minute >= 0.9 * share,
        "{items} pages and resources in {minutes:.2} min: {per_minute:.0} a minute, \
         under 0.9 × {share}"
    );
    app.stop().await;
}

/// The export's ETA comes from OneNote's windows as they stand, so it holds through a run that
/// the per-minute window holds back three times (the big section, some 175 calls, at 44
/// background calls a minute — its owner signed in to OneNote moments ago, so counts as
/// browsing: four bursts a minute apart, the last a small one): sampled at 10% and 50% of the
/// pages and at the last look while the window held the run back, each ETA is within 25% of the
/// time the run then took. While it is held back, the page says it is graphnote keeping to
/// OneNote's limit, and when the next call goes.
#[tokio::test]
async fn the_eta_holds_through_a_run_the_windows_hold_back() {
    const PER_MINUTE: u32 = 88;
    let emu = TestEmulator::start().await;
    lift_emulator_limits(&emu).await;
    let dir = TempDir::new();
    let app = TestApp::start_with(&emu, &sqlite_store(&dir), |env| {
        env.insert("ONENOTE_MAX_CONCURRENT".into(), "5".into());
        env.insert("ONENOTE_PER_MINUTE".into(), PER_MINUTE.to_string());
        env.insert("ONENOTE_PER_HOUR".into(), "100000".into());
        // The export waits for each window inside the call, as at OneNote's real limits.
        env.insert("ONENOTE_WAIT_SECONDS".into(), "90".into());
        env.insert("REQUEST_TIMEOUT_SECONDS".into(), "120".into());
        quick_exports(env, &dir.0);
    })
    .await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    let section = emu
        .call_admin(
            Method::GET,
            &format!("/onenote/{KATHERINE}/pages"),
            Value::Null,
        )
        .await["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["section"]["displayName"] == "Trajectories")
        .map(|p| p["section"]["id"].as_str().unwrap().to_string())
        .unwrap();

    let id = start_export(&user, &app, "section", Some(&section)).await;
    let mut samples: Vec<(Instant, u64, u64, Option<u64>, String)> = Vec::new();
    let done_at = loop {
        let json = status(&user, &app, &id).await;
        if json["state"] == "done" {
            break Instant::now();
        }
        assert!(json["state"] != "failed", "{json}");
        samples.push((
            Instant::now(),
            json["pages_done"].as_u64().unwrap_or(0),
            json["pages_total"].as_u64().unwrap_or(0),
            json["eta_seconds"].as_u64(),
            json["doing"].as_str().unwrap_or_default().to_string(),
        ));
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let total = samples.iter().map(|s| s.2).max().unwrap();
    for (at, pages, _, eta, doing) in &samples {
        let left = done_at.duration_since(*at).as_secs_f64();
        eprintln!("{left:.1} s before the end: {pages} pages, ETA {eta:?}: {doing}");
    }
    assert!(total > 100, "the big section: {total} pages");
    // Early, half way, and the last look while the window still held the run back (the last
    // burst then finishes it at once).
    let held_back = samples
        .iter()
        .rfind(|s| s.3.is_some() && done_at.duration_since(s.0) > Duration::from_secs(10))
        .expect("a look while the run was held back");
    for share in [0.1, 0.5, held_back.1 as f64 / total as f64] {
        let (at, pages, _, eta, _) = samples
            .iter()
            .find(|s| s.1 as f64 >= share * total as f64 && s.3.is_some())
            .unwrap_or_else(|| panic!("no sample at {share}"));
        let eta = eta.unwrap() as f64;
        let took = done_at.duration_since(*at).as_secs_f64();
        eprintln!("at {pages} of {total} pages: ETA {eta} s, then took {took:.1} s");
        assert!(
            (eta - took).abs() <= 0.25 * took,
            "at {share} ({pages} of {total}): ETA {eta} s, but it took {took:.1} s"
        );
    }
    assert!(
        samples.iter().any(|s| s.4.contains(&format!(
            "keeping to OneNote's limit of {PER_MINUTE} requests a minute"
        ))),
        "the page said why it was waiting"
    );
    app.stop().await;
}
