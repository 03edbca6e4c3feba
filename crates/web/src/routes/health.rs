//! `GET /healthz` (the process answers) and `GET /readyz` (it can serve: the session store
//! answers).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::error::Chain;
use crate::session::{SessionStore, Sessions};

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

pub async fn readyz(State(sessions): State<Arc<Sessions>>) -> impl IntoResponse {
    match sessions.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(e) => {
            tracing::warn!(error = %Chain(&e), "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "session store unavailable\n".to_string(),
            )
        }
    }
}
