//! `GET /msal-demo`: the sample's Graph call — `/me` with a silently refreshed token, shown as a
//! page, or returned as JSON to `Accept: application/json` (or `?format=json`).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::SignedIn;
use crate::pages::{Layout, MsalDemoPage, render};
use crate::state::AppState;
use crate::tokens::{Want, with_token};

#[derive(Deserialize)]
pub struct Format {
    format: Option<String>,
}

pub async fn msal_demo(
    State(state): State<AppState>,
    SignedIn(mut session): SignedIn,
    headers: HeaderMap,
    Query(format): Query<Format>,
) -> Result<Response, AppError> {
    let want = Want {
        scopes: &state.config.scopes,
        next: "/msal-demo",
        consent_feature: None,
    };
    let graph = state.graph.clone();
    let me = with_token(&state, &mut session, &want, |token| {
        let graph = graph.clone();
        async move { graph.me(token.expose()).await }
    })
    .await?;
    let wants_json = format.format.as_deref() == Some("json")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return Ok(Json(me).into_response());
    }
    let pretty = serde_json::to_string_pretty(&me).unwrap_or_default();
    Ok(render(
        &MsalDemoPage {
            layout: Layout::new(session.user()),
            json: pretty,
        },
        StatusCode::OK,
    ))
}
