//! What the web tests ask of the emulator beyond `emulator::testing`: the app's side of the
//! OneNote limits, users' names as seeded, and pages made through Graph.

use super::*;

/// Raises the app's OneNote limits so walking everything does not wait (the emulator's are
/// raised with `PUT /_emulator/limits`).
pub fn generous_onenote_limits(env: &mut HashMap<String, String>) {
    env.insert("ONENOTE_MAX_CONCURRENT".into(), "20".into());
    env.insert("ONENOTE_PER_MINUTE".into(), "100000".into());
    env.insert("ONENOTE_PER_HOUR".into(), "1000000".into());
}

/// A user's display name as the emulator has it (`/_emulator/info`).
pub async fn display_name(emu: &TestEmulator, upn: &str) -> String {
    let info = emu
        .call_admin(reqwest::Method::GET, "/info", serde_json::Value::Null)
        .await;
    info["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["users"].as_array().unwrap().iter())
        .find(|u| u["upn"] == upn)
        .and_then(|u| u["display_name"].as_str())
        .unwrap_or_else(|| panic!("{upn} is not seeded"))
        .to_string()
}

/// Creates a page for `upn` through Graph and returns its id.
pub async fn create_page(emu: &TestEmulator, upn: &str, html: &str) -> String {
    let token = emu.user_token(upn, "Notes.ReadWrite openid").await;
    let graph = reqwest::Client::new();
    let sections: serde_json::Value = graph
        .get(format!("{}/v1.0/me/onenote/sections", emu.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section = sections["value"][0]["id"].as_str().unwrap();
    let created = graph
        .post(format!(
            "{}/v1.0/me/onenote/sections/{section}/pages",
            emu.base_url
        ))
        .bearer_auth(&token)
        .header("content-type", "text/html")
        .body(html.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let page: serde_json::Value = created.json().await.unwrap();
    page["id"].as_str().unwrap().to_string()
}
