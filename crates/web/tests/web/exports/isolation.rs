//! An export is its owner's alone, and follows their sign-in: nobody else can list, see,
//! follow, download, cancel, update or delete it (404, like an id that does not exist); a form
//! without the page's token is refused; signing out pauses a running export, signing in again
//! as the same account resumes it, and another account signing in on that browser sees none
//! of it.

use super::*;

#[tokio::test]
async fn an_export_is_its_owners_and_pauses_while_they_are_signed_out() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    // Slow enough to sign out in the middle.
    slow_pages(&emu, 20).await;
    let owner = User::new();
    owner.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;

    // A form without the page's token is refused, and starts nothing.
    let forged = owner
        .browser
        .client
        .post(app.url("/onenote/exports"))
        .form(&[("scope", "all"), ("csrf", &"0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let list = owner
        .get(&app.url("/onenote/exports"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains("class=\"export\""), "nothing was started");

    let id = start_export(&owner, &app, "notebook", Some(&notebook)).await;
    let running = wait_for(&owner, &app, &id, &["running"]).await;
    assert_eq!(running["state"], "running");

    // Someone else: every route answers 404, and their list is empty.
    let other = User::new();
    other.sign_in_for_onenote(&app, "ada@contoso.example").await;
    let other_page = other.get(&app.url("/onenote")).await.text().await.unwrap();
    let other_csrf = csrf_token(&other_page);
    for path in [
        format!("/onenote/exports/{id}"),
        format!("/onenote/exports/{id}.zip"),
        format!("/onenote/exports/{id}/events"),
    ] {
        let answer = other.get(&app.url(&path)).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for action in ["cancel", "update", "delete"] {
        let answer = other
            .browser
            .client
            .post(app.url(&format!("/onenote/exports/{id}/{action}")))
            .form(&[("csrf", other_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{action}");
    }
    let mut guessed = id.clone();
    guessed.replace_range(0..1, if id.starts_with('0') { "1" } else { "0" });
    assert_eq!(
        owner
            .get(&app.url(&format!("/onenote/exports/{guessed}")))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "a near miss of the id is no export"
    );
    let other_list = other
        .get(&app.url("/onenote/exports"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!other_list.contains(&id));
    assert_eq!(
        status(&owner, &app, &id).await["state"],
        "running",
        "nothing stopped it"
    );

    // Signing out pauses it, with the reason on its page.
    sign_out(&owner, &app).await;
    // The owner's view, read from the store as the app keeps it.
    let job = loop {
        let job = app.state.exports.store.get(&id).await.unwrap().unwrap();
        if job.state.as_str() == "waiting" {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(job.reason.unwrap().contains("signed out"));
    let done_when_paused = job.status.pages_done;
    assert!(
        done_when_paused < job.status.pages_total,
        "paused in the middle"
    );
    let since_pause = emu.log_position().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let fetched_while_paused = emu
        .log_since(since_pause)
        .await
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").ends_with("/content"))
        .count();
    assert_eq!(
        fetched_while_paused, 0,
        "nothing is fetched while the owner is signed out"
    );

    // Another account on the same browser sees none of it.
    owner.sign_in(&app, "ada@contoso.example").await;
    assert_eq!(
        owner
            .get(&app.url(&format!("/onenote/exports/{id}")))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.state
            .exports
            .store
            .get(&id)
            .await
            .unwrap()
            .unwrap()
            .state
            .as_str(),
        "waiting",
        "another account's sign-in does not resume it"
    );
    sign_out(&owner, &app).await;

    // The owner signs in again: it goes on, and finishes.
    owner.sign_in(&app, KATHERINE).await;
    let done = wait_for(&owner, &app, &id, &["done"]).await;
    assert!(done["pages_done"].as_u64().unwrap() > done_when_paused);
    app.stop().await;
}

#[tokio::test]
async fn a_front_channel_logout_pauses_the_export_too() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    slow_pages(&emu, 20).await;
    emu.call_admin(
        Method::PATCH,
        &format!("/clients/{}", emulator::seed::DEMO_CLIENT_ID),
        json!({"front_channel_logout_url": app.url("/signout-oidc")}),
    )
    .await;
    let owner = User::new();
    owner.sign_in_for_onenote(&app, KATHERINE).await;
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    let id = start_export(&owner, &app, "notebook", Some(&notebook)).await;
    while status(&owner, &app, &id).await["pages_done"].as_u64() < Some(1) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The user signs out at the provider (from another app, say): the provider's page calls
    // the app's front-channel logout in an iframe.
    let page = owner
        .get(&format!("{}/oauth2/v2.0/logout", emu.authority("common")))
        .await
        .text()
        .await
        .unwrap();
    let src = attribute_after(&page, "<iframe src=\"").expect("a front-channel iframe");
    assert_eq!(User::new().get(&src).await.status(), StatusCode::OK);
    let job = loop {
        let job = app.state.exports.store.get(&id).await.unwrap().unwrap();
        if job.state.as_str() == "waiting" {
            break job;
        }
        assert_eq!(job.state.as_str(), "running", "{job:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(job.reason.unwrap().contains("signed out"));
    assert!(
        job.status.pages_done < job.status.pages_total,
        "paused in the middle"
    );

    // A front-channel logout of some other provider session changes nothing.
    owner.sign_in(&app, KATHERINE).await;
    wait_for(&owner, &app, &id, &["running", "done"]).await;
    let stale = User::new()
        .get(&app.url("/signout-oidc?sid=not-this-one"))
        .await;
    assert_eq!(stale.status(), StatusCode::OK);
    let done = wait_for(&owner, &app, &id, &["done"]).await;
    assert_eq!(done["pages_done"], done["pages_total"]);
    app.stop().await;
}

/// Signs out of the app and of the provider, as the browser would by following the redirect.
async fn sign_out(user: &User, app: &TestApp) {
    let out = user.get(&app.url("/logout")).await;
    assert!(out.status().is_redirection());
    let provider = user.get(&location(&out)).await;
    assert!(provider.status().is_success() || provider.status().is_redirection());
}

#[tokio::test]
async fn the_job_store_holds_the_owners_sign_in_sealed() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = quick_app(&emu, &dir).await;
    let user = User::new();
    user.sign_in(&app, KATHERINE).await;
    let consented = user.sign_in_at(&app, "/onenote", KATHERINE).await;
    let cookie = set_cookie(&consented).expect("the consent sign-in sets a new cookie");
    let notebook = emu.notebook_id(KATHERINE, "Flight Research").await;
    let id = start_export(&user, &app, "notebook", Some(&notebook)).await;
    wait_for(&user, &app, &id, &["done"]).await;
    let owner = session_of(&app, &cookie)
        .await
        .user()
        .unwrap()
        .home_account_id
        .clone();
    let jobs = std::fs::read(dir.0.join("exports/jobs.sqlite3")).unwrap();
    let mut stored = jobs.clone();
    // The write-ahead log holds the latest writes until a checkpoint.
    stored.extend(std::fs::read(dir.0.join("exports/jobs.sqlite3-wal")).unwrap_or_default());
    assert!(
        app.state.exports.credentials.present(&owner).await.unwrap(),
        "the sign-in is kept while the export may need it"
    );
    assert_no_secrets_stored(&app, &cookie, &stored).await;
    app.stop().await;
}
