//! Starting `graphnote serve` (the real binary) against an emulator.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use emulator::testing::TestEmulator;

/// `graphnote serve` with the demo app's configuration, a SQLite store at `store`, on `port`.
/// Its stderr is piped, so a test can read what it said (warnings and start-up errors only).
pub fn serve(emu: &TestEmulator, dir: &Path, store: &Path, port: u16) -> Child {
    serve_with(emu, dir, store, port, &[])
}

/// [`serve`] with more configuration.
pub fn serve_with(
    emu: &TestEmulator,
    dir: &Path,
    store: &Path,
    port: u16,
    extra: &[(&str, String)],
) -> Child {
    serve_command(emu, dir, store, port, extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `graphnote serve` as [`serve_with`] starts it, with standard error still to be given.
pub fn serve_command(
    emu: &TestEmulator,
    dir: &Path,
    store: &Path,
    port: u16,
    extra: &[(&str, String)],
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_graphnote"));
    command
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("CLIENT_ID", DEMO_CLIENT_ID)
        .env("CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("AUTHORITY", emu.authority("common"))
        .env("GRAPH_ENDPOINT", &emu.base_url)
        .env("PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("LISTEN", format!("127.0.0.1:{port}"))
        .env("SESSION_SECRET", "binary-test-secret-0123456789abcdef")
        .env("SESSION_STORE", format!("sqlite:{}", store.display()))
        .env("SHUTDOWN_GRACE_SECONDS", "15")
        // Warnings only: stderr is a pipe nobody reads while the process runs.
        .env("RUST_LOG", "warn")
        .envs(extra.iter().map(|(name, value)| (*name, value)))
        .stdout(Stdio::null());
    command
}

/// Waits until something listens on `port` (20 s at most).
pub async fn wait_for_listener(port: u16) {
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "graphnote serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A scratch directory.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("graphnote-{name}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
