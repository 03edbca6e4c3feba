//! The seed's shape: tenants with users (each with their OneNote notebooks), app
//! registrations, and loading and checking a seed file.

use std::path::Path;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::onenote::NotebookSeed;

/// Everything the emulator starts with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub tenants: Vec<TenantSeed>,
    pub clients: Vec<ClientSeed>,
}

/// A directory (Entra tenant) and its members.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSeed {
    pub id: Uuid,
    pub display_name: String,
    /// Verified domains; the first is the initial `*.onmicrosoft.com` one.
    pub domains: Vec<String>,
    #[serde(default = "default_region")]
    pub region: String,
    pub users: Vec<UserSeed>,
    /// Microsoft 365 groups (and teams) whose notebooks their members read.
    #[serde(default)]
    pub groups: Vec<GroupSeed>,
    /// SharePoint sites whose notebooks their members read.
    #[serde(default)]
    pub sites: Vec<SiteSeed>,
    /// Delegated permissions the tenant's users may not consent to themselves (Entra's user
    /// consent settings): asking for one gets `AADSTS90094` until an administrator grants it.
    #[serde(default)]
    pub admin_approval_required: Vec<String>,
}

/// A Microsoft 365 group: its members (UPNs of the same tenant) read its notebooks through
/// `/groups/{id}/onenote/…` and find it in `/me/memberOf`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSeed {
    pub id: Uuid,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the group is a team (`resourceProvisioningOptions: ["Team"]`).
    #[serde(default)]
    pub team: bool,
    pub members: Vec<String>,
    /// The notebooks of the group's SharePoint site, in the same shape as a user's; the group
    /// owns them.
    #[serde(default)]
    pub notebooks: Vec<NotebookSeed>,
}

/// A SharePoint site: its members read its notebooks through `/sites/{id}/onenote/…` and
/// find it among their followed sites (`/me/followedSites`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSeed {
    /// The site's web id; Graph's site id is `{host},{site collection id},{web id}`.
    pub id: Uuid,
    pub display_name: String,
    /// The site's path under `/sites/` in its web address.
    pub name: String,
    pub members: Vec<String>,
    #[serde(default)]
    pub notebooks: Vec<NotebookSeed>,
}

impl TenantSeed {
    /// `contoso` for Contoso's tenant: the first label of its first custom domain (for OneNote
    /// links and SharePoint hosts).
    pub fn label(&self) -> String {
        self.domains
            .iter()
            .find(|d| !d.ends_with(".onmicrosoft.com"))
            .or(self.domains.first())
            .and_then(|d| d.split('.').next())
            .unwrap_or("tenant")
            .to_ascii_lowercase()
    }

    /// The SharePoint host of the tenant's sites (`contoso.sharepoint.com`).
    pub fn sharepoint_host(&self) -> String {
        format!("{}.sharepoint.com", self.label())
    }
}

impl SiteSeed {
    /// Graph's id for the site, `{host},{site collection id},{web id}`. The site collection's id
    /// is a fixed transform of the web id, so a seed always gives the same ids.
    pub fn graph_id(&self, tenant: &TenantSeed) -> String {
        let collection =
            Uuid::from_u128(self.id.as_u128() ^ 0x5c5c_0000_0000_0000_0000_0000_0000_5c5c);
        format!("{},{collection},{}", tenant.sharepoint_host(), self.id)
    }

    /// The site's web address.
    pub fn web_url(&self, tenant: &TenantSeed) -> String {
        format!("https://{}/sites/{}", tenant.sharepoint_host(), self.name)
    }
}

fn default_region() -> String {
    "EU".into()
}

/// A user who can sign in, with the profile Graph `/me` returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    pub id: Uuid,
    pub user_principal_name: String,
    pub display_name: String,
    pub password: String,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub mobile_phone: Option<String>,
    #[serde(default)]
    pub office_location: Option<String>,
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub business_phones: Vec<String>,
    /// Whether `/me/photo/$value` has a picture (generated from the user's id).
    #[serde(default)]
    pub photo: bool,
    /// The user's OneNote notebooks. Empty means "give this user the built-in notebooks".
    #[serde(default)]
    pub notebooks: Vec<NotebookSeed>,
}

/// An app registration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSeed {
    pub client_id: String,
    pub display_name: String,
    /// The tenant the app is registered in (it is multi-tenant: users of every seeded tenant may
    /// sign in to it).
    pub home_tenant: Uuid,
    /// Client secrets (values). An app without secrets or certificates is a public client.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// PEM certificates whose private keys may sign `private_key_jwt` client assertions.
    #[serde(default)]
    pub certificates: Vec<String>,
    /// Redirect URIs; a `post_logout_redirect_uri` must also be one of these.
    pub redirect_uris: Vec<String>,
    /// Front-channel logout URL, called (from the sign-out page) with `sid` and `iss`.
    #[serde(default)]
    pub front_channel_logout_url: Option<String>,
    /// Delegated scopes an administrator already granted for the whole tenant: no consent page.
    #[serde(default)]
    pub admin_consented_scopes: Vec<String>,
    /// Application permissions (app roles on Graph) for the client-credentials grant.
    #[serde(default)]
    pub application_permissions: Vec<String>,
}

/// Why a seed file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot read seed file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("seed file {path} is not valid TOML: {message}")]
    Toml { path: String, message: String },
    #[error("seed file {path} is not valid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("seed file {path}: {problem}")]
    Invalid { path: String, problem: String },
}

impl Seed {
    /// Reads a seed from a `.toml` or `.json` file and checks that it hangs together.
    pub fn from_file(path: &Path) -> Result<Seed, SeedError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: shown.clone(),
            source,
        })?;
        let seed: Seed = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text).map_err(|source| SeedError::Json {
                path: shown.clone(),
                source,
            })?
        } else {
            toml::from_str(&text).map_err(|e| SeedError::Toml {
                path: shown.clone(),
                message: e.message().to_string(),
            })?
        };
        seed.validate().map_err(|problem| SeedError::Invalid {
            path: shown,
            problem,
        })?;
        Ok(seed)
    }

    /// The checks a hand-written seed most often fails.
    pub fn validate(&self) -> Result<(), String> {
        if self.tenants.is_empty() {
            return Err("at least one tenant is needed".into());
        }
        let mut upns = std::collections::HashSet::new();
        // Users', groups' and sites' ids key their OneNote libraries: one owner each.
        let mut owners = std::collections::HashSet::new();
        for tenant in &self.tenants {
            if tenant.domains.is_empty() {
                return Err(format!("tenant {} has no domains", tenant.id));
            }
            for user in &tenant.users {
                if !upns.insert(user.user_principal_name.to_ascii_lowercase()) {
                    return Err(format!("user {} appears twice", user.user_principal_name));
                }
            }
            let ids = tenant
                .users
                .iter()
                .map(|u| u.id)
                .chain(tenant.groups.iter().map(|g| g.id))
                .chain(tenant.sites.iter().map(|s| s.id));
            for id in ids {
                if !owners.insert(id) {
                    return Err(format!(
                        "id {id} is given to more than one user, group or site"
                    ));
                }
            }
            let members = tenant
                .groups
                .iter()
                .map(|g| (&g.display_name, &g.members))
                .chain(tenant.sites.iter().map(|s| (&s.display_name, &s.members)));
            for (place, members) in members {
                for member in members {
                    let known = tenant
                        .users
                        .iter()
                        .any(|u| u.user_principal_name.eq_ignore_ascii_case(member));
                    if !known {
                        return Err(format!(
                            "{place} names member {member}, who is not a user of tenant {}",
                            tenant.id
                        ));
                    }
                }
            }
        }
        for client in &self.clients {
            if !self.tenants.iter().any(|t| t.id == client.home_tenant) {
                return Err(format!(
                    "client {} names home_tenant {} which is not seeded",
                    client.client_id, client.home_tenant
                ));
            }
            for uri in &client.redirect_uris {
                url::Url::parse(uri).map_err(|e| {
                    format!("client {} redirect URI {uri:?}: {e}", client.client_id)
                })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_seed_file_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed.toml");
        let seed = Seed::from_file(&path).unwrap();
        assert_eq!(
            seed.tenants[0].users[0].notebooks[0].sections[0]
                .pages
                .len(),
            1
        );
        assert_eq!(
            seed.tenants[0].groups[0].notebooks[0].display_name,
            "Team Notebook"
        );
    }

    #[test]
    fn a_group_may_not_share_an_id_with_a_user() {
        let mut seed = crate::seed::builtin();
        let ada = seed.tenants[0].users[0].id;
        seed.tenants[0].groups[0].id = ada;
        let problem = seed.validate().unwrap_err();
        assert!(problem.contains(&ada.to_string()), "{problem}");
    }

    #[test]
    fn a_broken_seed_names_the_file_and_the_problem() {
        let dir = std::env::temp_dir().join(format!("gn-seed-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("seed.toml");
        std::fs::write(&path, "tenants = []\nclients = []\n").unwrap();
        let message = Seed::from_file(&path).unwrap_err().to_string();
        assert!(
            message.contains("seed.toml") && message.contains("at least one tenant"),
            "{message}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
