//! `graphnote emulator`: the emulator alone, HTTPS by default with a CA kept in the data dir.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use emulator::EmulatorBuilder;
use emulator::keys::KeySet;
use emulator::seed::{DEMO_CLIENT_ID, Seed};
use emulator::tls::TlsMaterial;

#[derive(Args)]
pub struct EmulatorArgs {
    /// Loopback address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// Where the CA, certificates and signing keys are kept.
    #[arg(long, default_value = ".data/emulator")]
    data_dir: PathBuf,
    /// A seed file (TOML or JSON) replacing the built-in tenants, users and apps.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS (for clients that allow it on loopback).
    #[arg(long)]
    http: bool,
}

pub async fn run(args: EmulatorArgs) -> ExitCode {
    let seed = match &args.seed {
        Some(path) => match Seed::from_file(path) {
            Ok(seed) => seed,
            Err(e) => {
                eprintln!("graphnote emulator: {e}");
                return ExitCode::from(2);
            }
        },
        None => emulator::seed::builtin(),
    };
    let started = match start(&args, seed.clone()) {
        Ok(started) => started,
        Err(message) => {
            eprintln!("graphnote emulator: {message}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&started, &seed);
    let Started {
        listener, app, tls, ..
    } = started;
    match emulator::server::serve(listener, app, tls.as_ref(), crate::shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("graphnote emulator: server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A bound, built emulator, ready to serve.
pub struct Started {
    pub listener: TcpListener,
    pub emulator: emulator::SharedEmulator,
    pub app: axum::Router,
    pub tls: Option<TlsMaterial>,
    pub base_url: String,
}

/// Binds the listener and builds the emulator (keys and certificates from the data dir).
pub fn start(args: &EmulatorArgs, seed: Seed) -> Result<Started, String> {
    start_emulator(args.listen, &args.data_dir, seed, !args.http)
}

/// Shared with `demo`, which runs the emulator beside the app.
pub fn start_emulator(
    listen: SocketAddr,
    data_dir: &std::path::Path,
    seed: Seed,
    https: bool,
) -> Result<Started, String> {
    if !listen.ip().is_loopback() {
        return Err(format!(
            "--listen {listen}: the emulator listens on loopback addresses only (127.0.0.1 or ::1)"
        ));
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create data dir {}: {e}", data_dir.display()))?;
    let listener =
        TcpListener::bind(listen).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?
        .port();
    let tls = if https {
        Some(TlsMaterial::in_data_dir(data_dir).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let scheme = if https { "https" } else { "http" };
    let base_url = format!("{scheme}://localhost:{port}");
    let keys = KeySet::persistent(data_dir).map_err(|e| e.to_string())?;
    let emu = EmulatorBuilder::new(seed)
        .keys(keys)
        .build(&base_url)
        .map_err(|e| e.to_string())?;
    Ok(Started {
        listener,
        app: emulator::router(emu.clone()),
        emulator: emu,
        tls,
        base_url,
    })
}

pub fn print_banner(started: &Started, seed: &Seed) {
    let base = &started.base_url;
    println!("graphnote emulator listening on {base}");
    for tenant in &seed.tenants {
        println!(
            "  tenant {:<10} authority {base}/{}  (also {base}/{})",
            tenant.display_name, tenant.id, tenant.domains[0]
        );
    }
    println!("  multi-tenant     authority {base}/common  and  {base}/organizations");
    println!("  Microsoft Graph  {base}/v1.0");
    if let Some(path) = started.tls.as_ref().and_then(|t| t.ca_path.as_ref()) {
        println!(
            "  CA certificate   {}  (trust it: REQUESTS_CA_BUNDLE / CA_BUNDLE)",
            path.display()
        );
    }
    for client in &seed.clients {
        let secret = client
            .secrets
            .first()
            .map(String::as_str)
            .unwrap_or("(public client)");
        let marker = if client.client_id == DEMO_CLIENT_ID {
            " (demo app)"
        } else {
            ""
        };
        println!("  client{marker}  id {}  secret {secret}", client.client_id);
    }
    let users: Vec<&emulator::seed::UserSeed> =
        seed.tenants.iter().flat_map(|t| &t.users).collect();
    let shared_password = users
        .first()
        .map(|u| u.password.as_str())
        .filter(|p| users.iter().all(|u| u.password == *p));
    for user in &users {
        println!(
            "  user  {:<28} {}",
            user.user_principal_name, user.display_name
        );
    }
    match shared_password {
        Some(p) => println!("  password for every user: {p}"),
        None => println!("  passwords: as in the seed file"),
    }
    println!("  admin API        {base}/_emulator/info");
}
