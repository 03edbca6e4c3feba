//! graphnote's emulator of Microsoft Entra ID (v2 endpoints) and Microsoft Graph, as a library:
//! [`router`] gives the axum `Router` for an [`Emulator`] built by [`EmulatorBuilder`];
//! [`server::serve`] serves it over HTTP or HTTPS; [`testing::TestEmulator`] starts one inside a
//! test. The emulator depends on none of graphnote's client crates: it is the other side.
//!
//! # Layout
//!
//! Each module uses only modules listed before it (`scripts/module-cycles` checks it).
//!
//! - Leaves: `clock`, `images` (generated pictures), `keys` (signing keys and JWKS), `tls`,
//!   `settings` (lifetimes and limits), `request_log`, `pages` (the sign-in and consent pages),
//!   `seed` (the starting world: `model`, `onenote`, `files` (notebooks from OneNote's own
//!   files), the built-in seeds), `directory` (tenants,
//!   users and apps from the seed).
//! - `entra`: `claims` (access-token claims), `error` (Entra-shaped errors and their codes),
//!   `compare`, `redirect`, `params`, `scopes`, `grants` (codes, refresh tokens, browser
//!   sessions), `id_token_faults`, `tokens` (what the token endpoint issues), then the endpoints:
//!   `discovery`, `authorize`, `token`, `logout`.
//! - `graph`: `error`, `request` (ids and headers every answer carries), `path`,
//!   `verified_tokens`, `auth` (the bearer-token check), `throttle`, `faults`, then `me` and
//!   `onenote` (`html`: the page tree, input conversion and output rendering; `store`,
//!   `seeding`, `query`, `filter`, `shape`, `entities`, `create`), then `drive` (a notebook's
//!   own files in the user's drive: `store`, then the routes).
//! - `state`: the [`Emulator`] everything shares, built from the seed.
//! - `admin`: the `/_emulator` API (`identity`, `graph`, `error`); `server`; `testing`
//!   (behind the `testing` feature); this file's router.

pub mod admin;
pub mod clock;
pub mod directory;
pub mod entra;
pub mod graph;
pub mod images;
pub mod keys;
pub mod pages;
pub mod request_log;
pub mod seed;
pub mod server;
pub mod settings;
pub mod state;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

pub use state::{Emulator, EmulatorBuilder, SharedEmulator};

/// The emulator's HTTP surface: Entra, Graph and the admin API, with the request log.
pub fn router(emu: SharedEmulator) -> Router {
    let routes = Router::new()
        .merge(entra::routes())
        .merge(graph::routes())
        .nest(
            "/_emulator",
            admin::routes().layer(axum::middleware::from_fn(admin::loopback_only)),
        )
        .with_state(emu.clone());
    // MSAL builds `/common//v2.0/…` from an authority with a trailing slash; Entra tolerates
    // repeated slashes, so unmatched paths are retried once with them collapsed.
    let collapsed = routes.clone().fallback(not_found);
    routes
        .fallback(move |request: Request| retry_collapsed(collapsed.clone(), request))
        .layer(axum::middleware::from_fn_with_state(emu.clone(), jitter))
        .layer(axum::middleware::from_fn_with_state(
            emu.log.clone(),
            request_log::record,
        ))
}

/// Holds a request back before or after it is handled, when the admin API turned jitter on
/// (`settings::Jitter`); the admin API itself is never held.
async fn jitter(
    axum::extract::State(emu): axum::extract::State<SharedEmulator>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let hold = match request.uri().path().starts_with("/_emulator") {
        true => None,
        false => emu.settings.jitter().and_then(|j| j.draw()),
    };
    if let Some(settings::Hold::Before(delay)) = hold {
        tokio::time::sleep(delay).await;
    }
    let response = next.run(request).await;
    if let Some(settings::Hold::After(delay)) = hold {
        tokio::time::sleep(delay).await;
    }
    response
}

async fn retry_collapsed(router: Router, mut request: Request) -> Response {
    let path = request.uri().path();
    if !path.contains("//") {
        return not_found_at(path);
    }
    let mut collapsed = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    if let Some(query) = request.uri().query() {
        collapsed.push('?');
        collapsed.push_str(query);
    }
    match collapsed.parse::<Uri>() {
        Ok(uri) => {
            *request.uri_mut() = uri;
            match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
        Err(_) => not_found_at(request.uri().path()),
    }
}

async fn not_found(request: Request) -> Response {
    not_found_at(request.uri().path())
}

/// Unknown paths: Graph-shaped under `/v1.0`, Entra-shaped elsewhere.
fn not_found_at(path: &str) -> Response {
    if path.to_ascii_lowercase().starts_with("/v1.0") {
        graph::not_found(path)
    } else {
        entra::error::EntraError::not_found().into_response()
    }
}
