//! The `graphnote` binary: `demo` (emulator + web app in one process), `serve` (the web app,
//! configured from the environment), `emulator` (the Entra ID + Graph emulator alone) and
//! `convert` (saved OneNote page HTML to Markdown).

mod convert_cmd;
mod convert_files;
mod demo_cmd;
mod emulator_cmd;
mod log_writer;
mod serve_cmd;
mod shutdown;
mod telemetry;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: the request path allocates many small short-lived buffers, and the system
/// allocator cost about 30% of `/msal-demo`'s CPU in the benchmark (`scripts/bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "graphnote",
    version,
    about = "Sign in with Microsoft Entra ID, call Microsoft Graph, read OneNote pages as Markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the emulator and the web app together, wired up, with zero configuration.
    ///
    /// Open the app's address in a browser and sign in as ada@contoso.example with the password
    /// graphnote-demo (the README lists every demo account). The environment may still set
    /// RESPONSE_MODE, LOG_FORMAT, SESSION_STORE, SCOPE and RUST_LOG.
    Demo {
        /// Where the web app listens (loopback; open http://THIS in a browser).
        #[arg(long, default_value = "127.0.0.1:5000")]
        listen: SocketAddr,
        /// Where the emulated Entra ID and Microsoft Graph listen.
        #[arg(long, default_value = "127.0.0.1:8443")]
        emulator_listen: SocketAddr,
        /// Where the demo keeps its sessions, exports and the emulator's keys.
        #[arg(long, default_value = ".data")]
        data_dir: PathBuf,
        /// Serve the emulator over HTTPS (a browser must then trust its ca.pem).
        #[arg(long)]
        tls: bool,
    },
    /// Run the web app, configured from the environment and `.env`.
    ///
    /// Required: CLIENT_ID, SESSION_SECRET, and CLIENT_SECRET or CLIENT_CERTIFICATE_PATH.
    /// Optional: AUTHORITY, PUBLIC_URL, LISTEN, REDIRECT_PATH, SCOPE,
    /// RESPONSE_MODE, GRAPH_ENDPOINT, CA_BUNDLE, SESSION_STORE, DATA_DIR,
    /// SESSION_IDLE_SECONDS, SESSION_MAX_AGE_SECONDS, TRUSTED_PROXIES,
    /// REQUEST_TIMEOUT_SECONDS, SHUTDOWN_GRACE_SECONDS, ONENOTE_MAX_CONCURRENT,
    /// ONENOTE_PER_MINUTE, ONENOTE_PER_HOUR, ONENOTE_WAIT_SECONDS, EXPORT_RETENTION_HOURS,
    /// EXPORT_LEASE_SECONDS, EXPORT_POLL_MILLISECONDS, EXPORT_RETRY_MILLISECONDS, LOG_FORMAT,
    /// RUST_LOG. The README's "Configuration" section says what each does and its default;
    /// a wrong value stops start-up with one line naming it.
    Serve,
    /// Run the Entra ID + Microsoft Graph emulator.
    Emulator(emulator_cmd::EmulatorArgs),
    /// Convert OneNote page HTML saved on disk to Markdown.
    Convert(convert_cmd::ConvertArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("graphnote: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async move {
        match cli.command {
            Command::Emulator(args) => {
                telemetry::init("text");
                emulator_cmd::run(args).await
            }
            Command::Demo {
                listen,
                emulator_listen,
                data_dir,
                tls,
            } => {
                demo_cmd::run(demo_cmd::DemoArgs {
                    listen,
                    emulator_listen,
                    data_dir,
                    tls,
                })
                .await
            }
            Command::Serve => serve_cmd::run().await,
            // No telemetry: what it says goes to standard error in its own words.
            Command::Convert(args) => convert_cmd::run(args).await,
        }
    });
    // The runtime's threads are gone: every log line is in the buffer. Out with them.
    drop(runtime);
    log_writer::flush();
    code
}
