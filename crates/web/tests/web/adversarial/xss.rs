//! Script through every name a user controls and through error messages: always shown as text.

use super::*;

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
