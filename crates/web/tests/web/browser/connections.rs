//! An assistant connected in a real browser: the consent page names the app and where the
//! answer goes, Deny sends the app an error, Allow a code that becomes a working token; the
//! header leads to `/connections`, which lists the app, and Disconnect there ends its access.

use super::*;
use crate::mcp::tools::rpc;
use crate::mcp::{CHALLENGE, VERIFIER, authorize_path, exchange, query_of, registered, started};

#[tokio::test]
async fn a_person_allows_an_assistant_sees_it_connected_and_disconnects_it() {
    let (_emu, _dir, app) = started().await;
    let client = registered(&app).await;
    let chrome = Chrome::start("mcp-connections").await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    let consent = app.url(&authorize_path(
        &app,
        &client,
        &[("code_challenge", Some(CHALLENGE))],
    ));

    // Deny: the app hears access_denied, and gets no code.
    chrome.goto(&consent).await;
    let name = chrome.wait_for("#client-name").await.text().await.unwrap();
    assert_eq!(name, "Test assistant");
    let destination = chrome.wait_for("#destination").await.text().await.unwrap();
    assert!(destination.contains("127.0.0.1"), "{destination}");
    chrome.screenshot("mcp-consent").await;
    let deny = chrome.wait_for("#deny").await;
    chrome.click_and_leave(&deny).await;
    let denied = query_of(&chrome.url().await);
    assert_eq!(denied["error"], "access_denied");
    assert!(!denied.contains_key("code"));

    // Allow: a code, which becomes a token that works.
    chrome.goto(&consent).await;
    let allow = chrome.wait_for("#allow").await;
    chrome.click_and_leave(&allow).await;
    let landed = chrome.url().await;
    assert!(landed.starts_with(client.redirect_uri), "{landed}");
    let code = query_of(&landed)["code"].clone();
    let (status, tokens) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    let token = tokens["access_token"].as_str().unwrap();
    let call = json!({"name": "list_notebooks"});
    assert_eq!(
        rpc(&app, token, "tools/call", call.clone()).await.status(),
        200
    );

    // The header leads to the connected apps; Disconnect ends the app's access.
    chrome.goto(&app.url("/")).await;
    let link = chrome.wait_for("#connections-link").await;
    chrome.click_and_leave(&link).await;
    let row = chrome.wait_for("tr.connection .client-name").await;
    assert_eq!(row.text().await.unwrap(), "Test assistant");
    let last_used = chrome.wait_for("tr.connection .last-used").await;
    assert_ne!(last_used.text().await.unwrap(), "not yet");
    chrome.screenshot("mcp-connections").await;
    let disconnect = chrome.wait_for("tr.connection button").await;
    chrome.click_and_leave(&disconnect).await;
    chrome.wait_for("#no-connections").await;
    chrome.screenshot("mcp-disconnected").await;
    assert_eq!(rpc(&app, token, "tools/call", call).await.status(), 401);
    chrome.quit().await;
}
