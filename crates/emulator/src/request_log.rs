//! The request log the admin API serves: one entry per request to the emulated services, with who
//! made it and when it started and ended (so tests can count grants and measure concurrency).
//! Values that could be secrets (codes, tokens, passwords) are never recorded: only parameter
//! names, and the identities handlers attach.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

/// How many entries are kept; older ones are dropped first.
const CAPACITY: usize = 50_000;

/// Who a request acted for, attached by handlers as a response extension.
#[derive(Debug, Clone, Default)]
pub struct LogDetail {
    pub user: Option<String>,
    pub client_id: Option<String>,
    pub grant_type: Option<String>,
    /// What a token request's `claims` asked for, as `acrs=c1`, `xms_cc=cp1` (no secrets).
    pub claims: Vec<String>,
}

/// One logged request.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// Query parameter names (never values).
    pub query: Vec<String>,
    pub status: u16,
    pub user: Option<String>,
    pub client_id: Option<String>,
    pub grant_type: Option<String>,
    /// What a token request's `claims` asked for (see [`LogDetail::claims`]).
    pub claims: Vec<String>,
    pub client_request_id: Option<String>,
    /// Milliseconds since the emulator started.
    pub started_ms: f64,
    pub finished_ms: f64,
}

/// The log itself.
pub struct RequestLog {
    epoch: Instant,
    entries: Mutex<(u64, VecDeque<LogEntry>)>,
}

impl Default for RequestLog {
    fn default() -> Self {
        RequestLog {
            epoch: Instant::now(),
            entries: Mutex::new((0, VecDeque::new())),
        }
    }
}

impl RequestLog {
    fn push(&self, mut entry: LogEntry) {
        let mut guard = self.entries.lock().expect("log lock");
        guard.0 += 1;
        entry.seq = guard.0;
        if guard.1.len() == CAPACITY {
            guard.1.pop_front();
        }
        guard.1.push_back(entry);
    }

    /// Entries with `seq` greater than `since`.
    pub fn since(&self, since: u64) -> Vec<LogEntry> {
        let guard = self.entries.lock().expect("log lock");
        guard.1.iter().filter(|e| e.seq > since).cloned().collect()
    }

    pub fn clear(&self) {
        self.entries.lock().expect("log lock").1.clear();
    }

    fn millis(&self, at: Instant) -> f64 {
        at.duration_since(self.epoch).as_secs_f64() * 1000.0
    }
}

/// Middleware: records every request except the admin API's own.
pub async fn record(State(log): State<Arc<RequestLog>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_emulator") {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let query = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, _)| k.into_owned())
                .collect()
        })
        .unwrap_or_default();
    let client_request_id = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect());
    let started = Instant::now();
    let response = next.run(request).await;
    let detail = response
        .extensions()
        .get::<LogDetail>()
        .cloned()
        .unwrap_or_default();
    log.push(LogEntry {
        seq: 0,
        method,
        path,
        query,
        status: response.status().as_u16(),
        user: detail.user,
        client_id: detail.client_id,
        grant_type: detail.grant_type,
        claims: detail.claims,
        client_request_id,
        started_ms: log.millis(started),
        finished_ms: log.millis(Instant::now()),
    });
    response
}
