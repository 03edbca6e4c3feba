//! Scale-out: two app instances sharing a real Redis (a private redis-server per test). A
//! session made on one instance works on the other, and a burst of requests over both after the
//! access token died causes exactly one refresh.

use crate::support::*;
use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn two_instances_share_sessions_and_refresh_exactly_once() {
    let redis = RedisServer::start().await;
    let emu = TestEmulator::start().await;
    let a = TestApp::start_with(&emu, &redis.url(), |_| {}).await;
    let b = TestApp::start_with(&emu, &redis.url(), |_| {}).await;
    let user = User::new();
    let cookie = user.sign_in(&a, "ada@contoso.example").await;

    let me = get_with_cookie(&b.url("/msal-demo?format=json"), &cookie).await;
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "instance B knows instance A's session"
    );
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["userPrincipalName"], "ada@contoso.example");

    let since = emu.log_position().await;
    emu.call_admin(Method::POST, "/tokens/expire", json!({}))
        .await;
    let mut burst = Vec::new();
    for i in 0..20 {
        let url = if i % 2 == 0 {
            a.url("/msal-demo?format=json")
        } else {
            b.url("/msal-demo?format=json")
        };
        let cookie = cookie.clone();
        burst.push(tokio::spawn(async move {
            get_with_cookie(&url, &cookie).await.status()
        }));
    }
    for request in burst {
        assert_eq!(request.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(
        emu.grants_since(since, "refresh_token").await,
        1,
        "one refresh for 20 requests on 2 instances"
    );

    // Nothing in Redis is a token or a cookie value.
    assert_no_secrets_stored(&a, &cookie, &redis.dump()).await;
}
