//! `resource_id_from_url`: the web app fetches resources by the ids it returns, so anything that
//! is not plainly a Graph OneNote resource URL must give `None`.

use onenote_md::{ResourceUrlError, parse_resource_url, resource_id_from_url};

const PERSONAL_ID: &str = "0-f717b5fa5eaa454da7ecdf72a8c137fe!1-73DBAF9B7E5C4B4C!10456";
const WORK_ID: &str = "1-0a0b0c0d0e0f!1-8e7d6c5b-4a39-2817-0615-f4e3d2c1b0a9";

#[test]
fn accepts_every_spelling_graph_uses() {
    let urls = [
        format!("https://graph.microsoft.com/v1.0/me/onenote/resources/{PERSONAL_ID}/$value"),
        format!("https://graph.microsoft.com/v1.0/me/onenote/resources/{PERSONAL_ID}/content"),
        format!(
            "https://graph.microsoft.com/v1.0/users/ada@contoso.example/onenote/resources/{PERSONAL_ID}/$value"
        ),
        format!(
            "https://graph.microsoft.com/v1.0/users/6f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0/onenote/resources/{PERSONAL_ID}/$value"
        ),
        format!(
            "https://graph.microsoft.com/v1.0/users('ada@contoso.example')/onenote/resources/{PERSONAL_ID}/$value"
        ),
        format!("https://graph.microsoft.com/beta/me/onenote/resources/{PERSONAL_ID}/$value"),
        format!("HTTPS://GRAPH.MICROSOFT.COM/v1.0/me/OneNote/Resources/{PERSONAL_ID}/Content"),
        // The emulator, on loopback over plain HTTP.
        format!(
            "http://127.0.0.1:8443/v1.0/users('ada@contoso.example')/onenote/resources/{PERSONAL_ID}/$value"
        ),
        format!("https://[::1]:8443/v1.0/me/onenote/resources/{PERSONAL_ID}/$value"),
    ];
    for url in &urls {
        assert_eq!(
            resource_id_from_url(url).as_deref(),
            Some(PERSONAL_ID),
            "{url}"
        );
    }
    let work = format!("https://graph.microsoft.com/v1.0/me/onenote/resources/{WORK_ID}/$value");
    assert_eq!(resource_id_from_url(&work).as_deref(), Some(WORK_ID));
}

#[test]
fn rejects_path_traversal() {
    let traversals = [
        "https://graph.microsoft.com/v1.0/me/onenote/resources/../$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/./$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/../../me/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/x/../../../../admin/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/..%2F..%2Fadmin/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/%2E%2E/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/a%2Fb/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/a%252Fb/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/1-ab%211-cd/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/..\\..\\x/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/a\\..\\b/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources//$value",
        "https://graph.microsoft.com/v1.0/me//onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/users/../me/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/users/x%2F..%2Fy/onenote/resources/abc/$value",
    ];
    for url in traversals {
        assert_eq!(resource_id_from_url(url), None, "{url}");
    }
}

#[test]
fn rejects_other_urls() {
    let others = [
        "",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "/v1.0/me/onenote/resources/abc/$value",
        "//graph.microsoft.com/v1.0/me/onenote/resources/abc/$value",
        "ftp://graph.microsoft.com/v1.0/me/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/abc",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/abc/",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/abc/$value/extra",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/abc/$VALUE2",
        "https://graph.microsoft.com/v1.0/me/onenote/pages/abc/content",
        "https://graph.microsoft.com/v1.0/me/onenote/resources",
        "https://graph.microsoft.com/v2.0/me/onenote/resources/abc/$value",
        // A group's or site's resources are accepted (`groups/{id}`, `sites/{id}`); other roots
        // and a group path one level too deep are not.
        "https://graph.microsoft.com/v1.0/teams/g1/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/groups/g1/x/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/groups/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/users('')/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/abc/$value?redirect=https://evil.example",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/abc/$value#x",
        "https://graph.microsoft.com@evil.example/v1.0/me/onenote/resources/abc/$value",
        "https:///v1.0/me/onenote/resources/abc/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/a b/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/a\tb/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/a\u{0}b/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/ａｂｃ/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/abc;x=1/$value",
        "https://graph.microsoft.com/v1.0/me/onenote/resources/a'b/$value",
        " https://graph.microsoft.com/v1.0/me/onenote/resources/abc/$value",
    ];
    for url in others {
        assert_eq!(resource_id_from_url(url), None, "{url:?}");
    }
    let too_long = format!(
        "https://graph.microsoft.com/v1.0/me/onenote/resources/{}/$value",
        "a".repeat(201)
    );
    assert_eq!(resource_id_from_url(&too_long), None);
    let longest = format!(
        "https://graph.microsoft.com/v1.0/me/onenote/resources/{}/$value",
        "a".repeat(200)
    );
    assert!(resource_id_from_url(&longest).is_some());
}

#[test]
fn says_why_a_url_is_rejected() {
    let base = "https://graph.microsoft.com/v1.0/me/onenote/resources";
    assert_eq!(
        parse_resource_url("javascript:x"),
        Err(ResourceUrlError::NotHttp)
    );
    assert_eq!(
        parse_resource_url(&format!("{base}/a%2Fb/$value")),
        Err(ResourceUrlError::UnsafeCharacter)
    );
    assert_eq!(
        parse_resource_url(&format!("{base}/abc/$value?x")),
        Err(ResourceUrlError::QueryOrFragment)
    );
    assert_eq!(
        parse_resource_url(&format!("{base}/../$value")),
        Err(ResourceUrlError::NotAResourcePath)
    );
    assert_eq!(
        parse_resource_url(&format!("{base}/a;b/$value")),
        Err(ResourceUrlError::InvalidId)
    );
    assert!(
        ResourceUrlError::InvalidId
            .to_string()
            .contains("resource id")
    );
}
