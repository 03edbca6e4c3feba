//! OneDrive through Graph, as far as reading a notebook's files needs it (docs/protocol.md
//! §10.10): the user's drive (`/me/drive`, `/drives/{id}`), its items and their children
//! (paged, `$select`), a file's content (a 302 to a pre-authenticated address that answers with
//! `Content-Length`, `ETag` and ranges), and `/shares/{encoded-url}/driveItem`, which turns a web
//! address (such as a notebook's `oneNoteWebUrl`) into the item it names.
//!
//! Every route needs a file-reading scope (`Files.Read` and up, or `Sites.Read.All`): without
//! one, 403 `accessDenied`. A user reaches only their own drive. Drive calls do not count
//! against OneNote's budget; the fault rules apply to them as to any Graph call.

pub mod store;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use self::store::{Drive, Item, Kind};
use super::auth::Caller;
use super::error::GraphError;
use super::request::json_response;
use crate::graph::onenote::store::derived_uuid;
use crate::state::Emulator;

/// Scopes that may read the caller's files.
pub const SCOPES: &[&str] = &[
    "Files.Read",
    "Files.ReadWrite",
    "Files.Read.All",
    "Files.ReadWrite.All",
    "Sites.Read.All",
    "Sites.ReadWrite.All",
];

/// Children listed in one page when `$top` does not say.
const PAGE_SIZE: usize = 200;

/// Where the pre-authenticated downloads are served (outside `/v1.0`: no bearer token).
pub const DOWNLOAD_PATH: &str = "/_download";

/// What a drive path asks for.
pub enum Route {
    Drive,
    Item(ItemRef),
    Children(ItemRef),
    Content(ItemRef),
}

/// How a path names an item.
pub enum ItemRef {
    Root,
    Id(String),
}

/// Routes the segments after `/me/drive` or `/drives/{id}`.
pub fn route(rest: &[String]) -> Result<Route, GraphError> {
    let not_found =
        || GraphError::segment_not_found(rest.last().map(String::as_str).unwrap_or("drive"));
    let (item, after) = match rest {
        [] => return Ok(Route::Drive),
        [root, after @ ..] if root.eq_ignore_ascii_case("root") => (ItemRef::Root, after),
        [items, id, after @ ..] if items.eq_ignore_ascii_case("items") => {
            (ItemRef::Id(id.clone()), after)
        }
        _ => return Err(not_found()),
    };
    match after {
        [] => Ok(Route::Item(item)),
        [c] if c.eq_ignore_ascii_case("children") => Ok(Route::Children(item)),
        [c] if c.eq_ignore_ascii_case("content") => Ok(Route::Content(item)),
        _ => Err(not_found()),
    }
}

/// Whether the token may read files.
pub fn authorize(caller: &Caller) -> Result<(), GraphError> {
    if caller.user.is_some() && caller.has_scope(SCOPES) {
        Ok(())
    } else {
        Err(access_denied())
    }
}

fn access_denied() -> GraphError {
    GraphError::new(StatusCode::FORBIDDEN, "accessDenied", "Access denied")
}

fn item_not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "itemNotFound",
        "The resource could not be found.",
    )
}

/// Answers `route` in `drive`.
pub fn handle(
    emu: &Emulator,
    drive: &Drive,
    route: Route,
    query: Option<&str>,
) -> Result<Response, GraphError> {
    let find = |item: &ItemRef| match item {
        ItemRef::Root => Ok(drive.root().clone()),
        ItemRef::Id(id) => drive.item(id).cloned().ok_or_else(item_not_found),
    };
    let select = query_value(query, "$select");
    match route {
        Route::Drive => Ok(json_response(
            StatusCode::OK,
            json!({
                "id": drive.id,
                "driveType": "business",
                "name": "OneDrive",
                "webUrl": drive.web_root,
                "owner": {"user": {"id": drive.owner, "displayName": drive.owner_name}},
            }),
        )),
        Route::Item(item) => {
            let item = find(&item)?;
            Ok(json_response(
                StatusCode::OK,
                selected(item_json(drive, &item), select.as_deref()),
            ))
        }
        Route::Children(item) => {
            let item = find(&item)?;
            if matches!(item.kind, Kind::File(_)) {
                return Ok(json_response(StatusCode::OK, json!({"value": []})));
            }
            let top = query_value(query, "$top")
                .and_then(|t| t.parse::<usize>().ok())
                .unwrap_or(PAGE_SIZE)
                .clamp(1, 999);
            let skip = query_value(query, "$skiptoken")
                .and_then(|t| t.parse::<usize>().ok())
                .unwrap_or(0);
            let children = drive.children(&item.id);
            let value: Vec<Value> = children
                .iter()
                .skip(skip)
                .take(top)
                .map(|child| selected(item_json(drive, child), select.as_deref()))
                .collect();
            let mut body = json!({"value": value});
            if skip + top < children.len() {
                let mut next = format!(
                    "{}/v1.0/drives/{}/items/{}/children?$top={top}&$skiptoken={}",
                    emu.base_url,
                    drive.id,
                    item.id,
                    skip + top
                );
                if let Some(select) = &select {
                    next.push_str("&$select=");
                    next.push_str(&store::encode(select));
                }
                body["@odata.nextLink"] = json!(next);
            }
            Ok(json_response(StatusCode::OK, body))
        }
        Route::Content(item) => {
            let item = find(&item)?;
            if !matches!(item.kind, Kind::File(_)) {
                return Err(item_not_found());
            }
            let location = format!(
                "{}{DOWNLOAD_PATH}/{}/{}?tempauth={}",
                emu.base_url,
                drive.owner,
                item.id,
                tempauth(drive.owner, &item.id)
            );
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Ok(response)
        }
    }
}

/// `/shares/{share-id}/driveItem`: the item a `u!`-encoded web address names, in the caller's
/// drive. Graph's documentation: "To access a shared item using a sharing URL, encode the URL
/// using base64 […] convert the base64 encoded result to unpadded base64url format […] append
/// u! to the beginning of the string."
pub fn shared_item(drive: &Drive, share_id: &str) -> Result<Response, GraphError> {
    let url = share_id
        .strip_prefix("u!")
        .and_then(|encoded| URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| GraphError::bad_request("Invalid shares key."))?;
    let wanted = normalized(&url);
    let item = drive
        .items
        .iter()
        .find(|item| normalized(&drive.web_url(item)) == wanted)
        .ok_or_else(item_not_found)?;
    Ok(json_response(StatusCode::OK, item_json(drive, item)))
}

/// A web address compared as OneDrive compares them: without a trailing slash, query or
/// fragment, and with its escapes decoded, case-insensitively.
fn normalized(url: &str) -> String {
    let url = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    percent_encoding::percent_decode_str(url)
        .decode_utf8_lossy()
        .to_lowercase()
}

/// The download behind a content call's redirect: `Content-Length`, `ETag`, and one byte range
/// when asked (`206`, or `416` past the end).
pub fn download(
    emu: &Emulator,
    owner: &str,
    item_id: &str,
    auth: &str,
    headers: &HeaderMap,
) -> Response {
    let refuse = |status: StatusCode| status.into_response();
    let Ok(owner) = owner.parse::<Uuid>() else {
        return refuse(StatusCode::NOT_FOUND);
    };
    if auth != tempauth(owner, item_id) {
        return refuse(StatusCode::UNAUTHORIZED);
    }
    let Some(item) = emu.drives.of(owner).and_then(|d| d.item(item_id).cloned()) else {
        return refuse(StatusCode::NOT_FOUND);
    };
    let Kind::File(content) = &item.kind else {
        return refuse(StatusCode::NOT_FOUND);
    };
    let Ok(bytes) = content.bytes() else {
        return refuse(StatusCode::NOT_FOUND);
    };
    let total = bytes.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| byte_range(v, total));
    let (status, body) = match range {
        Some(Ok((start, end))) => (StatusCode::PARTIAL_CONTENT, bytes.slice(start..=end)),
        Some(Err(())) => {
            let mut response = refuse(StatusCode::RANGE_NOT_SATISFIABLE);
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return response;
        }
        None => (StatusCode::OK, bytes.clone()),
    };
    let mut response = (status, Body::from(body.clone())).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&etag(&item)) {
        h.insert(header::ETAG, v);
    }
    if let (StatusCode::PARTIAL_CONTENT, Some(Ok((start, end)))) = (status, range)
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}"))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` within `total` bytes; `Err` when it lies outside.
fn byte_range(value: &str, total: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: usize = n.parse().ok()?;
            (total.saturating_sub(n), total.checked_sub(1)?)
        }
        (a, "") => (a.parse().ok()?, total.saturating_sub(1)),
        (a, b) => (
            a.parse().ok()?,
            b.parse::<usize>().ok()?.min(total.saturating_sub(1)),
        ),
    };
    Some(if start >= total || start > end {
        Err(())
    } else {
        Ok((start, end))
    })
}

/// The token of a pre-authenticated download address.
fn tempauth(owner: Uuid, item_id: &str) -> String {
    derived_uuid(&[&owner.to_string(), item_id, "download"])
        .simple()
        .to_string()
}

fn etag(item: &Item) -> String {
    format!("\"{{{}}},{}\"", guid(item), item.version)
}

fn guid(item: &Item) -> String {
    derived_uuid(&["item-guid", &item.id])
        .to_string()
        .to_uppercase()
}

/// A driveItem as Graph gives it.
fn item_json(drive: &Drive, item: &Item) -> Value {
    let mut value = json!({
        "id": item.id,
        "name": item.name,
        "eTag": etag(item),
        "cTag": format!("\"c:{{{}}},{}\"", guid(item), item.version),
        "createdDateTime": time_text(item.modified - time::Duration::days(1)),
        "lastModifiedDateTime": time_text(item.modified),
        "webUrl": drive.web_url(item),
        "createdBy": {"user": {"id": drive.owner, "displayName": drive.owner_name}},
        "lastModifiedBy": {"user": {"id": drive.owner, "displayName": drive.owner_name}},
    });
    if let Some(parent) = item.parent.as_deref().and_then(|p| drive.item(p)) {
        let path = if parent.path.is_empty() {
            "/drive/root:".to_string()
        } else {
            format!("/drive/root:/{}", parent.path)
        };
        value["parentReference"] = json!({
            "driveId": drive.id,
            "driveType": "business",
            "id": parent.id,
            "path": path,
        });
    }
    let children = drive.children(&item.id).len();
    match &item.kind {
        Kind::Folder => {
            value["folder"] = json!({"childCount": children});
            value["size"] = json!(0);
        }
        Kind::Notebook => {
            value["package"] = json!({"type": "oneNote"});
            value["size"] = json!(0);
        }
        Kind::File(content) => {
            value["file"] = json!({"mimeType": "application/octet-stream"});
            value["size"] = json!(content.size());
        }
    }
    value
}

fn time_text(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `value`'s top-level properties named in `$select` (all of them without one).
fn selected(value: Value, select: Option<&str>) -> Value {
    let Some(select) = select else {
        return value;
    };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    let Value::Object(map) = value else {
        return value;
    };
    let kept: Map<String, Value> = map
        .into_iter()
        .filter(|(k, _)| wanted.iter().any(|w| w.eq_ignore_ascii_case(k)))
        .collect();
    Value::Object(kept)
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name) || k.eq_ignore_ascii_case(&name[1..]))
        .map(|(_, v)| v.into_owned())
}
