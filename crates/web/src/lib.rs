//! graphnote's web app: the Python sample's routes (`/`, `/login`, the redirect path, `/logout`,
//! `/msal-demo`) done properly — validated ID tokens, encrypted server-side sessions in SQLite or
//! Redis, single-flight silent refresh, strict cookies and security headers — and the OneNote
//! pages.
//!
//! [`app`] builds the app for an [`AppState`]; [`serve`] runs it with graceful shutdown.
//!
//! # Layout
//!
//! Leaves first; each module uses only modules listed above it (`scripts/module-cycles` checks
//! that no two modules use each other, directly or round a ring).
//!
//! - `clock`, `features` (the optional features and their scopes), `single_flight` (one holder
//!   per key), `forwarded` (the reverse-proxy policy), `server` (hyper with limits and graceful
//!   shutdown), `security` (response headers), `metrics` (the Prometheus recorder, the request
//!   metrics layer and the handles it keeps), `body_limits` (the upload's own way past the
//!   small-body limit and the timeout): leaves.
//! - `config`: typed configuration, read once.
//! - `context`: the request's id, path prefix and public base URL, recorded by a middleware and
//!   taken as an extractor; `access_log`: the request's span and its one line.
//! - `session`: the session store (SQLite, Redis), sealed secrets, cookies.
//! - `error` (one error type, the status of each failure), `problem` (what each failure reads
//!   like), `pages` (templates and the shared layout), `error_page` (the middleware that logs a
//!   failure and renders its page or redirect).
//! - `extract`: the session, query and form extractors.
//! - `csrf`: tokens for the app's own forms.
//! - `tokens`: access tokens for a session, refreshed once at a time.
//! - `onenote`: `access` (OneNote calls through the user's budget), then the pages.
//! - `exports`: whole-notebook exports as jobs — `job`, the job `store` (SQLite or Redis),
//!   `credentials` (the owner's sealed sign-in), `graph_source`, the `worker`, the `routes`,
//!   `upload` (OneNote files uploaded and converted as a job).
//! - `auth` (sign-in and sign-out), `routes` (home, `/msal-demo`, health, assets).
//! - `mcp`: the MCP server and its OAuth discovery (served with `MCP=on`).
//! - `state`: the parts handlers take, built at start-up; then this file's router.

pub mod access_log;
#[cfg(test)]
mod allocation_count;
pub mod auth;
pub mod body_limits;
pub mod clock;
pub mod config;
pub mod content_disposition;
pub mod context;
pub mod csrf;
pub mod error;
pub mod error_page;
pub mod exports;
pub mod extract;
pub mod features;
pub mod forwarded;
pub mod mcp;
pub mod metrics;
pub mod onenote;
pub mod pages;
pub mod problem;
pub mod routes;
pub mod security;
pub mod server;
pub mod session;
pub mod single_flight;
pub mod state;
pub mod tokens;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower::{Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

pub use config::Config;
pub use error::AppError;
pub use state::{AppState, StartupError};

/// Request bodies are small forms; anything larger is refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole app, mounted under `PUBLIC_URL`'s path prefix: the router behind the layers every
/// request goes through. The layers wrap the router once, not each of its routes (as
/// `Router::layer` would), so a request does not clone the stack on its way in; each is a
/// concrete service, none boxes its future (the README's "The request path" has what that
/// saved).
pub fn app(
    state: AppState,
) -> impl Service<
    Request,
    Response = Response<impl HttpBody<Data = Bytes, Error = axum::Error> + Send + 'static>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    let https = state.config.is_https();
    let mcp = state.config.mcp;
    let request_timeout = state.config.request_timeout;
    let policy = Arc::new(forwarded::ProxyPolicy::new(
        state.config.trusted_proxies.clone(),
        &state.config.public_url,
    ));
    ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(
            context::REQUEST_ID,
            context::MakeRandomRequestId,
        ))
        .layer(PropagateRequestIdLayer::new(context::REQUEST_ID))
        .map_request(move |request| context::record(&policy, mcp, request))
        .layer(access_log::AccessLogLayer)
        .map_response(move |response| security::add(https, response))
        // Inside the security headers (the page it renders gets them too), outside the
        // panic catcher (a panic's page is rendered like any failure's).
        .layer(error_page::ErrorPageLayer)
        .map_response(|response: Response<_>| response.map(Body::new))
        .layer(CatchPanicLayer::custom(panic_page))
        .service(body_limits::UploadOr {
            path: body_limits::upload_path(&state.config.path_prefix()).into(),
            upload: upload_router(state.clone()),
            rest: ServiceBuilder::new()
                .map_response(|response: Response<_>| response.map(Body::new))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    request_timeout,
                ))
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
                .service(router(state)),
        })
}

/// The upload of OneNote files alone: no body limit but its own (`exports::upload`).
fn upload_router(state: AppState) -> Router {
    let path = body_limits::upload_path(&state.config.path_prefix());
    Router::new()
        .route(&path, post(exports::upload::upload))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(metrics::RequestMetricsLayer)
        .with_state(state)
}

/// The routes, mounted under `PUBLIC_URL`'s path prefix.
fn router(state: AppState) -> Router {
    let prefix = state.config.path_prefix();
    let routes = Router::new()
        .route("/", get(routes::home::home))
        .route("/login", get(auth::login::login))
        .route(
            &state.config.redirect_path,
            get(auth::callback::callback_get).post(auth::callback::callback_post),
        )
        .route("/logout", get(auth::logout::logout))
        .route("/signout-oidc", get(auth::logout::signout_oidc))
        .route("/msal-demo", get(routes::msal_demo::msal_demo))
        .route("/onenote", get(onenote::notebooks::index))
        .route("/onenote/shared", get(onenote::notebooks::shared))
        .route(
            "/onenote/exports",
            get(exports::routes::list).post(exports::routes::start),
        )
        .route("/onenote/exports/{id}", get(exports::routes::show))
        .route("/onenote/exports/{id}/events", get(exports::routes::events))
        .route(
            "/onenote/exports/{id}/cancel",
            post(exports::routes::cancel),
        )
        .route(
            "/onenote/exports/{id}/update",
            post(exports::routes::update),
        )
        .route(
            "/onenote/exports/{id}/delete",
            post(exports::routes::delete),
        )
        .route("/onenote-demo", get(onenote::sample_routes::onenote_demo))
        .route("/onenotepage", get(onenote::sample_routes::onenote_page))
        .route(
            "/onenotepagemd",
            get(onenote::sample_routes::onenote_page_md),
        )
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(metrics::render))
        .route("/static/app.css", get(routes::assets::app_css))
        .route("/static/autosubmit.js", get(routes::assets::autosubmit_js))
        .route("/static/export.js", get(routes::assets::export_js))
        .route("/static/favicon.svg", get(routes::assets::favicon))
        .route("/favicon.ico", get(routes::assets::favicon))
        .fallback(not_found);
    // The same pages for the user's own notebooks, a group's and a site's.
    let routes = [
        "/onenote",
        "/onenote/groups/{group}",
        "/onenote/sites/{site}",
    ]
    .into_iter()
    .fold(routes, |routes, base| {
        routes
            .route(
                &format!("{base}/sections/{{id}}"),
                get(onenote::section::section),
            )
            .route(&format!("{base}/pages/{{id}}"), get(onenote::page::page))
            .route(&format!("{base}/links"), get(onenote::page_link::follow))
            .route(
                &format!("{base}/resources/{{id}}"),
                get(onenote::resource::resource),
            )
    });
    let routes = if state.config.mcp {
        routes.merge(mcp::routes(&state))
    } else {
        routes
    };
    let routes = if prefix.is_empty() {
        routes
    } else {
        // Nested, `/` is served at `/app`; `/app/` is the same page, not a 404.
        Router::new()
            .nest(&prefix, routes)
            .route(&format!("{prefix}/"), get(routes::home::home))
            .fallback(not_found)
    };
    // On the routes, where the matched route template is known.
    routes.layer(metrics::RequestMetricsLayer).with_state(state)
}

async fn not_found() -> Response {
    AppError::NotFound.into_response()
}

fn panic_page(_: Box<dyn std::any::Any + Send>) -> Response {
    AppError::internal("a handler panicked").into_response()
}

/// Serves the app on `listener` until `shutdown` completes; requests in flight then get
/// `SHUTDOWN_GRACE_SECONDS` to finish.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = state.config.shutdown_grace;
    // The export worker runs beside the server and stops with it.
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(exports::worker::run(state.exports.clone(), worker_stopped));
    let served = server::serve(listener, app(state), shutdown, grace).await;
    let _ = stop_worker.send(true);
    worker.abort();
    served
}
