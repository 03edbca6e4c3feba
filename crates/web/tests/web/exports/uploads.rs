//! The upload of OneNote files, over HTTP: the form's token must come first and be right
//! before any byte is kept, only OneNote's kinds are taken, a signed-out upload ends on the
//! sign-in page's way back, and a refused upload leaves no folder behind.

use super::*;

/// A multipart body of `fields` (name, file name, bytes) in that order.
fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "graphnote-test-boundary-7d1e";
    let mut body = Vec::new();
    for (name, file, bytes) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts `fields` to the upload, from the app's own origin.
async fn upload(
    user: &User,
    app: &TestApp,
    fields: &[(&str, Option<&str>, &[u8])],
) -> reqwest::Response {
    let (content_type, body) = multipart(fields);
    user.browser
        .client
        .post(app.url("/onenote/exports/files"))
        .header("content-type", content_type)
        .header("origin", app.base_url.clone())
        .body(body)
        .send()
        .await
        .unwrap()
}

fn job_folders(app: &TestApp) -> usize {
    std::fs::read_dir(app.state.config.data_dir.join("exports"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count()
}

#[tokio::test]
async fn an_upload_is_refused_before_any_byte_is_kept_unless_its_form_is_right() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let user = User::new();
    user.sign_in(&app, KATHERINE).await;
    let page = user
        .get(&app.url("/onenote/exports"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Convert OneNote files"), "{page}");
    let token = csrf_token(&page);
    let section: &[u8] = b"not really a section, but never read in these cases";
    for (fields, status, says) in [
        (
            vec![("files", Some("Notes.one"), section.to_vec())],
            StatusCode::BAD_REQUEST,
            "token must come first",
        ),
        (
            vec![
                ("csrf", None, b"forged".to_vec()),
                ("files", Some("Notes.one"), section.to_vec()),
            ],
            StatusCode::FORBIDDEN,
            "",
        ),
        (
            vec![
                ("csrf", None, token.clone().into_bytes()),
                ("files", Some("page.html"), b"<html>".to_vec()),
            ],
            StatusCode::BAD_REQUEST,
            "only .one sections, .onepkg packages and .zip files",
        ),
        (
            vec![("csrf", None, token.clone().into_bytes())],
            StatusCode::BAD_REQUEST,
            "choose at least one file",
        ),
    ] {
        let fields: Vec<(&str, Option<&str>, &[u8])> = fields
            .iter()
            .map(|(n, f, b)| (*n, *f, b.as_slice()))
            .collect();
        let response = upload(&user, &app, &fields).await;
        assert_eq!(response.status(), status);
        let text = response.text().await.unwrap();
        assert!(text.contains(says), "{says:?} not in {text}");
        assert_eq!(job_folders(&app), 0, "a refused upload left a folder");
    }

    // Signed out: nothing kept, and the way back is the exports page.
    let stranger = User::new();
    let response = upload(
        &stranger,
        &app,
        &[("csrf", None, b"x"), ("files", Some("a.one"), section)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(job_folders(&app), 0);

    // A file that is no OneNote file is taken, and the job fails saying why.
    let response = upload(
        &user,
        &app,
        &[
            ("csrf", None, token.as_bytes()),
            ("files", Some("Notes.one"), section),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let job = location(&response);
    let deadline = Instant::now() + Duration::from_secs(30);
    let view = loop {
        let view: Value = user
            .browser
            .client
            .get(app.url(&job))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if view["state"] == "failed" {
            break view;
        }
        assert!(Instant::now() < deadline, "{view}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let reason = view["reason"].as_str().unwrap();
    assert!(reason.contains("Notes.one"), "{reason}");
    let data_dir = app.state.config.data_dir.display().to_string();
    assert!(
        !reason.contains(&data_dir),
        "the server's folders show: {reason}"
    );
    let folder = app
        .state
        .config
        .data_dir
        .join("exports")
        .join(job.rsplit('/').next().unwrap());
    assert!(
        !folder.join("uploads").exists(),
        "the upload was not deleted"
    );
    app.stop().await;
}
