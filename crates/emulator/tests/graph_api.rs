//! Graph and OneNote against an in-process emulator, with tokens from its real token endpoint:
//! `/me` and users, entity shapes, paging boundaries, every query option, page content and
//! resources, page creation, scope enforcement and isolation between users.

mod graph_support;

use emulator::seed::{NotebookSeed, SectionSeed, builtin};
use emulator::testing::TestEmulator;
use graph_support::*;
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn me_users_and_photos() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "User.Read").await);

    let me = ada.get("/me").await;
    assert_eq!(me.status, 200);
    assert!(
        me.header("content-type")
            .unwrap()
            .starts_with("application/json;odata.metadata=minimal")
    );
    assert!(me.header("request-id").is_some());
    let me = me.json();
    let keys: Vec<&str> = me.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 12, "{keys:?}");
    assert_eq!(
        me["@odata.context"],
        format!("{}/v1.0/$metadata#users/$entity", emu.base_url)
    );
    assert_eq!(me["displayName"], "Ada Lovelace");
    assert_eq!(me["mobilePhone"], Value::Null);
    assert_eq!(me["businessPhones"][0], "+44 20 7946 0000");

    let selected = ada.json("/me?$select=displayName,givenName").await;
    assert_eq!(
        selected["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users(displayName,givenName)/$entity",
            emu.base_url
        )
    );
    assert_eq!(selected.as_object().unwrap().len(), 3);
    assert_eq!(
        ada.get("/me?$select=shoeSize").await.error_code(),
        "Request_BadRequest"
    );

    let photo = ada.get("/me/photo/$value").await;
    assert_eq!(photo.status, 200);
    assert!(photo.bytes.starts_with(b"\x89PNG"));
    assert_eq!(ada.json("/me/photo").await["width"], 96);

    // Oneself by UPN, id and the parenthesised form; another user needs more than User.Read.
    assert_eq!(ada.json("/users/ada@contoso.example").await["id"], me["id"]);
    assert_eq!(
        ada.json("/users('ada%40contoso.example')").await["id"],
        me["id"]
    );
    let grace = ada.get("/users/grace@contoso.example").await;
    assert_eq!(
        (grace.status, grace.error_code()),
        (403, "Authorization_RequestDenied".into())
    );

    let alan = Graph::new(&emu, &token(&emu, ALAN, "User.Read").await);
    let missing = alan.get("/me/photo/$value").await;
    assert_eq!(
        (missing.status, missing.error_code()),
        (404, "ImageNotFound".into())
    );
    // The caller's client-request-id is echoed.
    let echoed = alan
        .send(
            alan.http
                .get(alan.url("/me"))
                .header("client-request-id", "my-id-123"),
        )
        .await;
    assert_eq!(
        echoed.header("client-request-id").as_deref(),
        Some("my-id-123")
    );
}

#[tokio::test]
async fn app_only_tokens() {
    let emu = TestEmulator::start().await;
    let app = Graph::new(&emu, &app_token(&emu).await);
    let me = app.get("/me").await;
    assert_eq!((me.status, me.error_code()), (400, "BadRequest".into()));
    assert_eq!(
        app.json("/users/grace@contoso.example").await["displayName"],
        "Grace Hopper"
    );
    let foreign = app.get("/users/mallory@fabrikam.example").await;
    assert_eq!(
        (foreign.status, foreign.error_code()),
        (404, "Request_ResourceNotFound".into())
    );
    let notes = app
        .get("/users/ada@contoso.example/onenote/notebooks")
        .await;
    assert_eq!((notes.status, notes.error_code()), (403, "40004".into()));
}

#[tokio::test]
async fn hierarchy_entity_shapes_and_spellings() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let root = format!("{}/v1.0/users/{ADA}/onenote", emu.base_url);

    let notebooks = ada.json("/me/onenote/notebooks").await;
    assert_eq!(
        notebooks["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users('ada%40contoso.example')/onenote/notebooks",
            emu.base_url
        )
    );
    let list = notebooks["value"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let names: Vec<&str> = list
        .iter()
        .map(|n| n["displayName"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "notebooks are ordered by name");
    let personal = find(list, "displayName", "Ada's Notebook");
    let id = personal["id"].as_str().unwrap();
    assert!(id.starts_with("1-"));
    assert_eq!(personal["self"], format!("{root}/notebooks/{id}"));
    assert_eq!(
        personal["sectionsUrl"],
        format!("{root}/notebooks/{id}/sections")
    );
    assert_eq!(personal["userRole"], "Owner");
    assert_eq!(personal["isDefault"], true);
    assert_eq!(personal["createdBy"]["user"]["displayName"], "Ada Lovelace");
    assert!(
        personal["links"]["oneNoteWebUrl"]["href"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    // The same list through the two /users spellings.
    assert_eq!(
        ada.json("/users/ada@contoso.example/onenote/notebooks")
            .await["value"],
        notebooks["value"]
    );
    assert_eq!(
        ada.json("/users('ada@contoso.example')/onenote/notebooks")
            .await["value"],
        notebooks["value"]
    );

    // All sections, nested ones included, with default parent expansions.
    let sections = ada.json("/me/onenote/sections").await["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(sections.len(), 7, "{sections:#?}");
    let older = find(&sections, "displayName", "2019");
    assert_eq!(older["parentSectionGroup"]["displayName"], "Older");
    assert!(
        older["parentSectionGroup@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/parentSectionGroup/$entity")
    );
    let quick = find(&sections, "displayName", "Quick Notes");
    assert_eq!(quick["parentSectionGroup"], Value::Null);
    assert_eq!(quick["parentNotebook"]["displayName"], "Ada's Notebook");

    let groups = ada.json("/me/onenote/sectionGroups").await["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(groups.len(), 3);
    let archive = find(&groups, "displayName", "Archive");
    let nested = ada
        .json(&format!(
            "/me/onenote/sectionGroups/{}/sectionGroups",
            archive["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(nested["value"][0]["displayName"], "Older");

    // Pages: parentSection expansion, level/order only with pagelevel=true.
    let section_pages = ada
        .json(&format!(
            "/me/onenote/sections/{}/pages",
            quick["id"].as_str().unwrap()
        ))
        .await;
    let page = &section_pages["value"][0];
    assert!(page.get("level").is_none() && page.get("displayName").is_none());
    assert_eq!(page["parentSection"]["displayName"], "Quick Notes");
    let context = page["parentSection@odata.context"].as_str().unwrap();
    assert!(
        context.contains("/onenote/pages('1-")
            && context.contains("%21")
            && context.ends_with("/parentSection/$entity"),
        "{context}"
    );
    assert_eq!(
        page["contentUrl"],
        format!("{root}/pages/{}/content", page["id"].as_str().unwrap())
    );
    let levels = ada
        .json(&format!(
            "/me/onenote/sections/{}/pages?pagelevel=true",
            quick["id"].as_str().unwrap()
        ))
        .await;
    let levels = levels["value"].as_array().unwrap();
    assert!(
        levels
            .iter()
            .all(|p| p["level"].is_number() && p["order"].is_number())
    );
    assert!(levels.iter().any(|p| p["level"] == 2));
    let misuse = ada.get("/me/onenote/pages?pagelevel=true").await;
    assert_eq!((misuse.status, misuse.error_code()), (400, "20104".into()));
    let one = ada
        .json(&format!(
            "/me/onenote/pages/{}?pagelevel=true",
            page["id"].as_str().unwrap()
        ))
        .await;
    assert!(one["level"].is_number());
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/onenote/pages/$entity")
    );

    // Parent navigation routes.
    let parent = ada
        .json(&format!(
            "/me/onenote/pages/{}/parentNotebook",
            page["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(parent["displayName"], "Ada's Notebook");
}

/// A seed whose user has sections with exactly 20, 21, 100 and 101 pages.
fn paging_seed() -> emulator::seed::Seed {
    let mut seed = builtin();
    let user = &mut seed.tenants[0].users[2];
    user.notebooks = vec![NotebookSeed {
        display_name: "Paging".into(),
        is_default: true,
        created: None,
        sections: [20, 21, 100, 101]
            .iter()
            .map(|n| SectionSeed {
                display_name: format!("S{n}"),
                is_default: false,
                pages: vec![],
                generated_pages: *n,
            })
            .collect(),
        section_groups: vec![],
    }];
    seed
}

#[tokio::test]
async fn paging_boundaries() {
    let emu = TestEmulator::start_with(paging_seed(), false).await;
    let alan = Graph::new(&emu, &token(&emu, ALAN, "Notes.Read").await);
    let sections = alan.json("/me/onenote/sections").await["value"]
        .as_array()
        .unwrap()
        .clone();
    let id = |n: u32| {
        find(&sections, "displayName", &format!("S{n}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    for (n, requests) in [(20, 1), (21, 2), (100, 5), (101, 6)] {
        let (pages, made) = alan
            .all(&format!("/me/onenote/sections/{}/pages", id(n)))
            .await;
        assert_eq!(
            (pages.len(), made),
            (n as usize, requests),
            "section of {n}"
        );
        let mut ids: Vec<_> = pages.iter().map(|p| p["id"].as_str().unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), n as usize, "no page twice");
    }
    // With $top there is no nextLink, even when more exist.
    let top = alan
        .json(&format!("/me/onenote/sections/{}/pages?$top=100", id(101)))
        .await;
    assert_eq!(top["value"].as_array().unwrap().len(), 100);
    assert!(top.get("@odata.nextLink").is_none());
    let top = alan
        .json(&format!("/me/onenote/sections/{}/pages?$top=100", id(100)))
        .await;
    assert_eq!(top["value"].as_array().unwrap().len(), 100);
    let too_many = alan
        .get(&format!("/me/onenote/sections/{}/pages?$top=101", id(101)))
        .await;
    assert_eq!(
        (too_many.status, too_many.error_code()),
        (400, "20129".into())
    );
    let thousand = alan.get("/me/onenote/pages?$top=1000").await;
    assert_eq!(thousand.error_code(), "20129");
    // $skip, and the global list with its default order (newest first).
    let skipped = alan
        .json(&format!("/me/onenote/sections/{}/pages?$skip=15", id(21)))
        .await;
    assert_eq!(skipped["value"].as_array().unwrap().len(), 6);
    let (all, _) = alan.all("/me/onenote/pages").await;
    assert_eq!(all.len(), 242);
    let dates: Vec<&str> = all
        .iter()
        .map(|p| p["lastModifiedDateTime"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let first = alan.json("/me/onenote/pages").await;
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!(
            "{}/v1.0/users/{ALAN}/onenote/pages?",
            emu.base_url
        )) && next.ends_with("$skip=20"),
        "{next}"
    );
}

#[tokio::test]
async fn query_options() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);

    // $select, with the context naming the selection.
    let selected = ada.json("/me/onenote/pages?$select=id,title&$top=3").await;
    assert!(
        selected["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/onenote/pages(id,title)")
    );
    let keys: Vec<String> = selected["value"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["id", "title"]);
    assert_eq!(
        ada.get("/me/onenote/pages?$select=nope").await.error_code(),
        "20145"
    );

    // $orderby asc/desc, old property names too.
    let asc = ada.json("/me/onenote/notebooks?$orderby=displayName").await;
    let desc = ada.json("/me/onenote/notebooks?$orderby=name desc").await;
    let mut reversed = desc["value"].as_array().unwrap().clone();
    reversed.reverse();
    assert_eq!(&reversed, asc["value"].as_array().unwrap());
    let by_title = ada
        .json("/me/onenote/pages?$orderby=title asc&$top=100")
        .await;
    let titles: Vec<String> = by_title["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(titles.windows(2).all(|w| w[0] <= w[1]));

    // $filter: eq, ne, contains, startswith, tolower, and/or, parent paths; and $count.
    let welcome = ada
        .json("/me/onenote/pages?$filter=title eq 'Welcome'")
        .await;
    assert_eq!(welcome["value"].as_array().unwrap().len(), 1);
    let logs = ada
        .json("/me/onenote/pages?$filter=contains(tolower(title),'log entry')&$count=true")
        .await;
    assert_eq!(logs["@odata.count"], 120);
    assert_eq!(logs["value"].as_array().unwrap().len(), 20);
    assert!(
        logs["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("filter=")
    );
    let either = ada
        .json("/me/onenote/pages?$filter=startswith(title,'Week') or title eq 'Tables'")
        .await;
    assert_eq!(either["value"].as_array().unwrap().len(), 2);
    let not_journal = ada
        .json("/me/onenote/pages?$filter=parentSection/displayName ne 'Journal'&$count=true&$top=1")
        .await;
    assert_eq!(not_journal["@odata.count"], 17);
    let sections = ada
        .json("/me/onenote/sections?$filter=isDefault eq true")
        .await;
    assert_eq!(sections["value"][0]["displayName"], "Quick Notes");
    for bad in [
        "title eq",
        "frob(title)",
        "unknownProp eq 1",
        "contains(title)",
        "title eq 'x",
    ] {
        let answer = ada.get(&format!("/me/onenote/pages?$filter={bad}")).await;
        assert_eq!(
            (answer.status, answer.error_code()),
            (400, "20143".into()),
            "{bad}"
        );
    }

    // $expand, nested, with $levels; cycles and unsupported navigations are refused.
    let expanded = ada
        .json("/me/onenote/notebooks?$expand=sections,sectionGroups($expand=sections)")
        .await;
    let project = expanded["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] != "Ada's Notebook")
        .unwrap();
    let archive = find(
        project["sectionGroups"].as_array().unwrap(),
        "displayName",
        "Archive",
    );
    assert_eq!(archive["sections"][0]["displayName"], "2024");
    assert!(archive.get("sectionGroups").is_none());
    assert!(project["sectionGroups@odata.context"].is_string());
    let deep = ada
        .json("/me/onenote/notebooks?$expand=sectionGroups($levels=max;$expand=sections)")
        .await;
    let project = deep["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] != "Ada's Notebook")
        .unwrap();
    let archive = find(
        project["sectionGroups"].as_array().unwrap(),
        "displayName",
        "Archive",
    );
    assert_eq!(
        archive["sectionGroups"][0]["sections"][0]["displayName"],
        "2019"
    );
    let with_parent = ada
        .json("/me/onenote/pages?$expand=parentNotebook,parentSection&$top=1")
        .await;
    assert!(with_parent["value"][0]["parentNotebook"]["isDefault"].is_boolean());
    assert!(with_parent["value"][0]["parentSection"]["pagesUrl"].is_string());
    assert_eq!(
        ada.get("/me/onenote/notebooks?$expand=sections($expand=parentNotebook)")
            .await
            .error_code(),
        "20142"
    );
    assert_eq!(
        ada.get("/me/onenote/pages?$expand=sections")
            .await
            .error_code(),
        "20103"
    );
    assert_eq!(
        ada.get("/me/onenote/pages?$expand=title")
            .await
            .error_code(),
        "20144"
    );
    assert_eq!(
        ada.get("/me/onenote/pages?$search=x").await.error_code(),
        "20108"
    );
}

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
    emu.emulator
        .settings
        .set_onenote_limits(emulator::settings::OneNoteLimits {
            per_minute: 10_000,
            per_hour: 10_000,
            concurrent: 10,
        });
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
        "<iframe data-original-src=\"https://www.youtube.com/watch?v=3bvNCbnVPoU\" src=\"https://www.youtube.com/embed/3bvNCbnVPoU\"",
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

#[tokio::test]
async fn scopes_are_enforced() {
    let emu = TestEmulator::start().await;
    let user_read = Graph::new(&emu, &token(&emu, ADA, "User.Read").await);
    let refused = user_read.get("/me/onenote/notebooks").await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (403, "40004".into())
    );
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .contains("insufficient_scope")
    );

    let create_only = Graph::new(&emu, &token(&emu, GRACE, "Notes.Create").await);
    assert_eq!(create_only.get("/me/onenote/notebooks").await.status, 200);
    assert_eq!(create_only.get("/me/onenote/sections").await.status, 200);
    assert_eq!(
        create_only.get("/me/onenote/pages").await.error_code(),
        "40004"
    );
    let created = create_only
        .send(
            create_only
                .http
                .post(create_only.url("/me/onenote/pages"))
                .header("content-type", "text/html")
                .body("<html><head><title>Quick</title></head><body><p>x</p></body></html>"),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        created.json()["parentSection"]["displayName"],
        "Quick Notes"
    );

    let reader = Graph::new(&emu, &token(&emu, ALAN, "Notes.Read").await);
    let denied = reader
        .send(
            reader
                .http
                .post(reader.url("/me/onenote/pages"))
                .header("content-type", "text/html")
                .body("<p>x</p>"),
        )
        .await;
    assert_eq!(denied.error_code(), "40004");
    // /me needs User.Read.
    assert_eq!(
        reader.get("/me").await.error_code(),
        "Authorization_RequestDenied"
    );
}

#[tokio::test]
async fn other_users_data_is_never_reached() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let grace = Graph::new(&emu, &token(&emu, GRACE, "Notes.Read.All").await);
    let mallory = Graph::new(&emu, &token(&emu, MALLORY, "Notes.Read User.Read").await);

    let ada_page = ada.json("/me/onenote/pages?$top=1").await["value"][0].clone();
    let page_id = ada_page["id"].as_str().unwrap();
    let resources = ada
        .admin(Method::GET, &format!("/onenote/{ADA}/resources"), None)
        .await;
    let resource_id = resources["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let notebook_id = ada.json("/me/onenote/notebooks").await["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    for path in [
        format!("/me/onenote/pages/{page_id}"),
        format!("/me/onenote/pages/{page_id}/content"),
        format!("/me/onenote/resources/{resource_id}/$value"),
        format!("/me/onenote/notebooks/{notebook_id}/sections"),
    ] {
        let answer = grace.get(&path).await;
        assert_eq!(
            (answer.status, answer.error_code()),
            (404, "20102".into()),
            "{path}"
        );
        assert!(!answer.text().contains("Ada"));
    }
    let cross = grace.get(&format!("/users/{ADA}/onenote/pages")).await;
    assert_eq!((cross.status, cross.error_code()), (403, "40003".into()));
    let other_tenant = mallory.get(&format!("/users/{ADA}/onenote/pages")).await;
    assert_eq!(
        (other_tenant.status, other_tenant.error_code()),
        (404, "20102".into())
    );
    let profile = mallory.get(&format!("/users/{ADA}")).await;
    assert_eq!(profile.status, 404);
    // Same-shaped but invented ids.
    let invented = format!(
        "1-{}",
        page_id[2..].replace(|c: char| c.is_ascii_digit(), "7")
    );
    let invented = ada.get(&format!("/me/onenote/pages/{invented}")).await;
    assert_eq!(invented.error_code(), "20102");
    assert_eq!(
        ada.get("/me/onenote/pages/not-an-id").await.error_code(),
        "20112"
    );
}
