//! The MCP server under load: two `graphnote serve` processes behind one public URL on one
//! Redis, both cores busy, the emulator's answers jittered. Round after round an assistant is
//! allowed afresh, its tool calls are spread over both instances (every one answered, none an
//! error), and then it sends its refresh token to both instances at once — as a client racing
//! itself would: one use is seen as a reuse, at most one gets new tokens, and the reuse ends the
//! whole grant everywhere (OAuth 2.1 §4.3.1), its old and any new access token included.

use std::collections::HashMap;

use emulator::testing::TestEmulator;
use reqwest::StatusCode;
use serde_json::{Value, json};

use futures_util::future::join_all;

use crate::harness::*;

const ROUNDS: usize = 20;
/// Calls a round: all rounds' calls stay within OneNote's 120 a minute for the user (the
/// instances keep to it together, and a call over it is told to wait: tested in `web`'s suite).
const CALLS: usize = 5;
const REDIRECT_URI: &str = "http://127.0.0.1:33418/callback";
/// A PKCE verifier and its S256 challenge (computed apart, with Python's hashlib and base64).
const VERIFIER: &str = "graphnote-test-verifier-0123456789-abcdefghijklmn";
const CHALLENGE: &str = "8vbSHilE3sXH0_pMPku60edTGIgy2y0PlBrIcPSqC2s";

/// The query of a redirect's `Location`.
fn query(location: &str) -> HashMap<String, String> {
    reqwest::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The text after `marker`, up to the next `"`.
fn value_after(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Registers a client, has Ada allow it on instance `at`, and exchanges the code there.
async fn connect(apps: &Instances, ada: &Person, at: usize) -> Value {
    let http = reqwest::Client::new();
    let registered: Value = http
        .post(apps.url(at, "/oauth/register"))
        .json(&json!({"client_name": "Load assistant", "redirect_uris": [REDIRECT_URI]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = registered["client_id"].as_str().unwrap();
    let resource = apps.url(0, "/mcp");
    let mut authorize = reqwest::Url::parse(&apps.url(at, "/oauth/authorize")).unwrap();
    authorize.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("resource", &resource),
    ]);
    let page = ada.get(authorize.as_str()).await.text().await.unwrap();
    let form = [
        ("request", value_after(&page, "name=\"request\" value=\"")),
        ("csrf", value_after(&page, "name=\"csrf\" value=\"")),
        ("decision", "allow".to_string()),
    ];
    let allowed = ada
        .browser
        .client
        .post(apps.url(at + 1, "/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let code = query(&location(&allowed))["code"].clone();
    let tokens = http
        .post(apps.url(at, "/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", client_id),
            ("code_verifier", VERIFIER),
            ("resource", resource.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(tokens.status(), StatusCode::OK);
    let mut tokens: Value = tokens.json().await.unwrap();
    tokens["client_id"] = json!(client_id);
    tokens
}

/// A `list_notebooks` call on instance `at`: its status, and the tool's error if it failed.
async fn list_notebooks(apps: &Instances, at: usize, token: &str) -> (StatusCode, Option<Value>) {
    let response = reqwest::Client::new()
        .post(apps.url(at, "/mcp"))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "list_notebooks"}}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let failed = match status {
        StatusCode::OK => {
            let body: Value = response.json().await.unwrap();
            (body["result"]["isError"] == true).then_some(body)
        }
        _ => Some(Value::Null),
    };
    (status, failed)
}

#[tokio::test]
async fn calls_spread_over_two_instances_work_and_a_raced_refresh_token_ends_its_grant() {
    let emu = TestEmulator::start().await;
    let redis = Redis::start().await;
    let apps = Instances::behind_one_url(&emu, &redis, 2).await;
    let ada = Person::new();
    assert_eq!(ada.sign_in_from(&apps.url(0, "/login"), ADA).await, "/");
    if ada.get(&apps.url(1, "/onenote")).await.status() != StatusCode::OK {
        assert_eq!(
            ada.sign_in_from(&apps.url(1, "/onenote"), ADA).await,
            "/onenote"
        );
    }
    jitter(&emu).await;
    let _busy = BusyCores::start();
    for round in 0..ROUNDS {
        let tokens = connect(&apps, &ada, round).await;
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let calls = (0..CALLS).map(|i| list_notebooks(&apps, round + i, &access));
        for (status, failed) in join_all(calls).await {
            assert!(
                status == StatusCode::OK && failed.is_none(),
                "round {round}: {status} {failed:?}\n{}",
                apps.log_tails()
            );
        }

        let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
        let client_id = tokens["client_id"].as_str().unwrap().to_string();
        let race = (0..2).map(|i| {
            let (apps, refresh, client_id) = (&apps, &refresh, &client_id);
            async move {
                let response = reqwest::Client::new()
                    .post(apps.url(i, "/oauth/token"))
                    .form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh.as_str()),
                        ("client_id", client_id.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.json::<Value>().await.unwrap())
            }
        });
        let answers = join_all(race).await;
        let won: Vec<&Value> = answers
            .iter()
            .filter(|(status, _)| *status == StatusCode::OK)
            .map(|(_, body)| body)
            .collect();
        // The second use is seen as a reuse, whichever instance has it; the first either gets
        // tokens or, when the reuse revoked the grant a moment before, is refused too.
        let reused = answers
            .iter()
            .filter(|(_, body)| body["error_description"] == "the refresh token was already used")
            .count();
        assert!(won.len() <= 1 && reused == 1, "round {round}: {answers:?}");
        let mut dead = vec![access.clone()];
        dead.extend(
            won.iter()
                .map(|w| w["access_token"].as_str().unwrap().to_string()),
        );
        for (at, token) in dead.iter().enumerate() {
            let (status, _) = list_notebooks(&apps, at, token).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "round {round}: the reuse ended the grant (instance {at})"
            );
        }
    }
}
