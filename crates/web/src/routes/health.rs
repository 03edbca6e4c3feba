//! `GET /healthz` (the process answers) and `GET /readyz` (it can serve: the session store
//! answers).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::session::SessionStore;
use crate::state::AppState;

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.sessions.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "session store unavailable\n".to_string(),
            )
        }
    }
}
