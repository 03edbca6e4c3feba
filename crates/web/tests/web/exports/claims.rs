//! A claims challenge in the middle of an export that only the owner can meet (Conditional
//! Access now wants a second factor for OneNote): the job waits for the owner, and while it
//! waits nothing calls Graph or the token endpoint for it — not once in a minute of polls.
//! The owner's next sign-in asks for the challenge's claims, and the export then finishes with
//! every page in the vault once, and none fetched again but the one in flight.

use super::*;

#[tokio::test]
async fn an_export_waits_for_a_stronger_sign_in_without_calling_anything() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    slow_pages(&emu, 10).await;
    let owner = User::new();
    owner.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    let since_start = emu.log_position().await;
    let id = start_export(&owner, &app, "notebook", Some(&notebook)).await;
    while status(&owner, &app, &id).await["pages_done"].as_u64() < Some(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    emu.call_admin(
        Method::PUT,
        "/step-up",
        json!({"path": "/v1.0/me/onenote", "acrs": "c1"}),
    )
    .await;
    let waiting = wait_for(&owner, &app, &id, &["waiting"]).await;
    assert!(
        waiting["reason"]
            .as_str()
            .unwrap()
            .contains("stronger sign-in"),
        "{waiting}"
    );
    let page = owner
        .get(&app.url(&format!("/onenote/exports/{id}")))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"sign-in\""),
        "the page offers to sign in"
    );

    // A minute of the worker polling every 100 ms: not one call for the export.
    let since = emu.log_position().await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let calls: Vec<Value> = emu
        .log_since(since)
        .await
        .into_iter()
        .filter(|e| {
            let path = e["path"].as_str().unwrap_or_default();
            path.starts_with("/v1.0/") || path.ends_with("/token")
        })
        .collect();
    assert!(calls.is_empty(), "called while waiting: {calls:?}");
    assert_eq!(status(&owner, &app, &id).await["state"], "waiting");

    // The owner signs in again from the export's page: the sign-in asks for the claims (the
    // emulator then wants the second factor, which the scripted browser gives).
    let back = owner
        .sign_in_at(
            &app,
            &format!("/login?next=%2Fonenote%2Fexports%2F{id}"),
            KATHERINE,
        )
        .await;
    assert_eq!(location(&back), format!("/onenote/exports/{id}"));
    let authorize = emu
        .log_since(since)
        .await
        .into_iter()
        .find(|e| {
            e["path"]
                .as_str()
                .unwrap_or_default()
                .ends_with("/authorize")
        })
        .expect("a sign-in");
    assert!(
        authorize["query"]
            .as_array()
            .is_some_and(|names| names.iter().any(|n| n == "claims")),
        "the sign-in carried the challenge: {authorize}"
    );
    let done = wait_for(&owner, &app, &id, &["done"]).await;
    let pages = emulator_pages(&emu, KATHERINE).await.len();
    assert_eq!(done["pages_done"], pages as u64);
    let mut fetched: HashMap<String, usize> = HashMap::new();
    for entry in emu.log_since(since_start).await {
        let path = entry["path"].as_str().unwrap_or_default();
        if entry["status"] == 200
            && let Some(page) = path
                .strip_suffix("/content")
                .and_then(|p| p.rsplit_once("/pages/"))
        {
            *fetched.entry(page.1.to_string()).or_default() += 1;
        }
    }
    assert_eq!(fetched.len(), pages, "every page fetched");
    // The page whose resource met the challenge is fetched again when the run resumes.
    let twice: Vec<_> = fetched.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.len() <= 1 && twice.iter().all(|(_, n)| **n == 2),
        "no page fetched twice but the one in flight: {twice:?}"
    );
    assert_eq!(pages_by_id(&download(&owner, &app, &id).await).len(), pages);
}
