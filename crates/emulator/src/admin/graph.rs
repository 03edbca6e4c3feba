//! The Graph side's admin API (merged into `/_emulator/`, loopback only):
//!
//! | call | effect |
//! |---|---|
//! | `GET`/`PUT /limits` | OneNote limits `{"per_minute","per_hour","concurrent","sections_for_all_pages"}`; a `PUT` also clears the counters |
//! | `POST /limits/advance` | `{"seconds": n}`: OneNote's throttle sees `n` more seconds pass (tests of the hourly limit) |
//! | `GET`/`POST`/`DELETE /faults`, `DELETE /faults/{id}` | Graph fault rules (format in [`crate::graph::faults`]) |
//! | `GET`/`PUT`/`DELETE /jitter` | `{"max_ms": 200, "share": 0.5}`: hold a share of the token endpoint's and Graph's answers back by a random 0..=`max_ms` ms ([`crate::settings::Jitter`]) |
//! | `GET /onenote/{user}/pages` | every page of the user (seeded or created): `id`, `title`, `section`, `notebook`, `level`, `order`, `createdDateTime`, `lastModifiedDateTime`, and its `resources` with their `sha256` |
//! | `GET /onenote/{user}/resources` | every resource of the user: `id`, `page`, `content_type`, `size`, `sha256` |
//! | `GET /onenote/{user}/resources/{id}` | a resource's bytes as stored (for tests to compare) |
//! | `PUT`/`GET /documents/{name}` | a JSON document (at most 64 KiB) published at this URL, as a test's stand-in for a web host (an MCP client's metadata document); 404 until put |
//! | `PUT /drive/{user}/files/{*path}` | the body becomes the bytes of the file at `path` in the user's drive (`Notebooks/Work/Section.one`): its version, `eTag`, `cTag` and modified time change; 404 if there is no such file |

use aws_lc_rs::digest;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::error::AdminError;
use crate::clock::iso8601;
use crate::graph::faults::{FaultRule, FaultRuleSpec};
use crate::settings::{Jitter, MAX_JITTER_MS, OneNoteLimits, StepUp};
use crate::state::SharedEmulator;

pub fn routes() -> Router<SharedEmulator> {
    Router::new()
        .route("/limits", get(get_limits).put(put_limits))
        .route("/limits/advance", axum::routing::post(advance_limits))
        .route(
            "/step-up",
            get(get_step_up).put(put_step_up).delete(clear_step_up),
        )
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/faults/{id}", delete(remove_fault))
        .route(
            "/jitter",
            get(get_jitter).put(put_jitter).delete(clear_jitter),
        )
        .route("/onenote/{user}/pages", get(list_pages))
        .route("/onenote/{user}/resources", get(list_resources))
        .route("/onenote/{user}/resources/{id}", get(resource_bytes))
        .route("/documents/{name}", get(get_document).put(put_document))
        .route(
            "/drive/{user}/files/{*path}",
            axum::routing::put(replace_file),
        )
}

async fn replace_file(
    State(emu): State<SharedEmulator>,
    Path((user, path)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AdminError> {
    let id = user_id(&emu, &user)?;
    let version = emu.drives.replace(id, &path, body).ok_or_else(|| {
        AdminError(
            StatusCode::NOT_FOUND,
            format!("no file at {path} in the drive of {user}"),
        )
    })?;
    Ok(Json(json!({"path": path, "version": version})))
}

async fn get_jitter(State(emu): State<SharedEmulator>) -> Json<Option<Jitter>> {
    Json(emu.settings.jitter())
}

async fn put_jitter(
    State(emu): State<SharedEmulator>,
    body: Result<Json<Jitter>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Jitter>, AdminError> {
    let Json(jitter) = body.map_err(|e| AdminError(StatusCode::BAD_REQUEST, e.body_text()))?;
    if !jitter.is_valid() {
        return Err(AdminError(
            StatusCode::BAD_REQUEST,
            format!("share must be between 0 and 1, max_ms at most {MAX_JITTER_MS}"),
        ));
    }
    emu.settings.set_jitter(Some(jitter));
    Ok(Json(jitter))
}

async fn clear_jitter(State(emu): State<SharedEmulator>) -> StatusCode {
    emu.settings.set_jitter(None);
    StatusCode::NO_CONTENT
}

async fn get_step_up(State(emu): State<SharedEmulator>) -> Json<Option<StepUp>> {
    Json(emu.settings.step_up())
}

/// Turns step-up on for a Graph path prefix: `{"path": "/v1.0/me/onenote", "acrs": "c1"}`.
async fn put_step_up(
    State(emu): State<SharedEmulator>,
    body: Result<Json<StepUp>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<StepUp>, AdminError> {
    let Json(step_up) = body.map_err(|e| AdminError(StatusCode::BAD_REQUEST, e.body_text()))?;
    let plausible = |s: &str| !s.is_empty() && s.len() <= 256 && !s.chars().any(char::is_control);
    if !step_up.path.starts_with("/v1.0") || !plausible(&step_up.path) {
        return Err(AdminError(
            StatusCode::BAD_REQUEST,
            "path must be a Graph path such as /v1.0/me/onenote".into(),
        ));
    }
    if !plausible(&step_up.acrs) || !step_up.acrs.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AdminError(
            StatusCode::BAD_REQUEST,
            "acrs must be a short alphanumeric value such as c1".into(),
        ));
    }
    emu.settings.set_step_up(Some(step_up.clone()));
    Ok(Json(step_up))
}

async fn clear_step_up(State(emu): State<SharedEmulator>) -> StatusCode {
    emu.settings.set_step_up(None);
    StatusCode::NO_CONTENT
}

async fn get_limits(State(emu): State<SharedEmulator>) -> Json<OneNoteLimits> {
    Json(emu.settings.onenote_limits())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

async fn advance_limits(
    State(emu): State<SharedEmulator>,
    body: Result<Json<Advance>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, AdminError> {
    let Json(advance) = body.map_err(|e| AdminError(StatusCode::BAD_REQUEST, e.body_text()))?;
    emu.throttle
        .advance(std::time::Duration::from_secs(advance.seconds));
    Ok(StatusCode::NO_CONTENT)
}

async fn put_limits(
    State(emu): State<SharedEmulator>,
    Json(limits): Json<OneNoteLimits>,
) -> Result<Json<OneNoteLimits>, AdminError> {
    if limits.per_minute == 0 || limits.per_hour == 0 || limits.concurrent == 0 {
        return Err(AdminError(
            StatusCode::BAD_REQUEST,
            "limits must be at least 1".into(),
        ));
    }
    emu.settings.set_onenote_limits(limits.clone());
    emu.throttle.reset();
    Ok(Json(limits))
}

async fn list_faults(State(emu): State<SharedEmulator>) -> Json<Value> {
    Json(json!({"rules": emu.graph_faults.list()}))
}

async fn add_fault(
    State(emu): State<SharedEmulator>,
    Json(spec): Json<FaultRuleSpec>,
) -> Result<(StatusCode, Json<FaultRule>), AdminError> {
    let user = match &spec.user {
        Some(key) => Some(
            emu.directory
                .user(key)
                .ok_or_else(|| AdminError(StatusCode::BAD_REQUEST, format!("no user {key}")))?
                .id(),
        ),
        None => None,
    };
    let rule = emu
        .graph_faults
        .add(spec, user)
        .map_err(|e| AdminError(StatusCode::BAD_REQUEST, e.to_string()))?;
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn clear_faults(State(emu): State<SharedEmulator>) -> StatusCode {
    emu.graph_faults.clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(
    State(emu): State<SharedEmulator>,
    Path(id): Path<u64>,
) -> Result<StatusCode, AdminError> {
    if emu.graph_faults.remove(id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError(
            StatusCode::NOT_FOUND,
            format!("no fault rule {id}"),
        ))
    }
}

fn user_id(emu: &SharedEmulator, user: &str) -> Result<uuid::Uuid, AdminError> {
    emu.directory
        .user(user)
        .map(|u| u.id())
        .ok_or_else(|| AdminError(StatusCode::NOT_FOUND, format!("no user {user}")))
}

/// The largest document the emulator publishes.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

fn document_name(name: &str) -> Result<(), AdminError> {
    let fine = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if fine {
        Ok(())
    } else {
        Err(AdminError(
            StatusCode::BAD_REQUEST,
            "a document name is 1 to 64 letters, digits, '.', '_' or '-'".into(),
        ))
    }
}

async fn put_document(
    State(emu): State<SharedEmulator>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AdminError> {
    document_name(&name)?;
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(AdminError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "a document is at most 64 KiB".into(),
        ));
    }
    let mut documents = emu.documents.lock().unwrap_or_else(|e| e.into_inner());
    documents.insert(name, body.to_vec());
    Ok(StatusCode::NO_CONTENT)
}

async fn get_document(
    State(emu): State<SharedEmulator>,
    Path(name): Path<String>,
) -> Result<Response, AdminError> {
    let documents = emu.documents.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = documents
        .get(&name)
        .cloned()
        .ok_or_else(|| AdminError(StatusCode::NOT_FOUND, format!("no document {name}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

fn sha256_hex(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn list_pages(
    State(emu): State<SharedEmulator>,
    Path(user): Path<String>,
) -> Result<Json<Value>, AdminError> {
    let id = user_id(&emu, &user)?;
    let pages = emu
        .onenote
        .read(id, |lib| {
            lib.pages
                .iter()
                .map(|p| {
                    let mut resources: Vec<Value> = lib
                        .resources
                        .values()
                        .filter(|r| r.page.eq_ignore_ascii_case(&p.id))
                        .map(|r| {
                            json!({
                                "id": r.id,
                                "content_type": r.content_type,
                                "size": r.bytes.len(),
                                "sha256": sha256_hex(&r.bytes),
                            })
                        })
                        .collect();
                    resources.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
                    let section = lib.section(&p.section);
                    let notebook = section.and_then(|s| lib.notebook(&s.notebook));
                    json!({
                        "id": p.id,
                        "title": p.title,
                        "section": {"id": p.section, "displayName": section.map(|s| s.display_name.clone())},
                        "notebook": {"id": notebook.map(|n| n.id.clone()), "displayName": notebook.map(|n| n.display_name.clone())},
                        "level": p.level,
                        "order": p.order,
                        "createdDateTime": iso8601(p.created),
                        "lastModifiedDateTime": iso8601(p.modified),
                        "resources": resources,
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    Ok(Json(json!({"pages": pages})))
}

async fn list_resources(
    State(emu): State<SharedEmulator>,
    Path(user): Path<String>,
) -> Result<Json<Value>, AdminError> {
    let id = user_id(&emu, &user)?;
    let mut resources = emu
        .onenote
        .read(id, |lib| {
            lib.resources
                .values()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "page": r.page,
                        "content_type": r.content_type,
                        "size": r.bytes.len(),
                        "sha256": sha256_hex(&r.bytes),
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    resources.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Ok(Json(json!({"resources": resources})))
}

async fn resource_bytes(
    State(emu): State<SharedEmulator>,
    Path((user, id)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let owner = user_id(&emu, &user)?;
    let found = emu
        .onenote
        .read(owner, |lib| {
            lib.resource(&id)
                .map(|r| (r.content_type.clone(), r.bytes.clone()))
        })
        .flatten();
    match found {
        Some((content_type, bytes)) => {
            Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
        }
        None => Err(AdminError(
            StatusCode::NOT_FOUND,
            format!("no resource {id}"),
        )),
    }
}
