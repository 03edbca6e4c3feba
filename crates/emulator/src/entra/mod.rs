//! The identity side: Entra ID's v2 endpoints for every tenant form (`{tenant}` = GUID, verified
//! domain, `common`, `organizations`, `consumers`).

pub mod authorize;
pub mod claims;
pub mod client_assertion;
mod compare;
pub mod discovery;
pub mod error;
pub mod forms;
pub mod grants;
pub mod id_token_faults;
pub mod logout;
pub mod params;
mod redirect;
pub mod scopes;
mod second_factor;
pub mod token;
pub mod tokens;

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::state::SharedEmulator;
use error::EntraError;

/// The Entra routes.
pub fn routes() -> Router<SharedEmulator> {
    Router::new()
        .route(
            "/common/discovery/instance",
            only(get(discovery::instance), "GET"),
        )
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            only(get(discovery::openid_configuration), "GET"),
        )
        .route(
            "/{tenant}/discovery/v2.0/keys",
            only(get(discovery::keys), "GET"),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            only(
                get(authorize::authorize).post(authorize::authorize),
                "GET, POST",
            ),
        )
        .route("/{tenant}/login", only(post(forms::sign_in), "POST"))
        .route("/{tenant}/consent", only(post(forms::consent), "POST"))
        .route(
            "/{tenant}/second-factor",
            only(post(forms::second_factor), "POST"),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            only(post(token::token), "POST"),
        )
        .route(
            "/{tenant}/oauth2/v2.0/logout",
            only(get(logout::logout).post(logout::logout), "GET, POST"),
        )
}

/// Answers other methods as Entra does (AADSTS900561), with status 405 and `Allow`.
fn only(
    router: MethodRouter<SharedEmulator>,
    allowed: &'static str,
) -> MethodRouter<SharedEmulator> {
    router.fallback(move |method: Method| async move {
        let mut response: Response =
            EntraError::wrong_method(method.as_str(), allowed).into_response();
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        if let Ok(value) = allowed.parse() {
            response
                .headers_mut()
                .insert(axum::http::header::ALLOW, value);
        }
        response
    })
}
