//! The MCP server's discovery, as an MCP client meets it: `/mcp` without a token answers 401
//! with a challenge naming the Protected Resource Metadata, which names graphnote as the
//! authorization server, whose metadata gives its endpoints (PKCE S256 only, public clients).
//! Built from `PUBLIC_URL`, whatever `Host` a request claims; nothing is served without `MCP=on`.
//! A client registers itself (RFC 7591) with redirect URIs that cannot leak a code; its user
//! signs in, allows or denies it on graphnote's consent page, and it gets a one-time code.

use emulator::testing::TestEmulator;
use serde_json::Value;

use crate::support::{
    RedisServer, TempDir, TestApp, User, attribute_after, create_page, generous_onenote_limits,
    location, onenote_calls,
};

const ADA: &str = "ada@contoso.example";
const GRACE: &str = "grace@contoso.example";

/// The emulator, a folder and an app on it with `MCP=on` (keep all three while testing).
pub(crate) async fn started() -> (TestEmulator, TempDir, TestApp) {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("MCP".into(), "on".into());
    })
    .await;
    (emu, dir, app)
}

/// `n` instances with `MCP=on` (and `env`) on one Redis.
async fn instances(
    emu: &TestEmulator,
    redis: &RedisServer,
    n: usize,
    env: &'static [(&'static str, &'static str)],
) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for _ in 0..n {
        apps.push(
            TestApp::start_with(emu, &redis.url(), |map| {
                map.insert("MCP".into(), "on".into());
                for (k, v) in env {
                    map.insert(k.to_string(), v.to_string());
                }
            })
            .await,
        );
    }
    apps
}

/// The `key="value"` parameters of a `WWW-Authenticate: Bearer …` challenge.
fn challenge_parameters(header: &str) -> Vec<(String, String)> {
    let rest = header
        .strip_prefix("Bearer ")
        .unwrap_or_else(|| panic!("not a Bearer challenge: {header}"));
    rest.split(", ")
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap();
            (key.to_string(), value.trim_matches('"').to_string())
        })
        .collect()
}

fn parameter<'a>(parameters: &'a [(String, String)], key: &str) -> Option<&'a str> {
    parameters
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Every path the MCP server serves.
const PATHS: [&str; 4] = [
    "/mcp",
    "/.well-known/oauth-protected-resource/mcp",
    "/.well-known/oauth-authorization-server",
    "/oauth/register",
];

/// An MCP `initialize` posted to `/mcp`, with `token` as its bearer token if given.
async fn initialize(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let body = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "test", "version": "0"}}
    });
    let request = reqwest::Client::new()
        .post(app.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(&body);
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
    .send()
    .await
    .unwrap()
}

async fn json(url: &str) -> Value {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{url}"
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn discovery_starts_from_the_401_and_ends_at_graphnotes_endpoints() {
    let (_emu, _dir, app) = started().await;
    let response = initialize(&app, None).await;
    assert_eq!(response.status(), 401);
    let challenge = challenge_parameters(response.headers()["www-authenticate"].to_str().unwrap());
    assert_eq!(parameter(&challenge, "error"), None, "no token was sent");
    assert_eq!(parameter(&challenge, "scope"), Some("onenote.read"));
    let metadata_url = parameter(&challenge, "resource_metadata").unwrap();
    assert!(metadata_url.starts_with(&app.base_url), "{metadata_url}");

    let resource = json(metadata_url).await;
    assert_eq!(resource["resource"], app.url("/mcp"));
    let issuer = resource["authorization_servers"][0].as_str().unwrap();
    assert_eq!(issuer, app.base_url);

    // RFC 8414's well-known URL for an issuer without a path.
    let server = json(&format!("{issuer}/.well-known/oauth-authorization-server")).await;
    assert_eq!(server["issuer"], issuer);
    assert_eq!(
        server["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        server["token_endpoint_auth_methods_supported"],
        serde_json::json!(["none"])
    );
    assert_eq!(
        server["response_types_supported"],
        serde_json::json!(["code"])
    );
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
    ] {
        let url = server[endpoint].as_str().unwrap();
        assert!(url.starts_with(&format!("{issuer}/")), "{endpoint}: {url}");
    }

    // A token graphnote did not issue is refused, and the client is told so.
    let response = initialize(&app, Some("not-a-token-graphnote-issued")).await;
    assert_eq!(response.status(), 401);
    let challenge = challenge_parameters(response.headers()["www-authenticate"].to_str().unwrap());
    assert_eq!(parameter(&challenge, "error"), Some("invalid_token"));
    assert_eq!(
        parameter(&challenge, "resource_metadata"),
        Some(metadata_url)
    );
}

#[tokio::test]
async fn a_forged_host_changes_neither_the_resource_nor_the_issuer() {
    let (_emu, _dir, app) = started().await;
    let client = reqwest::Client::new();
    for path in PATHS {
        let response = client
            .get(app.url(path))
            .header("host", "attacker.example")
            .header("x-forwarded-host", "attacker.example")
            .send()
            .await
            .unwrap();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("attacker") && !challenge.contains("attacker"),
            "{path}: {challenge} {body}"
        );
    }
}

#[tokio::test]
async fn with_mcp_off_nothing_of_it_is_served() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("MCP".into(), "off".into());
    })
    .await;
    for path in PATHS {
        let response = reqwest::Client::new()
            .post(app.url(path))
            .json(&serde_json::json!({"redirect_uris": ["https://c.example/cb"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn a_client_registers_once_and_what_it_registered_is_kept() {
    let (_emu, _dir, app) = started().await;
    let server = json(&app.url("/.well-known/oauth-authorization-server")).await;
    let register = server["registration_endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    let client = reqwest::Client::new();
    let uris = [
        "http://127.0.0.1:33418/callback",
        "https://client.example/cb",
    ];
    let response = client
        .post(&register)
        .json(&serde_json::json!({
            "client_name": "Test assistant",
            "redirect_uris": uris,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let registered: Value = response.json().await.unwrap();
    let client_id = registered["client_id"].as_str().unwrap();
    assert_eq!(registered["redirect_uris"], serde_json::json!(uris));
    assert_eq!(registered["token_endpoint_auth_method"], "none");
    assert!(registered.get("client_secret").is_none());
    let stored = web::mcp::registration::client(&app.state.exports.store, client_id)
        .await
        .unwrap()
        .expect("the registration is stored");
    assert_eq!(stored.client_name, "Test assistant");
    assert_eq!(stored.redirect_uris, uris);

    // Each registration is a client of its own.
    let again = client
        .post(&register)
        .json(&serde_json::json!({"redirect_uris": uris}))
        .send()
        .await
        .unwrap();
    let again: Value = again.json().await.unwrap();
    assert_ne!(again["client_id"], registered["client_id"]);
}

#[tokio::test]
async fn a_registration_that_could_leak_codes_is_refused_with_rfc_7591s_errors() {
    let (_emu, _dir, app) = started().await;
    let client = reqwest::Client::new();
    let cases = [
        (
            serde_json::json!({"redirect_uris": ["http://attacker.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            serde_json::json!({"redirect_uris": ["https://c.example/cb#x"]}),
            "invalid_redirect_uri",
        ),
        (
            serde_json::json!({"redirect_uris": []}),
            "invalid_redirect_uri",
        ),
        (
            serde_json::json!({"redirect_uris": ["https://c.example/cb"],
                               "token_endpoint_auth_method": "client_secret_post"}),
            "invalid_client_metadata",
        ),
        (
            serde_json::json!({"redirect_uris": ["https://c.example/cb"],
                               "scope": "onenote.read Files.ReadWrite.All"}),
            "invalid_client_metadata",
        ),
        (
            serde_json::json!(["not", "an", "object"]),
            "invalid_client_metadata",
        ),
    ];
    for (body, error) in cases {
        let response = client
            .post(app.url("/oauth/register"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], error, "{body}");
        assert!(
            answer["error_description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
    }
}

#[tokio::test]
async fn one_address_may_register_twenty_clients_an_hour_and_another_is_not_held_back() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    // Behind a proxy on loopback that names the client's address.
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("MCP".into(), "on".into());
        env.insert("TRUSTED_PROXIES".into(), "127.0.0.1/32, ::1".into());
    })
    .await;
    let client = reqwest::Client::new();
    let register = |address: &'static str| {
        client
            .post(app.url("/oauth/register"))
            .header("x-forwarded-for", address)
            .json(&serde_json::json!({"redirect_uris": ["https://c.example/cb"]}))
            .send()
    };
    for n in 0..20 {
        assert_eq!(register("203.0.113.7").await.unwrap().status(), 201, "{n}");
    }
    let refused = register("203.0.113.7").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "3600");
    let answer: Value = refused.json().await.unwrap();
    assert_eq!(answer["error"], "too_many_registrations");
    assert_eq!(register("198.51.100.9").await.unwrap().status(), 201);
}

#[tokio::test]
async fn on_several_instances_the_registration_limit_and_the_registrations_are_shared() {
    let emu = TestEmulator::start().await;
    let redis = RedisServer::start().await;
    let apps = instances(&emu, &redis, 2, &[("TRUSTED_PROXIES", "127.0.0.1/32, ::1")]).await;
    let client = reqwest::Client::new();
    for round in 0..5 {
        // 30 registrations at once from one address, spread over both instances.
        let address = format!("203.0.113.{round}");
        let answers = futures_util::future::join_all((0..30).map(|n| {
            client
                .post(apps[n % 2].url("/oauth/register"))
                .header("x-forwarded-for", &address)
                .json(&serde_json::json!({"redirect_uris": ["https://c.example/cb"]}))
                .send()
        }))
        .await;
        let mut registered = Vec::new();
        let mut refused = 0;
        for answer in answers {
            let answer = answer.unwrap();
            match answer.status().as_u16() {
                201 => {
                    let body: Value = answer.json().await.unwrap();
                    registered.push(body["client_id"].as_str().unwrap().to_string());
                }
                429 => refused += 1,
                other => panic!("round {round}: {other}"),
            }
        }
        assert_eq!((registered.len(), refused), (20, 10), "round {round}");
        // Whichever instance registered a client, every instance knows it.
        for id in &registered {
            for app in &apps {
                let stored = web::mcp::registration::client(&app.state.exports.store, id)
                    .await
                    .unwrap();
                assert!(stored.is_some(), "round {round}: {id}");
            }
        }
    }
}

/// What a client registers and sends its user with.
pub(crate) struct ClientRequest {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: &'static str,
}

const VERIFIER_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub(crate) async fn registered(app: &TestApp) -> ClientRequest {
    let answer: Value = reqwest::Client::new()
        .post(app.url("/oauth/register"))
        .json(&serde_json::json!({
            "client_name": "Test assistant",
            "redirect_uris": ["http://127.0.0.1:33418/callback"],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ClientRequest {
        client_id: answer["client_id"].as_str().unwrap().to_string(),
        // The port a native client listens on this time.
        redirect_uri: "http://127.0.0.1:51000/callback",
    }
}

/// `/oauth/authorize?…` for `client`, with `changes` made to the parameters.
pub(crate) fn authorize_path(
    app: &TestApp,
    client: &ClientRequest,
    changes: &[(&str, Option<&str>)],
) -> String {
    let resource = app.url("/mcp");
    let mut params: Vec<(&str, Option<&str>)> = vec![
        ("response_type", Some("code")),
        ("client_id", Some(&client.client_id)),
        ("redirect_uri", Some(client.redirect_uri)),
        ("code_challenge", Some(VERIFIER_CHALLENGE)),
        ("code_challenge_method", Some("S256")),
        ("state", Some("the-clients-state")),
        ("scope", Some("onenote.read")),
        ("resource", Some(&resource)),
    ];
    for (key, value) in changes {
        match params.iter_mut().find(|(k, _)| k == key) {
            Some(param) => param.1 = *value,
            None => params.push((key, *value)),
        }
    }
    let query: Vec<(&str, &str)> = params
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let mut url = url::Url::parse(&app.url("/oauth/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs(query);
    format!("{}?{}", url.path(), url.query().unwrap())
}

/// The consent page's request id and CSRF token.
fn consent_form(page: &str) -> (String, String) {
    (
        attribute_after(page, "name=\"request\" value=\"").unwrap(),
        attribute_after(page, "name=\"csrf\" value=\"").unwrap(),
    )
}

pub(crate) fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn answer(
    user: &User,
    app: &TestApp,
    request: &str,
    csrf: &str,
    decision: &str,
) -> reqwest::Response {
    user.browser
        .client
        .post(app.url("/oauth/authorize"))
        .form(&[("request", request), ("csrf", csrf), ("decision", decision)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn allowing_a_client_sends_it_a_code_bound_to_it_the_user_and_mcp() {
    let (_emu, _dir, app) = started().await;
    let client = registered(&app).await;
    let user = User::new();

    // Signed out, the request waits for the sign-in and comes back.
    let path = authorize_path(&app, &client, &[]);
    let first = user.get(&app.url(&path)).await;
    assert!(first.status().is_redirection());
    assert!(
        location(&first).starts_with("/login"),
        "{}",
        location(&first)
    );
    let back = user.sign_in_at(&app, &path, ADA).await;
    assert_eq!(
        location(&back),
        path,
        "the sign-in comes back to the same request"
    );
    // The app would read OneNote with the user's sign-in: OneNote's permission is asked for
    // first, and the user comes back again.
    let asked = user.get(&app.url(&path)).await;
    assert!(
        location(&asked).starts_with("/login"),
        "{}",
        location(&asked)
    );
    let back = user.sign_in_at(&app, &path, ADA).await;
    assert_eq!(location(&back), path, "the consent comes back too");

    let consent = user.get(&app.url(&path)).await;
    assert_eq!(consent.status(), 200);
    let policy = consent.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("form-action 'self' http://127.0.0.1:51000;"),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let page = consent.text().await.unwrap();
    assert!(page.contains("Test assistant"), "{page}");
    assert!(page.contains("127.0.0.1"), "{page}");
    let (request, csrf) = consent_form(&page);

    let allowed = answer(&user, &app, &request, &csrf, "allow").await;
    assert!(allowed.status().is_redirection());
    let back = location(&allowed);
    assert!(back.starts_with(client.redirect_uri), "{back}");
    let query = query_of(&back);
    assert_eq!(query["state"], "the-clients-state");
    assert_eq!(query["iss"], app.base_url);
    let code = &query["code"];
    let grant = web::mcp::authorization::grant(&app.state.exports.store, code)
        .await
        .unwrap()
        .expect("the code is stored");
    assert_eq!(grant.client_id, client.client_id);
    assert_eq!(grant.redirect_uri, client.redirect_uri);
    assert_eq!(grant.code_challenge, VERIFIER_CHALLENGE);
    assert_eq!(grant.resource, app.url("/mcp"));
    assert!(
        grant.account.contains('.'),
        "a home account id: {}",
        grant.account
    );

    // The answer counts once.
    let again = answer(&user, &app, &request, &csrf, "allow").await;
    assert_eq!(again.status(), 404);

    // Denying sends the client an error, not a code.
    let page = user.get(&app.url(&path)).await.text().await.unwrap();
    let (request, csrf) = consent_form(&page);
    let denied = answer(&user, &app, &request, &csrf, "deny").await;
    let query = query_of(&location(&denied));
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "the-clients-state");
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn a_consent_cannot_be_forged_answered_by_someone_else_or_sent_elsewhere() {
    let (_emu, _dir, app) = started().await;
    let client = registered(&app).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let path = authorize_path(&app, &client, &[]);
    let page = ada.get(&app.url(&path)).await.text().await.unwrap();
    let (request, csrf) = consent_form(&page);

    // Another page's (or no) CSRF token: refused.
    let forged = answer(&ada, &app, &request, &"0".repeat(64), "allow").await;
    assert_eq!(forged.status(), 403);
    // Another signed-in user answering Ada's request, with their own valid token: not theirs.
    let grace = User::new();
    grace.sign_in_for_onenote(&app, GRACE).await;
    let graces_page = grace.get(&app.url(&path)).await.text().await.unwrap();
    let (_, graces_csrf) = consent_form(&graces_page);
    let stolen = answer(&grace, &app, &request, &graces_csrf, "allow").await;
    assert_eq!(stolen.status(), 404);
    // Ada's own answer still works after both.
    let allowed = answer(&ada, &app, &request, &csrf, "allow").await;
    assert!(query_of(&location(&allowed)).contains_key("code"));

    // A redirect URI the client did not register, or a client graphnote does not know: the
    // app's own page, and no redirect anywhere.
    for changes in [
        vec![("redirect_uri", Some("http://attacker.example/callback"))],
        vec![("redirect_uri", Some("http://127.0.0.1:51000/elsewhere"))],
        vec![("redirect_uri", None)],
        vec![("client_id", Some("not-registered"))],
    ] {
        let response = ada
            .get(&app.url(&authorize_path(&app, &client, &changes)))
            .await;
        assert_eq!(response.status(), 400, "{changes:?}");
        assert!(response.headers().get("location").is_none(), "{changes:?}");
    }

    // Anything else wrong goes back to the client as an error it can show.
    for (changes, error) in [
        (vec![("code_challenge", None)], "invalid_request"),
        (
            vec![("code_challenge_method", Some("plain"))],
            "invalid_request",
        ),
        (
            vec![("response_type", Some("token"))],
            "unsupported_response_type",
        ),
        (
            vec![("scope", Some("onenote.read Mail.Read"))],
            "invalid_scope",
        ),
        (
            vec![("resource", Some("https://graph.microsoft.com"))],
            "invalid_target",
        ),
    ] {
        let response = ada
            .get(&app.url(&authorize_path(&app, &client, &changes)))
            .await;
        let back = location(&response);
        assert!(back.starts_with(client.redirect_uri), "{changes:?}: {back}");
        let query = query_of(&back);
        assert_eq!(query["error"], error, "{changes:?}");
        assert_eq!(query["state"], "the-clients-state");
    }
}

/// A PKCE pair computed apart from graphnote (Python's hashlib and base64).
pub(crate) const VERIFIER: &str = "graphnote-test-verifier-0123456789-abcdefghijklmn";
pub(crate) const CHALLENGE: &str = "8vbSHilE3sXH0_pMPku60edTGIgy2y0PlBrIcPSqC2s";

/// Ada allows `client` on the consent page; the code it gets.
pub(crate) async fn code_for(app: &TestApp, ada: &User, client: &ClientRequest) -> String {
    let path = authorize_path(app, client, &[("code_challenge", Some(CHALLENGE))]);
    let page = ada.get(&app.url(&path)).await.text().await.unwrap();
    let (request, csrf) = consent_form(&page);
    let allowed = answer(ada, app, &request, &csrf, "allow").await;
    query_of(&location(&allowed))["code"].clone()
}

async fn token_request(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["cache-control"], "no-store");
    (status, response.json().await.unwrap())
}

pub(crate) async fn exchange(
    app: &TestApp,
    client: &ClientRequest,
    code: &str,
    verifier: &str,
) -> (u16, Value) {
    token_request(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", client.redirect_uri),
            ("client_id", &client.client_id),
            ("code_verifier", verifier),
            ("resource", &app.url("/mcp")),
        ],
    )
    .await
}

async fn refreshed(app: &TestApp, client: &ClientRequest, refresh_token: &str) -> (u16, Value) {
    token_request(
        app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &client.client_id),
        ],
    )
    .await
}

async fn token_works(app: &TestApp, token: &Value) -> bool {
    web::mcp::token_endpoint::access(
        &app.state.exports.store,
        token["access_token"].as_str().unwrap(),
        &app.url("/mcp"),
    )
    .await
    .unwrap()
    .is_some()
}

#[tokio::test]
async fn a_code_becomes_tokens_once_and_refresh_tokens_rotate() {
    let (_emu, _dir, app) = started().await;
    let client = registered(&app).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;

    // The wrong verifier: no tokens (and the code is spent).
    let code = code_for(&app, &ada, &client).await;
    let (status, refused) = exchange(&app, &client, &code, &format!("{VERIFIER}x")).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let code = code_for(&app, &ada, &client).await;
    let (status, tokens) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["expires_in"].as_i64().unwrap() > 0);
    assert!(token_works(&app, &tokens).await);
    let issued = web::mcp::token_endpoint::access(
        &app.state.exports.store,
        tokens["access_token"].as_str().unwrap(),
        &app.url("/mcp"),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(issued.client_id, client.client_id);
    // Bound to this resource: refused for any other.
    let elsewhere = web::mcp::token_endpoint::access(
        &app.state.exports.store,
        tokens["access_token"].as_str().unwrap(),
        "https://graph.microsoft.com",
    )
    .await
    .unwrap();
    assert!(elsewhere.is_none());

    // A refresh token gives a new pair and is spent.
    let (status, second) =
        refreshed(&app, &client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["refresh_token"], tokens["refresh_token"]);
    assert!(token_works(&app, &second).await);
    // Presented again, it revokes the whole grant: the pair it gave stops working too.
    let (status, reused) =
        refreshed(&app, &client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(!token_works(&app, &second).await);
    assert!(!token_works(&app, &tokens).await);
    let (status, _) = refreshed(&app, &client, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400);

    // A code used twice: refused, and the tokens it gave end.
    let code = code_for(&app, &ada, &client).await;
    let (status, tokens) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, 200);
    let (status, again) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(!token_works(&app, &tokens).await);
}

#[tokio::test]
async fn a_code_is_worth_nothing_to_another_client_or_for_another_resource() {
    let (_emu, _dir, app) = started().await;
    let client = registered(&app).await;
    let other = registered(&app).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let code = code_for(&app, &ada, &client).await;
    let (status, refused) = exchange(&app, &other, &code, VERIFIER).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let code = code_for(&app, &ada, &client).await;
    let (status, refused) = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", client.redirect_uri),
            ("client_id", &client.client_id),
            ("code_verifier", VERIFIER),
            ("resource", "https://graph.microsoft.com"),
        ],
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_target"))
    );
    let (status, refused) = token_request(&app, &[("grant_type", "password")]).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn a_code_sent_to_two_instances_at_once_gives_tokens_once() {
    let emu = TestEmulator::start().await;
    let redis = RedisServer::start().await;
    let apps = instances(&emu, &redis, 2, &[]).await;
    let client = registered(&apps[0]).await;
    let ada = User::new();
    ada.sign_in_for_onenote(&apps[0], ADA).await;
    for round in 0..5 {
        let code = code_for(&apps[0], &ada, &client).await;
        let attempts = futures_util::future::join_all(
            (0..6).map(|n| exchange(&apps[n % 2], &client, &code, VERIFIER)),
        )
        .await;
        let granted: Vec<&Value> = attempts
            .iter()
            .filter(|(status, _)| *status == 200)
            .map(|(_, tokens)| tokens)
            .collect();
        assert_eq!(granted.len(), 1, "round {round}: {attempts:?}");
        for (status, answer) in &attempts {
            if *status != 200 {
                assert_eq!(answer["error"], "invalid_grant", "round {round}");
            }
        }
        // The code was presented more than once: the grant is revoked, on every instance.
        for app in &apps {
            assert!(!token_works(app, granted[0]).await, "round {round}");
        }
    }
}

#[tokio::test]
async fn browser_clients_may_call_what_reads_no_cookie_and_nothing_else() {
    let (_emu, _dir, app) = started().await;
    let client = reqwest::Client::new();
    let origin = "https://inspector.example";
    // A preflight for the token endpoint, as a browser sends it.
    let preflight = client
        .request(reqwest::Method::OPTIONS, app.url("/oauth/token"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    for path in PATHS {
        let response = client
            .get(app.url(path))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "*",
            "{path}"
        );
    }
    // The challenge's header is one a page may read.
    let challenge = client
        .post(app.url("/mcp"))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    let exposed = challenge.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(
        exposed.to_ascii_lowercase().contains("www-authenticate"),
        "{exposed}"
    );
    // The consent page is the signed-in user's own: no other origin may read it.
    let consent = client
        .get(app.url("/oauth/authorize?client_id=x"))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    assert!(
        consent
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn a_token_request_the_endpoint_cannot_read_gets_rfc_6749s_json_error() {
    let (_emu, _dir, app) = started().await;
    let response = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .json(&serde_json::json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "invalid_request");
}

pub(crate) mod tools;

/// A host serving client metadata documents by path, counting requests.
struct DocumentHost {
    base: String,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl DocumentHost {
    /// Serves `documents(base)` (path, JSON) on a free loopback port.
    async fn start(documents: impl Fn(&str) -> Vec<(&'static str, Value)>) -> DocumentHost {
        use axum::routing::get;
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut router = axum::Router::new();
        for (path, document) in documents(&base) {
            let hits = hits.clone();
            router = router.route(
                path,
                get(move || {
                    hits.fetch_add(1, Ordering::SeqCst);
                    let document = document.clone();
                    async move { axum::Json(document) }
                }),
            );
        }
        tokio::spawn(async move { axum::serve(listener, router).await });
        DocumentHost { base, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_client_named_by_its_metadata_document_connects_without_registering() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("MCP".into(), "on".into());
        env.insert("MCP_CLIENT_METADATA_LOOPBACK".into(), "on".into());
    })
    .await;
    let metadata = json(&app.url("/.well-known/oauth-authorization-server")).await;
    assert_eq!(metadata["client_id_metadata_document_supported"], true);
    let host = DocumentHost::start(|base| {
        vec![
            (
                "/oauth/client.json",
                serde_json::json!({
                    "client_id": format!("{base}/oauth/client.json"),
                    "client_name": "Metadata assistant",
                    "redirect_uris": ["http://127.0.0.1:33418/callback"],
                }),
            ),
            (
                "/oauth/someone-else.json",
                serde_json::json!({
                    "client_id": "https://elsewhere.example/oauth/client.json",
                    "client_name": "Impostor",
                    "redirect_uris": ["http://127.0.0.1:33418/callback"],
                }),
            ),
        ]
    })
    .await;
    let client = ClientRequest {
        client_id: format!("{}/oauth/client.json", host.base),
        redirect_uri: "http://127.0.0.1:51000/callback",
    };
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    let path = authorize_path(&app, &client, &[("code_challenge", Some(CHALLENGE))]);
    let page = ada.get(&app.url(&path)).await.text().await.unwrap();
    assert!(page.contains("Metadata assistant"), "{page}");
    let (request, csrf) = consent_form(&page);
    let allowed = answer(&ada, &app, &request, &csrf, "allow").await;
    let code = query_of(&location(&allowed))["code"].clone();
    let (status, tokens) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(token_works(&app, &tokens).await);
    // Kept: the second consent does not fetch it again.
    ada.get(&app.url(&path)).await.text().await.unwrap();
    assert_eq!(host.hits(), 1);

    // A document that names another client is not this one's.
    let impostor = ClientRequest {
        client_id: format!("{}/oauth/someone-else.json", host.base),
        redirect_uri: "http://127.0.0.1:51000/callback",
    };
    let refused = ada
        .get(&app.url(&authorize_path(&app, &impostor, &[])))
        .await;
    assert_eq!(refused.status(), 400);
    let page = refused.text().await.unwrap();
    assert!(page.contains("client_id is not its own URL"), "{page}");
    assert!(!page.contains("Impostor"));
}

/// A listener on loopback counting the connections made to it: where graphnote must never
/// be made to connect.
async fn bait() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    (port, connections)
}

#[tokio::test]
async fn a_metadata_document_url_cannot_make_graphnote_call_its_own_network() {
    // MCP_CLIENT_METADATA_LOOPBACK is off, as everywhere but in tests.
    let (_emu, _dir, app) = started().await;
    let (port, connections) = bait().await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    for client_id in [
        format!("http://127.0.0.1:{port}/oauth/client.json"),
        format!("https://127.0.0.1:{port}/oauth/client.json"),
        format!("https://localhost:{port}/oauth/client.json"),
        format!("https://[::ffff:127.0.0.1]:{port}/oauth/client.json"),
        "https://169.254.169.254/latest/meta-data/iam".to_string(),
        "https://10.0.0.1/oauth/client.json".to_string(),
    ] {
        let client = ClientRequest {
            client_id,
            redirect_uri: "http://127.0.0.1:51000/callback",
        };
        let refused = ada.get(&app.url(&authorize_path(&app, &client, &[]))).await;
        assert_eq!(refused.status(), 400, "{}", client.client_id);
        assert!(
            !refused.text().await.unwrap().contains("Allow"),
            "{}",
            client.client_id
        );
    }
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing on this machine was called"
    );
}
