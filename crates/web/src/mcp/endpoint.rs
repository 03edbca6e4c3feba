//! `/mcp` itself: rmcp's Streamable HTTP server behind a layer that admits only a current
//! access token for this resource, of a grant that stands, whose user's sign-in graphnote still
//! holds. Anything else gets the 401 challenge that sends the client back through discovery —
//! so signing out of graphnote pauses connected clients, as it pauses exports, until the user
//! allows them again.
//!
//! The server is stateless (no MCP session): any instance answers any request, since the token
//! alone says who is calling.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use super::connections;
use super::discovery::{self, resource};
use super::token_endpoint;
use super::tools::{Caller, OneNoteTools};
use crate::config::Config;
use crate::error::AppError;
use crate::exports::Exports;
use crate::state::AppState;

/// The largest JSON-RPC message a client may post: tool arguments are ids and cursors.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The MCP service, for `/mcp`.
pub fn service(state: &AppState) -> StreamableHttpService<OneNoteTools, NeverSessionManager> {
    let exports = state.exports.clone();
    let public_base: Arc<str> = state.config.public_base().into();
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(MAX_MESSAGE_BYTES)
        // rmcp checks `Host` against DNS rebinding, the attack on servers that trust whoever
        // can reach them. This one trusts only a bearer token, which a rebinding page cannot
        // hold, and builds no URL from `Host` (see `discovery`); behind a proxy the `Host` it
        // sees is the proxy's choice.
        .disable_allowed_hosts();
    StreamableHttpService::new(
        move || Ok(OneNoteTools::new(exports.clone(), public_base.clone())),
        Arc::new(NeverSessionManager::default()),
        config,
    )
}

/// The layer in front of the service: a request without a token that stands gets the
/// challenge; one with it goes on, its [`Caller`] in its extensions.
pub async fn authenticate(
    State(exports): State<Exports>,
    State(config): State<Arc<Config>>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let Some(token) = token else {
        return Ok(discovery::challenge(State(config), request.headers().clone()).await);
    };
    let issued = token_endpoint::access(&exports.store, token, &resource(&config)).await?;
    let issued = match issued {
        // A user who signed out has paused their clients, until they allow them again.
        Some(issued) if exports.credentials.present(&issued.account).await? => issued,
        _ => return Ok(discovery::challenge(State(config), request.headers().clone()).await),
    };
    connections::used(&exports.store, &issued.grant).await?;
    request.extensions_mut().insert(Caller(issued));
    Ok(next.run(request).await.into_response())
}
