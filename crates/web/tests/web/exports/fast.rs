//! Fast export: a notebook the emulator seeds from real OneNote files (the page API serves its
//! pages, the drive API the files), exported through its files after an incremental consent to
//! read files — no OneNote page call, one download per file — with the same page paths and
//! text as the page-by-page export; a drive that refuses makes it go page by page and say so;
//! an update downloads only the file that changed.

use std::collections::BTreeSet;

use super::*;

const UPN: &str = "katherine@contoso.example";

use emulator::testing::{seed_with_vendored_notebook, vendored_notebook_folder as notebook_folder};

fn files_seed() -> emulator::seed::Seed {
    seed_with_vendored_notebook(UPN)
}

/// The emulator with the vendored notebook, an app whose exports run quickly, and Katherine
/// signed in with OneNote's consent.
async fn signed_in() -> (TestEmulator, TempDir, TestApp, User) {
    let emu = TestEmulator::start_with(files_seed(), false).await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, UPN).await;
    (emu, dir, app, user)
}

/// How many of the logged calls have a path `wanted` takes.
fn calls(log: &[Value], wanted: fn(&str) -> bool) -> usize {
    log.iter()
        .filter_map(|e| e["path"].as_str())
        .filter(|p| wanted(p))
        .count()
}

fn is_download(path: &str) -> bool {
    path.starts_with("/_download/")
}

fn is_page_call(path: &str) -> bool {
    path.contains("/onenote/pages")
}

/// Starts an export of everything, fast or page by page; its id. A fast one the first time
/// asks for the files permission: the consent is given and the form sent again.
async fn start(user: &User, app: &TestApp, fast: bool) -> String {
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    let mut form = vec![("scope", "all".to_string()), ("csrf", csrf_token(&index))];
    if fast {
        form.push(("fast", "1".into()));
    }
    let response = user
        .browser
        .client
        .post(app.url("/onenote/exports"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let to = location(&response);
    if to.starts_with("/login") {
        assert!(to.contains("consent=files"), "{to}");
        let back = user.sign_in_at(app, &to, UPN).await;
        assert_eq!(location(&back), "/onenote", "consent brings the user back");
        let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
        form[1] = ("csrf", csrf_token(&index));
        return post_start(user, app, &form).await;
    }
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    to.strip_prefix("/onenote/exports/").unwrap().to_string()
}

/// The pages of a zip: path → the Markdown body without its front matter.
fn pages(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    files
        .iter()
        .filter(|(path, _)| {
            path.ends_with(".md") && !path.starts_with("_export/") && !path.ends_with("index.md")
        })
        .map(|(path, bytes)| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let body = match text
                .strip_prefix("---\n")
                .and_then(|t| t.split_once("\n---\n"))
            {
                Some((_, body)) => body.to_string(),
                None => text,
            };
            (path.clone(), body)
        })
        .collect()
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1)
        .map(str::to_lowercase)
        .collect()
}

fn report(files: &BTreeMap<String, Vec<u8>>) -> String {
    String::from_utf8_lossy(&files["_export/report.md"]).into_owned()
}

/// The sections of a zip's manifest, by id.
fn manifest_sections(files: &BTreeMap<String, Vec<u8>>) -> serde_json::Map<String, Value> {
    let manifest: Value = serde_json::from_slice(&files["_export/manifest.json"]).unwrap();
    manifest["sections"].as_object().unwrap().clone()
}

/// The sections of a manifest that came page by page (no drive file).
fn page_by_page(sections: &serde_json::Map<String, Value>) -> Vec<&Value> {
    sections.values().filter(|s| s["file"].is_null()).collect()
}

/// The sections whose pages the logged calls listed through the page API.
fn listed_sections(log: &[Value]) -> BTreeSet<&str> {
    log.iter()
        .filter_map(|e| e["path"].as_str())
        .filter(|p| p.contains("/onenote/sections/") && p.ends_with("/pages"))
        .collect()
}

/// Gives the file at `path` in Katherine's drive (below `Notebooks/Open Notebook/`) new bytes.
async fn replace_drive_file(emu: &TestEmulator, path: &str, bytes: Vec<u8>) {
    let replaced = reqwest::Client::new()
        .put(emu.admin(&format!(
            "/drive/{UPN}/files/Notebooks/Open Notebook/{path}"
        )))
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_fast_export_reads_the_files_and_agrees_with_the_page_by_page_export() {
    let (emu, _dir, app, user) = signed_in().await;

    let slow = start(&user, &app, false).await;
    wait_for(&user, &app, &slow, &["done"]).await;
    let by_page = download(&user, &app, &slow).await;

    let since = emu.log_position().await;
    let fast = start(&user, &app, true).await;
    wait_for(&user, &app, &fast, &["done"]).await;
    let log = emu.log_since(since).await;
    let paths: Vec<&str> = log.iter().filter_map(|e| e["path"].as_str()).collect();
    assert!(
        calls(&log, is_page_call) == 0,
        "a fast export makes no OneNote page call: {paths:?}"
    );
    let notebook_files = walk(&notebook_folder());
    let downloads = calls(&log, is_download);
    assert_eq!(
        downloads, notebook_files,
        "one download per section and table of contents: {paths:?}"
    );
    let by_files = download(&user, &app, &fast).await;

    // The same pages at the same paths, and the page API's words all in the file's page.
    let (slow_pages, fast_pages) = (pages(&by_page), pages(&by_files));
    assert!(!slow_pages.is_empty());
    let fast_paths: BTreeSet<&String> = fast_pages.keys().collect();
    for (path, body) in &slow_pages {
        assert!(
            fast_paths.contains(path),
            "{path} is not in the fast export: {fast_paths:?}"
        );
        let missing: Vec<String> = words(body)
            .difference(&words(&fast_pages[path]))
            .cloned()
            .collect();
        assert!(
            missing.is_empty(),
            "{path}: the fast export lacks {missing:?}"
        );
    }
    // Images and attachments: every one the page API gave is in the fast export, byte for byte.
    let resources = |files: &BTreeMap<String, Vec<u8>>| -> BTreeSet<Vec<u8>> {
        files
            .iter()
            .filter(|(p, _)| p.contains("/resources/"))
            .map(|(_, b)| b.clone())
            .collect()
    };
    let fast_resources = resources(&by_files);
    for bytes in resources(&by_page) {
        assert!(
            fast_resources.contains(&bytes),
            "a resource of {} bytes is missing",
            bytes.len()
        );
    }

    // The vault is the file reader's: what converting the same files directly writes.
    let direct = tokio::task::spawn_blocking(|| {
        let copy = TempDir::new();
        let notebook = copy.0.join("Open Notebook");
        copy_notebook_files(&notebook_folder(), &notebook);
        converted_on_the_command_line(&notebook)
    })
    .await
    .unwrap();
    let fast_vault: BTreeMap<&String, &Vec<u8>> = by_files
        .iter()
        .filter(|(path, _)| !path.starts_with("_export/"))
        .collect();
    assert_eq!(
        fast_vault.keys().copied().collect::<Vec<_>>(),
        direct.keys().collect::<Vec<_>>(),
        "the same files as converting the notebook's files"
    );
    for (path, bytes) in &direct {
        assert!(
            fast_vault[path] == bytes,
            "{path} differs from the direct conversion"
        );
    }

    // An update after one section file changed downloads that file alone.
    let replacement =
        std::fs::read(notebook_folder().join("New Section Group/New Section 2.one")).unwrap();
    replace_drive_file(&emu, "New Section 1.one", replacement).await;
    let since = emu.log_position().await;
    press(&user, &app, &fast, "update").await;
    wait_for(&user, &app, &fast, &["done"]).await;
    let downloads = calls(&emu.log_since(since).await, is_download);
    assert_eq!(downloads, 1, "only the changed file is downloaded again");
    // And only that section's pages changed in the vault, as the report says.
    let updated = report(&download(&user, &app, &fast).await);
    let changes: Vec<&str> = updated
        .lines()
        .filter(|l| {
            ["- Added: ", "- Changed: ", "- Removed: "]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .collect();
    assert!(
        !changes.is_empty(),
        "the update changed something: {updated}"
    );
    for change in &changes {
        assert!(
            change.contains("`Open Notebook/New Section 1/"),
            "only the replaced section's pages change: {change}"
        );
    }
}

#[tokio::test]
async fn a_drive_that_refuses_makes_the_export_go_page_by_page_and_say_why() {
    // A plain refusal, and the answer a token without Files.Read gets.
    for (answer, why) in [
        (
            json!({"kind": "status", "status": 403}),
            "the drive refused",
        ),
        (
            json!({"kind": "consent_required", "scope": "Files.Read"}),
            "Files.Read was not granted",
        ),
    ] {
        let (emu, _dir, app, user) = signed_in().await;
        emu.call_admin(
            Method::POST,
            "/faults",
            json!({"method": "GET", "path": "/v1.0/shares/", "count": 1000, "answer": answer}),
        )
        .await;
        let since = emu.log_position().await;
        let id = start(&user, &app, true).await;
        wait_for(&user, &app, &id, &["done"]).await;
        let files = download(&user, &app, &id).await;
        let said = report(&files);
        assert!(
            said.contains("Fast export was not possible") && said.contains(why),
            "{why}: {said}"
        );
        assert!(!pages(&files).is_empty(), "the pages came page by page");
        let log = emu.log_since(since).await;
        assert!(calls(&log, is_page_call) > 0, "the pages came page by page");
    }
}

/// One section's download refused: that section alone comes through the page API, into the
/// same place in the vault, and the report says so; the manifest names the drive file of each
/// section that came from its file, and none for the one that did not.
#[tokio::test]
async fn a_section_whose_download_is_refused_alone_goes_page_by_page() {
    let (emu, _dir, app, user) = signed_in().await;
    let first = start(&user, &app, true).await;
    wait_for(&user, &app, &first, &["done"]).await;
    let all_files = download(&user, &app, &first).await;
    let manifest = |files: &BTreeMap<String, Vec<u8>>| -> Value {
        serde_json::from_slice(&files["_export/manifest.json"]).unwrap()
    };
    let sections = manifest(&all_files)["sections"]
        .as_object()
        .unwrap()
        .clone();
    assert!(!sections.is_empty());
    for section in sections.values() {
        let file = &section["file"];
        for field in ["path", "drive_id", "item_id", "version"] {
            assert!(file[field].is_string(), "{field} of {section}");
        }
    }
    let refused = sections
        .values()
        .find(|s| s["file"]["path"] == "New Section 1.one")
        .expect("the section New Section 1 came from its file")
        .clone();
    let content = format!(
        "/v1.0/drives/{}/items/{}/content",
        refused["file"]["drive_id"].as_str().unwrap(),
        refused["file"]["item_id"].as_str().unwrap()
    );
    emu.call_admin(
        Method::POST,
        "/faults",
        json!({"method": "GET", "path": content, "count": 1000,
               "answer": {"kind": "status", "status": 403}}),
    )
    .await;

    let since = emu.log_position().await;
    let second = start(&user, &app, true).await;
    wait_for(&user, &app, &second, &["done"]).await;
    let log = emu.log_since(since).await;
    let files = download(&user, &app, &second).await;

    let folder = refused["folder"].as_str().unwrap().to_string();
    let (before, after) = (pages(&all_files), pages(&files));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "every page, at the same path"
    );
    let in_refused = after
        .keys()
        .filter(|p| p.starts_with(&format!("{folder}/")))
        .count();
    assert!(in_refused > 0, "{folder} has pages");
    assert_eq!(
        calls(&log, is_page_call),
        in_refused,
        "one page call per page of the refused section, none for the others"
    );
    let listed = listed_sections(&log);
    assert_eq!(
        listed.len(),
        1,
        "one section listed page by page: {listed:?}"
    );
    let said = report(&files);
    let name = refused["name"].as_str().unwrap();
    assert!(
        said.contains(&format!("\u{201c}{name}\u{201d} went page by page"))
            && said.contains("Not downloaded: Open Notebook/New Section 1.one")
            && said.contains("403")
            && !said.contains("Fast export was not possible"),
        "{said}"
    );
    let sections = manifest_sections(&files);
    let went_by_page = page_by_page(&sections);
    assert_eq!(went_by_page.len(), 1, "{sections:?}");
    assert_eq!(went_by_page[0]["folder"], refused["folder"]);
}

/// A section file the reader refuses: that section alone comes through the page API, and the
/// report gives the reader's reason instead of listing the file as skipped.
#[tokio::test]
async fn a_section_file_the_reader_refuses_alone_goes_page_by_page() {
    let (emu, _dir, app, user) = signed_in().await;
    replace_drive_file(&emu, "New Section 1.one", b"not a OneNote section".to_vec()).await;
    let since = emu.log_position().await;
    let id = start(&user, &app, true).await;
    let done = wait_for(&user, &app, &id, &["done"]).await;
    let log = emu.log_since(since).await;
    let files = download(&user, &app, &id).await;
    let said = report(&files);
    assert!(
        said.contains(
            "\u{201c}New Section 1\u{201d} went page by page: its file could not be read"
        ) && !said.contains("Fast export was not possible"),
        "{said}"
    );
    let listed = listed_sections(&log);
    assert_eq!(
        listed.len(),
        1,
        "one section listed page by page: {listed:?}"
    );
    assert!(calls(&log, is_page_call) > 0, "its pages came page by page");
    let sections = manifest_sections(&files);
    let went_by_page = page_by_page(&sections);
    assert_eq!(went_by_page.len(), 1, "{sections:?}");
    let folder = went_by_page[0]["folder"].as_str().unwrap();
    assert!(
        pages(&files)
            .keys()
            .any(|p| p.starts_with(&format!("{folder}/"))),
        "its pages are in the vault"
    );
    assert_eq!(
        done["skipped"],
        json!([]),
        "the file is not listed as skipped: its pages are there"
    );
}

/// A section's fast export downloads that section's file (and the tables of contents above it)
/// alone, makes no page call, and writes the section where the whole export puts it.
#[tokio::test]
async fn a_sections_fast_export_downloads_that_sections_file_alone() {
    let (emu, _dir, app, user) = signed_in().await;
    let whole = start(&user, &app, true).await;
    wait_for(&user, &app, &whole, &["done"]).await;
    let all_files = download(&user, &app, &whole).await;
    // A section in a section group, whose file OneNote named after it.
    let sections = manifest_sections(&all_files);
    let section = sections
        .values()
        .find(|s| {
            let path = s["file"]["path"].as_str().unwrap_or_default();
            path.contains('/') && path.ends_with(&format!("/{}.one", s["name"].as_str().unwrap()))
        })
        .expect("a grouped section named as its file");
    let folder = section["folder"].as_str().unwrap();
    // The section's OneNote id: the page-by-page export's manifest has OneNote's ids (the fast
    // one's are the files').
    let slow = start(&user, &app, false).await;
    wait_for(&user, &app, &slow, &["done"]).await;
    let by_page = download(&user, &app, &slow).await;
    let graph_id = manifest_sections(&by_page)
        .iter()
        .find(|(_, s)| s["folder"] == folder)
        .map(|(id, _)| id.clone())
        .expect("the same section in the page-by-page export");
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    let form = [
        ("scope", "section".to_string()),
        ("id", graph_id),
        ("csrf", csrf_token(&index)),
        ("fast", "1".to_string()),
    ];
    let since = emu.log_position().await;
    let job = post_start(&user, &app, &form).await;
    wait_for(&user, &app, &job, &["done"]).await;
    let log = emu.log_since(since).await;
    assert_eq!(calls(&log, is_page_call), 0, "no page call");
    let downloaded: Vec<&str> = log
        .iter()
        .filter_map(|e| e["path"].as_str())
        .filter(|p| is_download(p))
        .collect();
    let tables_above = section["file"]["path"]
        .as_str()
        .unwrap()
        .matches('/')
        .count()
        + 1;
    assert_eq!(
        downloaded.len(),
        1 + tables_above,
        "the section's file and the tables of contents above it: {downloaded:?}"
    );
    let files = download(&user, &app, &job).await;
    let expected: Vec<&String> = pages(&all_files)
        .into_iter()
        .filter(|(p, _)| p.starts_with(&format!("{folder}/")))
        .map(|(p, _)| all_files.get_key_value(&p).unwrap().0)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        pages(&files).keys().collect::<Vec<_>>(),
        expected,
        "the section's pages, where the whole export puts them"
    );
}

/// Copies the sections and tables of contents below `from` (outside OneNote's recycle bin) to
/// `to`: what a fast export downloads.
fn copy_notebook_files(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if path.is_dir() {
            if !path.ends_with("OneNote_RecycleBin") {
                copy_notebook_files(&path, &to.join(name));
            }
        } else {
            let lower = name.to_string_lossy().to_ascii_lowercase();
            if lower.ends_with(".one") || lower.ends_with(".onetoc2") {
                std::fs::copy(&path, to.join(name)).unwrap();
            }
        }
    }
}

/// The sections and tables of contents below `folder`, outside OneNote's recycle bin.
fn walk(folder: &std::path::Path) -> usize {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                if p.ends_with("OneNote_RecycleBin") {
                    0
                } else {
                    walk(&p)
                }
            } else {
                let name = p.to_string_lossy().to_ascii_lowercase();
                usize::from(name.ends_with(".one") || name.ends_with(".onetoc2"))
            }
        })
        .sum()
}

#[tokio::test]
async fn a_fast_export_shows_its_downloads_and_stops_when_cancelled_without_going_page_by_page() {
    let (emu, _dir, app, user) = signed_in().await;
    // Each content call takes a while, so the downloads can be watched and cancelled.
    emu.call_admin(
        Method::POST,
        "/faults",
        json!({"method": "GET", "path": "/v1.0/drives/", "count": 1000,
               "answer": {"kind": "latency", "ms": 400}}),
    )
    .await;
    let since = emu.log_position().await;
    let id = start(&user, &app, true).await;
    let started = Instant::now();
    let downloading = loop {
        let json = status(&user, &app, &id).await;
        let doing = json["doing"].as_str().unwrap_or_default().to_string();
        if doing.starts_with("downloading the notebooks' files: ") && !doing.contains(": 0 of") {
            break doing;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no download shown: {json}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(downloading.contains(" of 11"), "{downloading}");
    press(&user, &app, &id, "cancel").await;
    wait_for(&user, &app, &id, &["cancelled"]).await;
    let log = emu.log_since(since).await;
    assert_eq!(
        calls(&log, is_page_call),
        0,
        "a cancelled fast export does not go on page by page"
    );
    let downloads = calls(&log, is_download);
    assert!(
        downloads < 11,
        "the downloads stopped with the cancel ({downloads} of 11)"
    );
}
