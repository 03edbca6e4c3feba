//! Page content and resources as seeded, every seeded page rendered, and pages created from HTML
//! and multipart bodies.

use super::*;

#[tokio::test]
async fn page_content_and_resources_match_the_seed() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let pages = ada
        .json("/me/onenote/pages?$filter=title eq 'Weekly plan'")
        .await;
    let page = &pages["value"][0];
    let content = ada.get(page["contentUrl"].as_str().unwrap()).await;
    assert_eq!(content.status, 200);
    assert!(
        content
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = content.text();
    assert!(html.contains("<title>Weekly plan</title>"));
    assert!(html.contains(
        "<body data-absolute-enabled=\"true\" style=\"font-family:Calibri;font-size:11pt\">"
    ));
    assert!(regex_like_meta(&html), "{html}");
    assert!(html.contains("<p data-tag=\"to-do:completed\">Send the agenda</p>"));
    assert!(html.contains("<li><span data-tag=\"question\">Who chairs?</span></li>"));
    assert!(html.contains("data-attachment=\"budget.csv\""));
    let resource_prefix = format!("{}/v1.0/users('{ADA}')/onenote/resources/", emu.base_url);
    let urls = attribute_values(&html, &["src", "data-fullres-src", "data"]);
    let resource_urls: Vec<&String> = urls
        .iter()
        .filter(|u| u.starts_with(&resource_prefix))
        .collect();
    assert_eq!(resource_urls.len(), 3, "{urls:?}");
    for url in resource_urls {
        let bytes = ada.get(url).await;
        assert_eq!(bytes.status, 200);
        assert_eq!(
            bytes.header("content-type").as_deref(),
            Some("application/octet-stream")
        );
        let id = url
            .trim_start_matches(&resource_prefix)
            .trim_end_matches("/$value");
        let seeded = reqwest::get(format!(
            "{}/_emulator/onenote/{ADA}/resources/{id}",
            emu.base_url
        ))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
        assert_eq!(bytes.bytes, seeded.to_vec());
        // `/content` serves the same bytes as `/$value`.
        assert_eq!(
            ada.get(&url.replace("/$value", "/content")).await.bytes,
            seeded.to_vec()
        );
    }

    // /$value is /content; includeIDs adds generated ids; preview has text.
    let id = page["id"].as_str().unwrap();
    assert_eq!(
        ada.get(&format!("/me/onenote/pages/{id}/$value"))
            .await
            .text(),
        html
    );
    let with_ids = ada
        .get(&format!("/me/onenote/pages/{id}/content?includeIDs=true"))
        .await
        .text();
    assert!(with_ids.contains(" id=\"p:{") && with_ids.contains(" id=\"div:{"));
    let preview = ada.json(&format!("/me/onenote/pages/{id}/preview")).await;
    assert!(
        preview["previewText"]
            .as_str()
            .unwrap()
            .starts_with("Weekly plan Book the venue")
    );
    assert!(preview["links"]["previewImageUrl"]["href"].is_null());
    assert_eq!(ada.get("/me/onenote/resources").await.status, 400);
}

fn regex_like_meta(html: &str) -> bool {
    let Some(start) = html.find("<meta name=\"created\" content=\"") else {
        return false;
    };
    let value = &html[start + 30..start + 30 + 27];
    value.len() == 27 && &value[19..20] == "." && value[20..].chars().all(|c| c.is_ascii_digit())
}

/// Values of the given attributes anywhere in the HTML.
fn attribute_values(html: &str, names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let needle = format!(" {name}=\"");
        let mut rest = html;
        while let Some(i) = rest.find(&needle) {
            rest = &rest[i + needle.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&"));
        }
    }
    out
}

#[tokio::test]
async fn every_seeded_page_renders_and_rich_content_is_there() {
    let emu = TestEmulator::start().await;
    let grace = Graph::new(&emu, &token(&emu, GRACE, "Notes.Read").await);
    lift_onenote_limits(&emu);
    let (pages, _) = grace
        .all("/me/onenote/pages?$top=100&$filter=parentSection/displayName ne 'Journal'")
        .await;
    let mut all = String::new();
    for page in &pages {
        let html = grace.get(page["contentUrl"].as_str().unwrap()).await;
        assert_eq!(html.status, 200);
        // Block elements sit on their own lines; compare the markup without that layout.
        all.push_str(&html.text().replace(['\n', '\t'], ""));
    }
    for needle in [
        "<table style=\"border:1px solid;border-collapse:collapse\">",
        "<td style=\"border:1px solid\"><table",
        "data-tag=\"remember-for-later\"",
        "data-tag=\"call-back:completed\"",
        "data-original-src=\"https://www.youtube.com/watch?v=3bvNCbnVPoU\" src=\"https://www.youtube.com/embed/3bvNCbnVPoU?feature=oembed&amp;autoplay=true\"",
        "<!-- InkNode is not supported -->",
        "dir=\"rtl\"",
        "שלום עולם",
        "type=\"application/pdf\"",
        "font-family:Consolas",
        "Paragraph 400.",
        "data-fullres-src-type=\"image/png\"",
    ] {
        assert!(all.contains(needle), "missing {needle}");
    }
    let resources = grace
        .admin(Method::GET, &format!("/onenote/{GRACE}/resources"), None)
        .await;
    let pdf = resources["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["content_type"] == "application/pdf")
        .unwrap();
    let bytes = grace
        .get(&format!(
            "/me/onenote/resources/{}/$value",
            pdf["id"].as_str().unwrap()
        ))
        .await;
    assert!(bytes.bytes.starts_with(b"%PDF-1.4") && bytes.text().trim_end().ends_with("%%EOF"));
}

#[tokio::test]
async fn pages_are_created_from_html_and_multipart() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.ReadWrite").await);
    let sections = ada
        .json("/me/onenote/sections?$filter=displayName eq 'Reference'")
        .await;
    let section = sections["value"][0]["id"].as_str().unwrap().to_string();
    let before = ada
        .all(&format!("/me/onenote/sections/{section}/pages"))
        .await
        .0
        .len();

    // text/html
    let created = ada
        .send(
            ada.http
                .post(ada.url(&format!("/me/onenote/sections/{section}/pages")))
                .header("content-type", "text/html")
                .body("<!DOCTYPE html><html><head><title>Plain page</title><meta name=\"created\" content=\"2024-03-01T08:00:00-08:00\" /></head><body><p>Hello <b>there</b></p></body></html>"),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let json = created.json();
    assert_eq!(json["title"], "Plain page");
    assert_eq!(json["createdDateTime"], "2024-03-01T16:00:00Z");
    assert_eq!(json["parentSection"]["id"], section.as_str());
    assert_eq!(created.header("location").as_deref(), json["self"].as_str());

    // multipart with an image and an attachment
    let png = emulator::images::generate_png(40, 30, 5);
    let form = reqwest::multipart::Form::new()
        .part("Presentation", reqwest::multipart::Part::text(
            "<html><head><title>With pictures</title></head><body><h1>Pics</h1><img src=\"name:pic1\" alt=\"One\" data-render-x=\"1\" /><img data-render-src=\"https://example.com/page.html\" /><object data=\"name:doc\" data-attachment=\"notes.txt\" type=\"text/plain\" /></body></html>",
        ).mime_str("text/html").unwrap())
        .part("pic1", reqwest::multipart::Part::bytes(png.clone()).mime_str("image/png").unwrap())
        .part("doc", reqwest::multipart::Part::bytes(b"plain notes".to_vec()).mime_str("text/plain").unwrap());
    let created = ada
        .send(
            ada.http
                .post(ada.url(&format!("/me/onenote/sections/{section}/pages")))
                .multipart(form),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let page = created.json();
    let html = ada.get(page["contentUrl"].as_str().unwrap()).await.text();
    assert!(
        !html.contains("name:")
            && !html.contains("data-render-src=")
            && !html.contains("data-render-x"),
        "{html}"
    );
    assert!(html.contains("data-render-original-src=\"https://example.com/page.html\""));
    assert!(html.contains("<div data-id=\"_default\""));
    assert!(html.contains("width=\"40\" height=\"30\""));
    let src = attribute_values(&html, &["src"]);
    let fullres = attribute_values(&html, &["data-fullres-src"]);
    let data = attribute_values(&html, &["data"]);
    assert_eq!((src.len(), fullres.len(), data.len()), (2, 2, 1));
    assert_ne!(
        src[0], fullres[0],
        "rendition and original are separate resources"
    );
    assert!(ada.get(&src[0]).await.bytes == png);
    assert!(
        ada.get(&fullres[0]).await.bytes == png,
        "the original has the same bytes"
    );
    assert!(ada.get(&data[0]).await.bytes == b"plain notes");
    let after = ada
        .all(&format!("/me/onenote/sections/{section}/pages"))
        .await
        .0
        .len();
    assert_eq!(after, before + 2);

    // Bad bodies are OneNote-shaped 400s.
    let post = |content_type: &'static str, body: Vec<u8>| {
        ada.http
            .post(ada.url(&format!("/me/onenote/sections/{section}/pages")))
            .header("content-type", content_type)
            .body(body)
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhi\r\n--x--\r\n".to_vec(),
            "20001",
        ),
        ("multipart/form-data", b"whatever".to_vec(), "20011"),
        ("application/json", b"{}".to_vec(), "20131"),
        ("text/html", b"".to_vec(), "20132"),
        (
            "text/html",
            b"<p data-tag=\"sparkles\">x</p>".to_vec(),
            "20139",
        ),
        (
            "text/html",
            b"<img src=\"name:missing\" />".to_vec(),
            "20130",
        ),
    ];
    for (content_type, body, code) in cases {
        let answer = ada.send(post(content_type, body)).await;
        assert_eq!(
            (answer.status, answer.error_code()),
            (400, code.to_string()),
            "{content_type}"
        );
    }
    let huge = ada
        .send(post("text/html", vec![b'a'; 11 * 1024 * 1024]))
        .await;
    assert_eq!((huge.status, huge.error_code()), (413, "20008".into()));
}
