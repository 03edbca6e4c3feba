//! Notebooks of the user's teams and SharePoint sites: asked for incrementally, browsed, read
//! and downloaded like the user's own; hidden from non-members (404 from the app, 403 from
//! Graph); and the user's own notebooks keep working when the permission is refused.

use super::*;

const ADA: &str = "ada@contoso.example";

/// Signs `user` in with OneNote's permission and the shared notebooks' one; returns the
/// `/onenote` page.
async fn signed_in_with_shared(app: &TestApp, user: &User, upn: &str) -> String {
    user.sign_in_for_onenote(app, upn).await;
    user.allow_shared_notebooks(app, upn).await
}

#[tokio::test]
async fn a_member_browses_reads_and_downloads_team_and_site_notebooks() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let before = ada.get(&app.url("/onenote")).await.text().await.unwrap();
    assert!(before.contains("id=\"show-shared\""));
    assert!(!before.contains("Physics 101 Notebook"));

    let index = ada.allow_shared_notebooks(&app, ADA).await;
    for shown in [
        "Physics 101",
        "Physics 101 Notebook",
        "_Content Library",
        "Research",
        "Lab Notebook",
    ] {
        assert!(index.contains(shown), "/onenote shows {shown}");
    }
    assert!(
        !index.contains("Book club"),
        "a group without notebooks is left out"
    );
    assert!(index.contains("Ada&#39;s Notebook") || index.contains("Ada's Notebook"));

    // A team section, its page, the page's link to another page of the team notebook, and the
    // page's downloads — all under the group.
    let sections = links(&index, "/onenote/groups/", '"');
    let welcome_section = sections
        .iter()
        .find(|s| index.contains(&format!("{s}\">_Welcome<")))
        .expect("the team's _Welcome section");
    let listing = ada
        .get(&app.url(&format!("/onenote/groups/{welcome_section}")))
        .await;
    assert_eq!(listing.status(), StatusCode::OK);
    let listing = listing.text().await.unwrap();
    let group = welcome_section.split('/').next().unwrap().to_string();
    let page = link_to(
        &listing,
        &format!("/onenote/groups/{group}/pages/"),
        "Welcome",
    )
    .expect("the Welcome page");
    let user = &ada;
    let view = user
        .get(&app.url(&format!("/onenote/groups/{group}/pages/{page}")))
        .await;
    assert_eq!(view.status(), StatusCode::OK);
    let view = view.text().await.unwrap();
    assert!(view.contains("Homework is due on Fridays"));
    let link = links(&view, &format!("/onenote/groups/{group}/links?"), '"');
    assert_eq!(
        link.len(),
        1,
        "the link to Lecture 1 goes through the group"
    );
    let followed = user
        .get(&app.url(&format!(
            "/onenote/groups/{group}/links?{}",
            link[0].replace("&amp;", "&")
        )))
        .await;
    let target = location(&followed);
    assert!(
        target.starts_with(&format!("/onenote/groups/{group}/pages/")),
        "{target}"
    );
    let lecture = user.get(&app.url(&target)).await.text().await.unwrap();
    assert!(lecture.contains("Lecture 1: Motion"));
    let md = user
        .get(&app.url(&format!("/onenote/groups/{group}/pages/{page}.md")))
        .await;
    assert_eq!(md.status(), StatusCode::OK);
    assert!(
        md.text()
            .await
            .unwrap()
            .contains("Homework is due on Fridays")
    );

    // The site's notebook, by the same way.
    let site_sections = links(&index, "/onenote/sites/", '"');
    let experiments = site_sections
        .iter()
        .find(|s| index.contains(&format!("{s}\">Experiments<")))
        .expect("the site's Experiments section");
    let listing = user
        .get(&app.url(&format!("/onenote/sites/{experiments}")))
        .await
        .text()
        .await
        .unwrap();
    let site = experiments.split('/').next().unwrap();
    let page = link_to(
        &listing,
        &format!("/onenote/sites/{site}/pages/"),
        "Spectrometer calibration",
    )
    .expect("the calibration page");
    let view = user
        .get(&app.url(&format!("/onenote/sites/{site}/pages/{page}")))
        .await
        .text()
        .await
        .unwrap();
    assert!(view.contains("Wavelengths checked against the neon lamp"));
}

#[tokio::test]
async fn a_non_member_sees_neither_and_cannot_open_them_by_id() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let ada = User::new();
    let index = signed_in_with_shared(&app, &ada, ADA).await;
    let section = links(&index, "/onenote/groups/", '"')
        .into_iter()
        .next()
        .expect("a team section");
    let group = section.split('/').next().unwrap().to_string();
    let listing = ada
        .get(&app.url(&format!("/onenote/groups/{section}")))
        .await
        .text()
        .await
        .unwrap();
    let page = links(&listing, &format!("/onenote/groups/{group}/pages/"), '"')
        .into_iter()
        .next()
        .expect("a team page");
    let site_section = links(&index, "/onenote/sites/", '"')
        .into_iter()
        .next()
        .expect("a site section");

    let alan = User::new();
    let his = signed_in_with_shared(&app, &alan, "alan@contoso.example").await;
    assert!(!his.contains("Physics 101"), "Alan is in no team");
    assert!(!his.contains("Lab Notebook"));
    assert!(his.contains("None of your groups or teams has a notebook."));
    let since = emu.log_position().await;
    for path in [
        format!("/onenote/groups/{group}/pages/{page}"),
        format!("/onenote/groups/{group}/pages/{page}.md"),
        format!("/onenote/groups/{section}"),
        format!("/onenote/sites/{site_section}"),
    ] {
        let refused = alan.get(&app.url(&path)).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let refusals: Vec<u64> = emu
        .log_since(since)
        .await
        .iter()
        .filter(|e| {
            let path = e["path"].as_str().unwrap_or("");
            path.starts_with("/v1.0/groups/") || path.starts_with("/v1.0/sites/")
        })
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(
        refusals,
        [403, 403, 403, 403],
        "Graph refused each, the app said 404"
    );
    // Ids that cannot be a group's or a site's never reach Graph.
    let since = emu.log_position().await;
    for bad in [
        "not-a-guid",
        "6f1a2b3c-4d5e-4f60-8172",
        "contoso.sharepoint.com,x,y",
    ] {
        let response = alan
            .get(&app.url(&format!("/onenote/groups/{bad}/pages/1-abc")))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad}");
        let response = alan
            .get(&app.url(&format!("/onenote/sites/{bad}/pages/1-abc")))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(emu.log_since(since).await, Vec::<serde_json::Value>::new());
}

/// `/onenote` for `user`, who has not got the shared permission: her own notebooks are there.
async fn own_notebooks_still_work(app: &TestApp, user: &User) -> String {
    let index = user.get(&app.url("/onenote")).await;
    assert_eq!(index.status(), StatusCode::OK);
    let index = index.text().await.unwrap();
    assert!(
        index.contains("Quick Notes"),
        "her own notebooks still work"
    );
    index
}

#[tokio::test]
async fn refusing_the_permission_keeps_the_users_own_notebooks() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let refused = ada
        .sign_in_answering(&app, "/onenote/shared", ADA, false)
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Permission not given"), "{page}");
    let index = own_notebooks_still_work(&app, &ada).await;
    assert!(!index.contains("Physics 101"));
    for named in ["Notes.Read.All", "Sites.Read.All", "administrator"] {
        assert!(index.contains(named), "the shared part names {named}");
    }
}

#[tokio::test]
async fn a_tenant_that_needs_an_administrator_gets_the_admin_consent_page() {
    let mut seed = emulator::seed::builtin();
    seed.tenants[0].admin_approval_required = vec!["Notes.Read.All".into()];
    let emu = TestEmulator::start_with(seed, false).await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let refused = ada.sign_in_at(&app, "/onenote/shared", ADA).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page = refused.text().await.unwrap();
    assert!(page.contains("An administrator must approve"), "{page}");
    let index = own_notebooks_still_work(&app, &ada).await;
    assert!(index.contains("ask your administrator"));
    assert!(!index.contains("Physics 101"));
}

#[tokio::test]
async fn team_pages_and_own_pages_share_the_users_onenote_allowance() {
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let per_hour = 20;
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("ONENOTE_PER_MINUTE".into(), "1000".into());
        env.insert("ONENOTE_PER_HOUR".into(), per_hour.to_string());
        env.insert("ONENOTE_WAIT_SECONDS".into(), "1".into());
    })
    .await;
    let ada = User::new();
    let index = signed_in_with_shared(&app, &ada, ADA).await;
    let team_section = links(&index, "/onenote/groups/", '"')
        .into_iter()
        .next()
        .expect("a team section");
    let own_section = links(&index, "/onenote/sections/", '"')
        .into_iter()
        .next()
        .expect("one of her sections");
    // Team and own listings, one after the other, until graphnote holds one back.
    let mut views = 0;
    loop {
        let path = if views % 2 == 0 {
            format!("/onenote/groups/{team_section}")
        } else {
            format!("/onenote/sections/{own_section}")
        };
        let answer = ada.get(&app.url(&path)).await;
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            let page = answer.text().await.unwrap();
            assert!(page.contains("Keeping to OneNote&#39;s limit"), "{page}");
            break;
        }
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        views += 1;
        assert!(views < 40, "the hour's allowance never ran out");
    }
    let calls = emu
        .log_since(0)
        .await
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/onenote/"))
        .count();
    assert_eq!(
        calls, per_hour,
        "own and team calls counted together, up to the hour's {per_hour}"
    );
    assert!(
        views >= 4,
        "both kinds were served before the limit: {views}"
    );
}

#[tokio::test]
async fn once_the_limit_holds_a_place_back_the_rest_are_not_asked_for() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    // Her own tree and one group's fit in the hour; the team's is held back.
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("ONENOTE_PER_HOUR".into(), "2".into());
        env.insert("ONENOTE_WAIT_SECONDS".into(), "1".into());
    })
    .await;
    let ada = User::new();
    let since = emu.log_position().await;
    let index = signed_in_with_shared(&app, &ada, ADA).await;
    assert!(
        index.contains("Quick Notes"),
        "her own notebooks are listed"
    );
    let team = index
        .split("Physics 101")
        .nth(1)
        .expect("the team is named");
    assert!(
        team.contains("OneNote&#39;s limit for your account is reached for now: reload"),
        "{team}"
    );
    let site = index.split("Research").nth(1).expect("the site is named");
    assert!(
        site.contains("Not listed, to save your OneNote allowance"),
        "{site}"
    );
    let onenote_calls = emu
        .log_since(since)
        .await
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/onenote/"))
        .count();
    assert_eq!(onenote_calls, 2);
}
