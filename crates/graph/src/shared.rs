//! Notebooks that are not the signed-in user's own: a Microsoft 365 group's (a team's) and a
//! SharePoint site's. OneNote serves them with the same API under `/groups/{id}/onenote` and
//! `/sites/{id}/onenote` (delegated `Notes.Read.All`); a [`Location`] says which, and
//! [`GraphClient::at`] points a client's OneNote calls there. The user finds them through
//! `/me/memberOf` (their groups; `User.Read` is enough) and `/me/followedSites`
//! (`Sites.Read.All`).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{Collection, GraphClient};
use crate::error::GraphError;
use crate::location::Location;

/// A group or site that may hold notebooks, as discovery lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPlace {
    pub location: Location,
    /// The group's or site's name; Graph may leave a group's out when the app may not read
    /// groups, then a short form of its id stands in.
    pub name: String,
    /// Whether the group is a team.
    pub is_team: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DirectoryObject {
    #[serde(rename = "@odata.type", default)]
    odata_type: Option<String>,
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    group_types: Vec<String>,
    #[serde(default)]
    resource_provisioning_options: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SiteObject {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Discovery lists are followed at most this many pages deep.
const MAX_DISCOVERY_PAGES: usize = 20;

impl GraphClient {
    /// The same client with its OneNote calls addressed to `location`.
    pub fn at(&self, location: &Location) -> GraphClient {
        let mut client = self.clone();
        client.location = location.clone();
        client
    }

    /// Every item of a (non-OneNote) collection, following `@odata.nextLink` on this endpoint.
    async fn collect<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        first: Url,
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        for _ in 0..MAX_DISCOVERY_PAGES {
            let Some(url) = next.take() else { break };
            let page: Collection<T> = self.get_json(token, url).await?;
            items.extend(page.value);
            next = self.next_link(page.next_link.as_deref())?;
        }
        Ok(items)
    }

    /// The Microsoft 365 groups the user belongs to directly (only those can hold notebooks),
    /// by name.
    pub async fn my_groups(&self, token: &str) -> Result<Vec<SharedPlace>, GraphError> {
        let objects: Vec<DirectoryObject> = self.collect(token, self.url("/me/memberOf")).await?;
        let mut groups: Vec<SharedPlace> = objects
            .into_iter()
            .filter(|o| o.odata_type.as_deref() == Some("#microsoft.graph.group"))
            .filter(|o| {
                o.group_types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case("Unified"))
            })
            .filter_map(|o| {
                let location = Location::group(&o.id)?;
                Some(SharedPlace {
                    name: named(o.display_name, "Group", &o.id),
                    is_team: o
                        .resource_provisioning_options
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case("Team")),
                    location,
                })
            })
            .collect();
        groups.sort_by_key(|g| g.name.to_lowercase());
        Ok(groups)
    }

    /// The SharePoint sites the user follows, by name.
    pub async fn followed_sites(&self, token: &str) -> Result<Vec<SharedPlace>, GraphError> {
        let sites: Vec<SiteObject> = self.collect(token, self.url("/me/followedSites")).await?;
        let mut sites: Vec<SharedPlace> = sites
            .into_iter()
            .filter_map(|s| {
                let location = Location::site(&s.id)?;
                Some(SharedPlace {
                    name: named(s.display_name.or(s.name), "Site", &s.id),
                    is_team: false,
                    location,
                })
            })
            .collect();
        sites.sort_by_key(|s| s.name.to_lowercase());
        Ok(sites)
    }
}

/// The place's name, or `{kind} {start of its id}` when Graph left the name out.
fn named(name: Option<String>, kind: &str, id: &str) -> String {
    match name {
        Some(n) if !n.trim().is_empty() => n,
        _ => format!("{kind} {}", id.chars().take(8).collect::<String>()),
    }
}
