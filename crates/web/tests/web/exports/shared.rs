//! Exports of notebooks that are not the user's own: "everything you can reach" puts the
//! user's notebooks and each team's and site's under their own top folders with links resolved
//! within them; two members of a team get the same files for its notebook, and neither sees
//! the other's export; a shared export is asked for only with the shared permission.

use super::*;

const ADA: &str = "ada@contoso.example";
const GRACE: &str = "grace@contoso.example";

/// The markdown of the page under `folder` whose front matter names `title`, with its path.
fn page_titled<'a>(
    files: &'a BTreeMap<String, Vec<u8>>,
    folder: &str,
    title: &str,
) -> (&'a str, String) {
    let wanted = format!("title: \"{title}\"");
    files
        .iter()
        .filter(|(path, _)| path.starts_with(folder) && path.ends_with(".md"))
        .map(|(path, bytes)| (path.as_str(), String::from_utf8_lossy(bytes).into_owned()))
        .find(|(_, text)| text.contains(&wanted) || text.contains(&format!("title: {title}\n")))
        .unwrap_or_else(|| panic!("no page titled {title} in {folder}"))
}

/// Every relative link of the page at `path` names a file of the vault.
fn links_resolve(files: &BTreeMap<String, Vec<u8>>, path: &str, markdown: &str) -> usize {
    let folder = path.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
    let links = relative_links(markdown);
    for link in &links {
        let decoded = percent_encoding::percent_decode_str(link).decode_utf8_lossy();
        let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
        for step in decoded.split('/') {
            match step {
                ".." => {
                    parts.pop();
                }
                "." | "" => {}
                other => parts.push(other),
            }
        }
        let target = parts.join("/");
        assert!(
            files.contains_key(&target),
            "{path} links to {link}: not in the vault"
        );
    }
    links.len()
}

#[tokio::test]
async fn everything_holds_own_team_and_site_notebooks_under_their_own_folders() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;

    // Without the shared permission, an export of everything asks for it first.
    let index = ada.get(&app.url("/onenote")).await.text().await.unwrap();
    let refused = ada
        .browser
        .client
        .post(app.url("/onenote/exports"))
        .form(&[("scope", "everything"), ("csrf", &csrf_token(&index))])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&refused),
        "/login?next=%2Fonenote%2Fshared&consent=shared"
    );

    let index = ada.allow_shared_notebooks(&app, ADA).await;
    assert!(index.contains("id=\"export-everything\""));
    let id = start_export(&ada, &app, "everything", None).await;
    let done = wait_for(&ada, &app, &id, &["done"]).await;
    assert_eq!(done["label"], "Everything you can reach");
    let files = download(&ada, &app, &id).await;

    let tops: std::collections::BTreeSet<&str> = files
        .keys()
        .filter_map(|path| path.split('/').next())
        .collect();
    assert_eq!(
        tops,
        ["Physics 101", "Research", "Your notebooks", "_export"].into(),
        "one top folder per place"
    );
    assert!(
        files
            .keys()
            .any(|p| p.starts_with("Your notebooks/Ada's Notebook/Quick Notes/"))
    );
    let (welcome, markdown) = page_titled(&files, "Physics 101/", "Welcome");
    assert!(
        welcome.starts_with("Physics 101/Physics 101 Notebook/_Welcome/"),
        "{welcome}"
    );
    assert!(markdown.contains("Homework is due on Fridays"));
    assert_eq!(
        links_resolve(&files, welcome, &markdown),
        1,
        "the link to Lecture 1"
    );
    let (homework, markdown) = page_titled(&files, "Physics 101/", "Grace's homework 1");
    assert!(
        homework.starts_with("Physics 101/Physics 101 Notebook/Students/Grace/Homework/"),
        "{homework}"
    );
    assert_eq!(links_resolve(&files, homework, &markdown), 1);
    let (calibration, markdown) = page_titled(&files, "Research/", "Spectrometer calibration");
    assert!(
        calibration.starts_with("Research/Lab Notebook/Experiments/"),
        "{calibration}"
    );
    assert_eq!(
        links_resolve(&files, calibration, &markdown),
        1,
        "the link to the results log"
    );
    // Every page of the team's notebook is there once.
    let lectures = files
        .keys()
        .filter(|p| {
            p.starts_with("Physics 101/Physics 101 Notebook/_Content Library/Lectures/Lecture ")
        })
        .count();
    assert_eq!(lectures, 12);
    let discussion = files
        .keys()
        .filter(|p| {
            p.starts_with("Physics 101/Physics 101 Notebook/_Collaboration Space/Class discussion/")
                && p.ends_with(".md")
                && !p.ends_with("/index.md")
        })
        .count();
    assert_eq!(discussion, 30);
}

/// The notebook id and location (`group:{id}`) of the first group notebook's Export form on
/// `/onenote`.
fn first_group_notebook(index: &str) -> (String, String) {
    let at = index
        .find("name=\"location\" value=\"group:")
        .expect("a group notebook's export form");
    let before = &index[..at];
    let id_at = before.rfind("name=\"id\" value=\"").unwrap() + "name=\"id\" value=\"".len();
    let notebook = before[id_at..].split('"').next().unwrap().to_string();
    let location = attribute_after(&index[at..], "name=\"location\" value=\"").unwrap();
    (notebook, location)
}

#[tokio::test]
async fn two_members_get_the_same_files_and_neither_sees_the_others_export() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let mut vaults = Vec::new();
    let mut exports = Vec::new();
    let mut users = Vec::new();
    for upn in [ADA, GRACE] {
        let user = User::new();
        user.sign_in_for_onenote(&app, upn).await;
        let index = user.allow_shared_notebooks(&app, upn).await;
        let (notebook, location) = first_group_notebook(&index);
        let form = [
            ("scope", "notebook".to_string()),
            ("id", notebook),
            ("location", location),
            ("name", "Physics 101 Notebook".into()),
            ("csrf", csrf_token(&index)),
        ];
        let id = post_start(&user, &app, &form).await;
        wait_for(&user, &app, &id, &["done"]).await;
        let files: BTreeMap<String, Vec<u8>> = download(&user, &app, &id)
            .await
            .into_iter()
            .filter(|(path, _)| !path.starts_with("_export/"))
            .collect();
        assert!(
            files.keys().all(|p| p.starts_with("Physics 101 Notebook/")),
            "{:?}",
            files.keys()
        );
        assert!(files.len() > 50, "{}", files.len());
        vaults.push(files);
        exports.push(id);
        users.push(user);
    }
    assert_eq!(vaults[0], vaults[1], "the same files, byte for byte");
    for (user, other) in [(&users[0], &exports[1]), (&users[1], &exports[0])] {
        for path in [
            format!("/onenote/exports/{other}"),
            format!("/onenote/exports/{other}.zip"),
        ] {
            assert_eq!(
                user.get(&app.url(&path)).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
    // A group id that cannot be one is the user's mistake, told as such.
    let index = users[0]
        .get(&app.url("/onenote"))
        .await
        .text()
        .await
        .unwrap();
    let bad = users[0]
        .browser
        .client
        .post(app.url("/onenote/exports"))
        .form(&[
            ("scope", "notebook"),
            ("id", "1-abc"),
            ("location", "group:../me"),
            ("csrf", &csrf_token(&index)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// Ada, with the shared permission, starts an export of everything whose first listing of
/// the site gets `answer`; returns the export and where the emulator's log stood.
async fn everything_with_the_site_failing_once(
    emu: &TestEmulator,
    app: &TestApp,
    ada: &User,
    answer: Value,
) -> (String, u64) {
    ada.sign_in_for_onenote(app, ADA).await;
    let index = ada.allow_shared_notebooks(app, ADA).await;
    // Armed after /onenote was shown (which lists the site's notebooks too).
    emu.call_admin(
        Method::POST,
        "/faults",
        json!({"path": "/v1.0/sites/", "count": 1, "answer": answer}),
    )
    .await;
    let since = emu.log_position().await;
    let form = [
        ("scope", "everything".to_string()),
        ("csrf", csrf_token(&index)),
    ];
    (post_start(ada, app, &form).await, since)
}

#[tokio::test]
async fn a_site_onenote_will_not_list_is_left_out_with_the_reason_and_the_rest_exported() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let ada = User::new();
    let answer = json!({"kind": "graph_error", "status": 403, "code": "10008",
                        "message": "raw words from Graph"});
    let (id, _) = everything_with_the_site_failing_once(&emu, &app, &ada, answer).await;
    let done = wait_for(&ada, &app, &id, &["done"]).await;
    let skipped = done["skipped"].as_array().unwrap();
    let research: Vec<&Value> = skipped
        .iter()
        .filter(|s| s["kind"] == "notebooks")
        .collect();
    assert_eq!(research.len(), 1, "{skipped:?}");
    assert_eq!(research[0]["name"], "Research");
    assert!(
        research[0]["reason"]
            .as_str()
            .unwrap()
            .contains("more than 5,000 items"),
        "{research:?}"
    );
    let files = download(&ada, &app, &id).await;
    assert!(files.keys().any(|p| p.starts_with("Physics 101/")));
    assert!(!files.keys().any(|p| p.starts_with("Research/")));
    let report = String::from_utf8_lossy(&files["_export/report.md"]).into_owned();
    assert!(report.contains("Research"), "{report}");
}

#[tokio::test]
async fn a_listing_stopped_by_the_limit_goes_on_where_it_stopped() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let ada = User::new();
    // The site's listing is throttled once, after her own and the team's were listed.
    let answer = json!({"kind": "status", "status": 429});
    let (id, since) = everything_with_the_site_failing_once(&emu, &app, &ada, answer).await;
    wait_for(&ada, &app, &id, &["done"]).await;
    let listings = |prefix: &'static str| {
        let log = emu.log_since(since);
        async move {
            log.await
                .iter()
                .filter(|e| {
                    let path = e["path"].as_str().unwrap_or("");
                    path.starts_with(prefix) && path.ends_with("/onenote/notebooks")
                })
                .map(|e| e["status"].as_u64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listings("/v1.0/sites/").await,
        [429, 200],
        "the site, again"
    );
    assert_eq!(listings("/v1.0/me/").await, [200], "her own, once");
    assert_eq!(
        listings("/v1.0/groups/").await.len(),
        2,
        "each group once (the team and the book club)"
    );
    let files = download(&ada, &app, &id).await;
    assert!(
        files
            .keys()
            .any(|p| p.starts_with("Research/Lab Notebook/"))
    );
}
