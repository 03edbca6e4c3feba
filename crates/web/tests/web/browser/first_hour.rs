//! What a newcomer meets in the viewer, in a real browser: equations drawn from MathML, links
//! between pages that open the linked page, attachments saved under their own name and type,
//! subpages indented, and a button pressed after the session ended that lands on a page of the
//! app's, whose sign-in comes back to where the person was.

use super::*;

/// Ada's page with this title, from the emulator's own list.
async fn page_titled(emu: &TestEmulator, title: &str) -> serde_json::Value {
    let listed: serde_json::Value = reqwest::get(emu.admin(&format!("/onenote/{ADA}/pages")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == title)
        .unwrap_or_else(|| panic!("no seeded page {title:?}"))
        .clone()
}

/// Signs Ada in (with the consent for OneNote) in a new browser, at `/onenote`.
async fn ada_in_onenote(app: &TestApp, name: &str) -> Chrome {
    let chrome = Chrome::start(name).await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "section.notebook")
        .await;
    chrome
}

#[tokio::test]
async fn the_viewer_draws_equations_follows_links_and_names_attachments() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = ada_in_onenote(&app, "first-hour-viewer").await;

    // Equations: MathML in the DOM, in MathML's namespace, drawn with a real size.
    let equations = page_titled(&emu, "Equations").await;
    chrome
        .goto(&app.url(&format!(
            "/onenote/pages/{}",
            equations["id"].as_str().unwrap()
        )))
        .await;
    chrome.wait_for("#page-body math").await;
    let drawn = chrome
        .js(
            "return Array.from(document.querySelectorAll('#page-body math')).map(m => { \
               const r = m.getBoundingClientRect(); \
               return {ns: m.namespaceURI, width: r.width, height: r.height, \
                       fractions: m.querySelectorAll('mfrac').length}; })",
        )
        .await;
    let drawn = drawn.as_array().unwrap();
    assert_eq!(drawn.len(), 3, "three equations: {drawn:?}");
    for equation in drawn {
        assert_eq!(equation["ns"], "http://www.w3.org/1998/Math/MathML");
        assert!(
            equation["width"].as_f64().unwrap() > 20.0
                && equation["height"].as_f64().unwrap() > 10.0,
            "an equation is not drawn: {equation}"
        );
    }
    assert_eq!(drawn[0]["fractions"], 1, "the quadratic formula's fraction");
    chrome.screenshot("equations").await;

    // A link between pages: the `onenote:` link to "Tables" opens the Tables page.
    let links = page_titled(&emu, "Links between pages").await;
    chrome
        .goto(&app.url(&format!("/onenote/pages/{}", links["id"].as_str().unwrap())))
        .await;
    let link = chrome
        .wait_for("#page-body a[href*='/onenote/links?']")
        .await;
    assert_eq!(link.text().await.unwrap(), "Tables");
    chrome.screenshot("links").await;
    chrome.click_and_leave(&link).await;
    let tables = page_titled(&emu, "Tables").await;
    chrome
        .wait_for_page(
            &app.url(&format!(
                "/onenote/pages/{}",
                tables["id"].as_str().unwrap()
            )),
            "#page-title",
        )
        .await;
    assert_eq!(
        chrome.wait_for("#page-title").await.text().await.unwrap(),
        "Tables"
    );

    // Attachments: saved under their own name, with their type.
    let attachments = page_titled(&emu, "Attachments").await;
    chrome
        .goto(&app.url(&format!(
            "/onenote/pages/{}",
            attachments["id"].as_str().unwrap()
        )))
        .await;
    let report = chrome
        .wait_for("#page-body a[href*='name=report.pdf']")
        .await;
    let headers = chrome
        .js(
            "return fetch(document.querySelector(\"#page-body a[href*='name=report.pdf']\").href) \
               .then(r => [r.headers.get('content-type'), r.headers.get('content-disposition')]);",
        )
        .await;
    assert_eq!(headers[0], "application/pdf", "{headers}");
    assert!(
        headers[1]
            .as_str()
            .unwrap()
            .contains("filename*=UTF-8''report%2Epdf"),
        "{headers}"
    );
    report.click().await.unwrap();
    let saved = chrome.wait_for_download(".pdf").await;
    assert_eq!(saved.file_name().unwrap(), "report.pdf");
    assert!(std::fs::read(&saved).unwrap().starts_with(b"%PDF"));
    chrome.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn subpages_are_indented_in_a_sections_list() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = ada_in_onenote(&app, "first-hour-subpages").await;
    let subpage = page_titled(&emu, "Room booking").await;
    chrome
        .goto(&app.url(&format!(
            "/onenote/sections/{}",
            subpage["section"]["id"].as_str().unwrap()
        )))
        .await;
    chrome.wait_for("#pages td.level-2").await;
    let padding = chrome
        .js("const p = l => parseFloat(getComputedStyle(document.querySelector('#pages td.level-' + l)).paddingLeft); \
             return [p(0), p(1), p(2)];")
        .await;
    let padding: Vec<f64> = padding
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap())
        .collect();
    assert!(
        padding[0] + 12.0 <= padding[1] && padding[1] + 12.0 <= padding[2],
        "each level is indented further: {padding:?}"
    );
    chrome.screenshot("subpages").await;
    chrome.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_button_pressed_after_the_session_ended_lands_on_sign_in_and_comes_back() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = ada_in_onenote(&app, "first-hour-ended").await;
    // Signed out elsewhere (another tab): the session is gone, this page still shows.
    chrome
        .js("return fetch('/logout', {redirect: 'manual'}).then(r => r.type);")
        .await;
    let export = chrome.wait_for("button.export-notebook").await;
    chrome.click_and_leave(&export).await;
    let heading = chrome.wait_for("h1").await.text().await.unwrap();
    assert_eq!(
        heading,
        "Your session has ended",
        "{}",
        chrome.body_text().await
    );
    chrome.screenshot("session-ended").await;
    let again = chrome.wait_for("a.button.primary").await;
    chrome.click_and_leave(&again).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    // Back on the page the button was on, signed in, able to press it again.
    chrome
        .wait_for_page(&app.url("/onenote"), "button.export-notebook")
        .await;
    assert_eq!(chrome.url().await, app.url("/onenote"));
    chrome.quit().await;
    app.stop().await;
}
