//! One instance per SQLite file: a second `graphnote serve` on the file a running one uses stops
//! at start-up with one line that says why, and exit code 2; once the first one has stopped,
//! the file is free again.

use std::io::Read;
use std::time::{Duration, Instant};

use emulator::testing::{TestEmulator, free_port};

use crate::support::{scratch, serve, wait_for_listener};

#[tokio::test]
async fn a_second_serve_on_the_same_sqlite_file_refuses_to_start() {
    let emu = TestEmulator::start().await;
    let dir = scratch("single");
    let store = dir.join("sessions.sqlite3");
    let first_port = free_port();
    let mut first = serve(&emu, &dir, &store, first_port);
    wait_for_listener(first_port).await;

    let mut second = serve(&emu, &dir, &store, free_port());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the second instance kept running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(2), "a start-up error exits 2");
    let mut said = String::new();
    second
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {said}");
    assert!(
        lines[0].starts_with("graphnote: SESSION_STORE:")
            && lines[0].contains("in use by another graphnote process")
            && lines[0].contains("redis://"),
        "{}",
        lines[0]
    );

    first.kill().unwrap();
    first.wait().unwrap();
    let third_port = free_port();
    let mut third = serve(&emu, &dir, &store, third_port);
    wait_for_listener(third_port).await;
    third.kill().unwrap();
    third.wait().unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
