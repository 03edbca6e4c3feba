//! Logging set up once at start: `RUST_LOG`-style filtering (default `info`, with rmcp's own
//! lines at `warn`: it logs each MCP request's start and end, which the access log's one line
//! already says), text or JSON lines,
//! to standard error in batches ([`crate::log_writer`]). Request ids and the "never log a
//! secret" rule live in the web app's middleware.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `format` is `text` or `json`.
pub fn init(format: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn"));
    // Colour only for a person at a terminal, never in files or log collectors.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(crate::log_writer::BatchedStderr);
    crate::log_writer::start_flushing();
    let _ = if format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
}

/// The `LOG_FORMAT` of a configuration, as `init` takes it.
pub fn format_of(config: &web::Config) -> &'static str {
    match config.log_format {
        web::config::LogFormat::Json => "json",
        web::config::LogFormat::Text => "text",
    }
}
