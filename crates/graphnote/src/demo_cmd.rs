//! `graphnote demo`: the emulator and the web app in one process, wired together, with zero
//! configuration. The emulator speaks plain HTTP on loopback unless `--tls` is given, so a
//! browser meets no certificate warning.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine;
use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, builtin};
use web::Config;

use crate::emulator_cmd::{Started, print_banner, start_emulator};
use crate::{serve_cmd, telemetry};

pub struct DemoArgs {
    pub listen: SocketAddr,
    pub emulator_listen: SocketAddr,
    pub data_dir: PathBuf,
    pub tls: bool,
}

/// Settings a demo user may still override from the environment.
const OVERRIDABLE: [&str; 5] = [
    "RESPONSE_MODE",
    "LOG_FORMAT",
    "SESSION_STORE",
    "SCOPE",
    "RUST_LOG",
];

pub async fn run(args: DemoArgs) -> ExitCode {
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "graphnote demo: --listen {}: the demo listens on loopback addresses only",
            args.listen
        );
        return ExitCode::from(2);
    }
    let seed = builtin();
    let emulator_dir = args.data_dir.join("emulator");
    let started = match start_emulator(args.emulator_listen, &emulator_dir, seed.clone(), args.tls)
    {
        Ok(s) => s,
        Err(message) => {
            eprintln!("graphnote demo: emulator: {message}");
            return ExitCode::FAILURE;
        }
    };
    let secret = match session_secret(&args.data_dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("graphnote demo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let public_url = format!("http://{}", args.listen);
    // Front-channel logout reaches this app's /signout-oidc.
    started
        .emulator
        .directory
        .update_client(DEMO_CLIENT_ID, |client| {
            client.front_channel_logout_url = Some(format!("{public_url}/signout-oidc"));
        });

    let mut env: HashMap<&str, String> = HashMap::from([
        ("CLIENT_ID", DEMO_CLIENT_ID.to_string()),
        ("CLIENT_SECRET", DEMO_CLIENT_SECRET.to_string()),
        ("AUTHORITY", format!("{}/common", started.base_url)),
        ("PUBLIC_URL", public_url.clone()),
        ("GRAPH_ENDPOINT", started.base_url.clone()),
        ("SESSION_SECRET", secret),
        ("LISTEN", args.listen.to_string()),
        ("DATA_DIR", args.data_dir.display().to_string()),
    ]);
    if let Some(ca) = started.tls.as_ref().and_then(|t| t.ca_path.as_ref()) {
        env.insert("CA_BUNDLE", ca.display().to_string());
    }
    for name in OVERRIDABLE {
        if let Ok(value) = std::env::var(name) {
            env.insert(name, value);
        }
    }
    let config = match Config::from_env(|name| env.get(name).cloned()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("graphnote demo: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(telemetry::format_of(&config));

    print_banner(&started, &seed);
    let banner = format!(
        "\ngraphnote demo is running: open {public_url}\n  sign in as ada@contoso.example (or grace@, alan@contoso.example) with password {}\n  demo app: client id {DEMO_CLIENT_ID}, secret {DEMO_CLIENT_SECRET}\n  AI assistants: add {public_url}/mcp to an MCP client (it signs in here; see Connected apps)\n  press Ctrl-C to stop",
        emulator::seed::DEMO_PASSWORD
    );
    let Started {
        listener, app, tls, ..
    } = started;
    let emulator_server = tokio::spawn(async move {
        emulator::server::serve(listener, app, tls.as_ref(), crate::shutdown::signal()).await
    });
    let code = serve_cmd::serve(config, Some(banner)).await;
    emulator_server.abort();
    code
}

/// The demo's `SESSION_SECRET`: made once, kept in the data dir (owner-only), so sessions
/// survive a restart of the demo.
fn session_secret(data_dir: &Path) -> Result<String, String> {
    let path = data_dir.join("session-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if existing.len() >= web::config::MIN_SECRET_LEN {
            return Ok(existing);
        }
    }
    let mut raw = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut raw);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    emulator::keys::write_private(&path, &secret)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret)
}
