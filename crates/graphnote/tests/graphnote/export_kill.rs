//! An export survives `kill -9` of the process running it: `graphnote serve` is killed in the
//! middle of an export, started again on the same data folder and store, and the export
//! completes — with no page's content fetched twice, except the one in flight at the kill.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use emulator::seed::DEMO_PASSWORD;
use emulator::testing::{FormBrowser, SignInOutcome, TestEmulator, free_port};
use reqwest::header::{ACCEPT, LOCATION};
use serde_json::{Value, json};

use crate::support::{scratch, serve_with, wait_for_listener};

const KATHERINE: &str = "katherine@contoso.example";

#[tokio::test]
async fn an_export_killed_with_its_process_completes_after_a_restart() {
    let emu = TestEmulator::start().await;
    let admin = reqwest::Client::new();
    for (method, path, body) in [
        (
            reqwest::Method::PUT,
            "/limits",
            json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
        ),
        // Slow enough to kill in the middle: each page call takes 20 ms more.
        (
            reqwest::Method::POST,
            "/faults",
            json!({"method": "GET", "path": "/v1.0/me/onenote/pages", "count": 1000000,
                   "answer": {"kind": "latency", "ms": 20}}),
        ),
    ] {
        let answer = admin
            .request(method, emu.admin(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{path}");
    }
    let port = free_port();
    let dir = scratch("export-kill");
    let store = dir.join("sessions.sqlite3");
    let config = [
        ("DATA_DIR", dir.join("data").display().to_string()),
        ("EXPORT_POLL_MILLISECONDS", "100".to_string()),
        ("EXPORT_RETRY_MILLISECONDS", "50".to_string()),
        ("EXPORT_LEASE_SECONDS", "2".to_string()),
        ("ONENOTE_MAX_CONCURRENT", "20".to_string()),
        ("ONENOTE_PER_MINUTE", "100000".to_string()),
        ("ONENOTE_PER_HOUR", "1000000".to_string()),
        ("RUST_LOG", "error".to_string()),
    ];
    let base = format!("http://127.0.0.1:{port}");
    let mut first = serve_with(&emu, &dir, &store, port, &config);
    wait_for_listener(port).await;

    let browser = FormBrowser::new(None);
    sign_in(&browser, &format!("{base}/login")).await;
    // OneNote needs its own consent: /onenote asks for it.
    let onenote = browser
        .client
        .get(format!("{base}/onenote"))
        .send()
        .await
        .unwrap();
    sign_in(&browser, &format!("{base}{}", location(&onenote))).await;
    let page = browser
        .client
        .get(format!("{base}/onenote"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = value_after(&page, "name=\"csrf\" value=\"");
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;

    let since = emu.log_position().await;
    let started = browser
        .client
        .post(format!("{base}/onenote/exports"))
        .form(&[("scope", "notebook"), ("id", &notebook), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), reqwest::StatusCode::SEE_OTHER);
    let job = format!("{base}{}", location(&started));
    wait_until(&browser, &job, |status| {
        status["pages_done"].as_u64() >= Some(40)
    })
    .await;

    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        status(&browser, &job).await.is_none(),
        "the process is gone: nobody answers"
    );

    let mut second = serve_with(&emu, &dir, &store, port, &config);
    wait_for_listener(port).await;
    let done = wait_until(&browser, &job, |status| status["state"] == "done").await;
    let pages = emulator_page_count(&emu).await;
    assert_eq!(done["pages_done"], pages as u64, "{done}");
    assert_eq!(done["skipped"], json!([]));

    let mut fetches: HashMap<String, usize> = HashMap::new();
    for entry in emu.log_since(since).await {
        let path = entry["path"].as_str().unwrap_or_default();
        if let Some(rest) = path.strip_suffix("/content")
            && let Some((_, page)) = rest.rsplit_once("/pages/")
        {
            *fetches.entry(page.to_string()).or_default() += 1;
        }
    }
    assert_eq!(fetches.len(), pages, "every page was fetched");
    let again: Vec<_> = fetches.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        again.len() <= 1 && again.iter().all(|(_, n)| **n == 2),
        "fetched again after the restart: {again:?}"
    );

    second.kill().unwrap();
    second.wait().unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// Follows a sign-in from `start` (a page that redirects to the provider) back to the app.
async fn sign_in(browser: &FormBrowser, start: &str) {
    let login = browser.client.get(start).send().await.unwrap();
    let SignInOutcome::Redirect(callback) = browser
        .sign_in(&location(&login), KATHERINE, DEMO_PASSWORD, true)
        .await
    else {
        panic!("sign-in did not come back");
    };
    let back = browser.client.get(callback).send().await.unwrap();
    assert_eq!(back.status(), reqwest::StatusCode::SEE_OTHER);
}

/// The export's status, or `None` when nothing answers.
async fn status(browser: &FormBrowser, job: &str) -> Option<Value> {
    let answer = browser
        .client
        .get(job)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .ok()?;
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    Some(answer.json().await.unwrap())
}

async fn wait_until(browser: &FormBrowser, job: &str, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        if let Some(status) = status(browser, job).await {
            if done(&status) {
                return status;
            }
            assert!(
                !["failed", "cancelled"]
                    .iter()
                    .any(|s| status["state"] == *s),
                "{status}"
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the export did not get there"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_string()
}

fn value_after(html: &str, marker: &str) -> String {
    let start = html.find(marker).expect("the marker") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

async fn emulator_page_count(emu: &TestEmulator) -> usize {
    emu.call_admin(
        reqwest::Method::GET,
        &format!("/onenote/{KATHERINE}/pages"),
        Value::Null,
    )
    .await["pages"]
        .as_array()
        .map_or(0, Vec::len)
}
