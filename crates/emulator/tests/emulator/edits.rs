//! What changes a notebook between two exports: `PATCH …/pages/{id}/content` (append, insert,
//! replace, by `body`, `#data-id` and generated ids) and `DELETE …/pages/{id}`, each making the
//! page (when it stays) and its section newer — and neither reaching another user's pages.

use emulator::testing::TestEmulator;
use serde_json::{Value, json};

use crate::support::*;

async fn new_page(graph: &Graph, section: &str, body: &str) -> Value {
    let created = graph
        .send(
            graph
                .http
                .post(graph.url(&format!("/me/onenote/sections/{section}/pages")))
                .header("content-type", "text/html")
                .body(format!(
                    "<html><head><title>Edited</title></head><body>{body}</body></html>"
                )),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    created.json()
}

async fn patch(graph: &Graph, page: &str, changes: Value) -> Answer {
    graph
        .send(
            graph
                .http
                .patch(graph.url(&format!("/me/onenote/pages/{page}/content")))
                .json(&changes),
        )
        .await
}

async fn modified(graph: &Graph, path: &str) -> String {
    graph.json(path).await["lastModifiedDateTime"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn patch_changes_the_page_and_makes_it_newer() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.ReadWrite").await);
    let sections = ada.json("/me/onenote/sections").await;
    let section = sections["value"][0]["id"].as_str().unwrap().to_string();
    let page = new_page(
        &ada,
        &section,
        r#"<p data-id="first">First</p><p>Second</p><ul><li>One</li></ul>"#,
    )
    .await;
    let id = page["id"].as_str().unwrap().to_string();
    let page_modified = modified(&ada, &format!("/me/onenote/pages/{id}")).await;
    let section_modified = modified(&ada, &format!("/me/onenote/sections/{section}")).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    // A generated id, as includeIDs=true writes them: the second paragraph's.
    let with_ids = ada
        .get(&format!("/me/onenote/pages/{id}/content?includeIDs=true"))
        .await
        .text();
    let second = with_ids
        .split("<p id=\"")
        .nth(2)
        .and_then(|rest| rest.split('"').next())
        .expect("a generated id on the second paragraph")
        .to_string();
    let answer = patch(
        &ada,
        &id,
        json!([
            {"target": "body", "action": "append", "content": "<p>Appended <b>last</b></p>"},
            {"target": "#first", "action": "insert", "position": "before", "content": "<h2>Inserted</h2>"},
            {"target": second, "action": "replace", "content": "<p>Replaced</p>"},
            {"target": "title", "action": "replace", "content": "Renamed"},
        ]),
    )
    .await;
    assert_eq!(answer.status, 204, "{}", answer.text());

    let html = ada
        .get(&format!("/me/onenote/pages/{id}/content"))
        .await
        .text();
    let order: Vec<usize> = ["<h2", "First", "Replaced", "One", "Appended"]
        .iter()
        .map(|s| html.find(s).unwrap_or_else(|| panic!("{s} in {html}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{html}");
    assert!(!html.contains("Second"), "{html}");
    assert!(html.contains("<title>Renamed</title>"), "{html}");
    assert!(
        html.contains(r#"<span style="font-weight:bold">last</span>"#),
        "{html}"
    );
    assert!(modified(&ada, &format!("/me/onenote/pages/{id}")).await > page_modified);
    assert!(modified(&ada, &format!("/me/onenote/sections/{section}")).await > section_modified);

    // Bad changes are OneNote's 400s, with its codes, and change nothing — not even the good
    // changes sent with them.
    let before = ada
        .get(&format!("/me/onenote/pages/{id}/content"))
        .await
        .text();
    let good = json!({"target": "body", "action": "append", "content": "<p>Never</p>"});
    for (bad, code) in [
        (
            json!([good, {"target": "#nowhere", "action": "append", "content": "<p>x</p>"}]),
            "20120",
        ),
        (
            json!([{"target": "body", "action": "explode", "content": "<p>x</p>"}]),
            "20122",
        ),
        (json!({"not": "an array"}), "20125"),
        (json!([]), "20125"),
        (
            json!([{"target": "title", "action": "append", "content": "x"}]),
            "20141",
        ),
        (
            json!([{"target": "body", "action": "replace", "content": "<p>x</p>"}]),
            "20141",
        ),
        // Paragraphs are replaced by their generated id only.
        (
            json!([{"target": "#first", "action": "replace", "content": "<p>x</p>"}]),
            "20141",
        ),
        (
            json!([{"target": "#first", "action": "append", "content": "<p>x</p>"}]),
            "20141",
        ),
        (
            json!([{"target": "first", "action": "insert", "content": "<p>x</p>"}]),
            "20134",
        ),
        (
            json!([{"target": "#title", "action": "replace", "content": "x"}]),
            "20149",
        ),
    ] {
        let answer = patch(&ada, &id, bad.clone()).await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.text());
        assert_eq!(answer.error_code(), code, "{bad}: {}", answer.text());
    }
    let after = ada
        .get(&format!("/me/onenote/pages/{id}/content"))
        .await
        .text();
    assert_eq!(after, before, "refused changes leave the page as it was");
}

#[tokio::test]
async fn renaming_a_page_leaves_its_modified_time_but_not_its_sections() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.ReadWrite").await);
    let sections = ada.json("/me/onenote/sections").await;
    let section = sections["value"][0]["id"].as_str().unwrap().to_string();
    let page = new_page(&ada, &section, "<p>Body</p>").await;
    let id = page["id"].as_str().unwrap().to_string();
    let page_modified = modified(&ada, &format!("/me/onenote/pages/{id}")).await;
    let section_modified = modified(&ada, &format!("/me/onenote/sections/{section}")).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let answer = patch(
        &ada,
        &id,
        json!([{"target": "title", "action": "replace", "content": "Renamed"}]),
    )
    .await;
    assert_eq!(answer.status, 204, "{}", answer.text());
    assert_eq!(
        ada.json(&format!("/me/onenote/pages/{id}")).await["title"],
        "Renamed"
    );
    assert_eq!(
        modified(&ada, &format!("/me/onenote/pages/{id}")).await,
        page_modified
    );
    assert!(modified(&ada, &format!("/me/onenote/sections/{section}")).await > section_modified);
}

#[tokio::test]
async fn delete_removes_the_page_and_makes_its_section_newer() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.ReadWrite").await);
    let sections = ada.json("/me/onenote/sections").await;
    let section = sections["value"][0]["id"].as_str().unwrap().to_string();
    let page = new_page(&ada, &section, "<p>Short-lived</p>").await;
    let id = page["id"].as_str().unwrap().to_string();
    let before = modified(&ada, &format!("/me/onenote/sections/{section}")).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let deleted = ada
        .send(ada.http.delete(ada.url(&format!("/me/onenote/pages/{id}"))))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    let gone = ada.get(&format!("/me/onenote/pages/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.error_code(), "20102");
    assert_eq!(
        ada.get(&format!("/me/onenote/pages/{id}/content"))
            .await
            .status,
        404
    );
    assert!(modified(&ada, &format!("/me/onenote/sections/{section}")).await > before);
    let again = ada
        .send(ada.http.delete(ada.url(&format!("/me/onenote/pages/{id}"))))
        .await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn nobody_edits_or_deletes_another_users_pages() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.ReadWrite").await);
    let grace = Graph::new(&emu, &token(&emu, GRACE, "Notes.ReadWrite.All").await);
    let pages = ada.json("/me/onenote/pages?$top=1").await;
    let id = pages["value"][0]["id"].as_str().unwrap().to_string();
    let before = ada
        .get(&format!("/me/onenote/pages/{id}/content"))
        .await
        .text();

    let change =
        json!([{"target": "body", "action": "append", "content": "<p>Grace was here</p>"}]);
    for path in [
        format!("/me/onenote/pages/{id}/content"),
        format!("/users/{ADA}/onenote/pages/{id}/content"),
    ] {
        let answer = grace
            .send(grace.http.patch(grace.url(&path)).json(&change))
            .await;
        assert!(
            matches!(answer.status, 403 | 404),
            "PATCH {path}: {}",
            answer.status
        );
        let answer = grace
            .send(grace.http.delete(grace.url(&path.replace("/content", ""))))
            .await;
        assert!(
            matches!(answer.status, 403 | 404),
            "DELETE {path}: {}",
            answer.status
        );
    }
    // Reading only does not allow writing either.
    let reader = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let answer = reader
        .send(
            reader
                .http
                .patch(reader.url(&format!("/me/onenote/pages/{id}/content")))
                .json(&change),
        )
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        ada.get(&format!("/me/onenote/pages/{id}/content"))
            .await
            .text(),
        before,
        "Ada's page is as it was"
    );
}
