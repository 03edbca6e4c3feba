//! Notebooks that are not the caller's own: a group's (`/groups/{id}/onenote/…`) and a
//! SharePoint site's (`/sites/{id}/onenote/…`), and how a user finds them — `/me/memberOf` (the
//! groups they belong to) and `/me/followedSites`. Reading them needs `Notes.Read.All` (or
//! `Notes.ReadWrite.All`) and membership; the emulator's site members follow their sites.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::auth::Caller;
use super::error::GraphError;
use super::onenote;
use super::path::Subject;
use super::request::json_response;
use crate::directory::User;
use crate::state::Emulator;

/// The scopes that reach notebooks shared with the user (any one of them).
const SHARED_NOTES: &[&str] = &["Notes.Read.All", "Notes.ReadWrite.All"];
/// The scopes that list the sites a user follows.
const SITES: &[&str] = &["Sites.Read.All", "Sites.ReadWrite.All"];

/// The library a group or site path names, once the caller may read it with this route: a
/// delegated token (403 40004 otherwise, as for `/me`), `Notes.Read.All` (403 40004 with the
/// scope in the challenge), and membership (403 40003). A group or site that does not exist
/// in the caller's tenant is 404, as Graph answers.
pub fn library(
    emu: &Emulator,
    caller: &Caller,
    subject: &Subject,
    route: &onenote::Route,
) -> Result<Uuid, GraphError> {
    let user = caller
        .user
        .as_ref()
        .ok_or_else(GraphError::app_only_onenote)?;
    let (library, member) = match subject {
        Subject::Group(id) => {
            let group = emu
                .directory
                .group(caller.tenant_id, id)
                .ok_or_else(|| not_found("group", id))?;
            (group.id, group.members.include(user))
        }
        Subject::Site(id) => {
            let site = emu
                .directory
                .site(caller.tenant_id, id)
                .ok_or_else(|| not_found("site", id))?;
            (site.web_id, site.members.include(user))
        }
        Subject::Me | Subject::User(_) => return Err(GraphError::onenote_not_found()),
    };
    let allowed: Vec<&str> = route
        .scopes()
        .iter()
        .copied()
        .filter(|s| s.ends_with(".All"))
        .collect();
    let allowed = if allowed.is_empty() {
        SHARED_NOTES
    } else {
        &allowed
    };
    if !caller.has_scope(allowed) {
        return Err(GraphError::onenote_missing_scope(&emu.base_url, allowed[0]));
    }
    if !member {
        return Err(GraphError::onenote(
            StatusCode::FORBIDDEN,
            40003,
            "The user doesn't have permission to access the requested resource.",
        ));
    }
    Ok(library)
}

fn not_found(kind: &str, id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "itemNotFound",
        format!("The {kind} '{id}' could not be found."),
    )
}

/// `GET /me/memberOf`: the groups the user belongs to, as directory objects.
pub fn member_of(emu: &Emulator, user: &User) -> Result<Response, GraphError> {
    let groups: Vec<Value> = emu
        .directory
        .groups_of(user)
        .iter()
        .map(|g| {
            let provisioning: Vec<&str> = if g.team { vec!["Team"] } else { vec![] };
            json!({
                "@odata.type": "#microsoft.graph.group",
                "id": g.id,
                "displayName": g.display_name,
                "description": g.description,
                "groupTypes": ["Unified"],
                "mailEnabled": true,
                "securityEnabled": false,
                "resourceProvisioningOptions": provisioning,
            })
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#directoryObjects", emu.base_url),
            "value": groups,
        }),
    ))
}

/// `GET /me/followedSites`: needs `Sites.Read.All`.
pub fn followed_sites(
    emu: &Emulator,
    caller: &Caller,
    user: &User,
) -> Result<Response, GraphError> {
    if !caller.has_scope(SITES) {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "accessDenied",
            "Access denied",
        ));
    }
    let sites: Vec<Value> = emu
        .directory
        .sites_of(user)
        .iter()
        .map(|s| {
            json!({
                "id": s.graph_id,
                "displayName": s.display_name,
                "name": s.name,
                "webUrl": s.web_url,
            })
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#sites", emu.base_url),
            "value": sites,
        }),
    ))
}
