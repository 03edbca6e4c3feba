//! What the browser must refuse: inline script under the CSP, hostile names as text, and a page that
//! frames the app.

use super::*;

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
