//! Katherine's export-sized notebook as a vault, checked against the emulator; then an update
//! after three pages were edited, one deleted and one created.

use super::*;

/// A page's place in the vault from the emulator's view: the section's folder (groups and
/// section) and, for a subpage, its parent's folder.
fn expected_folders(pages: &[Value]) -> HashMap<String, String> {
    // (section id → folder under the notebook)
    let sections: HashMap<&str, &str> = [
        ("Trajectories", "Trajectories"),
        ("Instruments", "Instruments"),
        ("Launch", "Missions/Mercury/Friendship 7/Launch"),
        ("Orbit", "Missions/Mercury/Friendship 7/Orbit"),
        ("Re-entry", "Missions/Mercury/Friendship 7/Re-entry"),
        ("Lunar orbit", "Missions/Apollo/Apollo 11/Lunar orbit"),
        ("Landing", "Missions/Apollo/Apollo 11/Landing"),
    ]
    .into();
    let mut out = HashMap::new();
    for page in pages {
        let name = page["section"]["displayName"].as_str().unwrap_or_default();
        if let Some(folder) = sections.get(name) {
            out.insert(
                page["id"].as_str().unwrap().to_string(),
                format!("Flight Research/{folder}"),
            );
        }
    }
    out
}

#[tokio::test]
async fn a_notebook_exports_as_a_vault_and_an_update_fetches_only_what_changed() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;

    let listed_from = emu.log_position().await;
    let id = start_export(&user, &app, "notebook", Some(&notebook)).await;
    let done = wait_for(&user, &app, &id, &["done"]).await;
    let files = download(&user, &app, &id).await;
    let emulated = emulator_pages(&emu, KATHERINE).await;

    // The notebook tree, section groups three deep included, came from one call each time it
    // was needed: for the `/onenote` page the export was started from, and for the export.
    let listings: Vec<String> = emu
        .log_since(listed_from)
        .await
        .iter()
        .filter_map(|e| e["path"].as_str().map(str::to_string))
        .filter(|path| {
            ["notebooks", "sectionGroups", "sections"]
                .iter()
                .any(|list| path == &format!("/v1.0/me/onenote/{list}"))
        })
        .collect();
    assert_eq!(
        listings, ["/v1.0/me/onenote/notebooks"; 2],
        "one call for the tree"
    );
    // Each section's pages: 100 at a time, with their levels, only the fields used.
    let page_lists: Vec<Value> = emu
        .log_since(listed_from)
        .await
        .into_iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.contains("/sections/") && p.ends_with("/pages"))
        })
        .collect();
    assert!(page_lists.len() >= 9, "{} page lists", page_lists.len());
    for list in &page_lists {
        let query = list["query"].as_array().unwrap();
        for name in ["$top", "pagelevel", "$select"] {
            assert!(query.iter().any(|q| q == name), "{name} in {list}");
        }
    }

    // Every page exactly once, with its front matter.
    let vault = pages_by_id(&files);
    assert_eq!(vault.len(), emulated.len(), "one file per page");
    assert_eq!(done["pages_done"], emulated.len() as u64);
    assert_eq!(done["label"], "Notebook: Flight Research");
    for page in &emulated {
        let id = page["id"].as_str().unwrap();
        assert!(
            vault.contains_key(id),
            "page {} is in the vault",
            page["title"]
        );
    }

    // At the path its groups, section and parent page give.
    let folders = expected_folders(&emulated);
    let mut by_section: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for page in &emulated {
        by_section
            .entry(page["section"]["id"].as_str().unwrap().to_string())
            .or_default()
            .push(page);
    }
    let mut checked_subpages = 0;
    for pages in by_section.values_mut() {
        pages.sort_by_key(|p| p["order"].as_i64());
        let mut parents: Vec<(i64, String)> = Vec::new();
        for page in pages.iter() {
            let id = page["id"].as_str().unwrap();
            let path = &vault[id];
            let level = page["level"].as_i64().unwrap_or(0);
            while parents.last().is_some_and(|(l, _)| *l >= level) {
                parents.pop();
            }
            let folder = path.rsplit_once('/').unwrap().0;
            if let Some((_, parent)) = parents.last() {
                assert_eq!(
                    folder,
                    parent.trim_end_matches(".md"),
                    "{path} is under its parent"
                );
                checked_subpages += 1;
            } else if let Some(expected) = folders.get(id) {
                assert_eq!(folder, expected, "{path} is in its section's folder");
            }
            parents.push((level, path.clone()));
        }
    }
    assert!(
        checked_subpages >= 24,
        "the subpages were checked ({checked_subpages})"
    );
    assert!(files.contains_key("Flight Research/index.md"));
    assert!(files.contains_key("Flight Research/Trajectories/index.md"));
    assert!(
        files.contains_key("Flight Research/Unfiled/index.md"),
        "an empty section is there"
    );

    // Every resource byte-identical to the emulator's, linked from its page.
    let hashes: BTreeMap<String, String> = files
        .iter()
        .filter(|(path, _)| path.contains("/resources/"))
        .map(|(path, bytes)| (sha256_hex(bytes), path.clone()))
        .collect();
    let mut resources = 0;
    for page in &emulated {
        for resource in page["resources"].as_array().unwrap() {
            resources += 1;
            let sha = resource["sha256"].as_str().unwrap();
            assert!(
                hashes.contains_key(sha),
                "resource {} of {} is in the zip",
                resource["id"],
                page["title"]
            );
        }
    }
    assert!(resources >= 60, "{resources} resources");
    assert!(
        files.values().any(|b| b.len() as u64 >= 6 * 1024 * 1024),
        "the 6 MiB attachment came through whole"
    );

    // Every relative link leads to a file of the vault; no resolvable page link is left as a
    // OneNote link, and the one to a deleted page is in the report.
    let mut page_links = 0;
    let mut onenote_links = Vec::new();
    for (path, bytes) in &files {
        if !path.ends_with(".md") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for link in relative_links(&text) {
            let target = resolve(path, &link).unwrap_or_else(|| panic!("{link} in {path}"));
            assert!(
                files.contains_key(&target),
                "{link} in {path} leads to {target}, which is not in the zip"
            );
            if target.ends_with(".md") {
                page_links += 1;
            }
        }
        onenote_links.extend(
            links(&text, "](", ')')
                .into_iter()
                .filter(|l| l.starts_with("onenote:") || l.contains("onenote.com"))
                .map(|l| (path.clone(), l)),
        );
    }
    assert!(
        page_links > 250,
        "links between pages resolved: {page_links}"
    );
    assert_eq!(
        onenote_links.len(),
        1,
        "only the broken link stays a OneNote link: {onenote_links:?}"
    );
    assert!(onenote_links[0].0.ends_with("Telemetry dump.md"));
    let report = String::from_utf8(files["_export/report.md"].clone()).unwrap();
    assert!(
        report.contains("Telemetry dump.md"),
        "the broken link is reported:\n{report}"
    );
    assert!(
        report.contains(&format!("- Pages: {}", emulated.len())),
        "{report}"
    );

    // The manifest has every page, with the path it is at and its resources' hashes.
    let manifest: Value = serde_json::from_slice(&files["_export/manifest.json"]).unwrap();
    assert_eq!(manifest["pages"].as_object().unwrap().len(), emulated.len());
    for (id, entry) in manifest["pages"].as_object().unwrap() {
        assert_eq!(entry["path"].as_str().unwrap(), vault[id]);
        for resource in entry["resources"].as_array().unwrap() {
            let bytes = &files[resource["path"].as_str().unwrap()];
            assert_eq!(resource["sha256"], sha256_hex(bytes));
        }
    }

    // A range of the zip.
    let range = user
        .browser
        .client
        .get(app.url(&format!("/onenote/exports/{id}.zip")))
        .header("range", "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(range.bytes().await.unwrap().as_ref(), b"PK\x03\x04");

    // Update: three pages edited, one deleted, one created.
    let token = emu.user_token(KATHERINE, "Notes.ReadWrite").await;
    let graph = reqwest::Client::new();
    let in_section = |name: &str| {
        let mut pages: Vec<&Value> = emulated
            .iter()
            .filter(|p| p["section"]["displayName"] == name)
            .collect();
        pages.sort_by_key(|p| p["order"].as_i64());
        pages
    };
    let instruments = in_section("Instruments");
    let trajectories = in_section("Trajectories");
    let edited: Vec<&Value> = vec![instruments[0], trajectories[3], in_section("Landing")[2]];
    for page in &edited {
        let answer = graph
            .patch(format!("{}/v1.0/me/onenote/pages/{}/content", emu.base_url, page["id"].as_str().unwrap()))
            .bearer_auth(&token)
            .json(&json!([{"target": "body", "action": "append", "content": "<p>Edited after the export</p>"}]))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    }
    let deleted = instruments[1];
    let answer = graph
        .delete(format!(
            "{}/v1.0/me/onenote/pages/{}",
            emu.base_url,
            deleted["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    let section = instruments[0]["section"]["id"].as_str().unwrap();
    let created: Value = graph
        .post(format!("{}/v1.0/me/onenote/sections/{section}/pages", emu.base_url))
        .bearer_auth(&token)
        .header("content-type", "text/html")
        .body("<!DOCTYPE html><html><head><title>Instrument added later</title></head><body><p>New since the export</p></body></html>")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created_id = created["id"].as_str().unwrap().to_string();

    let since = emu.log_position().await;
    press(&user, &app, &id, "update").await;
    wait_for(&user, &app, &id, &["done"]).await;
    let fetched: Vec<String> = emu
        .log_since(since)
        .await
        .iter()
        .filter_map(|e| e["path"].as_str())
        .filter(|p| p.ends_with("/content"))
        .map(|p| p.split('/').rev().nth(1).unwrap_or_default().to_string())
        .collect();
    let mut expected: Vec<String> = edited
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    expected.push(created_id.clone());
    let (mut fetched_sorted, mut expected_sorted) = (fetched.clone(), expected.clone());
    fetched_sorted.sort();
    expected_sorted.sort();
    assert_eq!(
        fetched_sorted, expected_sorted,
        "only the edited and the new pages were fetched"
    );

    let updated = download(&user, &app, &id).await;
    let vault_after = pages_by_id(&updated);
    assert_eq!(
        vault_after.len(),
        emulated.len(),
        "one deleted, one created"
    );
    for page in &edited {
        let path = &vault_after[page["id"].as_str().unwrap()];
        assert_eq!(
            path,
            &vault[page["id"].as_str().unwrap()],
            "an edited page stays where it was"
        );
        let text = String::from_utf8_lossy(&updated[path]);
        assert!(
            text.contains("Edited after the export"),
            "{path} has the edit"
        );
    }
    let deleted_path = &vault[deleted["id"].as_str().unwrap()];
    assert!(
        !updated.contains_key(deleted_path),
        "{deleted_path} was removed"
    );
    let new_path = &vault_after[&created_id];
    assert!(String::from_utf8_lossy(&updated[new_path]).contains("New since the export"));
    let report = String::from_utf8(updated["_export/report.md"].clone()).unwrap();
    assert!(
        report.contains(&format!("- Removed: `{deleted_path}`")),
        "{report}"
    );
    assert!(
        report.contains(&format!("- Added: `{new_path}`")),
        "{report}"
    );
    for page in &edited {
        assert!(
            report.contains(&format!(
                "- Changed: `{}`",
                vault[page["id"].as_str().unwrap()]
            )),
            "{report}"
        );
    }
    app.stop().await;
}
