//! `/me`, `/users/{id|upn}` and their photos (docs/protocol.md §9.1, §9.2). A user object has Graph's
//! eleven default properties; a few more come only with `$select`, as in Graph.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::GraphError;
use super::request::json_response;
use crate::directory::User;
use crate::images::avatar_png;

/// The properties `/me` returns without `$select`, in Graph's order.
const DEFAULT_PROPERTIES: [&str; 11] = [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Extra properties available through `$select` only.
const SELECT_ONLY: [&str; 4] = ["accountEnabled", "userType", "usageLocation", "companyName"];

/// The user object, all properties the emulator knows.
fn user_json(user: &User, company: &str) -> Map<String, Value> {
    let p = &user.profile;
    let mut map = Map::new();
    map.insert("businessPhones".into(), json!(p.business_phones));
    map.insert("displayName".into(), json!(p.display_name));
    map.insert("givenName".into(), json!(p.given_name));
    map.insert("jobTitle".into(), json!(p.job_title));
    map.insert("mail".into(), json!(p.mail));
    map.insert("mobilePhone".into(), json!(p.mobile_phone));
    map.insert("officeLocation".into(), json!(p.office_location));
    map.insert("preferredLanguage".into(), json!(p.preferred_language));
    map.insert("surname".into(), json!(p.surname));
    map.insert("userPrincipalName".into(), json!(p.user_principal_name));
    map.insert("id".into(), json!(user.id()));
    map.insert("accountEnabled".into(), json!(true));
    map.insert("userType".into(), json!("Member"));
    map.insert("usageLocation".into(), Value::Null);
    map.insert("companyName".into(), json!(company));
    map
}

/// `GET /me` or `GET /users/{id}` with optional `$select`.
pub fn profile(
    base_url: &str,
    user: &User,
    company: &str,
    select: Option<&str>,
) -> Result<Response, GraphError> {
    let all = user_json(user, company);
    let mut out = Map::new();
    let context = match select.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            for name in DEFAULT_PROPERTIES {
                out.insert(name.into(), all[name].clone());
            }
            format!("{base_url}/v1.0/$metadata#users/$entity")
        }
        Some(list) => {
            let mut names = Vec::new();
            for raw in list.split(',') {
                let wanted = raw.trim();
                let known = DEFAULT_PROPERTIES
                    .iter()
                    .chain(SELECT_ONLY.iter())
                    .find(|n| n.eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| {
                        GraphError::new(
                            StatusCode::BAD_REQUEST,
                            "Request_BadRequest",
                            format!(
                                "Could not find a property named '{wanted}' on type 'Microsoft.DirectoryServices.User'."
                            ),
                        )
                    })?;
                out.insert((*known).into(), all[*known].clone());
                names.push(*known);
            }
            format!(
                "{base_url}/v1.0/$metadata#users({})/$entity",
                names.join(",")
            )
        }
    };
    out.insert("@odata.context".into(), json!(context));
    Ok(json_response(StatusCode::OK, Value::Object(out)))
}

/// `GET …/photo/$value`: a generated picture, or 404 `ImageNotFound`.
pub fn photo_value(user: &User) -> Result<Response, GraphError> {
    if !user.profile.photo {
        return Err(GraphError::image_not_found());
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "image/png")],
        avatar_png(user.id()),
    )
        .into_response())
}

/// `GET …/photo`: the photo's metadata.
pub fn photo_metadata(base_url: &str, user: &User) -> Result<Response, GraphError> {
    if !user.profile.photo {
        return Err(GraphError::image_not_found());
    }
    let tag = user.id().simple().to_string();
    Ok(json_response(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{base_url}/v1.0/$metadata#users('{}')/photo/$entity", super::path::odata_key(user.upn())),
            "@odata.mediaContentType": "image/png",
            "@odata.mediaEtag": format!("W/\"{}\"", &tag[..16]),
            "id": "96x96",
            "width": 96,
            "height": 96,
        }),
    ))
}
