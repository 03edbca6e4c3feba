//! `graphnote serve`: the web app alone, configured from the environment and `.env`.

use std::process::ExitCode;

use web::{AppState, Config};

use crate::telemetry;

pub async fn run() -> ExitCode {
    match dotenvy::dotenv() {
        Ok(_) => {}
        Err(e) if e.not_found() => {}
        Err(e) => {
            eprintln!("graphnote serve: .env: {e}");
            return ExitCode::from(2);
        }
    }
    let config = match Config::from_env(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("graphnote serve: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(telemetry::format_of(&config));
    serve(config, None).await
}

/// Builds the state, binds, and serves until a stop signal. `banner` is printed once listening.
pub async fn serve(config: Config, banner: Option<String>) -> ExitCode {
    let listen = config.listen;
    let public = config.public_base();
    let state = match AppState::new(config) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("graphnote: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("graphnote: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match banner {
        Some(text) => println!("{text}"),
        None => println!("graphnote listening on {listen}, reachable at {public}"),
    }
    match web::serve(state, listener, crate::shutdown::signal()).await {
        Ok(()) => {
            // The last line of a clean stop: a log that ends without it was cut short.
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("graphnote: server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
