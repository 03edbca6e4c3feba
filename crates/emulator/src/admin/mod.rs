//! The admin API under `/_emulator/` (loopback callers only): what tests and demos use to look
//! inside the emulator and to bend it. [`identity`] has the identity side (request log, token
//! lifetimes, revocation, keys, app registrations, ID-token faults), [`graph`] the Graph side
//! (OneNote limits, fault rules, stored resources).

mod error;
mod graph;
mod identity;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use error::AdminError;

use crate::state::SharedEmulator;

/// The admin routes (mounted at `/_emulator`).
pub fn routes() -> Router<SharedEmulator> {
    identity::routes().merge(graph::routes())
}

/// Middleware: only loopback callers may use the admin API.
pub async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if !ip.is_loopback() => AdminError(
            StatusCode::FORBIDDEN,
            "the admin API answers loopback callers only".into(),
        )
        .into_response(),
        _ => next.run(request).await,
    }
}
