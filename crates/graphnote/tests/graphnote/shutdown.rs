//! Graceful shutdown of the real binary: with a request in flight, SIGTERM stops new
//! connections at once, lets the request finish, and the process exits 0.

use std::process::Command;
use std::time::{Duration, Instant};

use emulator::seed::DEMO_PASSWORD;
use emulator::testing::free_port;
use emulator::testing::{FormBrowser, SignInOutcome, TestEmulator};
use serde_json::json;

use crate::support::{scratch, serve, wait_for_listener};

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish_then_exits_zero() {
    let emu = TestEmulator::start().await;
    let port = free_port();
    let dir = scratch("shutdown");
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&emu, &dir, &dir.join("s.sqlite3"), port);
    wait_for_listener(port).await;

    let browser = FormBrowser::new(None);
    let login = browser
        .client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap();
    let authorize = login.headers()["location"].to_str().unwrap().to_string();
    let SignInOutcome::Redirect(callback) = browser
        .sign_in(&authorize, "ada@contoso.example", DEMO_PASSWORD, true)
        .await
    else {
        panic!("sign-in did not come back");
    };
    browser.client.get(callback).send().await.unwrap();

    // Graph now takes two seconds to answer /me.
    let response = reqwest::Client::new()
        .post(emu.admin("/faults"))
        .json(&json!({"path": "/v1.0/me", "count": 1, "answer": {"kind": "latency", "ms": 2000}}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let client = browser.client.clone();
    let url = format!("{base}/msal-demo?format=json");
    let in_flight = tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "no new connections after SIGTERM"
    );
    assert_eq!(
        in_flight.await.unwrap().unwrap(),
        reqwest::StatusCode::OK,
        "the request in flight finished"
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the process did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    let _ = std::fs::remove_dir_all(dir);
}
