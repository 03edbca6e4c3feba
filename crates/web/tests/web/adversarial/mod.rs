//! The attacker's view, over HTTP: each test is one attack that fails if the hole opens.
//!
//! XSS through every name a user controls (display name, notebook, section group, section and
//! page titles, page body) and through error messages; SSRF through resource ids and through
//! the URLs inside page HTML; path traversal in ids; IDOR between users of one tenant and across
//! tenants; open redirects through `post_logout_redirect_uri` and the `Host` header; oversized
//! and malformed requests (huge headers and query strings, bodies over the limit, invalid
//! UTF-8, wrong methods and content types, a client trickling its headers); through the MCP
//! server, a hostile app name and a token sent where tokens do not go.
//!
//! Sign-in attacks (forged state, code replay and injection, login CSRF, bad ID tokens, session
//! fixation, tampered cookies, `next`) are in `security.rs`; hostile page HTML and the
//! cross-tenant page/resource check in `onenote.rs`; the browser's side in `browser.rs`.

mod access;
mod malformed;
mod mcp;
mod ssrf;
mod xss;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::*;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADA: &str = "ada@contoso.example";
const GRACE: &str = "grace@contoso.example";
const MALLORY: &str = "mallory@fabrikam.example";

/// Fails if `html` carries markup a payload would have created.
fn assert_inert(html: &str, what: &str) {
    for live in ["<script>alert", "<img src=x", "\"'><", "<iframe", "<svg"] {
        assert!(
            !html.contains(live),
            "{what}: {live:?} reached the page unescaped:\n{html}"
        );
    }
}

async fn onenote_app(emu: &TestEmulator, dir: &TempDir) -> TestApp {
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    TestApp::start_with(emu, &store, generous_onenote_limits).await
}
