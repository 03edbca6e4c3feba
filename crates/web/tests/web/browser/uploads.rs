//! OneNote files uploaded in the browser: a `.onepkg` chosen on `/onenote/exports` becomes an
//! export job whose bar climbs to 100% and whose zip holds the same files, byte for byte, as
//! converting the package on the command line (the same reader and runner `graphnote convert`
//! runs); another person cannot see the job or its zip; an upload past `UPLOAD_MAX_BYTES` gets a
//! page saying so and leaves nothing on disk. No Graph call is made for any of it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

const KATHERINE: &str = "katherine@contoso.example";

fn vendored() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../onenote-files/tests/files/onenote.rs")
}

const PARTS: [&str; 5] = [
    "Open Notebook.onetoc2",
    "New Section 1.one",
    "New Section Group/New Section 1.one",
    "New Section Group/New Section 2.one",
    "New Section Group/Open Notebook.onetoc2",
];

/// A package as OneNote writes one, of the vendored sample notebook.
fn package(dir: &Path) -> PathBuf {
    let path = dir.join("Field Notes.onepkg");
    let mut builder = cab::CabinetBuilder::new();
    let folder = builder.add_folder(cab::CompressionType::MsZip);
    for part in PARTS {
        folder.add_file(part.replace('/', "\\"));
    }
    let mut writer = builder
        .build(std::fs::File::create(&path).unwrap())
        .unwrap();
    let mut parts = PARTS.iter();
    while let Some(mut file) = writer.next_file().unwrap() {
        let part = parts.next().unwrap();
        file.write_all(&std::fs::read(vendored().join(part)).unwrap())
            .unwrap();
    }
    writer.finish().unwrap();
    path
}

/// The job folders under the app's exports folder.
fn job_folders(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.state.config.data_dir.join("exports"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn an_uploaded_onepkg_converts_to_the_vault_the_command_line_makes() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let package = package(&dir.0);
    let expected = {
        let package = package.clone();
        tokio::task::spawn_blocking(move || converted_on_the_command_line(&package))
            .await
            .unwrap()
    };
    assert!(expected.keys().any(|p| p.ends_with(".md")));
    let package_bytes = std::fs::metadata(&package).unwrap().len();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    // Room for the package, not for the biggest vendored section.
    let limit = package_bytes + 64 * 1024;
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("EXPORT_POLL_MILLISECONDS".into(), "100".into());
        env.insert("UPLOAD_MAX_BYTES".into(), limit.to_string());
    })
    .await;
    let since = emu.log_position().await;
    let chrome = Chrome::start("upload").await;
    chrome.goto(&app.url("/onenote/exports")).await;
    chrome
        .sign_in_through_forms(&app.base_url, KATHERINE, DEMO_PASSWORD)
        .await;
    chrome.goto(&app.url("/onenote/exports")).await;
    let input = chrome.wait_for("input#files").await;
    input.send_keys(package.to_str().unwrap()).await.unwrap();
    chrome.screenshot("upload-chosen").await;
    let convert = chrome.driver.find(By::Css("button#convert")).await.unwrap();
    chrome.click_and_leave(&convert).await;
    chrome
        .wait_for_page(&app.url("/onenote/exports/"), "progress#progress")
        .await;
    let job_url = chrome.url().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let value = chrome
            .js("const p = document.getElementById('progress'); return p ? p.value : null;")
            .await;
        if value.as_f64() == Some(100.0) && chrome.driver.find(By::Css("#download")).await.is_ok() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the conversion did not finish: {}",
            chrome.body_text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    chrome.screenshot("upload-done").await;
    let download = chrome.driver.find(By::Css("#download")).await.unwrap();
    download.click().await.unwrap();
    let file = chrome.wait_for_download(".zip").await;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut zipped = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let path = entry.name().unwrap().to_string();
        if entry.is_dir() || path.starts_with("_export/") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        zipped.insert(path, bytes);
    }
    assert_eq!(
        zipped.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(
        zipped == expected,
        "the zip's files differ from the command line's"
    );
    // The uploaded package is gone; the job's vault and zip stay.
    let id = job_url.rsplit('/').next().unwrap().to_string();
    let folder = app.state.config.data_dir.join("exports").join(&id);
    assert!(!folder.join("uploads").exists() && !folder.join("unpacked").exists());
    assert!(folder.join("export.zip").is_file());
    // Not a single Graph call for any of it.
    let log = emu.log_since(since).await;
    let onenote: Vec<_> = log
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/onenote/"))
        .collect();
    assert!(onenote.is_empty(), "{onenote:?}");

    // Someone else sees neither the job nor its zip.
    let other = User::new();
    other.sign_in(&app, "grace@contoso.example").await;
    for path in [
        format!("/onenote/exports/{id}"),
        format!("/onenote/exports/{id}.zip"),
    ] {
        assert_eq!(
            other.get(&app.url(&path)).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // Over the limit: a page that says so, and nothing kept.
    let before = job_folders(&app);
    let big = vendored()
        .join("Schnelle Notizen.one")
        .canonicalize()
        .unwrap();
    assert!(std::fs::metadata(&big).unwrap().len() > limit);
    chrome.goto(&app.url("/onenote/exports")).await;
    let input = chrome.wait_for("input#files").await;
    input.send_keys(big.to_str().unwrap()).await.unwrap();
    let convert = chrome.driver.find(By::Css("button#convert")).await.unwrap();
    chrome.click_and_leave(&convert).await;
    chrome.wait_for("h1").await;
    let text = chrome.body_text().await;
    chrome.screenshot("upload-too-large").await;
    assert!(text.contains("These files are too large"), "{text}");
    assert!(text.contains("nothing of this one was kept"), "{text}");
    assert_eq!(
        job_folders(&app),
        before,
        "an upload over the limit left files"
    );
    chrome.quit().await;
    app.stop().await;
}
