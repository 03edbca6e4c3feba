//! The attacker's view, over HTTP: each test is one attack that fails if the hole opens.
//!
//! XSS through every name a user controls (display name, notebook, section group, section and
//! page titles, page body) and through error messages; SSRF through resource ids and through
//! the URLs inside page HTML; path traversal in ids; IDOR between users of one tenant and across
//! tenants; open redirects through `post_logout_redirect_uri` and the `Host` header; oversized
//! and malformed requests (huge headers and query strings, bodies over the limit, invalid
//! UTF-8, wrong methods and content types, a client trickling its headers).
//!
//! Sign-in attacks (forged state, code replay and injection, login CSRF, bad ID tokens, session
//! fixation, tampered cookies, `next`) are in `security.rs`; hostile page HTML and the
//! cross-tenant page/resource check in `onenote.rs`; the browser's side in `browser.rs`.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADA: &str = "ada@contoso.example";
const GRACE: &str = "grace@contoso.example";
const MALLORY: &str = "mallory@fabrikam.example";

/// Every `{marker}…{end}` in `text`.
fn links(text: &str, marker: &str, end: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        if let Some(j) = rest.find(end) {
            out.push(rest[..j].to_string());
        }
    }
    out
}

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
    admin(
        emu,
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    TestApp::start_with(emu, &store, generous_onenote_limits).await
}

#[tokio::test]
async fn script_in_names_titles_and_profile_fields_is_shown_as_text() {
    let emu = TestEmulator::start_with(hostile_seed(), false).await;
    let dir = TempDir::new();
    let app = onenote_app(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, HOSTILE_UPN).await;

    let home = user.get(&app.url("/")).await.text().await.unwrap();
    assert_inert(&home, "home");
    assert!(
        unescape_html(&home).contains(&payload("display name")),
        "the name is shown as text: {home}"
    );

    let profile = user.get(&app.url("/msal-demo")).await.text().await.unwrap();
    assert_inert(&profile, "the profile");
    for field in ["display name", "job title", "given name"] {
        let shown = serde_json::to_string(&payload(field)).unwrap();
        assert!(
            unescape_html(&profile).contains(&shown),
            "the profile shows the {field} as text"
        );
    }

    let index = user.get(&app.url("/onenote")).await.text().await.unwrap();
    assert_inert(&index, "the notebooks");
    for place in ["notebook", "section", "section group", "nested section"] {
        assert!(
            unescape_html(&index).contains(&payload(place)),
            "the {place} name is shown: {index}"
        );
    }

    let mut pages = Vec::new();
    for section in links(&index, "/onenote/sections/", '"') {
        let listing = user
            .get(&app.url(&format!("/onenote/sections/{section}")))
            .await;
        assert_eq!(listing.status(), StatusCode::OK);
        let listing = listing.text().await.unwrap();
        assert_inert(&listing, "a section");
        pages.extend(links(&listing, "/onenote/pages/", '"'));
    }
    assert_eq!(pages.len(), 2, "both seeded pages are listed");
    for page in &pages {
        let view = user.get(&app.url(&format!("/onenote/pages/{page}"))).await;
        assert_eq!(view.status(), StatusCode::OK);
        let view = view.text().await.unwrap();
        assert_inert(&view, "a page");
        assert!(unescape_html(&view).contains("Body "), "the body is shown");

        let md = user
            .get(&app.url(&format!("/onenote/pages/{page}.md")))
            .await;
        assert_eq!(md.status(), StatusCode::OK);
        let disposition = md.headers()["content-disposition"].to_str().unwrap();
        let ascii_name = disposition.split('"').nth(1).unwrap();
        assert!(
            ascii_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "the file name is tame: {disposition}"
        );
        assert_eq!(md.headers()["x-content-type-options"], "nosniff");
        assert!(
            md.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/markdown")
        );
    }
}

#[tokio::test]
async fn script_in_error_messages_and_reflected_fields_is_shown_as_text() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();

    // The provider's error, error_description and error_subcode on the redirect, with a state
    // that matches: the explanation page shows them, escaped.
    let login = user.get(&app.url("/login")).await;
    let authorize = url::Url::parse(&location(&login)).unwrap();
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut callback = url::Url::parse(&app.url("/getAToken")).unwrap();
    callback
        .query_pairs_mut()
        .append_pair("error", &payload("error"))
        .append_pair("error_description", &payload("error description"))
        .append_pair("error_subcode", &payload("error subcode"))
        .append_pair("state", &state);
    let page = user.get(callback.as_str()).await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    let page = page.text().await.unwrap();
    assert_inert(&page, "the provider's error page");
    assert!(
        unescape_html(&page).contains("alert('error description')"),
        "the description is shown as text"
    );

    // Messages that quote what the request said.
    for path in [
        format!("/login?consent={}", web::error::encode(&payload("consent"))),
        format!(
            "/getAToken?state=x&code=y&resubmitted={}",
            web::error::encode(&payload("resubmitted"))
        ),
    ] {
        let response = user.get(&app.url(&path)).await;
        assert!(response.status().is_client_error(), "{path}");
        assert_inert(&response.text().await.unwrap(), &path);
    }
    user.sign_in(&app, GRACE).await;
    let bad_page = user
        .get(&app.url(&format!(
            "/onenote/sections/0-abc!1-def?page={}",
            web::error::encode(&payload("page number"))
        )))
        .await;
    assert_eq!(bad_page.status(), StatusCode::BAD_REQUEST);
    assert_inert(&bad_page.text().await.unwrap(), "the page-number error");

    // A cross-site form_post without the cookie gets the re-post page, which copies the known
    // fields into attributes — escaped — and nothing else.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let repost = anonymous
        .post(app.url("/getAToken"))
        .form(&[
            ("code", payload("code").as_str()),
            ("state", payload("state").as_str()),
            ("error_description", payload("repost").as_str()),
            ("evil", payload("unknown field").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(repost.status(), StatusCode::OK);
    let repost = repost.text().await.unwrap();
    assert_inert(&repost, "the re-post page");
    assert!(
        !repost.contains("name=\"evil\"") && !repost.contains("unknown field"),
        "unknown fields are not reflected"
    );
    assert!(
        repost
            .split("<script")
            .skip(1)
            .all(|tag| tag.starts_with(" src=")),
        "the re-post page has no inline script: {repost}"
    );
}

/// A listener standing for any host the app must never be made to fetch from; counts
/// connections.
async fn bait_host() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 0\r\n\r\n",
                )
                .await;
        }
    });
    (address, hits)
}

#[tokio::test]
async fn resource_ids_that_are_urls_make_the_app_fetch_nothing() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let (bait, hits) = bait_host().await;
    let emulator_host = emu.base_url.trim_start_matches("http://").to_string();
    let user = User::new();
    user.sign_in_for_onenote(&app, GRACE).await;

    let since = log_position(&emu).await;
    let encoded = |s: &str| web::error::encode(s).replace('+', "%20");
    let mut ids: Vec<String> = [
        format!("http://{bait}/x.png"),
        format!("https://{bait}/x.png"),
        format!("//{bait}/x.png"),
        format!("{bait}/x.png"),
        format!("x@{bait}"),
        format!("0-abc!1-def@{bait}"),
        format!("http://{emulator_host}/_emulator/info"),
        format!("{emulator_host}/_emulator/info"),
        "../../_emulator/info".to_string(),
        "..\\..\\_emulator\\info".to_string(),
        "file:///etc/passwd".to_string(),
        "0-abc!1-def?$select=id".to_string(),
        "0-abc!1-def#x".to_string(),
        "0-abc!1-def/$value".to_string(),
    ]
    .iter()
    .map(|id| encoded(id))
    .collect();
    ids.push(format!("http:%252F%252F{bait}%252Fx"));
    ids.push(format!("%40{bait}"));
    for id in &ids {
        for path in [
            format!("/onenote/resources/{id}"),
            format!("/onenote/pages/{id}"),
            format!("/onenote/pages/{id}.zip"),
            format!("/onenote/sections/{id}"),
        ] {
            let response = user.get(&app.url(&path)).await;
            assert!(
                matches!(
                    response.status(),
                    StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
                ),
                "{path}: {}",
                response.status()
            );
        }
    }
    // Unencoded slashes do not even match a route.
    let raw = user
        .get(&format!(
            "{}/onenote/resources/http://{bait}/x.png",
            app.base_url
        ))
        .await;
    assert_eq!(raw.status(), StatusCode::NOT_FOUND);

    assert_eq!(
        requests_since(&emu, since).await,
        Vec::<serde_json::Value>::new(),
        "no id that is not an id reached Graph"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was fetched");
}

#[tokio::test]
async fn urls_inside_a_page_make_the_app_fetch_only_that_users_resources_by_id() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let (bait, hits) = bait_host().await;
    let listed: serde_json::Value = reqwest::get(emu.admin(&format!("/onenote/{ADA}/resources")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let adas = listed["resources"][0]["id"].as_str().unwrap().to_string();

    // Grace's page points at the bait host, at the emulator's admin API, at a Graph-shaped URL
    // on the bait host, and at Ada's resource under Ada's name.
    let token = graph_token(&emu, GRACE, "Notes.ReadWrite openid").await;
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
    let html = format!(
        r#"<html><head><title>Links</title></head><body>
<p>Bait</p>
<img src="http://{bait}/pixel.png" />
<img src="{admin}" />
<img src="http://{bait}/v1.0/me/onenote/resources/0-bait!1-bait/$value" />
<img src="{base}/v1.0/users('{ADA}')/onenote/resources/{adas}/$value" />
<object data="http://{bait}/v1.0/me/onenote/resources/0-obj!1-obj/$value" data-attachment="a.pdf" type="application/pdf"></object>
</body></html>"#,
        admin = emu.admin("/info"),
        base = emu.base_url,
    );
    let created = graph
        .post(format!(
            "{}/v1.0/me/onenote/sections/{section}/pages",
            emu.base_url
        ))
        .bearer_auth(&token)
        .header("content-type", "text/html")
        .body(html)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let page: serde_json::Value = created.json().await.unwrap();
    let page = page["id"].as_str().unwrap().to_string();

    let user = User::new();
    user.sign_in_for_onenote(&app, GRACE).await;
    let since = log_position(&emu).await;
    let view = user.get(&app.url(&format!("/onenote/pages/{page}"))).await;
    assert_eq!(view.status(), StatusCode::OK);
    let view = view.text().await.unwrap();
    assert!(!view.contains(&bait), "no bait URL is shown to the browser");
    assert!(!view.contains("/_emulator"), "no admin URL either");
    let md = user
        .get(&app.url(&format!("/onenote/pages/{page}.md")))
        .await;
    assert_eq!(md.status(), StatusCode::OK);
    let zip = user
        .get(&app.url(&format!("/onenote/pages/{page}.zip")))
        .await;
    // Ada's resource is not Grace's: Graph says 404 and so does the app, with nothing of Ada's.
    assert!(
        zip.status() == StatusCode::OK || zip.status() == StatusCode::NOT_FOUND,
        "{}",
        zip.status()
    );

    for entry in requests_since(&emu, since).await {
        let path = entry["path"].as_str().unwrap();
        assert!(
            path.starts_with("/v1.0/me/onenote/"),
            "the app only talks to Graph about the signed-in user: {entry}"
        );
        assert_eq!(entry["user"], GRACE, "{entry}");
        assert_eq!(entry["method"], "GET");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the app never fetched a URL from the page"
    );
}

#[tokio::test]
async fn path_traversal_in_ids_and_static_paths_goes_nowhere() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, GRACE).await;
    let since = log_position(&emu).await;
    for id in [
        ".",
        "..",
        "%2e",
        "%2e%2e",
        "..%2f..%2f_emulator%2finfo",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "%252e%252e%252f",
        "..%5c..%5c",
        "....%2f%2f",
        "..%00",
        "%c0%ae%c0%ae",
        "..md",
        "..zip",
        "%2e%2e.md",
        "0-abc!1-def%2f..%2f..",
    ] {
        for route in ["resources", "pages", "sections"] {
            let path = format!("/onenote/{route}/{id}");
            let response = user.get(&app.url(&path)).await;
            assert!(
                matches!(
                    response.status(),
                    StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
                ),
                "{path}: {}",
                response.status()
            );
        }
    }
    for path in [
        "/static/..%2f..%2fCargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/../../Cargo.toml",
        "/static/app.css/..%2f..%2f..%2fsrc%2flib.rs",
        "/static/..%5c..%5cCargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let response = user.get(&app.url(path)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{path}"
        );
    }
    // Ids like `..md` are odd but not dot segments; whatever reached Graph stayed a plain
    // request about the user's own OneNote.
    for entry in requests_since(&emu, since).await {
        let path = entry["path"].as_str().unwrap();
        assert!(path.starts_with("/v1.0/me/onenote/"), "{entry}");
        assert!(
            path.split('/')
                .all(|s| s != "." && s != ".." && !s.contains('\\')),
            "a dot segment reached Graph: {entry}"
        );
    }
}

#[tokio::test]
async fn made_up_ids_are_not_found_not_a_graph_failure() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, GRACE).await;
    // Well-formed for the app, but ids OneNote could never have issued (it answers 400 20112)
    // or simply does not have (404 20102).
    for id in [
        "0-nothing!1-here",
        "made-up",
        "1-0123456789abcdef!1-fedcba9876543210",
    ] {
        for path in [
            format!("/onenote/pages/{id}"),
            format!("/onenote/pages/{id}.md"),
            format!("/onenote/pages/{id}.zip"),
            format!("/onenote/sections/{id}"),
            format!("/onenote/resources/{id}"),
        ] {
            let response = user.get(&app.url(&path)).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(response.text().await.unwrap().contains("Not found"));
        }
    }
}

#[tokio::test]
async fn nobody_reads_another_users_sections_pages_or_resources() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = onenote_app(&emu, &dir).await;
    let listed: serde_json::Value = reqwest::get(emu.admin(&format!("/onenote/{ADA}/resources")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resource = listed["resources"][0]["id"].as_str().unwrap().to_string();
    let page = listed["resources"][0]["page"].as_str().unwrap().to_string();

    // Ada reads her page first: nothing she fetched may be served to anyone else afterwards.
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let view = ada.get(&app.url(&format!("/onenote/pages/{page}"))).await;
    assert_eq!(view.status(), StatusCode::OK);
    let adas_view = view.text().await.unwrap();
    let title = adas_view
        .split("<h1 id=\"page-title\">")
        .nth(1)
        .and_then(|s| s.split("</h1>").next())
        .unwrap()
        .to_string();
    let section = links(&adas_view, "/onenote/sections/", '"')
        .into_iter()
        .next()
        .expect("the page links its section");
    assert_eq!(
        ada.get(&app.url(&format!("/onenote/resources/{resource}")))
            .await
            .status(),
        StatusCode::OK
    );

    for (upn, who) in [(GRACE, "a colleague"), (MALLORY, "another tenant's user")] {
        let other = User::new();
        other.sign_in_for_onenote(&app, upn).await;
        let since = log_position(&emu).await;
        for path in [
            format!("/onenote/sections/{section}"),
            format!("/onenote/pages/{page}"),
            format!("/onenote/pages/{page}.md"),
            format!("/onenote/pages/{page}.zip"),
            format!("/onenote/resources/{resource}"),
        ] {
            let response = other.get(&app.url(&path)).await;
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{who} asked for {path}"
            );
            let body = response.text().await.unwrap();
            assert!(!body.contains(&title), "{who} saw Ada's title via {path}");
        }
        let asked = requests_since(&emu, since).await;
        assert!(!asked.is_empty());
        for entry in asked {
            assert_eq!(entry["user"], upn, "Graph was asked as {who}: {entry}");
        }
    }
}

#[tokio::test]
async fn sign_out_and_sign_in_redirects_stay_with_the_app_whatever_the_request_says() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let param = |location: &str, name: &str| {
        url::Url::parse(location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    for headers in [
        vec![],
        vec![("host", "evil.example")],
        vec![
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "https"),
        ],
        vec![("forwarded", "host=evil.example;proto=https")],
    ] {
        let mut logout =
            client.get(app.url("/logout?post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"));
        let mut login = client.get(app.url("/login"));
        for (name, value) in &headers {
            logout = logout.header(*name, *value);
            login = login.header(*name, *value);
        }
        let out = logout.send().await.unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER, "{headers:?}");
        let target = location(&out);
        assert!(target.starts_with(&emu.base_url), "{target}");
        assert_eq!(
            param(&target, "post_logout_redirect_uri").as_deref(),
            Some(app.url("/").as_str()),
            "{headers:?}"
        );
        let started = login.send().await.unwrap();
        let target = location(&started);
        assert_eq!(
            param(&target, "redirect_uri").as_deref(),
            Some(app.url("/getAToken").as_str()),
            "{headers:?}"
        );
        assert!(!target.contains("evil"), "{target}");
    }
    // `next` in its encoded and control-character forms.
    for evil in [
        "/%2F%2Fevil.example",
        "/\t/evil.example",
        "/\r\n//evil.example",
    ] {
        let user = User::new();
        let start = format!("/login?next={}", web::error::encode(evil));
        let done = user.sign_in_at(&app, &start, GRACE).await;
        let landed = location(&done);
        assert!(
            landed == "/" || landed == evil,
            "next={evil:?} led to {landed}"
        );
        assert!(!landed.starts_with("//") && !landed.contains('\n'));
    }
}

/// What a raw HTTP/1.1 request got: the status, or `None` when the server closed the
/// connection without answering. Panics if nothing happened within 15 s.
async fn raw_request(base_url: &str, request: &[u8]) -> Option<u16> {
    let address = base_url.trim_start_matches("http://");
    let exchange = async {
        let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
        // The server may answer and close before it has read everything: not an error.
        let _ = socket.write_all(request).await;
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
        let head = String::from_utf8_lossy(&answer);
        head.strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
    };
    tokio::time::timeout(Duration::from_secs(15), exchange)
        .await
        .expect("the server answered or closed the connection in time")
}

/// Refused (4xx) or cut off, but never a server error and never a hang.
fn assert_refused(status: Option<u16>, what: &str) {
    if let Some(status) = status {
        assert!(
            (400..500).contains(&status),
            "{what}: HTTP {status}, expected a 4xx or a closed connection"
        );
    }
}

#[tokio::test]
async fn huge_headers_and_query_strings_are_refused_without_a_server_error() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;

    let big = "a".repeat(1024 * 1024);
    let one_huge = format!("GET / HTTP/1.1\r\nhost: x\r\nx-big: {big}\r\n\r\n");
    assert_refused(
        raw_request(&app.base_url, one_huge.as_bytes()).await,
        "a 1 MiB header",
    );
    let mut many = String::from("GET / HTTP/1.1\r\nhost: x\r\n");
    for i in 0..2000 {
        many.push_str(&format!("x-h{i}: {}\r\n", "b".repeat(64)));
    }
    many.push_str("\r\n");
    assert_refused(
        raw_request(&app.base_url, many.as_bytes()).await,
        "2000 headers",
    );
    let cookie = format!(
        "GET /msal-demo HTTP/1.1\r\nhost: x\r\ncookie: graphnote_session={}\r\n\r\n",
        "c".repeat(512 * 1024)
    );
    assert_refused(
        raw_request(&app.base_url, cookie.as_bytes()).await,
        "a 512 KiB cookie",
    );

    // Long query strings: answered (the app ignores what it does not need) or refused, never
    // a 5xx. A long `next` is not kept.
    for size in [8 * 1024, 64 * 1024, 1024 * 1024] {
        for path in ["/", "/login?next=/", "/getAToken?state=", "/onenote?x="] {
            let request = format!(
                "GET {path}{} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
                "q".repeat(size)
            );
            let status = raw_request(&app.base_url, request.as_bytes()).await;
            if let Some(status) = status {
                assert!(status < 500, "{path} + {size} bytes: HTTP {status}");
            }
        }
    }
    let user = User::new();
    let long_next = format!("/{}", "n".repeat(16 * 1024));
    let done = user
        .sign_in_at(
            &app,
            &format!("/login?next={}", web::error::encode(&long_next)),
            GRACE,
        )
        .await;
    assert_eq!(location(&done), "/", "an over-long next is not followed");
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    // Slowloris: a request line, then one header line a second, never finishing. The server
    // must drop the connection (or answer 408) instead of holding it open for ever.
    let address = app.base_url.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let cut_off = loop {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the connection was still open after 40 s"
        );
        if socket.write_all(b"x-slow: 1\r\n").await.is_err() {
            break true;
        }
        let mut buffer = [0u8; 1024];
        match tokio::time::timeout(Duration::from_secs(1), socket.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => {}
        }
        if answer.starts_with(b"HTTP/1.1 408") {
            break true;
        }
    };
    assert!(cut_off);
    let head = String::from_utf8_lossy(&answer);
    assert!(
        head.is_empty() || head.starts_with("HTTP/1.1 4"),
        "answered {head}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_malformed_bodies_and_wrong_methods_get_4xx() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let callback = app.url("/getAToken");
    let form = "application/x-www-form-urlencoded";

    // Over 64 KiB, with a length…
    let huge = format!("code={}&state=x", "c".repeat(web::MAX_BODY_BYTES + 1));
    let response = client
        .post(&callback)
        .header("content-type", form)
        .body(huge.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // …streamed in chunks without one…
    let mut chunked = format!(
        "POST /getAToken HTTP/1.1\r\nhost: x\r\ncontent-type: {form}\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in huge.as_bytes().chunks(4096) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    // (Well-formed, so without the limit it would get the re-post page, 200.)
    let status = raw_request(&app.base_url, &chunked).await;
    assert!(
        matches!(status, Some(400 | 413) | None),
        "a chunked body over the limit: {status:?}"
    );
    // …or announced as enormous and never sent.
    let lying = format!(
        "POST /getAToken HTTP/1.1\r\nhost: x\r\ncontent-type: {form}\r\ncontent-length: 99999999999\r\n\r\ncode=x"
    );
    assert_refused(
        raw_request(&app.base_url, lying.as_bytes()).await,
        "content-length 99999999999",
    );

    // Malformed bodies and parameters.
    for (content_type, body) in [
        (form, b"code=%FF%FE&state=%C0".to_vec()),
        (form, b"code=\xff\xfe&state=\xc0".to_vec()),
        (form, b"state=a&state=b".to_vec()),
        (form, b"%%%===&&&".to_vec()),
        ("application/json", br#"{"code":"x","state":"y"}"#.to_vec()),
        ("multipart/form-data; boundary=x", b"--x--".to_vec()),
        ("text/plain", b"code=x".to_vec()),
    ] {
        let response = client
            .post(&callback)
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status();
        // No cookie, so a well-formed form gets the re-post page (200); anything else a 4xx.
        assert!(
            status.is_client_error() || status == StatusCode::OK,
            "{content_type} {:?}: {status}",
            String::from_utf8_lossy(&body)
        );
        assert!(!response.text().await.unwrap().contains("panicked"));
    }
    for query in ["state=%FF%FE&code=x", "state=a&state=b", "code=%", "%%%"] {
        let status = client
            .get(format!("{callback}?{query}"))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_client_error(), "?{query}: {status}");
    }

    // Invalid UTF-8 in the path, the query and a header, raw.
    for request in [
        &b"GET /onenote/pages/\xff\xfe HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"[..],
        &b"GET /onenote/pages/%FF%FE HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"[..],
        &b"GET /login?next=%FF HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"[..],
        &b"GET / HTTP/1.1\r\nhost: x\r\ncookie: graphnote_session=\xff\xfe\r\nconnection: close\r\n\r\n"[..],
        &b"GET / HTTP/1.1\r\nhost: \xff\r\nconnection: close\r\n\r\n"[..],
        &b"\xff\xfe / HTTP/1.1\r\n\r\n"[..],
        &b"GET / HTTP/9.9\r\n\r\n"[..],
    ] {
        let status = raw_request(&app.base_url, request).await;
        if let Some(status) = status {
            assert!(
                status < 500,
                "{:?}: HTTP {status}",
                String::from_utf8_lossy(request)
            );
        }
    }

    // Methods a route does not take.
    for (method, path) in [
        (Method::POST, "/"),
        (Method::PUT, "/"),
        (Method::DELETE, "/"),
        (Method::PATCH, "/login"),
        (Method::POST, "/login"),
        (Method::POST, "/logout"),
        (Method::DELETE, "/onenote/pages/0-abc!1-def"),
        (Method::PUT, "/onenote/resources/0-abc!1-def"),
        (Method::TRACE, "/"),
        (Method::PUT, "/getAToken"),
        (Method::POST, "/static/app.css"),
    ] {
        let response = client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
}
