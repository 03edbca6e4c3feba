//! Hostile and malformed requests against Graph: every one gets a Graph-shaped 4xx, never a 5xx
//! and never a non-Graph body.

use crate::support::*;
use emulator::testing::TestEmulator;
use reqwest::Method;

#[tokio::test]
async fn hostile_requests_get_graph_shaped_4xx() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "User.Read Notes.ReadWrite").await);
    ada.admin(
        Method::PUT,
        "/limits",
        Some(serde_json::json!({"per_minute": 100000, "per_hour": 100000, "concurrent": 50})),
    )
    .await;
    let section = ada.json("/me/onenote/sections?$top=1").await["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let gets = [
        "/me/onenote/pages?$top=1000",
        "/me/onenote/pages?$top=-5",
        "/me/onenote/pages?$top=99999999999999999999",
        "/me/onenote/pages?$skip=abc",
        "/me/onenote/pages?$filter=",
        "/me/onenote/pages?$filter=((((((((((((((((((((((((((((((((((((((((title eq 'x'",
        "/me/onenote/pages?$filter=title eq 'x' and",
        "/me/onenote/pages?$filter=title%20eq%20%27%E2%80%AE%27%20or%201%20eq%201%20or%20%27",
        "/me/onenote/pages?$filter=substring(title,-5,-3) eq 'x'",
        "/me/onenote/pages?$filter=length(1) eq 1",
        "/me/onenote/pages?$filter=title eq 1e999",
        "/me/onenote/pages?$orderby=title sideways",
        "/me/onenote/pages?$orderby=",
        "/me/onenote/pages?$select=../../etc",
        "/me/onenote/pages?$expand=parentSection($expand=parentNotebook($expand=sections))",
        "/me/onenote/notebooks?$expand=sectionGroups($levels=99999999999)",
        "/me/onenote/notebooks?$expand=((((",
        "/me/onenote/pages?$count=yes",
        "/me/onenote/pages?$search=secret",
        "/me/onenote/pages?$apply=groupby(title)",
        "/me/onenote/pages?$top=1&$top=2",
        "/me/onenote/notebooks?pagelevel=true",
        "/me/onenote/pages/1-deadbeef",
        "/me/onenote/pages/1-deadbeef!1-deadbeef/content",
        "/me/onenote/pages/%2e%2e%2f%2e%2e/content",
        "/me/onenote/pages/'; DROP TABLE pages;--",
        "/me/onenote/pages('1-x')/content",
        "/me/onenote/resources/1-00000000000000000000000000000000!1-00000000-0000-0000-0000-000000000000/$value",
        "/me/onenote/resources/%00/$value",
        "/me/onenote/resources",
        "/me/onenote/notebooks/1-0/sections",
        "/me/onenote/sectionGroups/1-0/sectionGroups",
        "/me/onenote/unknown",
        "/me/onenote",
        "/me/onenote/pages/1-a/content/extra/segments",
        "/me/frobnicate",
        "/groups/x/onenote/notebooks",
        "/users",
        "/users/nobody@nowhere.example",
        "/users('')/onenote/notebooks",
        "/users(')/onenote/notebooks",
        "/me/photo/$value/extra",
        "/%ff%fe",
        "",
    ];
    let mut checked = 0;
    let mut refused = 0;
    for path in gets {
        let answer = ada.get(path).await;
        assert!(answer.status < 500, "{path}: {}", answer.status);
        if answer.status >= 400 {
            answer.error_code();
            refused += 1;
        }
        checked += 1;
    }
    // Only the odd-but-valid substring() filter is answered normally.
    assert_eq!(refused, gets.len() - 1);

    // Wrong methods, with Allow.
    for (method, path) in [
        (Method::DELETE, "/me"),
        (Method::PUT, "/me/onenote/notebooks"),
        (
            Method::PATCH,
            format!("/me/onenote/sections/{section}/pages").leak() as &str,
        ),
        (Method::DELETE, "/me/onenote/pages"),
        (Method::POST, "/me/photo/$value"),
    ] {
        let answer = ada
            .send(ada.http.request(method.clone(), ada.url(path)))
            .await;
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(answer.error_code(), "BadRequest");
        assert!(answer.header("allow").is_some());
        checked += 1;
    }

    // Hostile POST bodies.
    let pages = ada.url(&format!("/me/onenote/sections/{section}/pages"));
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("text/html", vec![0xff, 0xfe, 0x00]),
        ("text/html", b"   ".to_vec()),
        ("text/html", format!("<html><body>{}</body></html>", "<div>".repeat(5000)).into_bytes()),
        ("text/html", b"<img src=\"data:image/png;base64,!!!!\" />".to_vec()),
        ("text/html", b"<html><head><meta name=\"created\" content=\"yesterday\"></head></html>".to_vec()),
        ("text/html", b"<p data-tag=\"idea:completed\">x</p>".to_vec()),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"Presentation\"\r\nContent-Type: text/html\r\n\r\n<p>a</p>\r\n--b\r\nContent-Disposition: form-data; name=\"Presentation\"\r\nContent-Type: text/html\r\n\r\n<p>b</p>\r\n--b--\r\n".to_vec()),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"Presentation\"\r\nContent-Type: image/png\r\n\r\nxx\r\n--b--\r\n".to_vec()),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"Presentation\"\r\nContent-Type: text/html\r\n\r\n<img src=\"name:x\"/>\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n2\r\n--b--\r\n".to_vec()),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"Presentation\"\r\n\r\nunterminated".to_vec()),
        ("multipart/form-data; boundary=", b"".to_vec()),
        ("multipart/form-data", b"--x\r\n\r\n".to_vec()),
        ("text/plain", b"hello".to_vec()),
        ("", b"<p>x</p>".to_vec()),
        ("text/html", vec![b'x'; 10 * 1024 * 1024 + 1]),
    ];
    for (content_type, body) in bodies {
        let mut request = ada.http.post(&pages).body(body);
        if !content_type.is_empty() {
            request = request.header("content-type", content_type);
        }
        let answer = ada.send(request).await;
        assert!(
            (400..500).contains(&answer.status) || answer.status == 201,
            "{content_type}: {} {}",
            answer.status,
            answer.text()
        );
        if answer.status != 201 {
            answer.error_code();
        }
        checked += 1;
    }

    // Hostile headers.
    for auth in [
        "Bearer",
        "Bearer ....",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "bearer \u{7f}",
    ] {
        let response = ada
            .http
            .get(ada.url("/me/onenote/pages"))
            .header("authorization", auth.replace('\u{7f}', "x"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        checked += 1;
    }
    let weird_id = ada
        .send(
            ada.http
                .get(ada.url("/me"))
                .header("client-request-id", "\"><script>"),
        )
        .await;
    assert_ne!(
        weird_id.header("client-request-id").as_deref(),
        Some("\"><script>")
    );
    assert!(checked > 60, "{checked}");
}
