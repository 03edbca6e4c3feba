//! Security headers on every response: a strict Content-Security-Policy (no inline script, images
//! from the app and `data:` only, no framing), `nosniff`, no referrer, and HSTS when the app is
//! served over HTTPS. Pages are per-user, so anything that did not choose otherwise is `no-store`.

use axum::http::{HeaderName, HeaderValue, Response, header};

/// The policy. `style-src-attr 'unsafe-inline'` lets the sanitized OneNote page keep its
/// reduced inline styles; scripts and style sheets come only from the app itself.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     style-src-attr 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; connect-src 'self'";

/// The headers, built at compile time (`HeaderValue::from_static` checks its text on every call
/// otherwise: the policy alone was a per-request scan).
const HEADERS: [(HeaderName, HeaderValue); ALWAYS] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
];

/// How many of the headers every response gets.
const ALWAYS: usize = 7;

/// How many headers [`add`] may add (HSTS too): a response made with room for them is not grown.
pub const HEADER_COUNT: usize = ALWAYS + 1;

const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000; includeSubDomains");

/// Adds the headers to a response (each unless the response set its own), as a step of the
/// app's layers. `https` decides HSTS.
pub fn add<B>(https: bool, mut response: Response<B>) -> Response<B> {
    let headers = response.headers_mut();
    headers.reserve(HEADER_COUNT);
    for (name, value) in HEADERS {
        headers.entry(name).or_insert(value);
    }
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HSTS);
    }
    response
}
