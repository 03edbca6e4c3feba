//! Prometheus metrics at `/metrics`: requests by route and status with latency histograms,
//! sign-ins, token refreshes, Graph calls by status and the 429s seen, session store latency and
//! errors. One process-wide recorder (the `metrics` facade), rendered as Prometheus text.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Latency buckets, in seconds: fast pages to slow zip builds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0,
];

/// Installs the recorder once per process (several app instances in one test process share it).
pub fn install() {
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            .ok()?
            .install_recorder()
            .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
            .ok()
    });
}

/// `GET /metrics`
pub async fn render() -> Response {
    let text = HANDLE
        .get()
        .and_then(|h| h.as_ref())
        .map(|h| h.render())
        .unwrap_or_default();
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Middleware: counts each request by route template (never the raw path: ids would explode
/// the label set) and status, and records its latency.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("graphnote_http_requests_total", "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("graphnote_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A sign-in finished (`outcome`: `success` or the error kind).
pub fn sign_in(outcome: &'static str) {
    metrics::counter!("graphnote_signins_total", "outcome" => outcome).increment(1);
}

/// A token refresh finished (`outcome`: `success`, `reauthenticate`, `consent`, `error`).
pub fn refresh(outcome: &'static str) {
    metrics::counter!("graphnote_token_refreshes_total", "outcome" => outcome).increment(1);
}
