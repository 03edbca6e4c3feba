//! Team and site notebooks in a real browser: the shared part of `/onenote` asks for its
//! permission only when opened, then shows the team's and the site's notebooks, whose pages
//! open by clicking; a non-member sees neither and gets "Page not found" for a team page's
//! address.

use super::*;

#[tokio::test]
async fn a_member_opens_the_shared_part_and_reads_a_team_page() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let chrome = Chrome::start("shared-notebooks").await;
    chrome.goto(&app.url("/onenote")).await;
    chrome
        .sign_in_through_forms(&app.base_url, ADA, DEMO_PASSWORD)
        .await;
    chrome
        .wait_for_page(&app.url("/onenote"), "#show-shared")
        .await;
    assert!(!chrome.body_text().await.contains("Physics 101"));
    chrome.screenshot("shared-not-yet-allowed").await;

    // Opening the shared part asks for its permission, and comes back to it.
    let show = chrome.wait_for("#show-shared").await;
    chrome.click_and_leave(&show).await;
    let pages = chrome
        .sign_in_through_forms(&app.url("/onenote"), ADA, DEMO_PASSWORD)
        .await;
    assert_eq!(pages, ["consent"], "only the new permission is asked for");
    chrome.wait_for(".group-place").await;
    let places: Vec<String> = chrome
        .js("return [...document.querySelectorAll('.place-name')].map(e => e.textContent)")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        places.iter().any(|p| p.starts_with("Physics 101")),
        "{places:?}"
    );
    assert!(places.iter().any(|p| p == "Research"), "{places:?}");
    chrome.screenshot("shared-notebooks").await;

    // A team section and page, by clicking.
    let section = chrome
        .wait_for(".group-place a.section[href*='/onenote/groups/']")
        .await;
    chrome.click_and_leave(&section).await;
    let page = chrome.wait_for("#pages a").await;
    let team_page = page.attr("href").await.unwrap().unwrap();
    chrome.click_and_leave(&page).await;
    chrome.wait_for("#page-body").await;
    assert!(
        chrome
            .body_text()
            .await
            .contains("Homework is due on Fridays")
    );
    chrome.screenshot("team-page").await;
    chrome.quit().await;

    // Alan is in neither: nothing listed, and the team page's address is not found.
    let chrome = Chrome::start("shared-notebooks-non-member").await;
    chrome.goto(&app.url("/onenote/shared")).await;
    chrome
        .sign_in_through_forms(&app.url("/onenote"), "alan@contoso.example", DEMO_PASSWORD)
        .await;
    chrome.wait_for("#shared").await;
    let text = chrome.body_text().await;
    assert!(
        text.contains("None of your groups or teams has a notebook."),
        "{text}"
    );
    assert!(!text.contains("Physics 101"));
    chrome.goto(&format!("{}{team_page}", app.base_url)).await;
    let text = chrome.body_text().await;
    assert!(text.contains("Page not found"), "{text}");
    chrome.screenshot("team-page-non-member").await;
    chrome.quit().await;
}
