//! What a person meets around an export besides the happy path: OneNote's errors that need
//! advice (10008 and 10013 "library too big", as a 403 or a 400; 20266 "too many sections") end
//! the export with that advice on its page, whatever the HTTP status; starting the same export
//! twice (a double click, a retried POST) gives the one export; and the list of exports says
//! what each is, when it started, its state and its size.

use super::*;

/// The export of Katherine's notebook, failed by `fault` on the notebook listing.
async fn failed_with(user: &User, app: &TestApp, emu: &TestEmulator, fault: Value) -> Value {
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    // The form first (its page lists the notebooks too), then the fault, then the start.
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    emu.call_admin(Method::POST, "/faults", fault).await;
    let form = [
        ("scope", "notebook".to_string()),
        ("id", notebook),
        ("csrf", csrf_token(&index)),
    ];
    let id = post_start(user, app, &form).await;
    let failed = wait_for(user, app, &id, &["failed"]).await;
    emu.call_admin(Method::DELETE, "/faults", Value::Null).await;
    let page = user
        .get(&app.url(&format!("/onenote/exports/{id}")))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&html_escape(failed["reason"].as_str().unwrap())),
        "the page shows the reason"
    );
    failed
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn onenotes_errors_get_their_advice_whatever_the_status() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    for (status, code, advice) in [
        (403, "10008", "more than 5,000 items"),
        (400, "10008", "more than 5,000 items"),
        (403, "10013", "more than 5,000 items"),
        (400, "20266", "each section, on its own"),
    ] {
        let fault = json!({"path": "/v1.0/me/onenote/notebooks", "count": 1,
            "answer": {"kind": "graph_error", "status": status, "code": code,
                       "message": "raw words from Graph"}});
        let failed = failed_with(&user, &app, &emu, fault).await;
        let reason = failed["reason"].as_str().unwrap();
        assert!(reason.contains(advice), "{status} {code}: {reason}");
        assert!(reason.contains(code), "{status} {code}: {reason}");
        assert!(!reason.contains("raw words"), "{status} {code}: {reason}");
    }
}

#[tokio::test]
async fn starting_the_same_export_twice_gives_the_one_export() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    // Slow enough that the first is still running when the second arrives.
    slow_pages(&emu, 200).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    // A double click: both POSTs at once.
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    let form = vec![
        ("scope", "notebook".to_string()),
        ("id", notebook.clone()),
        ("name", "Flight Research".to_string()),
        ("csrf", csrf_token(&index)),
    ];
    let (first, second) = tokio::join!(
        post_start(&user, &app, &form),
        post_start(&user, &app, &form)
    );
    assert_eq!(first, second, "one export for two starts at once");
    // A retried POST later: still the same one.
    assert_eq!(post_start(&user, &app, &form).await, first);
    // Another scope is another export.
    let all = start_export(&user, &app, "all", None).await;
    assert_ne!(first, all);

    let list = user
        .get(&app.url("/onenote/exports"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(list.matches("class=\"export\"").count(), 2, "{list}");
    assert!(
        list.contains("Notebook: Flight Research"),
        "named by what it exports from the start: {list}"
    );
    assert!(list.contains("All notebooks"), "{list}");
}

/// Cancel: a queued export is cancelled at once; a running one stops between two calls, its
/// files go, and nothing more is fetched for it.
#[tokio::test]
async fn cancel_ends_a_queued_export_at_once_and_a_running_one_between_two_calls() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    slow_pages(&emu, 200).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    let running = start_export(&user, &app, "notebook", Some(&notebook)).await;
    // One running export per user: the second waits its turn.
    let queued = start_export(&user, &app, "all", None).await;
    while status(&user, &app, &running).await["pages_done"].as_u64() < Some(2) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status(&user, &app, &queued).await["state"], "queued");

    let cancel = |id: String| {
        let (user, app) = (&user, &app);
        async move { press(user, app, &id, "cancel").await }
    };
    cancel(queued.clone()).await;
    assert_eq!(status(&user, &app, &queued).await["state"], "cancelled");

    cancel(running.clone()).await;
    wait_for(&user, &app, &running, &["cancelled"]).await;
    let since = emu.log_position().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fetched = emu
        .log_since(since)
        .await
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or_default().contains("/onenote/"))
        .count();
    assert_eq!(fetched, 0, "nothing fetched after the cancel");
    assert!(
        !dir.0.join("exports").join(&running).exists(),
        "the cancelled export's files are gone"
    );
}
