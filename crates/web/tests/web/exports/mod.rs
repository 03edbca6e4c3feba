//! Whole-notebook exports, end to end: the app exports Katherine's export-sized notebook from
//! the emulator as a job, and the zip is checked against what the emulator holds (every page
//! once, at the path its groups, section and parent give; every resource byte-identical; every
//! resolvable link resolved; the broken one reported); an update fetches only what changed;
//! nobody else can reach an export; sign-out pauses one and signing in again resumes it.

mod advice;
mod browsing;
mod claims;
mod durability;
mod fast;
mod isolation;
mod pace;
mod shared;
mod uploads;
mod vault;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::time::{Duration, Instant};

use crate::support::*;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KATHERINE: &str = "katherine@contoso.example";

/// OneNote's limits at the emulator out of the way: the app's own are what a test sets.
pub(crate) async fn lift_emulator_limits(emu: &TestEmulator) {
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
}

/// An app on `store` whose exports run quickly (no waiting between polls, short back-offs),
/// with OneNote's limits out of the way on both sides — except the app's per-minute limit when
/// `per_minute` paces the export.
async fn export_app(
    emu: &TestEmulator,
    dir: &TempDir,
    store: &str,
    per_minute: Option<u32>,
) -> TestApp {
    lift_emulator_limits(emu).await;
    TestApp::start_with(emu, store, |env| {
        generous_onenote_limits(env);
        if let Some(limit) = per_minute {
            env.insert("ONENOTE_PER_MINUTE".into(), limit.to_string());
        }
        quick_exports(env, &dir.0);
    })
    .await
}

/// Every OneNote page call answered `ms` later (an export fetches its pages one by one), so a
/// test can act in the middle of an export.
async fn slow_pages(emu: &TestEmulator, ms: u64) {
    emu.call_admin(
        Method::POST,
        "/faults",
        json!({"method": "GET", "path": "/v1.0/me/onenote/pages", "count": 1000000,
               "answer": {"kind": "latency", "ms": ms}}),
    )
    .await;
}

/// The SQLite store of a test's folder.
fn sqlite_store(dir: &TempDir) -> String {
    format!("sqlite:{}", dir.0.join("sessions.sqlite3").display())
}

/// An app on a SQLite store in `dir` whose exports run as fast as they can.
async fn quick_app(emu: &TestEmulator, dir: &TempDir) -> TestApp {
    export_app(emu, dir, &sqlite_store(dir), None).await
}

/// Export settings for tests: poll often, retry soon.
pub(crate) fn quick_exports(env: &mut HashMap<String, String>, data_dir: &std::path::Path) {
    env.insert("DATA_DIR".into(), data_dir.display().to_string());
    env.insert("EXPORT_POLL_MILLISECONDS".into(), "100".into());
    env.insert("EXPORT_RETRY_MILLISECONDS".into(), "50".into());
    env.insert("EXPORT_LEASE_SECONDS".into(), "2".into());
}

/// The value of the first hidden `csrf` field of a page.
fn csrf_token(html: &str) -> String {
    attribute_after(html, "name=\"csrf\" value=\"")
        .or_else(|| {
            let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
            Some(html[start..].split('"').next()?.to_string())
        })
        .expect("a page with a form has a csrf field")
}

/// Starts an export from `/onenote`'s form; returns its id.
pub(crate) async fn start_export(
    user: &User,
    app: &TestApp,
    scope: &str,
    id: Option<&str>,
) -> String {
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    let mut form = vec![("scope", scope.to_string()), ("csrf", csrf_token(&index))];
    if let Some(id) = id {
        form.push(("id", id.to_string()));
    }
    post_start(user, app, &form).await
}

/// Posts the start form `form` (with the CSRF token of a page the user loaded); returns the
/// export's id.
async fn post_start(user: &User, app: &TestApp, form: &[(&str, String)]) -> String {
    let started = user
        .browser
        .client
        .post(app.url("/onenote/exports"))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.status(),
        StatusCode::SEE_OTHER,
        "{}",
        started.text().await.unwrap()
    );
    let location = location(&started);
    location
        .strip_prefix("/onenote/exports/")
        .expect("the export's page")
        .to_string()
}

/// Presses a button of export `id`'s page (`update`, `cancel`) with the page's form.
async fn press(user: &User, app: &TestApp, id: &str, action: &str) {
    let page = user
        .get(&app.url(&format!("/onenote/exports/{id}")))
        .await
        .text()
        .await
        .unwrap();
    let answer = user
        .browser
        .client
        .post(app.url(&format!("/onenote/exports/{id}/{action}")))
        .form(&[("csrf", csrf_token(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{action}");
}

/// The export's JSON.
async fn status(user: &User, app: &TestApp, id: &str) -> Value {
    let response = user
        .browser
        .client
        .get(app.url(&format!("/onenote/exports/{id}")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Polls the export until it is in one of `states`.
pub(crate) async fn wait_for(user: &User, app: &TestApp, id: &str, states: &[&str]) -> Value {
    let started = Instant::now();
    loop {
        let json = status(user, app, id).await;
        if states.iter().any(|s| json["state"] == *s) {
            return json;
        }
        assert!(
            !["failed", "cancelled"].iter().any(|s| json["state"] == *s)
                || states.contains(&"failed"),
            "the export ended unexpectedly: {json}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the export did not reach {states:?}: {json}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The zip's files by path.
async fn download(user: &User, app: &TestApp, id: &str) -> BTreeMap<String, Vec<u8>> {
    let response = user
        .get(&app.url(&format!("/onenote/exports/{id}.zip")))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len(), length, "Content-Length is the archive's size");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        assert!(
            files.insert(name.clone(), content).is_none(),
            "{name} is in the zip twice"
        );
    }
    files
}

/// The emulator's pages of a user (with their resources' sha256).
async fn emulator_pages(emu: &TestEmulator, upn: &str) -> Vec<Value> {
    emu.call_admin(Method::GET, &format!("/onenote/{upn}/pages"), Value::Null)
        .await["pages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The `onenote_id` in a page's front matter.
fn onenote_id(markdown: &str) -> Option<String> {
    let front = markdown.strip_prefix("---\n")?.split("\n---\n").next()?;
    let line = front.lines().find(|l| l.starts_with("onenote_id:"))?;
    Some(
        line["onenote_id:".len()..]
            .trim()
            .trim_matches('"')
            .to_string(),
    )
}

/// The Markdown pages of a vault (not the index pages, not `_export/`), by OneNote id.
fn pages_by_id(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, bytes) in files {
        if !path.ends_with(".md") || path.ends_with("/index.md") || path.starts_with("_export/") {
            continue;
        }
        let text = String::from_utf8(bytes.clone()).unwrap();
        let id = onenote_id(&text).unwrap_or_else(|| panic!("{path} has no onenote_id"));
        assert!(
            out.insert(id, path.clone()).is_none(),
            "a page is in the vault twice"
        );
    }
    out
}

/// `a/b/../c` → `a/c`; `None` when it climbs out of the root.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Where a relative link from the file `from` leads, percent-decoded.
fn resolve(from: &str, link: &str) -> Option<String> {
    let link = link.split('#').next()?;
    let decoded = percent_encoding::percent_decode_str(link)
        .decode_utf8()
        .ok()?;
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    normalise(&format!("{dir}/{decoded}"))
}
