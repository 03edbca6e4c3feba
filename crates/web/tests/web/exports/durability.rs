//! Exports survive what servers go through: the instance running one stops dead (its runs are
//! dropped where they are, no clean-up) and a restarted one — or, on Redis, another instance —
//! resumes it from its durable progress without fetching a finished page again; OneNote
//! throttling and outages along the way are waited out and lose nothing.

use super::*;

/// How often each page's content was fetched, from the emulator's log.
async fn content_fetches(emu: &TestEmulator, since: u64) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for entry in emu.log_since(since).await {
        let path = entry["path"].as_str().unwrap_or_default();
        if let Some(rest) = path.strip_suffix("/content")
            && let Some((_, page)) = rest.rsplit_once("/pages/")
        {
            *counts.entry(page.to_string()).or_default() += 1;
        }
    }
    counts
}

/// Waits until the export has done at least `pages`.
async fn wait_for_pages(user: &User, app: &TestApp, id: &str, pages: u64) {
    let started = Instant::now();
    while status(user, app, id).await["pages_done"]
        .as_u64()
        .unwrap_or(0)
        < pages
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the export made no progress"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_fetched_once(counts: &HashMap<String, usize>, pages: usize) {
    assert_eq!(counts.len(), pages, "every page was fetched");
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.len() <= 1 && twice.iter().all(|(_, n)| **n == 2),
        "fetched again: {twice:?}"
    );
}

#[tokio::test]
async fn a_restarted_instance_resumes_an_export_and_fetches_no_finished_page_again() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = sqlite_store(&dir);
    let first = export_app(&emu, &dir, &store, None).await;
    // Slow enough to stop it in the middle.
    slow_pages(&emu, 10).await;
    let user = User::new();
    user.sign_in_for_onenote(&first, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    let since = emu.log_position().await;
    let id = start_export(&user, &first, "notebook", Some(&notebook)).await;
    wait_for_pages(&user, &first, &id, 40).await;
    first.stop().await;

    let second = export_app(&emu, &dir, &store, None).await;
    let done = wait_for(&user, &second, &id, &["done"]).await;
    let pages = emulator_pages(&emu, KATHERINE).await.len();
    assert_eq!(done["pages_done"], pages as u64);
    assert_fetched_once(&content_fetches(&emu, since).await, pages);
    assert_eq!(
        pages_by_id(&download(&user, &second, &id).await).len(),
        pages
    );
    second.stop().await;
}

#[tokio::test]
async fn on_redis_another_instance_takes_over_the_export_of_one_that_stopped() {
    let emu = TestEmulator::start().await;
    let redis = RedisServer::start().await;
    let dir = TempDir::new();
    let apps = vec![
        export_app(&emu, &dir, &redis.url(), None).await,
        export_app(&emu, &dir, &redis.url(), None).await,
    ];
    slow_pages(&emu, 10).await;
    let user = User::new();
    user.sign_in_for_onenote(&apps[0], KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    let since = emu.log_position().await;
    let id = start_export(&user, &apps[0], "notebook", Some(&notebook)).await;
    wait_for_pages(&user, &apps[0], &id, 40).await;
    let mut apps = apps;
    let running = apps
        .iter()
        .position(|a| a.state.exports.is_running_here(&id))
        .expect("one instance runs the export");
    assert!(
        !apps[1 - running].state.exports.is_running_here(&id),
        "only one instance runs it"
    );
    let stopped = apps.remove(running);
    stopped.stop().await;
    let other = &apps[0];
    let done = wait_for(&user, other, &id, &["done"]).await;
    let pages = emulator_pages(&emu, KATHERINE).await.len();
    assert_eq!(done["pages_done"], pages as u64);
    assert_fetched_once(&content_fetches(&emu, since).await, pages);
    assert_eq!(pages_by_id(&download(&user, other, &id).await).len(), pages);
}

#[tokio::test]
async fn throttling_and_outages_on_one_call_in_ten_lose_nothing() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    // Every 20th OneNote call a 429 without Retry-After, as OneNote sends them, and every
    // 19th a 503: about one in ten.
    for (every, status) in [(20, 429), (19, 503)] {
        emu.call_admin(
            Method::POST,
            "/faults",
            json!({"path": "/v1.0/me/onenote", "count": 10000, "every": every, "answer": {"kind": "status", "status": status}}),
        )
        .await;
    }
    let since = emu.log_position().await;
    let id = start_export(&user, &app, "notebook", Some(&notebook)).await;
    let done = wait_for(&user, &app, &id, &["done"]).await;
    let answered: Vec<u64> = emu
        .log_since(since)
        .await
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/onenote/"))
        .filter_map(|e| e["status"].as_u64())
        .collect();
    let failed = answered.iter().filter(|s| **s == 429 || **s == 503).count();
    assert!(
        failed >= answered.len() / 12,
        "the faults were met: {failed} of {}",
        answered.len()
    );
    assert_eq!(done["skipped"], json!([]), "nothing was skipped");
    let files = download(&user, &app, &id).await;
    let emulated = emulator_pages(&emu, KATHERINE).await;
    assert_eq!(pages_by_id(&files).len(), emulated.len());
    let hashes: std::collections::HashSet<String> = files.values().map(|b| sha256_hex(b)).collect();
    for page in &emulated {
        for resource in page["resources"].as_array().unwrap() {
            assert!(hashes.contains(resource["sha256"].as_str().unwrap()));
        }
    }
    app.stop().await;
}
