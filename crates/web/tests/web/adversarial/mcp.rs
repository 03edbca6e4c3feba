//! Attacks through the MCP server: an app's name is the app's own words, so a hostile one must
//! stay text on the consent page and on `/connections`; a token is taken from the
//! `Authorization` header only, never from the URL (where logs and referrers would keep it);
//! what a stateless server does not do is a client's error, not the server's.
//! (Tokens bound to another resource, codes and refresh tokens replayed, forged consents, other
//! users' pages and client metadata URLs aimed at this machine: `mcp/`.)

use super::*;
use crate::mcp::tools::rpc;
use crate::mcp::{CHALLENGE, ClientRequest, VERIFIER, authorize_path, code_for, exchange, started};

#[tokio::test]
async fn a_hostile_app_name_stays_text_on_the_consent_page_and_in_connected_apps() {
    let (_emu, _dir, app) = started().await;
    let name = payload("client name");
    let registered: serde_json::Value = reqwest::Client::new()
        .post(app.url("/oauth/register"))
        .json(&json!({"client_name": name, "redirect_uris": ["http://127.0.0.1:33418/cb"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client = ClientRequest {
        client_id: registered["client_id"].as_str().unwrap().to_string(),
        redirect_uri: "http://127.0.0.1:33418/cb",
    };
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let path = authorize_path(&app, &client, &[("code_challenge", Some(CHALLENGE))]);
    let consent = ada.get(&app.url(&path)).await.text().await.unwrap();
    assert_inert(&consent, "the consent page");
    assert!(unescape_html(&consent).contains(&name), "shown, as text");

    let code = code_for(&app, &ada, &client).await;
    let (status, _) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, 200);
    let connections = ada
        .get(&app.url("/connections"))
        .await
        .text()
        .await
        .unwrap();
    assert_inert(&connections, "connected apps");
    assert!(
        unescape_html(&connections).contains(&name),
        "shown, as text"
    );
}

#[tokio::test]
async fn a_token_in_the_url_or_a_cookie_is_not_taken() {
    let (_emu, _dir, app) = started().await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let client = crate::mcp::registered(&app).await;
    let code = code_for(&app, &ada, &client).await;
    let (_, tokens) = exchange(&app, &client, &code, VERIFIER).await;
    let token = tokens["access_token"].as_str().unwrap();
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
    let in_url = reqwest::Client::new()
        .post(format!("{}?access_token={token}", app.url("/mcp")))
        .header("accept", "application/json, text/event-stream")
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(in_url.status(), StatusCode::UNAUTHORIZED);
    // Ada's own browser, signed in to graphnote, is not an MCP client either.
    let with_cookie = ada
        .browser
        .client
        .post(app.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), StatusCode::UNAUTHORIZED);
    // The same token, where it belongs, works.
    let in_header = rpc(&app, token, "tools/list", json!({})).await;
    assert_eq!(in_header.status(), StatusCode::OK);
    // What a stateless server does not do (a stream to open, a session to end, a body that is
    // not JSON-RPC) is a client error, never a failure of the server.
    let http = reqwest::Client::new();
    let stream = http
        .get(app.url("/mcp"))
        .bearer_auth(token)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    let end = http
        .delete(app.url("/mcp"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let garbage = http
        .post(app.url("/mcp"))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    for (what, status) in [
        ("GET", stream.status()),
        ("DELETE", end.status()),
        ("garbage", garbage.status()),
    ] {
        assert!(status.is_client_error(), "{what}: {status}");
    }
}
