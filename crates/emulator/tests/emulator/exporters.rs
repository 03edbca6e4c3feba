//! What whole-notebook exporters meet in OneNote: ink as InkML beside the HTML, equations,
//! links between pages that resolve by their `page-id`, subpages, and the limits that bite —
//! the hourly budget, too many sections for `/me/onenote/pages`, and the "more than 5,000
//! items" errors a fault rule reproduces.

use emulator::testing::TestEmulator;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn page_titled(graph: &Graph, title: &str) -> Value {
    let pages = graph
        .json(&format!("/me/onenote/pages?$filter=title eq '{title}'"))
        .await;
    pages["value"][0].clone()
}

#[tokio::test]
async fn ink_comes_as_inkml_beside_the_html_when_asked_for() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let sketch = page_titled(&ada, "Ink sketch").await;
    let content = sketch["contentUrl"].as_str().unwrap().to_string();

    let plain = ada.get(&content).await;
    assert!(
        plain
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(plain.text().contains("<!-- InkNode is not supported -->"));

    let with_ink = ada.get(&format!("{content}?includeInkML=true")).await;
    assert_eq!(with_ink.status, 200);
    let content_type = with_ink.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/mixed; boundary=\"")
        .and_then(|b| b.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{content_type}"));
    let body = with_ink.text();
    let parts: Vec<&str> = body
        .split(&format!("--{boundary}"))
        .filter(|p| !p.trim().is_empty() && p.trim() != "--")
        .collect();
    assert_eq!(parts.len(), 2, "{body}");
    let (html_head, html) = parts[0].split_once("\r\n\r\n").unwrap();
    assert_eq!(html_head.trim(), "Content-Type: text/html; charset=utf-8");
    assert!(html.contains("<title>Ink sketch</title>") && html.contains("InkNode"));
    let (ink_head, ink) = parts[1].split_once("\r\n\r\n").unwrap();
    assert_eq!(
        ink_head.trim(),
        "Content-Type: application/inkml+xml; charset=utf-8"
    );
    assert!(ink.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    assert!(
        ink.contains("<inkml:ink ") && ink.contains("xmlns:inkml=\"http://www.w3.org/2003/InkML\"")
    );
    let traces = ink.matches("<inkml:trace ").count();
    assert!(traces >= 3, "{ink}");
    assert!(ink.matches("<inkml:brush ").count() >= 2);
    // Every trace is a list of absolute `X Y F` points.
    for trace in ink.split("<inkml:trace ").skip(1) {
        let points = trace.split_once('>').unwrap().1.split('<').next().unwrap();
        for point in points.split(',') {
            let numbers: Vec<u32> = point
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            assert_eq!(numbers.len(), 3, "{point}");
        }
    }

    // A page without ink is plain HTML even when ink is asked for.
    let tables = page_titled(&ada, "Tables").await;
    let answer = ada
        .get(&format!(
            "{}?includeInkML=true",
            tables["contentUrl"].as_str().unwrap()
        ))
        .await;
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn equations_are_mathml_or_onenotes_failure_comment() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.ReadWrite").await);
    let page = page_titled(&ada, "Equations").await;
    let html = ada.get(page["contentUrl"].as_str().unwrap()).await.text();
    assert_eq!(
        html.matches("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\">")
            .count(),
        3,
        "{html}"
    );
    assert!(
        html.contains("<msqrt><msup><mi>b</mi><mn>2</mn></msup>"),
        "{html}"
    );
    assert!(html.contains("<!-- Processing ParagraphNode failed -->"));

    // Posted MathML keeps only MathML.
    let sections = ada.json("/me/onenote/sections").await;
    let section = sections["value"][0]["id"].as_str().unwrap();
    let created = ada
        .send(
            ada.http
                .post(ada.url(&format!("/me/onenote/sections/{section}/pages")))
                .header("content-type", "text/html")
                .body(r#"<html><head><title>Maths</title></head><body><p><math><mi onclick="x()">a</mi><script>alert(1)</script><a href="javascript:x()"><mn>1</mn></a></math></p></body></html>"#),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let html = ada
        .get(created.json()["contentUrl"].as_str().unwrap())
        .await
        .text();
    assert!(
        html.contains("display=\"block\"><mi>a</mi></math>"),
        "{html}"
    );
    assert!(!html.contains("alert") && !html.contains("onclick") && !html.contains("javascript"));
}

/// The GUID after `name=` in a client URL (braces or not).
fn guid_after(url: &str, name: &str) -> Option<String> {
    let start = url.find(&format!("{name}="))? + name.len() + 1;
    let value = url[start..].split('&').next()?;
    Some(value.trim_matches(['{', '}']).to_ascii_lowercase())
}

/// The section and page GUIDs named by a web URL's `wd=target(Section.one|{s}/Page|{p}/)`.
fn web_target(url: &str) -> Option<(String, Option<String>)> {
    let decoded = percent_encoding::percent_decode_str(url)
        .decode_utf8()
        .ok()?
        .into_owned();
    let target = decoded.split_once("wd=target(")?.1.strip_suffix(')')?;
    let mut steps = target.split('|').skip(1);
    let section = steps.next()?.split('/').next()?.to_ascii_lowercase();
    let page = steps
        .next()
        .and_then(|s| s.split('/').next())
        .map(str::to_ascii_lowercase);
    Some((section, page))
}

/// Every link in `user`'s pages, resolved by its `page-id` (or a section's `section-id`)
/// against the pages' and sections' own `links.oneNoteClientUrl`: the texts of the links that
/// resolve to no page or to more than one, and how many links of each form there were.
async fn unresolved_links(emu: &TestEmulator, user: &str) -> (Vec<String>, (usize, usize)) {
    let graph = Graph::new(emu, &token(emu, user, "Notes.Read").await);
    // With `$top`, OneNote gives no nextLink: the default page size pages through everything.
    let (pages, _) = graph.all("/me/onenote/pages").await;
    let (sections, _) = graph.all("/me/onenote/sections").await;
    // Graph's own client URLs carry bare GUIDs.
    let client_url = |item: &Value| {
        let url = item["links"]["oneNoteClientUrl"]["href"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!url.contains('{'), "{url}");
        url
    };
    let page_guids: Vec<String> = pages
        .iter()
        .map(|p| guid_after(&client_url(p), "page-id").unwrap())
        .collect();
    let section_guids: Vec<String> = sections
        .iter()
        .map(|s| guid_after(&client_url(s), "section-id").unwrap())
        .collect();

    let anchors = scraper::Selector::parse("a[href]").unwrap();
    let mut unresolved = Vec::new();
    let mut forms = (0, 0);
    for page in &pages {
        let html = graph.get(page["contentUrl"].as_str().unwrap()).await.text();
        let fragment = scraper::Html::parse_document(&html);
        for a in fragment.select(&anchors) {
            let href = a.value().attr("href").unwrap();
            let (section, page) = if href.starts_with("onenote:") {
                forms.0 += 1;
                assert!(
                    href.contains("section-id={"),
                    "client-written links brace GUIDs: {href}"
                );
                (
                    guid_after(href, "section-id").unwrap(),
                    guid_after(href, "page-id"),
                )
            } else if href.contains("wd=target") {
                forms.1 += 1;
                web_target(href).unwrap_or_else(|| panic!("{href}"))
            } else {
                continue;
            };
            let resolves = match page {
                Some(guid) => page_guids.iter().filter(|g| **g == guid).count() == 1,
                None => section_guids.iter().filter(|g| **g == section).count() == 1,
            };
            if !resolves {
                unresolved.push(a.text().collect());
            }
        }
    }
    (unresolved, forms)
}

#[tokio::test]
async fn links_between_pages_resolve_by_their_page_id() {
    let emu = TestEmulator::start().await;
    lift_onenote_limits(&emu);
    let (unresolved, forms) = unresolved_links(&emu, ADA).await;
    assert!(forms.0 >= 5 && forms.1 >= 2, "both forms appear: {forms:?}");
    assert_eq!(
        unresolved,
        vec!["Old plans".to_string()],
        "only the deleted page's link is broken"
    );

    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let page = page_titled(&ada, "Links between pages").await;
    let html = ada.get(page["contentUrl"].as_str().unwrap()).await.text();
    assert!(
        html.contains("&amp;object-id={"),
        "a paragraph link: {html}"
    );

    let (unresolved, forms) = unresolved_links(&emu, KATHERINE).await;
    assert!(forms.0 >= 100 && forms.1 >= 5, "{forms:?}");
    assert_eq!(
        unresolved,
        vec!["the old telemetry plan".to_string()],
        "only the link to the deleted page is broken"
    );
}

#[tokio::test]
async fn the_export_sized_notebook_is_there_and_the_same_on_every_start() {
    let listing = |emu: &TestEmulator| {
        let url = format!("{}/_emulator/onenote/{KATHERINE}/pages", emu.base_url);
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let first = TestEmulator::start().await;
    let second = TestEmulator::start().await;
    let pages = listing(&first).await;
    assert_eq!(pages, listing(&second).await, "same ids, times and bytes");
    let pages = pages["pages"].as_array().unwrap().clone();
    assert!(pages.len() >= 250, "{} pages", pages.len());
    let resources: Vec<&Value> = pages
        .iter()
        .flat_map(|p| p["resources"].as_array().unwrap())
        .collect();
    assert!(resources.len() >= 60);
    let katherine = Graph::new(&first, &token(&first, KATHERINE, "Notes.Read").await);
    let files = katherine
        .admin(
            Method::GET,
            &format!("/onenote/{KATHERINE}/resources"),
            None,
        )
        .await;
    let largest = files["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(largest >= 5 * 1024 * 1024, "{largest}");

    // Groups three deep, a section of more than 100 pages, an empty one, duplicate titles.
    let groups = katherine
        .json("/me/onenote/sectionGroups?$expand=parentSectionGroup($expand=parentSectionGroup)")
        .await;
    assert!(
        groups["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["parentSectionGroup"]["parentSectionGroup"].is_object()),
        "{groups}"
    );
    let (sections, _) = katherine.all("/me/onenote/sections").await;
    let mut sizes = Vec::new();
    for section in &sections {
        let id = section["id"].as_str().unwrap();
        let count = katherine
            .json(&format!(
                "/me/onenote/sections/{id}/pages?$count=true&$top=1"
            ))
            .await["@odata.count"]
            .as_u64()
            .unwrap();
        sizes.push(count);
    }
    assert!(
        sizes.iter().any(|n| *n > 100) && sizes.contains(&0),
        "{sizes:?}"
    );
    let notes = katherine
        .json("/me/onenote/pages?$filter=title eq 'Notes'&$count=true")
        .await;
    assert!(notes["@odata.count"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn subpages_have_levels_and_orders() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let sections = ada
        .json("/me/onenote/sections?$filter=displayName eq 'Quick Notes'")
        .await;
    let section = sections["value"][0]["id"].as_str().unwrap();
    let pages = ada
        .json(&format!(
            "/me/onenote/sections/{section}/pages?pagelevel=true&$select=title,level,order&$orderby=order"
        ))
        .await;
    let levels: Vec<(i64, i64)> = pages["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["level"].as_i64().unwrap(), p["order"].as_i64().unwrap()))
        .collect();
    for level in 0..=2 {
        assert!(levels.iter().any(|(l, _)| *l == level), "{levels:?}");
    }
    let orders: Vec<i64> = levels.iter().map(|(_, o)| *o).collect();
    assert_eq!(orders, (0..orders.len() as i64).collect::<Vec<_>>());
    // A subpage follows a page one level up (or its own level).
    assert_eq!(levels[0].0, 0);
    assert!(
        levels.windows(2).all(|w| w[1].0 <= w[0].0 + 1),
        "{levels:?}"
    );
}

#[tokio::test]
async fn the_hourly_limit_is_kept_like_the_minute_one() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "User.Read Notes.Read").await);
    ada.admin(
        Method::PUT,
        "/limits",
        Some(json!({"per_minute": 10, "per_hour": 20, "concurrent": 5})),
    )
    .await;
    let advance = |seconds: u64| {
        ada.admin(
            Method::POST,
            "/limits/advance",
            Some(json!({"seconds": seconds})),
        )
    };
    for call in 1..=20 {
        let answer = ada.get("/me/onenote/notebooks").await;
        assert_eq!(answer.status, 200, "call {call}: {}", answer.text());
        if call % 10 == 0 {
            // The next ten are in a new minute, but the same hour.
            let minute_full = ada.get("/me/onenote/notebooks").await;
            assert_eq!(minute_full.status, 429);
            advance(61).await;
        }
    }
    let throttled = ada.get("/me/onenote/notebooks").await;
    assert_eq!(
        (throttled.status, throttled.error_code()),
        (429, "20166".to_string()),
        "the 21st call in an hour"
    );
    assert!(throttled.header("retry-after").is_none());
    // The user's other calls (not OneNote) are not OneNote's to limit.
    assert_eq!(ada.get("/me").await.status, 200);
    advance(3600).await;
    assert_eq!(ada.get("/me/onenote/notebooks").await.status, 200);
}

#[tokio::test]
async fn too_many_sections_for_all_pages_at_once_is_20266() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let (sections, _) = ada.all("/me/onenote/sections").await;
    let threshold = sections.len() as u32 - 1;
    ada.admin(
        Method::PUT,
        "/limits",
        Some(json!({"sections_for_all_pages": threshold})),
    )
    .await;
    let answer = ada.get("/me/onenote/pages").await;
    assert_eq!(
        (answer.status, answer.error_code()),
        (400, "20266".to_string()),
        "{}",
        answer.text()
    );
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("one section at a time")
    );
    // Section by section still works.
    let section = sections[0]["id"].as_str().unwrap();
    assert_eq!(
        ada.get(&format!("/me/onenote/sections/{section}/pages"))
            .await
            .status,
        200
    );
    ada.admin(
        Method::PUT,
        "/limits",
        Some(json!({"sections_for_all_pages": threshold + 1})),
    )
    .await;
    assert_eq!(ada.get("/me/onenote/pages").await.status, 200);
}

#[tokio::test]
async fn a_graph_error_fault_answers_exactly_what_it_is_given() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let message = "One or more of the document libraries on the user or group's OneDrive contains more than 5,000 OneNote items (notebooks, sections, section groups) and cannot be queried using the API.";
    for (status, code) in [(403, "10008"), (403, "10013"), (507, "19999")] {
        ada.admin(
            Method::POST,
            "/faults",
            Some(json!({"path": "/v1.0/me/onenote/notebooks", "count": 1,
                "answer": {"kind": "graph_error", "status": status, "code": code, "message": message}})),
        )
        .await;
        let answer = ada.get("/me/onenote/notebooks").await;
        assert_eq!(answer.status, status);
        assert_eq!(answer.error_code(), code);
        assert_eq!(answer.json()["error"]["message"], message);
        assert_eq!(ada.get("/me/onenote/notebooks").await.status, 200);
    }
    // A rule that could not be Graph's is refused.
    let refused = ada
        .http
        .post(format!("{}/_emulator/faults", emu.base_url))
        .json(
            &json!({"answer": {"kind": "graph_error", "status": 403, "code": "", "message": "x"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
}
