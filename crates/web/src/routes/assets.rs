//! The app's own stylesheet, scripts and icon, compiled into the binary (no CDN).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const APP_CSS: &str = include_str!("../../static/app.css");
const AUTOSUBMIT_JS: &str = include_str!("../../static/autosubmit.js");
const EXPORT_JS: &str = include_str!("../../static/export.js");
const FAVICON_SVG: &str = include_str!("../../static/favicon.svg");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

pub async fn app_css() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8")
}

pub async fn autosubmit_js() -> Response {
    asset(AUTOSUBMIT_JS, "text/javascript; charset=utf-8")
}

pub async fn export_js() -> Response {
    asset(EXPORT_JS, "text/javascript; charset=utf-8")
}

/// The icon, also at `/favicon.ico` (browsers ask for it there whatever the page says; an SVG
/// under that name is fine by them).
pub async fn favicon() -> Response {
    asset(FAVICON_SVG, "image/svg+xml")
}
