//! OneNote in the browser: images decoded from what the app serves, the downloads on disk, and
//! images fetched by id only.

use super::*;

#[tokio::test]
async fn onenote_images_load_through_the_app_and_downloads_hold_the_page() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("onenote").await;

    // Straight to OneNote: sign in, then the incremental consent for Notes.Read.
    chrome.goto(&app.url("/onenote")).await;
    let pages = chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["sign-in", "consent", "consent"]);
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    chrome.screenshot("notebooks").await;
    // The section-group marker is drawn by the style sheet (no emoji font needed): a 16×16
    // picture in front of each group's name, and the screenshot above shows it.
    let marker = chrome
        .js("const g = document.querySelector('ul.tree .group'); \
             if (!g) return null; const m = getComputedStyle(g, '::before'); \
             return [parseFloat(m.width), parseFloat(m.height), m.backgroundImage];")
        .await;
    assert!(
        marker[0].as_f64().unwrap_or(0.0) >= 12.0 && marker[1].as_f64().unwrap_or(0.0) >= 12.0,
        "the section-group marker is not drawn: {marker}"
    );
    assert!(
        marker[2]
            .as_str()
            .is_some_and(|b| b.contains("image/svg+xml")),
        "the marker has no picture: {marker}"
    );

    // A page with images, from the emulator's own list of Ada's resources.
    let listed: serde_json::Value = reqwest::get(emu.admin(&format!("/onenote/{ADA}/resources")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resources = listed["resources"].as_array().unwrap();
    let page_id = resources
        .iter()
        .find(|r| r["content_type"].as_str().unwrap().starts_with("image/"))
        .map(|r| r["page"].as_str().unwrap().to_string())
        .expect("a seeded page with an image");
    let of_page: Vec<&serde_json::Value> =
        resources.iter().filter(|r| r["page"] == page_id).collect();
    let hashes: HashSet<String> = of_page
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_string())
        .collect();
    let token = emu.user_token(ADA, "Notes.Read").await;
    let meta: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/v1.0/me/onenote/pages/{page_id}", emu.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section_id = meta["parentSection"]["id"].as_str().unwrap().to_string();

    // Notebooks → section → page, by clicking.
    let section = chrome
        .wait_for(&format!(
            "a.section[href$='/onenote/sections/{section_id}']"
        ))
        .await;
    chrome.click_and_leave(&section).await;
    let page = chrome
        .wait_for(&format!("#pages a[href$='/onenote/pages/{page_id}']"))
        .await;
    chrome.screenshot("section").await;
    chrome.click_and_leave(&page).await;
    chrome.wait_for("#page-body").await;

    // Every image is decoded by the browser, and came through the app.
    let mut images = serde_json::Value::Null;
    for _ in 0..100 {
        images = chrome
            .js(
                "return Array.from(document.querySelectorAll('#page-body img')).map(i => \
                 ({src: i.src, complete: i.complete, width: i.naturalWidth}))",
            )
            .await;
        if images
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["complete"] == true)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let images = images.as_array().unwrap().clone();
    assert!(!images.is_empty(), "the page shows its images");
    for image in &images {
        let src = image["src"].as_str().unwrap();
        assert!(
            src.starts_with(&app.url("/onenote/resources/")),
            "{src} is served by the app"
        );
        assert!(image["width"].as_u64().unwrap() > 0, "{src} did not load");
    }
    chrome.screenshot("page").await;
    let title = chrome.wait_for("#page-title").await.text().await.unwrap();

    // The Markdown download: the page's title and a link per image.
    chrome.wait_for("#download-md").await.click().await.unwrap();
    let md_path = chrome.wait_for_download(".md").await;
    let markdown = std::fs::read_to_string(&md_path).unwrap();
    assert!(
        markdown.lines().any(|l| l.starts_with("title:")
            && unescape_html(l.trim_start_matches("title:").trim().trim_matches('"')) == title),
        "the front matter names the page {title:?}:\n{markdown}"
    );
    let links = relative_links(&markdown);
    assert!(
        links.len() >= images.len(),
        "{links:?} links every image shown"
    );

    // The zip: the same Markdown, and every link resolves to the emulator's bytes.
    chrome
        .wait_for("#download-zip")
        .await
        .click()
        .await
        .unwrap();
    let zip_path = chrome.wait_for_download(".zip").await;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(name, bytes);
    }
    let (md_name, md_bytes) = files
        .iter()
        .find(|(n, _)| n.ends_with(".md"))
        .expect("the zip holds the Markdown");
    assert_eq!(
        String::from_utf8(md_bytes.clone()).unwrap(),
        markdown,
        "the zip's Markdown is the downloaded Markdown"
    );
    let folder = md_name
        .rsplit_once('/')
        .map(|(f, _)| format!("{f}/"))
        .unwrap_or_default();
    for link in links {
        let name = percent_encoding::percent_decode_str(&link)
            .decode_utf8_lossy()
            .into_owned();
        let bytes = files
            .get(&format!("{folder}{name}"))
            .unwrap_or_else(|| panic!("{link} is not in the zip: {:?}", files.keys()));
        assert!(
            hashes.contains(&sha256_hex(bytes)),
            "{link} holds the page's resource"
        );
    }
    chrome.quit().await;
}

/// Whether `id` is a OneNote id as the app accepts them.
fn onenote_md_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'!' | b'_' | b'.' | b'-'))
}

#[tokio::test]
async fn the_emulator_request_log_sees_images_fetched_by_id_only() {
    // A page whose images point at the emulator's admin API and at another host: the browser
    // must not fetch them, and the app fetches nothing but the user's own page and resources,
    // by id, from Graph.
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let html = format!(
        r#"<html><head><title>Trackers</title></head><body>
<p>Pixels</p>
<img src="{admin}" alt="admin"/>
<img src="{graph}/v1.0/me/onenote/resources/0-x!1-y/$value?x=@localhost" alt="query"/>
<img src="http://127.0.0.1:9/steal.png" alt="other host"/>
</body></html>"#,
        admin = emu.admin("/info"),
        graph = emu.base_url,
    );
    let page = create_page(&emu, GRACE, &html).await;
    let chrome = Chrome::start("ssrf").await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, GRACE, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    let since = emu.log_position().await;
    chrome
        .goto(&app.url(&format!("/onenote/pages/{page}")))
        .await;
    chrome.wait_for("#page-body").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let entries = emu.log_since(since).await;
    assert!(!entries.is_empty(), "the app fetched the page");
    for entry in &entries {
        let path = entry["path"].as_str().unwrap();
        let by_id = path
            .strip_prefix("/v1.0/me/onenote/resources/")
            .and_then(|rest| rest.strip_suffix("/$value"))
            .is_some_and(onenote_md_id);
        assert!(
            (path.starts_with("/v1.0/me/onenote/pages/") || by_id)
                && entry["method"] == "GET"
                && entry["user"] == GRACE,
            "only Grace's page and resources, by id: {entry}"
        );
    }
    chrome.quit().await;
}
