//! Reaching what is not yours: path traversal in ids, made-up ids, other users' items (IDOR) and
//! redirects that leave the app.

use super::*;

#[tokio::test]
async fn path_traversal_in_ids_and_static_paths_goes_nowhere() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in_for_onenote(&app, GRACE).await;
    let since = emu.log_position().await;
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
    for entry in emu.log_since(since).await {
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
        let since = emu.log_position().await;
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
        let asked = emu.log_since(since).await;
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
