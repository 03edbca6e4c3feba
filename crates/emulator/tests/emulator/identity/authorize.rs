//! The authorize endpoint's errors: pages for what must never be redirected, and redirects back
//! to the client (with its state) for the rest.

use super::*;

#[tokio::test]
async fn authorize_errors_that_are_never_redirected_are_pages() {
    let emu = TestEmulator::start().await;
    let cases: Vec<(String, u32)> = vec![
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", "00000000-0000-0000-0000-000000000000"),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            700016,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", "https://evil.example/cb"),
                    ("scope", "openid"),
                ],
            ),
            50011,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", "http://app.example/getAToken"),
                    ("scope", "openid"),
                ],
            ),
            500117,
        ),
        (
            authorize_url(
                &emu,
                "nowhere.example",
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            90002,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("client_id", DEMO_CLIENT_ID),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            9000411,
        ),
        (
            authorize_url(
                &emu,
                CONTOSO,
                &[
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                ],
            ),
            900144,
        ),
    ];
    for (url, code) in cases {
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(
            r.headers().get("location").is_none(),
            "never redirected: {url}"
        );
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("AADSTS{code}:")), "{code}: {page}");
    }
}

#[tokio::test]
async fn authorize_errors_go_back_to_the_client_with_state() {
    let emu = TestEmulator::start().await;
    let browser = FormBrowser::new(None);
    let base = |extra: &[(&'static str, &'static str)]| {
        let mut p = vec![
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "User.Read openid"),
            ("state", "a b&c=d/é"),
        ];
        for (k, v) in extra {
            p.retain(|(n, _)| n != k);
            p.push((k, v));
        }
        authorize_url(&emu, CONTOSO, &p)
    };
    let expect = |params: HashMap<String, String>, error: &str, code: &str| {
        assert_eq!(params["error"], error, "{params:?}");
        assert!(
            params["error_description"].starts_with(&format!("AADSTS{code}:")),
            "{params:?}"
        );
        assert_eq!(params["state"], "a b&c=d/é", "state is echoed exactly");
    };
    let outcome = browser
        .sign_in(&base(&[("response_type", "token")]), "", "", true)
        .await;
    expect(outcome.params(), "unsupported_response_type", "700054");
    let outcome = browser
        .sign_in(&base(&[("scope", "Mail.Fly")]), "", "", true)
        .await;
    expect(outcome.params(), "invalid_scope", "70011");
    let outcome = browser
        .sign_in(
            &base(&[
                ("code_challenge", "short"),
                ("code_challenge_method", "S256"),
            ]),
            "",
            "",
            true,
        )
        .await;
    expect(outcome.params(), "invalid_request", "501491");
    let outcome = browser
        .sign_in(&base(&[("prompt", "none")]), "", "", true)
        .await;
    expect(outcome.params(), "login_required", "50058");

    // Signed in at the emulator, but Notes.ReadWrite never consented: prompt=none cannot ask.
    let (ok, _) = code_for(
        &emu,
        &browser,
        "alan@contoso.example",
        "User.Read openid",
        &[],
    )
    .await;
    assert!(
        ok.contains_key("code")
            && ok.contains_key("client_info")
            && ok.contains_key("session_state")
    );
    let outcome = browser
        .sign_in(
            &base(&[("prompt", "none"), ("scope", "Notes.ReadWrite")]),
            "",
            "",
            true,
        )
        .await;
    expect(outcome.params(), "consent_required", "65001");
    // With the session, a consented scope needs no form at all (single sign-on).
    let outcome = browser
        .sign_in(&base(&[("prompt", "none")]), "", "", true)
        .await;
    assert!(outcome.params().contains_key("code"));

    let declined = FormBrowser::new(None);
    let outcome = declined
        .sign_in(&base(&[]), "grace@contoso.example", DEMO_PASSWORD, false)
        .await;
    expect(outcome.params(), "access_denied", "65004");

    // Fragment and form_post deliver the same parameters.
    let url = base(&[("response_mode", "fragment")]);
    let r = browser.client.get(&url).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let fragment = url::Url::parse(&location)
        .unwrap()
        .fragment()
        .unwrap()
        .to_string();
    let params: HashMap<String, String> = url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(params["state"], "a b&c=d/é");
    match browser
        .sign_in(&base(&[("response_mode", "form_post")]), "", "", true)
        .await
    {
        emulator::testing::SignInOutcome::FormPost { action, fields } => {
            assert_eq!(action, REDIRECT);
            assert!(fields.iter().any(|(k, v)| k == "state" && v == "a b&c=d/é"));
            assert!(fields.iter().any(|(k, _)| k == "code"));
        }
        other => panic!("{other:?}"),
    }

    // Loopback redirect URIs match on any port.
    let url = base(&[
        ("redirect_uri", "http://localhost:61234/getAToken"),
        ("prompt", "none"),
    ]);
    let outcome = browser.sign_in(&url, "", "", true).await;
    assert!(outcome.params().contains_key("code"));
}
