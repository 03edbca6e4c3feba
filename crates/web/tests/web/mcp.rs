//! The MCP server's discovery, as an MCP client meets it: `/mcp` without a token answers 401
//! with a challenge naming the Protected Resource Metadata, which names graphnote as the
//! authorization server, whose metadata gives its endpoints (PKCE S256 only, public clients).
//! Built from `PUBLIC_URL`, whatever `Host` a request claims; nothing is served without `MCP=on`.
//! A client registers itself (RFC 7591) with redirect URIs that cannot leak a code.

use emulator::testing::TestEmulator;
use serde_json::Value;

use crate::support::{RedisServer, TempDir, TestApp};

async fn app_with_mcp(emu: &TestEmulator, dir: &TempDir) -> TestApp {
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    TestApp::start_with(emu, &store, |env| {
        env.insert("MCP".into(), "on".into());
    })
    .await
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
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = app_with_mcp(&emu, &dir).await;
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
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = app_with_mcp(&emu, &dir).await;
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
async fn without_mcp_on_nothing_of_it_is_served() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
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
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = app_with_mcp(&emu, &dir).await;
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
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = app_with_mcp(&emu, &dir).await;
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
    let mut apps = Vec::new();
    for _ in 0..2 {
        apps.push(
            TestApp::start_with(&emu, &redis.url(), |env| {
                env.insert("MCP".into(), "on".into());
                env.insert("TRUSTED_PROXIES".into(), "127.0.0.1/32, ::1".into());
            })
            .await,
        );
    }
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
