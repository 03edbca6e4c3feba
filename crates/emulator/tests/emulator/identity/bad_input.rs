//! Bad input at every endpoint: always a 4xx, never a 5xx.

use super::*;

#[tokio::test]
async fn bad_input_at_every_endpoint_is_a_4xx_never_a_5xx() {
    let emu = TestEmulator::start().await;
    let b = &emu.base_url;
    let huge = "x".repeat(3 * 1024 * 1024);
    let requests: Vec<(Method, String, Option<String>)> = vec![
        (Method::GET, format!("{b}/common/oauth2/v2.0/token"), None),
        (
            Method::DELETE,
            format!("{b}/common/oauth2/v2.0/authorize"),
            None,
        ),
        (
            Method::PUT,
            format!("{b}/common/v2.0/.well-known/openid-configuration"),
            None,
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some(huge.clone()),
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some("%%%&&&===".into()),
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some(
                "grant_type=refresh_token&client_id=x&refresh_token=eyJhbGciOiJub25lIn0.e30."
                    .into(),
            ),
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/token"),
            Some(String::from_utf8_lossy(&[0xff, 0xfe, 0x00]).into_owned()),
        ),
        (
            Method::POST,
            format!("{b}/{}/oauth2/v2.0/token", "a".repeat(5000)),
            Some("grant_type=x".into()),
        ),
        (
            Method::GET,
            format!("{b}/common/oauth2/v2.0/authorize?client_id=%00&redirect_uri=%ff"),
            None,
        ),
        (
            Method::GET,
            format!("{b}/common/oauth2/v2.0/authorize?{}", "a=b&".repeat(2000)),
            None,
        ),
        (
            Method::POST,
            format!("{b}/common/oauth2/v2.0/authorize"),
            Some(huge),
        ),
        (
            Method::POST,
            format!("{b}/common/login"),
            Some("ticket=nope&username=a&password=b".into()),
        ),
        (
            Method::POST,
            format!("{b}/common/consent"),
            Some("ticket=nope&consent=accept".into()),
        ),
        (
            Method::GET,
            format!("{b}/nowhere.example/discovery/v2.0/keys"),
            None,
        ),
        (
            Method::GET,
            format!("{b}/common/discovery/instance?api-version=9&authorization_endpoint=::"),
            None,
        ),
        (Method::GET, format!("{b}/definitely/not/a/path"), None),
    ];
    for (method, url, body) in requests {
        let mut request = http().request(method.clone(), &url);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
        }
        let r = request.send().await.unwrap();
        let status = r.status();
        assert!(status.is_client_error(), "{method} {:.80}: {status}", url);
        let text = r.text().await.unwrap();
        assert!(
            text.contains("AADSTS") || text.contains("error"),
            "Entra-shaped: {method} {:.80}: {text:.200}",
            url
        );
    }
    // Sign-out with garbage hints still signs out, and goes nowhere it was not allowed to.
    for query in [
        "id_token_hint=not.a.jwt&post_logout_redirect_uri=javascript:alert(1)",
        "id_token_hint=eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.e30.c2ln&post_logout_redirect_uri=http://127.0.0.1/",
    ] {
        let r = http()
            .get(format!("{b}/common/oauth2/v2.0/logout?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        assert!(r.headers().get("location").is_none(), "{query}");
    }
}
