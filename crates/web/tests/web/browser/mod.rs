//! graphnote in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`)
//! driven over WebDriver, against the app and the emulator running in this process.
//!
//! What only a browser shows: a person signs in by typing into the emulator's sign-in page and
//! clicking its consent page; the profile page shows their Graph data; OneNote pages show their
//! images (decoded by the browser, fetched through the app); the Markdown and zip downloads land
//! on disk and hold the page; signing out lands signed out; `response_mode=form_post` still signs
//! in although the provider's POST is cross-site and the `SameSite=Lax` cookie stays behind; the
//! Content-Security-Policy really stops inline script; hostile names stay text; and a page that
//! frames the app shows nothing.
//!
//! TLS: the emulator runs over plain HTTP on loopback, as `graphnote demo` does, so Chromium
//! needs no extra trust anchor (the HTTPS emulator and the app's `CA_BUNDLE` are covered by the
//! HTTP-level suites). The app is served at `127.0.0.1` and the emulator at `localhost`: two
//! different sites, so the browser applies SameSite exactly as it would between a real app and
//! login.microsoftonline.com.
//!
//! Screenshots of every main page go to `target/browser-artifacts/`.

mod attacks;
mod claims;
mod connections;
mod exports;
mod first_hour;
mod onenote_pages;
mod shared_notebooks;
mod signing_in;
mod uploads;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use crate::support::chrome::Chrome;
use crate::support::*;
use emulator::seed::DEMO_PASSWORD;
use emulator::testing::TestEmulator;
use reqwest::StatusCode;
use serde_json::json;
use thirtyfour::prelude::*;

const ADA: &str = "ada@contoso.example";
const GRACE: &str = "grace@contoso.example";

/// The session cookie the browser holds for the app, if any.
async fn session_cookie(chrome: &Chrome, app: &TestApp) -> Option<Cookie> {
    chrome
        .driver
        .get_named_cookie(app.state.sessions.cookie.name.as_str())
        .await
        .ok()
}

/// Fails if script ran: an alert is open, or a payload's side effect is on `window`.
async fn assert_no_script_ran(chrome: &Chrome, page: &str) {
    assert_eq!(chrome.open_alert().await, None, "an alert opened on {page}");
    assert_eq!(
        chrome.js("return window.__pwned === undefined").await,
        json!(true),
        "a payload ran on {page}"
    );
}

/// A tiny site of the attacker's, on `localhost` (another site than the app's `127.0.0.1`),
/// serving `pages` (path, HTML).
async fn attacker_site(pages: Vec<(&'static str, String)>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut router = axum::Router::new();
    for (path, html) in pages {
        router = router.route(
            path,
            axum::routing::get(move || async move { axum::response::Html(html) }),
        );
    }
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://localhost:{port}")
}
