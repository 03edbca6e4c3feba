//! Groups' and sites' notebooks: found through `/me/memberOf` and `/me/followedSites`, read
//! under `/groups/{id}/onenote/…` and `/sites/{id}/onenote/…` with `Notes.Read.All` by members
//! only, with the same OneNote model and the caller's own OneNote allowance.

use super::*;

const SHARED: &str = "User.Read Notes.Read.All Sites.Read.All";

/// The id of the group called `name`, as `/me/memberOf` lists it.
async fn group_id(graph: &Graph, name: &str) -> String {
    let groups = graph.json("/me/memberOf").await;
    groups["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["displayName"] == name)
        .unwrap_or_else(|| panic!("{name} is not among {groups}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn members_read_a_teams_notebook_and_a_sites_notebook() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, SHARED).await);
    let team = group_id(&ada, emulator::seed::PHYSICS_TEAM).await;
    let groups = ada.json("/me/memberOf").await;
    let listed: Vec<&str> = groups["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"Book club"), "{listed:?}");

    let notebooks = ada.json(&format!("/groups/{team}/onenote/notebooks")).await;
    let notebook = &notebooks["value"][0];
    assert_eq!(notebook["displayName"], "Physics 101 Notebook");
    assert!(
        notebook["self"]
            .as_str()
            .unwrap()
            .contains(&format!("/groups/{team}/onenote/notebooks/")),
        "{notebook}"
    );
    // Pages, content and resources all live under the group.
    let (pages, _) = ada.all(&format!("/groups/{team}/onenote/pages")).await;
    assert!(pages.len() > 40, "{}", pages.len());
    let page = pages
        .iter()
        .find(|p| p["title"] == "Welcome")
        .expect("the welcome page");
    let content = ada
        .get(&format!(
            "/groups/{team}/onenote/pages/{}/content",
            page["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(content.status, 200);
    assert!(content.text().contains("Homework is due on Fridays"));
    // The user's own pages are not the group's.
    let own = ada.json("/me/onenote/notebooks").await;
    assert!(
        own["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["displayName"] != "Physics 101 Notebook")
    );
    let page_id = page["id"].as_str().unwrap();
    assert_eq!(
        ada.get(&format!("/me/onenote/pages/{page_id}"))
            .await
            .status,
        404
    );

    let sites = ada.json("/me/followedSites").await;
    let site = &sites["value"][0];
    assert_eq!(site["displayName"], emulator::seed::RESEARCH_SITE);
    let site_id = site["id"].as_str().unwrap();
    assert!(site_id.starts_with("contoso.sharepoint.com,"), "{site_id}");
    let site_notebooks = ada
        .json(&format!("/sites/{site_id}/onenote/notebooks"))
        .await;
    assert_eq!(site_notebooks["value"][0]["displayName"], "Lab Notebook");

    // Grace, the other member, reads the same notebook with the same ids.
    let grace = Graph::new(&emu, &token(&emu, GRACE, SHARED).await);
    let hers = grace
        .json(&format!("/groups/{team}/onenote/notebooks"))
        .await;
    assert_eq!(hers["value"][0]["id"], notebook["id"]);
}

#[tokio::test]
async fn non_members_and_tokens_without_notes_read_all_are_refused() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, SHARED).await);
    let team = group_id(&ada, emulator::seed::PHYSICS_TEAM).await;
    let site = ada.json("/me/followedSites").await["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let alan = Graph::new(&emu, &token(&emu, ALAN, SHARED).await);
    assert_eq!(
        alan.json("/me/memberOf").await["value"],
        serde_json::json!([])
    );
    for path in [
        format!("/groups/{team}/onenote/notebooks"),
        format!("/sites/{site}/onenote/notebooks"),
    ] {
        let refused = alan.get(&path).await;
        assert_eq!(
            (refused.status, refused.error_code()),
            (403, "40003".into())
        );
    }
    let unknown = alan
        .get("/groups/00000000-0000-4000-8000-000000000000/onenote/notebooks")
        .await;
    assert_eq!(unknown.status, 404);

    // Ada with only her own notebooks' permission.
    let own_only = Graph::new(&emu, &token(&emu, ADA, "User.Read Notes.Read").await);
    let refused = own_only
        .get(&format!("/groups/{team}/onenote/notebooks"))
        .await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (403, "40004".into())
    );
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .contains("Notes.Read.All")
    );
    assert_eq!(own_only.get("/me/onenote/notebooks").await.status, 200);
    assert_eq!(own_only.get("/me/followedSites").await.status, 403);
    // Mallory, of another tenant, cannot find Contoso's group at all.
    let mallory = Graph::new(&emu, &token(&emu, MALLORY, SHARED).await);
    assert_eq!(
        mallory
            .get(&format!("/groups/{team}/onenote/notebooks"))
            .await
            .status,
        404
    );
    // Only OneNote lives under a group here.
    assert_eq!(ada.get(&format!("/groups/{team}/drive")).await.status, 404);
}

#[tokio::test]
async fn group_calls_count_against_the_callers_own_allowance() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, SHARED).await);
    ada.admin(
        Method::PUT,
        "/limits",
        Some(serde_json::json!({"per_minute": 3, "per_hour": 100, "concurrent": 5})),
    )
    .await;
    let team = group_id(&ada, emulator::seed::PHYSICS_TEAM).await;
    assert_eq!(ada.get("/me/onenote/notebooks").await.status, 200);
    assert_eq!(ada.get("/me/onenote/sections").await.status, 200);
    assert_eq!(
        ada.get(&format!("/groups/{team}/onenote/notebooks"))
            .await
            .status,
        200
    );
    let throttled = ada.get(&format!("/groups/{team}/onenote/sections")).await;
    assert_eq!(
        (throttled.status, throttled.error_code()),
        (429, "20166".into())
    );
}
