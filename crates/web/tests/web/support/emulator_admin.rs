//! What the web tests ask of the emulator beyond `emulator::testing`: the app's side of the
//! OneNote limits and users' names as seeded.

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
