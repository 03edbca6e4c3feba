//! The Graph side: `/v1.0/…` on the emulator's listener (docs/protocol.md §9, §10). One catch-all route
//! hands every request to [`dispatch`], which runs the same steps for all of them:
//!
//! 1. the bearer token is checked ([`auth`]) — 401 `InvalidAuthenticationToken` otherwise;
//! 2. the path is parsed ([`path`]) and routed — Graph-shaped 404 for unknown paths, 405 (code
//!    `BadRequest`, with `Allow`) for methods a route does not take;
//! 3. the caller's right to the subject and the token's scopes are checked — 400/403/404;
//! 4. OneNote calls pass the per-app-per-user throttle ([`throttle`]) — 429 20166;
//! 5. fault rules armed through the admin API apply ([`faults`]);
//! 6. the handler answers ([`me`], [`onenote`], [`shared`] for groups' and sites' notebooks).
//!
//! Every answer, success or error, carries `request-id` and `client-request-id` and a request-log
//! detail naming the user (UPN) and the app (client id), so throttled calls are logged too.

pub mod auth;
mod challenges;
pub mod drive;
pub mod error;
pub mod faults;
pub mod me;
pub mod onenote;
pub mod path;
pub mod request;
mod shared;
pub mod throttle;
pub mod verified_tokens;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use axum::routing::any;

use self::auth::Caller;
use self::error::GraphError;
use self::path::Subject;
use self::request::RequestIds;
use crate::directory::User;
use crate::request_log::LogDetail;
use crate::state::{Emulator, SharedEmulator};

/// The Graph routes.
pub fn routes() -> Router<SharedEmulator> {
    Router::new()
        .route("/v1.0", any(dispatch))
        .route("/v1.0/{*rest}", any(dispatch))
        .route(
            &format!("{}/{{owner}}/{{item}}", drive::DOWNLOAD_PATH),
            axum::routing::get(download),
        )
}

/// A drive file's pre-authenticated download (where a content call redirects).
async fn download(
    State(emu): State<SharedEmulator>,
    axum::extract::Path((owner, item)): axum::extract::Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let auth = query.get("tempauth").map(String::as_str).unwrap_or("");
    drive::download(&emu, &owner, &item, auth, &headers)
}

/// A Graph-shaped 404 for paths under `/v1.0` that no route takes (used by the fallback).
pub fn not_found(path: &str) -> Response {
    let ids = RequestIds::from_headers(&Default::default());
    let segment = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("v1.0");
    let mut response = GraphError::segment_not_found(segment).render(&ids);
    ids.decorate(response.headers_mut());
    response
}

async fn dispatch(State(emu): State<SharedEmulator>, request: Request) -> Response {
    let ids = RequestIds::from_headers(request.headers());
    let mut detail = LogDetail::default();
    let mut response = match serve(&emu, request, &mut detail).await {
        Ok(response) => response,
        Err(error) => error.render(&ids),
    };
    ids.decorate(response.headers_mut());
    response.extensions_mut().insert(detail);
    response
}

/// What a path asks for, once routed.
enum Target {
    Profile,
    PhotoMetadata,
    PhotoValue,
    OneNote(onenote::Route),
    Drive(drive::Route),
    /// `/me/memberOf`.
    MemberOf,
    /// `/me/followedSites`.
    FollowedSites,
}

fn route(rest: &[String], method: &Method) -> Result<Target, GraphError> {
    let get = |target: Target| {
        if method == Method::GET {
            Ok(target)
        } else {
            Err(GraphError::method_not_allowed(method.as_str(), "GET"))
        }
    };
    let first = rest.first().map(|s| s.to_ascii_lowercase());
    match (first.as_deref(), rest.len()) {
        (None, _) => get(Target::Profile),
        (Some("photo"), 1) => get(Target::PhotoMetadata),
        (Some("photo"), 2) if rest[1] == "$value" => get(Target::PhotoValue),
        (Some("onenote"), _) => Ok(Target::OneNote(onenote::route(&rest[1..], method)?)),
        (Some("drive"), _) => get(Target::Drive(drive::route(&rest[1..])?)),
        (Some("memberof"), 1) => get(Target::MemberOf),
        (Some("followedsites"), 1) => get(Target::FollowedSites),
        _ => Err(GraphError::segment_not_found(
            rest.last().map(String::as_str).unwrap_or(""),
        )),
    }
}

async fn serve(
    emu: &SharedEmulator,
    request: Request,
    detail: &mut LogDetail,
) -> Result<Response, GraphError> {
    let (parts, body) = request.into_parts();
    let caller = auth::authenticate(emu, &parts.headers)?;
    detail.user = caller.upn().map(str::to_string);
    detail.client_id = Some(caller.client_id.clone());
    let decoded_path = percent_encoding::percent_decode_str(parts.uri.path()).decode_utf8_lossy();
    if let Some(challenge) = challenges::due(emu, &caller, &decoded_path) {
        return Err(challenge);
    }

    if let Some(response) = drives_and_shares(
        emu,
        &caller,
        &parts.method,
        &decoded_path,
        parts.uri.query(),
    )
    .await?
    {
        return Ok(response);
    }
    let path = path::parse(parts.uri.path())?;
    let target = route(&path.rest, &parts.method)?;
    if matches!(path.subject, Subject::Group(_) | Subject::Site(_)) {
        let Target::OneNote(route) = target else {
            return Err(GraphError::segment_not_found(
                path.rest.last().map(String::as_str).unwrap_or(""),
            ));
        };
        let library = shared::library(emu, &caller, &path.subject, &route)?;
        return onenote_call(emu, &caller, library, route, &path.rest[1..], &parts, body).await;
    }
    let subject = subject(
        emu,
        &caller,
        &path.subject,
        matches!(target, Target::OneNote(_)),
    )?;
    authorize(emu, &caller, &subject, &target)?;

    if !matches!(target, Target::OneNote(_)) {
        fault(emu, &caller, &parts.method, &decoded_path, false).await?;
    }

    let company = emu
        .directory
        .tenant_by_id(subject.tenant_id)
        .map(|t| t.display_name.clone())
        .unwrap_or_default();
    let select = parts.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case("$select") || k.eq_ignore_ascii_case("select"))
            .map(|(_, v)| v.into_owned())
    });
    match target {
        Target::Profile => me::profile(&emu.base_url, &subject, &company, select.as_deref()),
        Target::PhotoMetadata => me::photo_metadata(&emu.base_url, &subject),
        Target::PhotoValue => me::photo_value(&subject),
        Target::Drive(route) => {
            let drive = emu
                .drives
                .of(subject.id())
                .ok_or_else(|| GraphError::segment_not_found("drive"))?;
            drive::handle(emu, &drive, route, parts.uri.query())
        }
        Target::MemberOf => shared::member_of(emu, &subject),
        Target::FollowedSites => shared::followed_sites(emu, &caller, &subject),
        Target::OneNote(route) => {
            onenote_call(
                emu,
                &caller,
                subject.id(),
                route,
                &path.rest[1..],
                &parts,
                body,
            )
            .await
        }
    }
}

/// A OneNote call on `library` (a user's, a group's or a site's), once authorized: the
/// per-app limit of the calling user (group and site notebooks count against the same
/// allowance as the user's own), armed faults, then the answer.
async fn onenote_call(
    emu: &SharedEmulator,
    caller: &Caller,
    library: uuid::Uuid,
    route: onenote::Route,
    rest: &[String],
    parts: &axum::http::request::Parts,
    body: axum::body::Body,
) -> Result<Response, GraphError> {
    let user = caller.user.as_ref().map(|u| u.id()).unwrap_or(library);
    let _permit = emu
        .throttle
        .admit(&caller.client_id, user, &emu.settings.onenote_limits())
        .map_err(|_| GraphError::throttled())?;
    let decoded_path = percent_encoding::percent_decode_str(parts.uri.path()).decode_utf8_lossy();
    fault(emu, caller, &parts.method, &decoded_path, true).await?;
    let request = onenote::Request {
        emu,
        caller,
        owner: library,
        rest,
        query: parts.uri.query(),
        headers: &parts.headers,
    };
    onenote::handle(request, route, body).await
}

/// Applies the first armed fault rule that matches the call: fails it or delays it.
async fn fault(
    emu: &Emulator,
    caller: &Caller,
    method: &Method,
    decoded_path: &str,
    onenote: bool,
) -> Result<(), GraphError> {
    let user_id = caller.user.as_ref().map(|u| u.id());
    if let Some(answer) = emu
        .graph_faults
        .take(method, decoded_path, user_id, &caller.acrs)
    {
        match faults::outcome(&answer, &emu.base_url, onenote) {
            faults::Outcome::Fail(error) => return Err(error),
            faults::Outcome::Delay(duration) => tokio::time::sleep(duration).await,
        }
    }
    Ok(())
}

/// `/drives/{drive-id}/…` and `/shares/{share-id}/driveItem`, which name no user: the caller's
/// own drive only. `None` for every other path.
async fn drives_and_shares(
    emu: &Emulator,
    caller: &Caller,
    method: &Method,
    decoded_path: &str,
    query: Option<&str>,
) -> Result<Option<Response>, GraphError> {
    let segments: Vec<String> = decoded_path
        .strip_prefix("/v1.0")
        .unwrap_or(decoded_path)
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let first = segments.first().map(|s| s.to_ascii_lowercase());
    if !matches!(first.as_deref(), Some("drives" | "shares")) {
        return Ok(None);
    }
    drive::authorize(caller)?;
    if method != Method::GET {
        return Err(GraphError::method_not_allowed(method.as_str(), "GET"));
    }
    let user = caller.user.as_ref().map(|u| u.id());
    if let Some(answer) = emu
        .graph_faults
        .take(method, decoded_path, user, &caller.acrs)
    {
        match faults::outcome(&answer, &emu.base_url, false) {
            faults::Outcome::Fail(error) => return Err(error),
            faults::Outcome::Delay(duration) => tokio::time::sleep(duration).await,
        }
    }
    let own = user.and_then(|u| emu.drives.of(u));
    let not_found = || {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "itemNotFound",
            "The resource could not be found.",
        )
    };
    match (first.as_deref(), &segments[1..]) {
        (Some("shares"), [share, item]) if item.eq_ignore_ascii_case("driveItem") => {
            let drive = own.ok_or_else(not_found)?;
            drive::shared_item(&drive, share).map(Some)
        }
        (Some("drives"), [drive_id, rest @ ..]) => {
            let drive = own.filter(|d| &d.id == drive_id).ok_or_else(not_found)?;
            drive::handle(emu, &drive, drive::route(rest)?, query).map(Some)
        }
        _ => Err(GraphError::segment_not_found(
            segments.last().map(String::as_str).unwrap_or(""),
        )),
    }
}

/// The user a path is about. `/me` needs a delegated token; another tenant's users do not exist
/// for the caller.
fn subject(
    emu: &Emulator,
    caller: &Caller,
    subject: &Subject,
    onenote: bool,
) -> Result<Arc<User>, GraphError> {
    match subject {
        Subject::Me => caller.user.clone().ok_or_else(|| {
            if onenote {
                GraphError::app_only_onenote()
            } else {
                GraphError::me_needs_delegated_token()
            }
        }),
        Subject::User(key) => emu
            .directory
            .user(key)
            .filter(|u| u.tenant_id == caller.tenant_id)
            .ok_or_else(|| {
                if onenote {
                    GraphError::onenote_not_found()
                } else {
                    GraphError::user_not_found(key)
                }
            }),
        // Answered by `shared` before a user is looked for.
        Subject::Group(key) | Subject::Site(key) => Err(GraphError::segment_not_found(key)),
    }
}

const PROFILE_SCOPES: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
];
const OTHER_USERS_SCOPES: &[&str] = &[
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
];
const OTHER_USERS_ROLES: &[&str] = &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All"];

/// Whether the token may do this to this subject.
fn authorize(
    emu: &Emulator,
    caller: &Caller,
    subject: &User,
    target: &Target,
) -> Result<(), GraphError> {
    let own = caller.user.as_ref().is_some_and(|u| u.id() == subject.id());
    match target {
        Target::OneNote(route) => {
            if caller.user.is_none() {
                return Err(GraphError::app_only_onenote());
            }
            // A user's own notebooks are shared with no one here (shared notebooks are groups'
            // and sites', see `shared`), so another user's OneNote is refused even with
            // Notes.Read.All.
            if !own {
                return Err(GraphError::onenote(
                    StatusCode::FORBIDDEN,
                    40003,
                    "The user doesn't have permission to access the requested resource.",
                ));
            }
            if !caller.has_scope(route.scopes()) {
                return Err(GraphError::onenote_missing_scope(
                    &emu.base_url,
                    route.scopes()[0],
                ));
            }
            Ok(())
        }
        Target::Drive(_) => {
            if !own {
                return Err(GraphError::new(
                    StatusCode::FORBIDDEN,
                    "accessDenied",
                    "Access denied",
                ));
            }
            drive::authorize(caller)
        }
        _ => {
            let allowed = if own {
                caller.has_scope(PROFILE_SCOPES)
            } else if caller.user.is_some() {
                caller.has_scope(OTHER_USERS_SCOPES)
            } else {
                caller.has_role(OTHER_USERS_ROLES)
            };
            if allowed {
                Ok(())
            } else {
                Err(GraphError::insufficient_privileges())
            }
        }
    }
}
