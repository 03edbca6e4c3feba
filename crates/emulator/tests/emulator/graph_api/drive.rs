//! A notebook seeded from OneNote's own files: the page API serves its pages, the drive API the
//! files (package item, children paged, shares resolution, content through a pre-authenticated
//! redirect with ranges), file scopes enforced, and a replaced file gets a new eTag.

use super::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use emulator::testing::{seed_with_vendored_notebook, vendored_notebook_folder as notebook_folder};

fn files_seed() -> emulator::seed::Seed {
    seed_with_vendored_notebook(ADA)
}

#[tokio::test]
async fn a_notebook_seeded_from_files_is_served_by_the_page_api_and_the_drive() {
    let emu = TestEmulator::start_with(files_seed(), false).await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read Files.Read").await);

    // The page API: the notebook's sections (groups too) and pages with the files' text.
    let notebooks = ada.json("/me/onenote/notebooks").await;
    let notebook = &notebooks["value"][0];
    assert_eq!(notebook["displayName"], "Open Notebook");
    let (sections, _) = ada.all("/me/onenote/sections").await;
    let names: Vec<&str> = sections
        .iter()
        .map(|s| s["displayName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"New Section 1"), "{names:?}");
    assert!(
        names.len() >= 4,
        "sections of the notebook and its group: {names:?}"
    );
    let (pages, _) = ada.all("/me/onenote/pages").await;
    assert!(!pages.is_empty());
    let with_text = pages
        .iter()
        .any(|p| !p["title"].as_str().unwrap_or("").is_empty());
    assert!(with_text, "pages carry their titles");

    // The drive: the notebook is a package whose web address is the notebook's.
    let web = notebook["links"]["oneNoteWebUrl"]["href"].as_str().unwrap();
    let share = format!("u!{}", URL_SAFE_NO_PAD.encode(web));
    let package = ada.json(&format!("/shares/{share}/driveItem")).await;
    assert_eq!(package["package"]["type"], "oneNote");
    assert_eq!(package["name"], "Open Notebook");
    let drive_id = package["parentReference"]["driveId"].as_str().unwrap();
    let id = package["id"].as_str().unwrap();
    let (children, requests) = ada
        .all(&format!(
            "/drives/{drive_id}/items/{id}/children?$top=2&$select=id,name,file,folder,eTag"
        ))
        .await;
    assert!(requests > 1, "children are paged");
    let on_disk: Vec<String> = std::fs::read_dir(notebook_folder())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(children.len(), on_disk.len());
    assert!(
        children.iter().all(|c| c.get("webUrl").is_none()),
        "$select is honoured"
    );
    let toc = children
        .iter()
        .find(|c| c["name"] == "Open Notebook.onetoc2")
        .unwrap();
    assert!(toc["file"].is_object());
    let group = children
        .iter()
        .find(|c| c["name"] == "New Section Group")
        .unwrap();
    assert!(group["folder"].is_object());

    // Content: a redirect to a pre-authenticated address, then the file's bytes, or a range.
    let section = children
        .iter()
        .find(|c| c["name"] == "New Section 1.one")
        .unwrap();
    let content = format!(
        "/drives/{drive_id}/items/{}/content",
        section["id"].as_str().unwrap()
    );
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = ada.send(no_redirects.get(ada.url(&content))).await;
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap();
    let bytes = reqwest::get(&location)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let expected = std::fs::read(notebook_folder().join("New Section 1.one")).unwrap();
    assert_eq!(
        bytes.as_ref(),
        expected.as_slice(),
        "the file, byte for byte, with no token"
    );
    let range = reqwest::Client::new()
        .get(&location)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), 206);
    assert_eq!(range.bytes().await.unwrap().as_ref(), &expected[10..20]);
    let forged = reqwest::get(location.replace("tempauth=", "tempauth=0"))
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    // A replaced file: new eTag, new bytes.
    let before = section["eTag"].as_str().unwrap().to_string();
    let replaced = reqwest::Client::new()
        .put(emu.admin(&format!(
            "/drive/{ADA}/files/Notebooks/Open Notebook/New Section 1.one"
        )))
        .body(b"changed".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200);
    let after = ada
        .json(&format!(
            "/drives/{drive_id}/items/{}",
            section["id"].as_str().unwrap()
        ))
        .await;
    assert_ne!(after["eTag"].as_str().unwrap(), before);
    assert_eq!(after["size"], 7);
}

#[tokio::test]
async fn the_drive_needs_a_file_scope_and_is_the_callers_own() {
    let emu = TestEmulator::start_with(files_seed(), false).await;
    let notes_only = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    for path in [
        "/me/drive/root/children",
        "/shares/u!aHR0cHM6Ly9leGFtcGxl/driveItem",
    ] {
        let answer = notes_only.get(path).await;
        assert_eq!(answer.status, 403, "{path}: {}", answer.text());
        assert_eq!(answer.error_code(), "accessDenied");
    }
    let ada = Graph::new(&emu, &token(&emu, ADA, "Files.Read").await);
    let drive_id = ada.json("/me/drive").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let grace = Graph::new(&emu, &token(&emu, GRACE, "Files.Read").await);
    let answer = grace
        .get(&format!("/drives/{drive_id}/root/children"))
        .await;
    assert_eq!(
        answer.status, 404,
        "another user's drive is not there for them"
    );
    let answer = grace
        .get(&format!("/users/{ADA}/drive/root/children"))
        .await;
    assert_eq!(answer.status, 403);
}
