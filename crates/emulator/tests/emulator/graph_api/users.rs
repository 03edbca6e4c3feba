//! `/me`, users and photos, and app-only tokens.

use super::*;

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
