//! The identity side's admin API (merged into `/_emulator/`, loopback only): the request log,
//! token lifetimes, refresh-token revocation, early expiry of access tokens, key rotation, app
//! registration changes and ID-token faults.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::error::AdminError;
use crate::entra::id_token_faults::IdTokenFault;
use crate::settings::Lifetimes;
use crate::state::SharedEmulator;

pub fn routes() -> Router<SharedEmulator> {
    Router::new()
        .route("/info", get(info))
        .route("/log", get(log).delete(clear_log))
        .route("/lifetimes", get(get_lifetimes).put(put_lifetimes))
        .route("/users/{user}/revoke", post(revoke_user))
        .route("/tokens/expire", post(expire_access_tokens))
        .route("/keys", get(list_keys))
        .route("/keys/rotate", post(rotate_keys))
        .route("/keys/retire", post(retire_keys))
        .route("/clients/{client_id}", patch(update_client))
        .route("/faults/id-token", post(arm_id_token_fault))
        .route("/faults/id-token", delete(clear_id_token_faults))
}

async fn info(State(emu): State<SharedEmulator>) -> Json<serde_json::Value> {
    let tenants: Vec<_> = emu
        .directory
        .tenants()
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "display_name": t.display_name,
                "domains": t.domains,
                "authority": format!("{}/{}", emu.base_url, t.id),
                "users": t.users.iter().map(|u| json!({"id": u.id(), "upn": u.upn(), "display_name": u.profile.display_name})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let clients: Vec<_> = emu
        .directory
        .clients()
        .iter()
        .map(|c| json!({"client_id": c.client_id, "display_name": c.display_name, "redirect_uris": c.redirect_uris}))
        .collect();
    Json(json!({
        "base_url": emu.base_url,
        "graph_base_url": format!("{}/v1.0", emu.base_url),
        "tenants": tenants,
        "clients": clients,
    }))
}

#[derive(Deserialize)]
struct LogQuery {
    #[serde(default)]
    since: u64,
}

async fn log(
    State(emu): State<SharedEmulator>,
    Query(q): Query<LogQuery>,
) -> Json<serde_json::Value> {
    Json(json!({ "entries": emu.log.since(q.since) }))
}

async fn clear_log(State(emu): State<SharedEmulator>) -> StatusCode {
    emu.log.clear();
    StatusCode::NO_CONTENT
}

async fn get_lifetimes(State(emu): State<SharedEmulator>) -> Json<Lifetimes> {
    Json(emu.settings.lifetimes())
}

async fn put_lifetimes(
    State(emu): State<SharedEmulator>,
    Json(value): Json<Lifetimes>,
) -> Result<Json<Lifetimes>, AdminError> {
    if value.code == 0 || value.id_token == 0 || value.access_token == Some(0) {
        return Err(AdminError(
            StatusCode::BAD_REQUEST,
            "lifetimes must be at least one second".into(),
        ));
    }
    emu.settings.set_lifetimes(value.clone());
    Ok(Json(value))
}

async fn revoke_user(
    State(emu): State<SharedEmulator>,
    Path(user): Path<String>,
) -> Result<Json<serde_json::Value>, AdminError> {
    let user = emu
        .directory
        .user(&user)
        .ok_or_else(|| AdminError(StatusCode::NOT_FOUND, format!("no user {user}")))?;
    let revoked = emu.grants.revoke_user(user.id());
    Ok(Json(
        json!({"user": user.upn(), "revoked_refresh_tokens": revoked}),
    ))
}

async fn expire_access_tokens(State(emu): State<SharedEmulator>) -> Json<serde_json::Value> {
    Json(json!({"expired_access_tokens": emu.grants.expire_access_tokens()}))
}

async fn list_keys(State(emu): State<SharedEmulator>) -> Json<serde_json::Value> {
    let kids: Vec<String> = emu.keys.all().iter().map(|k| k.kid.clone()).collect();
    Json(json!({"signing": kids.first(), "published": kids}))
}

async fn rotate_keys(
    State(emu): State<SharedEmulator>,
) -> Result<Json<serde_json::Value>, AdminError> {
    let kid = emu
        .keys
        .rotate()
        .map_err(|e| AdminError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(json!({"signing": kid})))
}

async fn retire_keys(State(emu): State<SharedEmulator>) -> Json<serde_json::Value> {
    Json(json!({"retired": emu.keys.retire_old()}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientChange {
    #[serde(default)]
    front_channel_logout_url: Option<Option<String>>,
    #[serde(default)]
    redirect_uris: Option<Vec<String>>,
    #[serde(default)]
    secrets: Option<Vec<String>>,
    #[serde(default)]
    certificates: Option<Vec<String>>,
    #[serde(default)]
    admin_consented_scopes: Option<Vec<String>>,
}

async fn update_client(
    State(emu): State<SharedEmulator>,
    Path(client_id): Path<String>,
    Json(change): Json<ClientChange>,
) -> Result<StatusCode, AdminError> {
    let updated = emu.directory.update_client(&client_id, |client| {
        if let Some(url) = change.front_channel_logout_url {
            client.front_channel_logout_url = url;
        }
        if let Some(uris) = change.redirect_uris {
            client.redirect_uris = uris;
        }
        if let Some(secrets) = change.secrets {
            client.secrets = secrets;
        }
        if let Some(certs) = change.certificates {
            client.certificates = certs;
        }
        if let Some(scopes) = change.admin_consented_scopes {
            client.admin_consented_scopes = scopes;
        }
    });
    if updated {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError(
            StatusCode::NOT_FOUND,
            format!("no client {client_id}"),
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmFault {
    kind: IdTokenFault,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

async fn arm_id_token_fault(
    State(emu): State<SharedEmulator>,
    Json(fault): Json<ArmFault>,
) -> StatusCode {
    emu.id_token_faults.arm(fault.kind, fault.count.min(1000));
    StatusCode::NO_CONTENT
}

async fn clear_id_token_faults(State(emu): State<SharedEmulator>) -> StatusCode {
    emu.id_token_faults.clear();
    StatusCode::NO_CONTENT
}
