//! graphnote as a remote MCP server (Streamable HTTP at `/mcp`) that AI assistants connect to
//! with the standard OAuth flow of the MCP authorization specification
//! (<https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization>): graphnote
//! is both the protected resource and its authorization server, and the user signs in to it
//! with Microsoft as on every page.
//!
//! The protocol facts this relies on, with their RFCs: docs/protocol.md §14. Served unless
//! `MCP=off`. What is here:
//!
//! - `discovery`: the Protected Resource Metadata (RFC 9728) naming graphnote as the
//!   authorization server, the Authorization Server Metadata (RFC 8414), and `/mcp` answering
//!   401 with the `WWW-Authenticate` challenge that points a client at them.
//! - `records`: the server's records in the shared store, secrets as their hash.
//! - `registration`: Dynamic Client Registration (RFC 7591) of public clients, their redirect
//!   URIs checked, 20 an hour per address, kept in the store every instance shares (uses
//!   `discovery`, `records`).
//! - `client_metadata`: Client ID Metadata Documents, a client named by an `https` URL whose
//!   document graphnote fetches, with SSRF care (uses `records`, `registration`).
//! - `authorization`: the consent page and one-time authorization codes, bound to the client,
//!   its redirect URI, its PKCE challenge (S256), the user and `/mcp` (uses `discovery`,
//!   `client_metadata`, `connections`, `records`, `registration`).
//! - `grants`: a user's consent to a client, which ends as a whole (uses `records`).
//! - `token_endpoint`: codes exchanged once, with the PKCE verifier, for opaque access tokens
//!   and rotating refresh tokens kept hashed in the store; a code or refresh token used twice
//!   revokes its grant (uses `authorization`, `grants`, `records`).
//! - `connections`: the apps each user allowed, and `/connections`, where Disconnect revokes one
//!   (uses `grants`, `records`).
//! - `resource_uri`: the URIs of a page's images and attachments, read through graphnote.
//! - `arguments`: what the tools' arguments mean (cursors, search words, locations).
//! - `search`: full-text search over the user's most recent export's vault.
//! - `tool_output`: what the tools answer, with the JSON Schemas they declare (uses `search`).
//! - `tools`: the MCP tools over the user's OneNote, their teams' and sites' (uses `arguments`,
//!   `resource_uri`, `search`, `token_endpoint`, `tool_output`).
//! - `endpoint`: `/mcp`, rmcp's Streamable HTTP server, admitting only current access tokens
//!   of users still signed in (uses `connections`, `discovery`, `token_endpoint`, `tools`).
//!
//! Client registrations are kept (they are rate-limited); metadata documents an hour.
//!
//! Crates: `rmcp` (the official Rust SDK) speaks MCP and its Streamable HTTP transport, at
//! the protocol versions the official SDKs use. The authorization server is graphnote's own
//! glue over its store and sealing: `oauth2` and `openidconnect` were considered, but they are
//! client libraries (they make and send requests like these, they do not answer them), and
//! the server side is the checks above, each a few lines, each tested.

pub mod arguments;
pub mod authorization;
pub mod client_metadata;
pub mod connections;
pub mod discovery;
pub mod endpoint;
pub mod grants;
mod records;
pub mod registration;
pub mod resource_uri;
pub mod search;
pub mod token_endpoint;
pub mod tool_output;
pub mod tools;

use axum::Router;
use axum::http::{HeaderName, Method, header};
use axum::middleware;
use axum::routing::{get, post};
use tower_http::cors::{Any, CorsLayer};

use crate::state::AppState;
pub use discovery::MCP_PATH;

/// The MCP routes, for the app's router when `MCP=on`.
pub fn routes(state: &AppState) -> Router<AppState> {
    let mcp = Router::new()
        .route_service(MCP_PATH, endpoint::service(state))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            endpoint::authenticate,
        ));
    // What MCP clients call from anywhere, browsers included (an assistant's web page, the MCP
    // Inspector): no cookie is read on these, so any origin may call them. The consent page is
    // not among them: it is the user's own, signed in with the session cookie.
    let clients_call = mcp
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(discovery::protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::authorization_server),
        )
        .route("/oauth/register", post(registration::register))
        .route("/oauth/token", post(token_endpoint::token))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    HeaderName::from_static("mcp-protocol-version"),
                ])
                .expose_headers([header::WWW_AUTHENTICATE]),
        );
    Router::new()
        .merge(clients_call)
        .route(
            "/oauth/authorize",
            get(authorization::authorize).post(authorization::decide),
        )
        .route("/connections", get(connections::list))
        .route(
            "/connections/{grant}/disconnect",
            post(connections::disconnect_route),
        )
}
