//! The apps a user connected through the MCP server, and `/connections`, where they see them
//! (name, when connected, when last used) and disconnect one, which revokes its tokens at once.
//!
//! A user's connections are one record (`mcp-connections:{account}`), changed under a lock
//! every instance honours; when each was last used is a record of its own, written at most
//! once a minute, so that a busy client does not write the store on every call.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::grants::{self, REFRESH_SECONDS};
use super::records::{get, put_for, put_kept};
use crate::context::RequestContext;
use crate::csrf::Csrf;
use crate::error::AppError;
use crate::exports::Exports;
use crate::exports::routes::see_other;
use crate::exports::store::{JobError, JobStore};
use crate::extract::{CarriesCsrf, CheckedForm, SignedIn};
use crate::pages::{Layout, render};

/// How often a connection's last use is written, at most.
const USED_EVERY_SECONDS: i64 = 60;
/// How long changing a user's connections may hold their lock.
const LOCK_MS: u64 = 5_000;

/// One connected app.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Connection {
    pub grant: String,
    pub client_id: String,
    pub client_name: String,
    /// Seconds since 1970.
    pub connected_at: i64,
}

fn list_name(account: &str) -> String {
    format!("mcp-connections:{account}")
}

fn used_name(grant: &str) -> String {
    format!("mcp-used:{grant}")
}

/// The user's connected apps, oldest first.
pub async fn of(store: &JobStore, account: &str) -> Result<Vec<Connection>, JobError> {
    Ok(get(store, &list_name(account)).await?.unwrap_or_default())
}

/// Notes that the user allowed an app.
pub async fn connected(
    store: &JobStore,
    account: &str,
    connection: Connection,
) -> Result<(), AppError> {
    locked(store, account, |list| list.push(connection)).await?;
    Ok(())
}

/// Revokes the user's connection `grant` and forgets it; `false` when they have none such.
/// When nothing needs the user's kept sign-in any more (no other app, no unfinished export),
/// it is forgotten too.
pub async fn disconnect(exports: &Exports, account: &str, grant: &str) -> Result<bool, AppError> {
    let store = &exports.store;
    if !of(store, account).await?.iter().any(|c| c.grant == grant) {
        return Ok(false);
    }
    grants::revoke(store, grant).await?;
    let left = locked(store, account, |list| list.retain(|c| c.grant != grant)).await?;
    tracing::info!("an MCP client was disconnected by its user");
    let exporting = store
        .owned_by(account)
        .await?
        .iter()
        .any(|job| !job.state.is_final());
    if left.is_empty() && !exporting {
        exports.credentials.remove(account).await?;
    }
    Ok(true)
}

/// The user signed in: apps they connected go on with this sign-in (a sign-out paused them).
pub async fn signed_in(exports: &Exports, account: &str, cache: &identity::TokenCache) {
    let resumed = async {
        if !of(&exports.store, account).await?.is_empty() {
            exports.credentials.put(account, cache).await?;
        }
        Ok::<_, JobError>(())
    }
    .await;
    if let Err(e) = resumed {
        tracing::warn!(error = %crate::error::Chain(&e), "cannot resume the user's connected apps");
    }
}

/// Notes that a token of `grant` was used now (at most once a minute).
pub async fn used(store: &JobStore, grant: &str) -> Result<(), JobError> {
    let name = used_name(grant);
    let now = super::records::now();
    let last: Option<i64> = get(store, &name).await?;
    if last.is_none_or(|at| now - at >= USED_EVERY_SECONDS) {
        put_for(store, &name, &now, REFRESH_SECONDS).await?;
    }
    Ok(())
}

/// Changes the user's list under their lock, so two changes at once on two instances both
/// count; returns the list as changed.
async fn locked(
    store: &JobStore,
    account: &str,
    change: impl FnOnce(&mut Vec<Connection>),
) -> Result<Vec<Connection>, AppError> {
    let lock = format!("mcp-connections-lock:{account}");
    let holder = crate::exports::random_id();
    if !store.lease_waiting(&lock, &holder, LOCK_MS).await? {
        return Err(AppError::Conflict(
            "your connected apps are being changed right now; try again in a moment".into(),
        ));
    }
    let result = async {
        let mut list = of(store, account).await?;
        change(&mut list);
        put_kept(store, &list_name(account), &list).await?;
        Ok::<_, JobError>(list)
    }
    .await;
    let _ = store.release(&lock, &holder).await;
    Ok(result?)
}

#[derive(Template)]
#[template(path = "mcp_connections.html")]
struct ConnectionsPage {
    layout: Layout,
    rows: Vec<Row>,
    csrf: String,
}

struct Row {
    grant: String,
    client_name: String,
    connected: String,
    last_used: String,
}

/// `GET /connections`.
pub async fn list(
    State(exports): State<Exports>,
    State(csrf): State<Arc<Csrf>>,
    ctx: RequestContext,
    SignedIn(session): SignedIn,
) -> Result<Response, AppError> {
    let account = crate::exports::routes::owner(&session)?;
    let mut rows = Vec::new();
    for connection in of(&exports.store, &account).await? {
        let last: Option<i64> = get(&exports.store, &used_name(&connection.grant)).await?;
        rows.push(Row {
            connected: crate::clock::date_time(connection.connected_at),
            last_used: last.map_or("not yet".into(), crate::clock::date_time),
            grant: connection.grant,
            client_name: connection.client_name,
        });
    }
    Ok(render(
        &ConnectionsPage {
            layout: Layout::new(&ctx, session.user()),
            rows,
            csrf: csrf.token(&session),
        },
        StatusCode::OK,
    ))
}

#[derive(Debug, Deserialize)]
pub struct DisconnectForm {
    csrf: String,
}

impl CarriesCsrf for DisconnectForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /connections/{grant}/disconnect`: one of the signed-in user's own connections (404
/// for anyone else's).
pub async fn disconnect_route(
    State(exports): State<Exports>,
    ctx: RequestContext,
    Path(grant): Path<String>,
    CheckedForm { session, .. }: CheckedForm<DisconnectForm>,
) -> Result<Response, AppError> {
    let account = crate::exports::routes::owner(&session)?;
    if grant.len() > 64 || !disconnect(&exports, &account, &grant).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other(&ctx, "/connections"))
}
