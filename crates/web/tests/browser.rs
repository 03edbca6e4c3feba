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

#[path = "support/chrome.rs"]
mod chrome;
mod support;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use aws_lc_rs::digest;
use chrome::Chrome;
use emulator::seed::DEMO_PASSWORD;
use emulator::testing::TestEmulator;
use reqwest::StatusCode;
use serde_json::json;
use support::*;
use thirtyfour::prelude::*;

const ADA: &str = "ada@contoso.example";
const GRACE: &str = "grace@contoso.example";

fn sha256_hex(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Relative link targets in Markdown (`](target)`, `src="target"`), as the zip must hold them.
fn relative_links(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("](", ')'), ("src=\"", '"'), ("href=\"", '"')] {
        let mut rest = markdown;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            if let Some(j) = rest.find(close) {
                let target = rest[..j]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_matches(['<', '>']);
                if !target.is_empty() && !target.contains(':') && !target.starts_with('#') {
                    out.push(target.to_string());
                }
            }
        }
    }
    out
}

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

#[tokio::test]
async fn a_person_signs_in_reads_their_profile_and_signs_out() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("profile").await;

    chrome.goto(&app.url("/")).await;
    assert!(
        chrome.url().await.starts_with(&emu.base_url),
        "an anonymous visit goes to the sign-in page"
    );
    let pages = chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["sign-in", "consent"], "typed in, then consented");
    let name = chrome.wait_for_page(&app.url("/"), "#user-name").await;
    assert_eq!(name.text().await.unwrap(), display_name(&emu, ADA).await);
    chrome.screenshot("home").await;

    // The session cookie is out of the page's reach and not sent on cross-site POSTs.
    let cookie = session_cookie(&chrome, &app)
        .await
        .expect("a session cookie");
    assert_eq!(cookie.http_only, Some(true));
    assert_eq!(cookie.same_site, Some(SameSite::Lax));
    assert_eq!(chrome.js("return document.cookie").await, json!(""));

    // The profile page, reached by clicking the header's link, shows Graph's /me.
    let link = chrome.wait_for("header a[href$='/msal-demo']").await;
    chrome.click_and_leave(&link).await;
    let shown = chrome.wait_for("#graph-me").await.text().await.unwrap();
    let me: serde_json::Value = serde_json::from_str(&shown).expect("the page shows JSON");
    assert_eq!(me["userPrincipalName"], ADA);
    assert_eq!(me["displayName"], display_name(&emu, ADA).await);
    chrome.screenshot("msal-demo").await;

    // Signing out goes through the provider's sign-out page and back to an app that wants a
    // new sign-in.
    let sign_out = chrome.wait_for("#sign-out").await;
    chrome.click_and_leave(&sign_out).await;
    chrome.wait_for_page(&emu.base_url, "#signin").await;
    chrome.screenshot("signed-out").await;
    if let Some(now) = session_cookie(&chrome, &app).await {
        assert_ne!(now.value, cookie.value, "the signed-in session id is gone");
    }
    let old = format!("{}={}", cookie.name, cookie.value);
    let replay = get_with_cookie(&app.url("/msal-demo"), &old).await;
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&replay).starts_with("/login"),
        "the old session is ended on the server"
    );
    chrome.goto(&app.url("/msal-demo")).await;
    chrome.wait_for_page(&emu.base_url, "#signin").await;
    chrome.quit().await;
}

#[tokio::test]
async fn onenote_images_load_through_the_app_and_downloads_hold_the_page() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("onenote").await;

    // Straight to OneNote: sign in, then the incremental consent for Notes.Read.
    chrome.goto(&app.url("/onenote")).await;
    let pages = chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["sign-in", "consent", "consent"]);
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    chrome.screenshot("notebooks").await;

    // A page with images, from the emulator's own list of Ada's resources.
    let listed: serde_json::Value = reqwest::get(emu.admin(&format!("/onenote/{ADA}/resources")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resources = listed["resources"].as_array().unwrap();
    let page_id = resources
        .iter()
        .find(|r| r["content_type"].as_str().unwrap().starts_with("image/"))
        .map(|r| r["page"].as_str().unwrap().to_string())
        .expect("a seeded page with an image");
    let of_page: Vec<&serde_json::Value> =
        resources.iter().filter(|r| r["page"] == page_id).collect();
    let hashes: HashSet<String> = of_page
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_string())
        .collect();
    let token = graph_token(&emu, ADA, "Notes.Read").await;
    let meta: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/v1.0/me/onenote/pages/{page_id}", emu.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let section_id = meta["parentSection"]["id"].as_str().unwrap().to_string();

    // Notebooks → section → page, by clicking.
    let section = chrome
        .wait_for(&format!(
            "a.section[href$='/onenote/sections/{section_id}']"
        ))
        .await;
    chrome.click_and_leave(&section).await;
    let page = chrome
        .wait_for(&format!("#pages a[href$='/onenote/pages/{page_id}']"))
        .await;
    chrome.screenshot("section").await;
    chrome.click_and_leave(&page).await;
    chrome.wait_for("#page-body").await;

    // Every image is decoded by the browser, and came through the app.
    let mut images = serde_json::Value::Null;
    for _ in 0..100 {
        images = chrome
            .js(
                "return Array.from(document.querySelectorAll('#page-body img')).map(i => \
                 ({src: i.src, complete: i.complete, width: i.naturalWidth}))",
            )
            .await;
        if images
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["complete"] == true)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let images = images.as_array().unwrap().clone();
    assert!(!images.is_empty(), "the page shows its images");
    for image in &images {
        let src = image["src"].as_str().unwrap();
        assert!(
            src.starts_with(&app.url("/onenote/resources/")),
            "{src} is served by the app"
        );
        assert!(image["width"].as_u64().unwrap() > 0, "{src} did not load");
    }
    chrome.screenshot("page").await;
    let title = chrome.wait_for("#page-title").await.text().await.unwrap();

    // The Markdown download: the page's title and a link per image.
    chrome.wait_for("#download-md").await.click().await.unwrap();
    let md_path = chrome.wait_for_download(".md").await;
    let markdown = std::fs::read_to_string(&md_path).unwrap();
    assert!(
        markdown.lines().any(|l| l.starts_with("title:")
            && unescape_html(l.trim_start_matches("title:").trim().trim_matches('"')) == title),
        "the front matter names the page {title:?}:\n{markdown}"
    );
    let links = relative_links(&markdown);
    assert!(
        links.len() >= images.len(),
        "{links:?} links every image shown"
    );

    // The zip: the same Markdown, and every link resolves to the emulator's bytes.
    chrome
        .wait_for("#download-zip")
        .await
        .click()
        .await
        .unwrap();
    let zip_path = chrome.wait_for_download(".zip").await;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(name, bytes);
    }
    let (md_name, md_bytes) = files
        .iter()
        .find(|(n, _)| n.ends_with(".md"))
        .expect("the zip holds the Markdown");
    assert_eq!(
        String::from_utf8(md_bytes.clone()).unwrap(),
        markdown,
        "the zip's Markdown is the downloaded Markdown"
    );
    let folder = md_name
        .rsplit_once('/')
        .map(|(f, _)| format!("{f}/"))
        .unwrap_or_default();
    for link in links {
        let name = percent_encoding::percent_decode_str(&link)
            .decode_utf8_lossy()
            .into_owned();
        let bytes = files
            .get(&format!("{folder}{name}"))
            .unwrap_or_else(|| panic!("{link} is not in the zip: {:?}", files.keys()));
        assert!(
            hashes.contains(&sha256_hex(bytes)),
            "{link} holds the page's resource"
        );
    }
    chrome.quit().await;
}

#[tokio::test]
async fn form_post_sign_in_works_although_the_cookie_is_same_site_lax() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("RESPONSE_MODE".into(), "form_post".into());
    })
    .await;
    // The trap is only real if the provider's POST is cross-site.
    let app_host = url::Url::parse(&app.base_url).unwrap();
    let emu_host = url::Url::parse(&emu.base_url).unwrap();
    assert_ne!(
        app_host.host_str(),
        emu_host.host_str(),
        "app and provider are different sites"
    );

    let chrome = Chrome::start("form-post").await;
    let since = log_position(&emu).await;
    chrome.goto(&app.url("/")).await;
    let pages = chrome
        .sign_in_through_forms(&app.base_url, GRACE, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["sign-in", "consent"]);
    let name = chrome.wait_for_page(&app.url("/"), "#user-name").await;
    assert_eq!(name.text().await.unwrap(), display_name(&emu, GRACE).await);
    chrome.screenshot("home").await;
    let cookie = session_cookie(&chrome, &app)
        .await
        .expect("a session cookie");
    assert_eq!(cookie.same_site, Some(SameSite::Lax));

    // The sign-in really was a form_post one.
    let authorize = requests_since(&emu, since)
        .await
        .into_iter()
        .find(|e| {
            e["path"]
                .as_str()
                .unwrap()
                .ends_with("/oauth2/v2.0/authorize")
        })
        .expect("the browser went to the authorize endpoint");
    assert!(
        authorize["query"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "response_mode"),
        "{authorize}"
    );
    // And the signed-in session works on the next page.
    chrome.goto(&app.url("/msal-demo")).await;
    chrome.wait_for("#graph-me").await;
    chrome.quit().await;
}

/// Creates a page for `upn` through Graph and returns its id.
async fn create_page(emu: &TestEmulator, upn: &str, html: &str) -> String {
    let token = graph_token(emu, upn, "Notes.ReadWrite openid").await;
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
    assert_eq!(created.status(), StatusCode::CREATED);
    let page: serde_json::Value = created.json().await.unwrap();
    page["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_content_security_policy_stops_inline_script_in_the_browser() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let hostile = r#"<html><head><title>Hostile</title></head><body>
<p>Before</p>
<script>window.__pwned = 'script'; alert('script')</script>
<img src="x" onerror="window.__pwned = 'onerror'; alert('onerror')" alt="broken"/>
<p onclick="window.__pwned = 'onclick'" id="clickme">Click me</p>
<a href="javascript:window.__pwned='href'" id="jslink">link</a>
<svg><script>window.__pwned = 'svg'</script></svg>
<p>After</p>
</body></html>"#;
    let page = create_page(&emu, GRACE, hostile).await;

    let chrome = Chrome::start("csp").await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, GRACE, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    chrome
        .goto(&app.url(&format!("/onenote/pages/{page}")))
        .await;
    let body = chrome.wait_for("#page-body").await;
    assert!(body.text().await.unwrap().contains("After"));
    chrome.screenshot("hostile-page").await;
    // A person clicks around the page.
    for paragraph in body.find_all(By::Css("p")).await.unwrap() {
        let _ = paragraph.click().await;
    }
    assert_no_script_ran(&chrome, "the hostile page").await;
    assert_eq!(
        chrome
            .js(
                "return document.querySelectorAll('#page-body script, #page-body [onerror], \
                 #page-body [onclick], #page-body a[href^=\"javascript\"]').length"
            )
            .await,
        json!(0),
        "the sanitizer removed the script carriers"
    );

    // Second line of defence: markup that got past the sanitizer still cannot run, because
    // the browser enforces the policy. Put each kind of inline script into the page and watch
    // for the policy's violation reports.
    let outcome = chrome
        .driver
        .execute_async(
            r#"
const done = arguments[0];
const violations = [];
document.addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective));
const body = document.getElementById('page-body');
const s = document.createElement('script');
s.textContent = "window.__pwned = 'inserted script'";
body.appendChild(s);
body.insertAdjacentHTML('beforeend', '<img src="/nope.png" onerror="window.__pwned = \'handler\'">');
const a = document.createElement('a');
a.href = "javascript:window.__pwned = 'javascript url'";
a.textContent = 'go';
body.appendChild(a);
a.click();
setTimeout(() => done({pwned: window.__pwned === undefined ? null : window.__pwned, violations}), 1500);
"#,
            Vec::new(),
        )
        .await
        .unwrap()
        .json()
        .clone();
    assert_eq!(outcome["pwned"], json!(null), "{outcome}");
    let violations: Vec<String> = outcome["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for directive in ["script-src-elem", "script-src-attr"] {
        assert!(
            violations.iter().any(|v| v == directive),
            "the policy blocked {directive}: {violations:?}"
        );
    }
    assert_no_script_ran(&chrome, "the page after injection").await;
    chrome.quit().await;
}

#[tokio::test]
async fn hostile_names_and_titles_stay_text_in_the_browser() {
    let emu = TestEmulator::start_with(hostile_seed(), false).await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("hostile-names").await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, HOSTILE_UPN, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    chrome.screenshot("notebooks").await;

    /// What must never be in `main` or the header: elements the payloads would create.
    const INJECTED: &str = "header img, header script, main img[src='x'], main script, main svg, \
                            main iframe, title ~ script";
    let check = |page: &'static str| {
        let chrome = &chrome;
        async move {
            assert_no_script_ran(chrome, page).await;
            assert_eq!(
                chrome
                    .js(&format!(
                        "return document.querySelectorAll(\"{INJECTED}\").length"
                    ))
                    .await,
                json!(0),
                "markup from a name was parsed on {page}"
            );
        }
    };
    check("the notebooks").await;
    let notebooks = chrome.body_text().await;
    for place in ["notebook", "section", "section group", "nested section"] {
        assert!(
            notebooks.contains(&payload(place)),
            "the {place} name is shown as text: {notebooks}"
        );
    }

    // The section whose name is a payload, and its page whose title is one.
    let section = chrome.wait_for("a.section").await;
    assert_eq!(section.text().await.unwrap(), payload("section"));
    chrome.click_and_leave(&section).await;
    let page = chrome.wait_for("#pages a").await;
    check("the section").await;
    assert_eq!(page.text().await.unwrap(), payload("page title"));
    chrome.screenshot("section").await;
    chrome.click_and_leave(&page).await;
    let title = chrome.wait_for("#page-title").await;
    check("the page").await;
    assert_eq!(title.text().await.unwrap(), payload("page title"));
    assert_eq!(
        chrome.driver.title().await.unwrap(),
        format!("{} · graphnote", payload("page title"))
    );
    chrome.screenshot("page").await;

    chrome.goto(&app.url("/")).await;
    let name = chrome.wait_for("#user-name").await;
    check("home").await;
    assert_eq!(name.text().await.unwrap(), payload("display name"));
    chrome.screenshot("home").await;

    chrome.goto(&app.url("/msal-demo")).await;
    let me = chrome.wait_for("#graph-me").await.text().await.unwrap();
    check("the profile").await;
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    assert_eq!(me["displayName"], payload("display name"));
    assert_eq!(me["jobTitle"], payload("job title"));
    chrome.quit().await;
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

#[tokio::test]
async fn a_page_that_frames_the_app_shows_nothing_of_it() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("clickjacking").await;
    chrome.goto(&app.url("/")).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    chrome.wait_for_page(&app.url("/"), "#user-name").await;

    // `/frame-app` frames the app; `/frame-self` frames one of the attacker's own pages (the
    // control, showing that framed content is visible to this test).
    let attacker = attacker_site(vec![
        (
            "/frame-app",
            format!(
                "<!DOCTYPE html><title>Win a prize</title><h1>Click the button!</h1>\
                 <iframe id=victim src=\"{}\" width=800 height=600></iframe>",
                app.url("/")
            ),
        ),
        (
            "/frame-self",
            "<!DOCTYPE html><title>Control</title>\
             <iframe id=victim src=\"/inner\" width=800 height=600></iframe>"
                .to_string(),
        ),
        (
            "/inner",
            "<!DOCTYPE html><h1 id=inner>framed content</h1>".to_string(),
        ),
    ])
    .await;
    // The control: the same framing of an ordinary page shows it.
    chrome.goto(&format!("{attacker}/frame-self")).await;
    chrome
        .wait_for("#victim")
        .await
        .enter_frame()
        .await
        .unwrap();
    chrome.wait_for("#inner").await;
    chrome.driver.enter_default_frame().await.unwrap();

    chrome.goto(&format!("{attacker}/frame-app")).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    chrome.screenshot("framed").await;
    chrome
        .wait_for("#victim")
        .await
        .enter_frame()
        .await
        .unwrap();
    let framed = chrome
        .js("return {url: document.URL, text: document.body ? document.body.innerText : ''}")
        .await;
    let shown = framed["text"].as_str().unwrap_or_default();
    assert!(
        !shown.contains(&display_name(&emu, ADA).await) && !shown.contains("graphnote"),
        "the framed app showed {framed}"
    );
    assert!(
        chrome
            .driver
            .find(By::Css("#user-name, #sign-out"))
            .await
            .is_err(),
        "the app rendered inside the frame: {framed}"
    );
    chrome.driver.enter_default_frame().await.unwrap();
    assert_no_script_ran(&chrome, "the attacker's page").await;
    chrome.quit().await;
}

/// Whether `id` is a OneNote id as the app accepts them.
fn onenote_md_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'!' | b'_' | b'.' | b'-'))
}

#[tokio::test]
async fn the_emulator_request_log_sees_images_fetched_by_id_only() {
    // A page whose images point at the emulator's admin API and at another host: the browser
    // must not fetch them, and the app fetches nothing but the user's own page and resources,
    // by id, from Graph.
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let html = format!(
        r#"<html><head><title>Trackers</title></head><body>
<p>Pixels</p>
<img src="{admin}" alt="admin"/>
<img src="{graph}/v1.0/me/onenote/resources/0-x!1-y/$value?x=@localhost" alt="query"/>
<img src="http://127.0.0.1:9/steal.png" alt="other host"/>
</body></html>"#,
        admin = emu.admin("/info"),
        graph = emu.base_url,
    );
    let page = create_page(&emu, GRACE, &html).await;
    let chrome = Chrome::start("ssrf").await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, GRACE, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    let since = log_position(&emu).await;
    chrome
        .goto(&app.url(&format!("/onenote/pages/{page}")))
        .await;
    chrome.wait_for("#page-body").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let entries = requests_since(&emu, since).await;
    assert!(!entries.is_empty(), "the app fetched the page");
    for entry in &entries {
        let path = entry["path"].as_str().unwrap();
        let by_id = path
            .strip_prefix("/v1.0/me/onenote/resources/")
            .and_then(|rest| rest.strip_suffix("/$value"))
            .is_some_and(onenote_md_id);
        assert!(
            (path.starts_with("/v1.0/me/onenote/pages/") || by_id)
                && entry["method"] == "GET"
                && entry["user"] == GRACE,
            "only Grace's page and resources, by id: {entry}"
        );
    }
    chrome.quit().await;
}

#[tokio::test]
async fn a_cross_site_post_of_the_attackers_sign_in_does_not_switch_the_victims_account() {
    // Login CSRF in a real browser, with form_post: the attacker completes the provider's side
    // of a sign-in as themself and hands the answer (code + state) to the victim's browser as
    // an auto-submitting cross-site form. The victim must stay who they are.
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("RESPONSE_MODE".into(), "form_post".into());
    })
    .await;
    let attacker = User::new();
    let login = attacker.get(&app.url("/login")).await;
    let (action, fields) = match attacker
        .browser
        .sign_in(
            &location(&login),
            "mallory@fabrikam.example",
            DEMO_PASSWORD,
            true,
        )
        .await
    {
        emulator::testing::SignInOutcome::FormPost { action, fields } => (action, fields),
        other => panic!("expected a form_post answer, got {other:?}"),
    };
    let inputs: String = fields
        .iter()
        .map(|(k, v)| format!("<input type=hidden name=\"{k}\" value=\"{v}\">"))
        .collect();
    let site = attacker_site(vec![(
        "/prize",
        format!(
            "<!DOCTYPE html><title>Prize</title><form id=f method=post action=\"{action}\">\
             {inputs}</form><script>document.getElementById('f').submit()</script>"
        ),
    )])
    .await;

    let chrome = Chrome::start("login-csrf").await;
    chrome.goto(&app.url("/")).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    chrome.wait_for_page(&app.url("/"), "#user-name").await;

    chrome.goto(&format!("{site}/prize")).await;
    // The app's re-post page sends it on with the victim's cookie; the state is not the
    // victim's, so the sign-in is refused.
    let refused = chrome.wait_for_page(&app.base_url, ".problem").await;
    assert!(
        refused.text().await.unwrap().contains("expired"),
        "{}",
        chrome.body_text().await
    );
    chrome.screenshot("refused").await;
    chrome.goto(&app.url("/")).await;
    let name = chrome.wait_for("#user-name").await;
    assert_eq!(
        name.text().await.unwrap(),
        display_name(&emu, ADA).await,
        "the victim is still signed in as themself"
    );
    chrome.quit().await;
}
