//! Three app instances on one real Redis and one user, as behind a load balancer without
//! affinity: OneNote's per-user limits hold for all of them together (no 429 from OneNote, every
//! view answered or told when to come back). The token path under load — one refresh per burst,
//! claims challenges — is tested with real `graphnote serve` processes, busy cores and jitter in
//! `crates/graphnote/tests/under_load`.

use emulator::testing::TestEmulator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

const ADA: &str = "ada@contoso.example";

/// `n` instances on `redis`, with `env` set on each.
async fn instances(
    emu: &TestEmulator,
    redis: &RedisServer,
    n: usize,
    env: &[(&str, &str)],
) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for _ in 0..n {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        apps.push(
            TestApp::start_with(emu, &redis.url(), move |map| {
                map.extend(env.clone());
            })
            .await,
        );
    }
    apps
}

/// The ids of Ada's resources, as the emulator lists them.
async fn resource_ids(emu: &TestEmulator) -> Vec<String> {
    let listed = emu
        .call_admin(
            Method::GET,
            &format!("/onenote/{ADA}/resources"),
            Value::Null,
        )
        .await;
    listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// `count` resource views (one OneNote call each) at once, spread over the instances; their
/// statuses and `Retry-After`s.
async fn burst_of_views(
    apps: &[TestApp],
    cookie: &str,
    ids: &[String],
    count: usize,
) -> Vec<(StatusCode, Option<u64>)> {
    let mut views = Vec::new();
    for i in 0..count {
        let url = apps[i % apps.len()].url(&format!("/onenote/resources/{}", ids[i % ids.len()]));
        let cookie = cookie.to_string();
        views.push(tokio::spawn(async move {
            let response = get_with_cookie(&url, &cookie).await;
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            (response.status(), retry_after)
        }));
    }
    let mut out = Vec::new();
    for view in views {
        out.push(view.await.unwrap());
    }
    out
}

/// Signs Ada in for OneNote (through the first instance) and returns her session cookie.
async fn ada_for_onenote(apps: &[TestApp]) -> String {
    let user = User::new();
    let cookie = user.sign_in(&apps[0], ADA).await;
    let back = user.sign_in_at(&apps[0], "/onenote", ADA).await;
    assert_eq!(location(&back), "/onenote", "consent brings Ada back");
    set_cookie(&back).unwrap_or(cookie)
}

#[tokio::test]
async fn three_instances_keep_to_one_per_minute_limit_together() {
    const PER_MINUTE: usize = 6;
    let redis = RedisServer::start().await;
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": PER_MINUTE, "per_hour": 1000, "concurrent": 5}),
    )
    .await;
    let apps = instances(
        &emu,
        &redis,
        3,
        &[
            ("ONENOTE_PER_MINUTE", "6"),
            ("ONENOTE_PER_HOUR", "1000"),
            ("ONENOTE_WAIT_SECONDS", "120"),
            ("REQUEST_TIMEOUT_SECONDS", "150"),
        ],
    )
    .await;
    let cookie = ada_for_onenote(&apps).await;
    let ids = resource_ids(&emu).await;
    let since = emu.log_position().await;

    // Twice the limit at once, over all three instances: half must wait for the next minute.
    let answers = burst_of_views(&apps, &cookie, &ids, 2 * PER_MINUTE).await;
    assert!(
        answers.iter().all(|(status, _)| *status == StatusCode::OK),
        "every view is answered: {answers:?}"
    );
    let log = emu.log_since(since).await;
    let calls = onenote_calls(&log, ADA);
    assert_eq!(calls.len(), 2 * PER_MINUTE);
    assert!(
        calls.iter().all(|c| c["status"] != 429),
        "OneNote never had to refuse a call"
    );
    let most = most_in_any_window(&calls, 60_000.0);
    assert!(
        most <= PER_MINUTE,
        "{most} calls within one minute, over the limit of {PER_MINUTE}"
    );
}

#[tokio::test]
async fn three_instances_keep_to_one_per_hour_limit_together() {
    const PER_HOUR: usize = 4;
    let redis = RedisServer::start().await;
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 100, "per_hour": PER_HOUR, "concurrent": 5}),
    )
    .await;
    let apps = instances(
        &emu,
        &redis,
        3,
        &[("ONENOTE_PER_MINUTE", "100"), ("ONENOTE_PER_HOUR", "4")],
    )
    .await;
    let cookie = ada_for_onenote(&apps).await;
    let ids = resource_ids(&emu).await;
    let since = emu.log_position().await;

    let answers = burst_of_views(&apps, &cookie, &ids, 3 * PER_HOUR).await;
    let served = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(served, PER_HOUR, "the hour's allowance, once: {answers:?}");
    // The rest are told when OneNote will have room again: in about an hour, not in a moment.
    for (status, retry_after) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
        assert!(retry_after.is_some_and(|s| s > 3000), "{retry_after:?}");
    }
    let log = emu.log_since(since).await;
    let calls = onenote_calls(&log, ADA);
    assert_eq!(
        calls.len(),
        PER_HOUR,
        "nothing beyond the allowance reached OneNote"
    );
    assert!(calls.iter().all(|c| c["status"] != 429));
}

#[tokio::test]
async fn three_instances_keep_to_one_concurrency_limit_together() {
    let redis = RedisServer::start().await;
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 1000, "per_hour": 10000, "concurrent": 2}),
    )
    .await;
    let apps = instances(
        &emu,
        &redis,
        3,
        &[
            ("ONENOTE_MAX_CONCURRENT", "2"),
            ("ONENOTE_PER_MINUTE", "1000"),
            ("ONENOTE_PER_HOUR", "10000"),
            ("ONENOTE_WAIT_SECONDS", "30"),
        ],
    )
    .await;
    let cookie = ada_for_onenote(&apps).await;
    let ids = resource_ids(&emu).await;
    // Each resource takes OneNote a quarter of a second: calls overlap unless kept apart.
    emu.call_admin(
        Method::POST,
        "/faults",
        json!({"path": "/v1.0/me/onenote/resources", "count": 1000, "answer": {"kind": "latency", "ms": 250}}),
    )
    .await;
    let since = emu.log_position().await;
    let answers = burst_of_views(&apps, &cookie, &ids, 12).await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::OK),
        "{answers:?}"
    );
    let log = emu.log_since(since).await;
    let calls = onenote_calls(&log, ADA);
    assert!(calls.iter().all(|c| c["status"] != 429));
    let owned: Vec<Value> = calls.into_iter().cloned().collect();
    assert!(
        max_in_flight(&owned, ADA) <= 2,
        "never more than two of Ada's calls at OneNote at once"
    );
}
