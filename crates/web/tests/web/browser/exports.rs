//! An export in the browser: the person presses a section's Export on `/onenote`, the job page's
//! progress bar climbs to 100% by itself — through Server-Sent Events with JavaScript (the test
//! never reloads, and with JavaScript on the page's self-refresh is off), through its meta
//! refresh without — and the download lands on disk with every page of the section.

use super::*;

const KATHERINE: &str = "katherine@contoso.example";

async fn export_a_section_in_the_browser(javascript: bool) {
    let emu = TestEmulator::start().await;
    emu.call_admin(
        reqwest::Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    // About five OneNote calls a second: the bar has steps to show.
    let app = TestApp::start_with(&emu, &store, |env| {
        generous_onenote_limits(env);
        env.insert("ONENOTE_PER_MINUTE".into(), "300".into());
        env.insert("EXPORT_POLL_MILLISECONDS".into(), "100".into());
    })
    .await;
    let name = if javascript {
        "export-sse"
    } else {
        "export-no-js"
    };
    let chrome = Chrome::start_with(name, javascript).await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, KATHERINE, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    chrome.screenshot("notebooks-with-export").await;
    let button = chrome
        .driver
        .find(By::XPath(
            "//li[a[@class='section' and text()='Instruments']]//button[@class='export-section']",
        ))
        .await
        .expect("the Instruments section has an Export button");
    chrome.click_and_leave(&button).await;
    chrome
        .wait_for_page(&app.url("/onenote/exports/"), "progress#progress")
        .await;
    let job_url = chrome.url().await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let mut seen = Vec::new();
    loop {
        let value = chrome
            .js("const p = document.getElementById('progress'); return p ? p.value : null;")
            .await;
        if let Some(v) = value.as_f64() {
            if seen.last() != Some(&v) {
                seen.push(v);
            }
            if v >= 100.0 && chrome.driver.find(By::Css("#download")).await.is_ok() {
                break;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the bar stopped at {seen:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        chrome.url().await.starts_with(&job_url),
        "still on the job page"
    );
    chrome.screenshot("export-done").await;
    assert_eq!(
        chrome
            .driver
            .find(By::Css("#state"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Done"
    );

    let download = chrome.driver.find(By::Css("#download")).await.unwrap();
    download.click().await.unwrap();
    let file = chrome.wait_for_download(".zip").await;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut pages = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let path = entry.name().unwrap().to_string();
        if path.ends_with(".md") && !path.ends_with("index.md") && !path.starts_with("_export/") {
            assert!(path.starts_with("Flight Research/Instruments/"), "{path}");
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            assert!(text.contains("onenote_id:"), "{path}");
            pages += 1;
        }
    }
    let listed: serde_json::Value = reqwest::get(emu.admin(&format!("/onenote/{KATHERINE}/pages")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let in_section = listed["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["section"]["displayName"] == "Instruments")
        .count();
    assert_eq!(
        pages, in_section,
        "every page of the section is in the download"
    );
    chrome.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_export_reaches_its_download_through_server_sent_events() {
    export_a_section_in_the_browser(true).await;
}

#[tokio::test]
async fn without_javascript_an_export_reaches_its_download_by_refreshing_itself() {
    export_a_section_in_the_browser(false).await;
}
