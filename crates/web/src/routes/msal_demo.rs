//! `GET /msal-demo`: the sample's Graph call — `/me` with a silently refreshed token, shown as a
//! page, or returned as JSON to `Accept: application/json` (or `?format=json`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use graph::GraphClient;
use serde::Deserialize;

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::extract::{AppQuery, SignedIn};
use crate::pages::{Layout, MsalDemoPage, render};
use crate::tokens::{Tokens, Want};

#[derive(Deserialize)]
pub struct Format {
    format: Option<String>,
}

pub async fn msal_demo(
    State(config): State<Arc<Config>>,
    State(tokens): State<Tokens>,
    State(graph): State<GraphClient>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
    headers: HeaderMap,
    AppQuery(format): AppQuery<Format>,
) -> Result<Response, AppError> {
    let want = Want {
        scopes: &config.scopes,
        next: "/msal-demo",
        feature: None,
    };
    let me = tokens
        .with_token(&mut session, &want, async |token| {
            graph.me(token.expose()).await
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
            layout: Layout::new(&ctx, session.user()),
            json: pretty,
        },
        StatusCode::OK,
    ))
}
