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

    let status = exited(&mut child).await;
    assert!(status.success(), "exit status {status}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The access log survives a stop: a burst of requests, SIGTERM in the middle of it, and every
/// answered request's line (found by its request id) is in what the process wrote before it
/// exited — in the text format and in JSON — even with a slow log reader. (A writer that queues
/// lines and does not empty its queue at exit loses hundreds of them here: tried.)
#[tokio::test]
async fn every_request_line_is_written_before_a_stopped_process_exits() {
    for format in ["text", "json"] {
        let emu = TestEmulator::start().await;
        let port = free_port();
        let dir = scratch("access-log");
        let mut child = crate::support::serve_with(
            &emu,
            &dir,
            &dir.join("s.sqlite3"),
            port,
            &[("RUST_LOG", "info".into()), ("LOG_FORMAT", format.into())],
        );
        // A slow log collector: stderr read 1 kB every 2 ms, so lines pile up while the stop
        // comes.
        let mut stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut chunk = [0u8; 1024];
            loop {
                match std::io::Read::read(&mut stderr, &mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            String::from_utf8(bytes).unwrap()
        });
        wait_for_listener(port).await;

        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        // Requests keep coming until the stop: the last lines are queued as the process exits.
        let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut burst = Vec::new();
        for i in 0..3000 {
            let url = match i % 3 {
                0 => format!("http://127.0.0.1:{port}/healthz"),
                1 => format!("http://127.0.0.1:{port}/"),
                _ => format!("http://127.0.0.1:{port}/no/such/page"),
            };
            let (client, answered) = (client.clone(), answered.clone());
            burst.push(tokio::spawn(async move {
                let response = client.get(url).send().await.ok()?;
                let id = response.headers().get("x-request-id")?.to_str().ok()?;
                answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Some(id.to_string())
            }));
        }
        while answered.load(std::sync::atomic::Ordering::Relaxed) < 1000 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert!(
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        let mut ids = Vec::new();
        for request in burst {
            ids.extend(request.await.unwrap());
        }
        assert!(
            ids.len() >= 1000,
            "{format}: {} requests answered",
            ids.len()
        );
        let status = exited(&mut child).await;
        assert!(status.success(), "{format}: exit status {status}");
        let log = reader.join().unwrap();
        // Lines are written in batches: the last, logged just before the process exits, is
        // there too (the final flush).
        assert!(
            log.lines()
                .rfind(|l| !l.trim().is_empty())
                .is_some_and(|l| l.contains("stopped") && !l.contains("stopping")),
            "{format}: the log does not end with the stop: {}",
            log.lines().rev().take(3).collect::<Vec<_>>().join("\n")
        );
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| {
                !log.lines()
                    .any(|l| l.contains(id.as_str()) && l.contains("finished processing request"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{format}: {} of {} request lines missing, e.g. {:?}",
            missing.len(),
            ids.len(),
            missing.first()
        );
        if format == "json" {
            for line in log
                .lines()
                .filter(|l| l.contains("finished processing request"))
            {
                let parsed: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not one JSON object a line ({e}): {line}"));
                for field in ["request_id", "method", "path", "status", "latency"] {
                    assert!(
                        !parsed[field].is_null() || !parsed["span"][field].is_null(),
                        "{field} in {line}"
                    );
                }
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A quiet server's line is in its log before the response it describes is sent: someone (or
/// a test) reading the log right after a request finds it. Lines batched on a timer were not:
/// the MSAL suite once read an empty log after a whole sign-in.
#[tokio::test]
async fn a_quiet_servers_request_line_is_written_before_its_response() {
    let emu = TestEmulator::start().await;
    let port = free_port();
    let dir = scratch("quiet-log");
    let log_path = dir.join("stderr.log");
    let mut child = crate::support::serve_command(
        &emu,
        &dir,
        &dir.join("s.sqlite3"),
        port,
        &[("RUST_LOG", "info".into())],
    )
    .stderr(std::fs::File::create(&log_path).unwrap())
    .spawn()
    .unwrap();
    wait_for_listener(port).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/healthz", "/", "/no/such/page"] {
        // Quiet: nothing else written in the last few milliseconds.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let response = client
            .get(format!("http://127.0.0.1:{port}{path}"))
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        let log = std::fs::read_to_string(&log_path).unwrap();
        let line = log
            .lines()
            .find(|l| l.contains(&id) && l.contains("finished processing request"));
        assert!(line.is_some(), "{path}: no line for {id} yet in:\n{log}");
        let line = line.unwrap();
        let route = if path == "/no/such/page" {
            "unmatched"
        } else {
            path
        };
        assert!(line.contains(&format!("path={route} ")), "{line}");
        assert!(
            line.contains(&format!("status={}", response.status().as_u16())),
            "{line}"
        );
        assert!(line.contains("client_ip=127.0.0.1"), "{line}");
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}

/// Waits (20 s at most) for the process to exit; its status.
async fn exited(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the process did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
