//! Scope enforcement and isolation between users.

use super::*;

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
