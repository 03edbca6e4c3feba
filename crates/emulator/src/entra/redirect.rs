//! Redirects as Entra sends them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::EntraError;

/// A 302 redirect, as Entra sends (axum's `Redirect::to` is a 303).
pub fn found(target: &str) -> Response {
    match axum::http::HeaderValue::from_str(target) {
        Ok(location) => (
            StatusCode::FOUND,
            [(axum::http::header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => EntraError::malformed_request("the redirect target is not a valid header value")
            .into_page(),
    }
}
