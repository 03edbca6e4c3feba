//! Where a OneNote page of the app reads from: the user's own notebooks (`/onenote/…`), a
//! group's (`/onenote/groups/{group}/…`) or a SharePoint site's (`/onenote/sites/{site}/…`).
//! The same handlers serve all three; [`At`] takes the location and the item's id out of the
//! path, and a group or site id that cannot be one is "not found" before Graph is asked.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use graph::Location;

use crate::error::AppError;

/// The location a request's path names, and the id after it (empty for routes without one).
pub struct At {
    pub location: Location,
    pub id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for At {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let location = if let Some(group) = params.get("group") {
            Location::group(group).ok_or(AppError::NotFound)?
        } else if let Some(site) = params.get("site") {
            Location::site(site).ok_or(AppError::NotFound)?
        } else {
            Location::Me
        };
        Ok(At {
            location,
            id: params.remove("id").unwrap_or_default(),
        })
    }
}

/// The app path the location's pages live under (`/onenote`, `/onenote/groups/{id}`,
/// `/onenote/sites/{id}`), without the deployment's prefix.
pub fn base(location: &Location) -> String {
    match location {
        Location::Me => "/onenote".into(),
        Location::Group(id) => format!("/onenote/groups/{id}"),
        Location::Site(id) => format!("/onenote/sites/{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_name_the_location() {
        assert_eq!(base(&Location::Me), "/onenote");
        let group = Location::group("6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8").unwrap();
        assert_eq!(
            base(&group),
            "/onenote/groups/6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8"
        );
    }
}
