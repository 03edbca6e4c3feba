//! The directory at run time: tenants, users and app registrations from the seed, looked up the
//! ways Entra looks them up (tenant by GUID or verified domain, user by UPN or object id, client by
//! id). App registrations can be changed through the admin API (front-channel logout URL, secrets).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use uuid::{Uuid, uuid};

use crate::seed::{ClientSeed, Seed, TenantSeed, UserSeed};

/// The tenant id of personal Microsoft accounts (`consumers`).
pub const CONSUMERS_TENANT_ID: Uuid = uuid!("9188040d-6c67-4c5b-b112-36a304b66dad");

/// A tenant and its users.
#[derive(Debug)]
pub struct Tenant {
    pub id: Uuid,
    pub display_name: String,
    pub domains: Vec<String>,
    pub region: String,
    pub users: Vec<Arc<User>>,
    pub groups: Vec<Arc<Group>>,
    pub sites: Vec<Arc<Site>>,
    /// Permissions its users may not consent to themselves.
    pub admin_approval_required: Vec<String>,
}

impl Tenant {
    /// Whether a user of this tenant needs an administrator to grant `scope`.
    pub fn needs_admin_approval(&self, scope: &str) -> bool {
        self.admin_approval_required
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scope))
    }
}

/// A Microsoft 365 group (a team when `team`), whose members read its notebooks.
#[derive(Debug)]
pub struct Group {
    pub id: Uuid,
    pub display_name: String,
    pub description: Option<String>,
    pub team: bool,
    pub members: Members,
}

/// A SharePoint site, whose members read its notebooks.
#[derive(Debug)]
pub struct Site {
    /// The web id: the key of the site's OneNote library.
    pub web_id: Uuid,
    /// Graph's id for the site: `{host},{site collection id},{web id}`.
    pub graph_id: String,
    pub display_name: String,
    pub name: String,
    pub web_url: String,
    pub members: Members,
}

/// Who belongs to a group or site: UPNs, compared without regard to letter case.
#[derive(Debug)]
pub struct Members(Vec<String>);

impl Members {
    fn new(upns: &[String]) -> Members {
        Members(upns.iter().map(|m| m.to_ascii_lowercase()).collect())
    }

    pub fn include(&self, user: &User) -> bool {
        self.0.contains(&user.upn().to_ascii_lowercase())
    }
}

/// A user: the seed's profile plus the tenant it lives in.
#[derive(Debug)]
pub struct User {
    pub tenant_id: Uuid,
    pub profile: UserSeed,
}

impl User {
    pub fn id(&self) -> Uuid {
        self.profile.id
    }

    pub fn upn(&self) -> &str {
        &self.profile.user_principal_name
    }
}

/// What the `{tenant}` path segment of an Entra URL names.
#[derive(Debug, Clone)]
pub enum Authority {
    Tenant(Arc<Tenant>),
    Common,
    Organizations,
    Consumers,
}

impl Authority {
    /// The segment used in endpoint URLs of the discovery document: multi-tenant authorities
    /// keep their name, tenant authorities use the GUID even when asked by domain.
    pub fn path_segment(&self) -> String {
        match self {
            Authority::Tenant(t) => t.id.to_string(),
            Authority::Common => "common".into(),
            Authority::Organizations => "organizations".into(),
            Authority::Consumers => "consumers".into(),
        }
    }

    /// Whether a user of this tenant may sign in through this authority.
    pub fn admits(&self, tenant_id: Uuid) -> bool {
        match self {
            Authority::Tenant(t) => t.id == tenant_id,
            Authority::Common => true,
            Authority::Organizations => tenant_id != CONSUMERS_TENANT_ID,
            Authority::Consumers => tenant_id == CONSUMERS_TENANT_ID,
        }
    }
}

/// All tenants, users and app registrations.
pub struct Directory {
    tenants: Vec<Arc<Tenant>>,
    clients: RwLock<HashMap<String, Arc<ClientSeed>>>,
}

impl Directory {
    pub fn new(seed: &Seed) -> Directory {
        let tenants = seed.tenants.iter().map(tenant_from_seed).collect();
        let clients = seed
            .clients
            .iter()
            .map(|c| (c.client_id.to_ascii_lowercase(), Arc::new(c.clone())))
            .collect();
        Directory {
            tenants,
            clients: RwLock::new(clients),
        }
    }

    pub fn tenants(&self) -> &[Arc<Tenant>] {
        &self.tenants
    }

    /// Resolves the `{tenant}` path segment.
    pub fn authority(&self, segment: &str) -> Option<Authority> {
        match segment.to_ascii_lowercase().as_str() {
            "common" => return Some(Authority::Common),
            "organizations" => return Some(Authority::Organizations),
            "consumers" => return Some(Authority::Consumers),
            _ => {}
        }
        self.tenant(segment).map(Authority::Tenant)
    }

    /// A tenant by GUID or by one of its verified domains.
    pub fn tenant(&self, id_or_domain: &str) -> Option<Arc<Tenant>> {
        let wanted = id_or_domain.to_ascii_lowercase();
        let as_uuid = Uuid::parse_str(&wanted).ok();
        self.tenants
            .iter()
            .find(|t| {
                Some(t.id) == as_uuid || t.domains.iter().any(|d| d.eq_ignore_ascii_case(&wanted))
            })
            .cloned()
    }

    pub fn tenant_by_id(&self, id: Uuid) -> Option<Arc<Tenant>> {
        self.tenants.iter().find(|t| t.id == id).cloned()
    }

    /// A user by UPN (case-insensitive) or object id.
    pub fn user(&self, upn_or_id: &str) -> Option<Arc<User>> {
        let as_uuid = Uuid::parse_str(upn_or_id).ok();
        self.users()
            .find(|u| Some(u.id()) == as_uuid || u.upn().eq_ignore_ascii_case(upn_or_id))
    }

    pub fn user_by_id(&self, id: Uuid) -> Option<Arc<User>> {
        self.users().find(|u| u.id() == id)
    }

    /// A group of `tenant_id` by id.
    pub fn group(&self, tenant_id: Uuid, id: &str) -> Option<Arc<Group>> {
        let id = Uuid::parse_str(id).ok()?;
        self.tenant_by_id(tenant_id)?
            .groups
            .iter()
            .find(|g| g.id == id)
            .cloned()
    }

    /// A site of `tenant_id` by Graph's id (case-insensitive).
    pub fn site(&self, tenant_id: Uuid, id: &str) -> Option<Arc<Site>> {
        self.tenant_by_id(tenant_id)?
            .sites
            .iter()
            .find(|s| s.graph_id.eq_ignore_ascii_case(id))
            .cloned()
    }

    /// The groups `user` is a member of.
    pub fn groups_of(&self, user: &User) -> Vec<Arc<Group>> {
        self.tenant_by_id(user.tenant_id)
            .map(|t| {
                t.groups
                    .iter()
                    .filter(|g| g.members.include(user))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The sites `user` is a member of (the emulator's members follow their sites).
    pub fn sites_of(&self, user: &User) -> Vec<Arc<Site>> {
        self.tenant_by_id(user.tenant_id)
            .map(|t| {
                t.sites
                    .iter()
                    .filter(|s| s.members.include(user))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn users(&self) -> impl Iterator<Item = Arc<User>> + '_ {
        self.tenants.iter().flat_map(|t| t.users.iter().cloned())
    }

    pub fn client(&self, client_id: &str) -> Option<Arc<ClientSeed>> {
        self.clients
            .read()
            .expect("client lock")
            .get(&client_id.to_ascii_lowercase())
            .cloned()
    }

    pub fn clients(&self) -> Vec<Arc<ClientSeed>> {
        let mut all: Vec<_> = self
            .clients
            .read()
            .expect("client lock")
            .values()
            .cloned()
            .collect();
        all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        all
    }

    /// Changes an app registration (admin API). Returns false for an unknown client.
    pub fn update_client(&self, client_id: &str, change: impl FnOnce(&mut ClientSeed)) -> bool {
        let mut clients = self.clients.write().expect("client lock");
        match clients.get_mut(&client_id.to_ascii_lowercase()) {
            Some(client) => {
                change(Arc::make_mut(client));
                true
            }
            None => false,
        }
    }
}

fn tenant_from_seed(seed: &TenantSeed) -> Arc<Tenant> {
    Arc::new(Tenant {
        id: seed.id,
        display_name: seed.display_name.clone(),
        domains: seed.domains.clone(),
        region: seed.region.clone(),
        users: seed
            .users
            .iter()
            .map(|u| {
                Arc::new(User {
                    tenant_id: seed.id,
                    profile: u.clone(),
                })
            })
            .collect(),
        groups: seed
            .groups
            .iter()
            .map(|g| {
                Arc::new(Group {
                    id: g.id,
                    display_name: g.display_name.clone(),
                    description: g.description.clone(),
                    team: g.team,
                    members: Members::new(&g.members),
                })
            })
            .collect(),
        sites: seed
            .sites
            .iter()
            .map(|s| {
                Arc::new(Site {
                    web_id: s.id,
                    graph_id: s.graph_id(seed),
                    display_name: s.display_name.clone(),
                    name: s.name.clone(),
                    web_url: s.web_url(seed),
                    members: Members::new(&s.members),
                })
            })
            .collect(),
        admin_approval_required: seed.admin_approval_required.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::builtin;

    #[test]
    fn tenants_resolve_by_guid_domain_and_alias() {
        let dir = Directory::new(&builtin());
        let by_domain = dir.authority("CONTOSO.example").unwrap();
        let Authority::Tenant(t) = &by_domain else {
            panic!("not a tenant")
        };
        assert_eq!(by_domain.path_segment(), t.id.to_string());
        assert!(matches!(dir.authority("common"), Some(Authority::Common)));
        assert!(dir.authority("nowhere.example").is_none());
        assert!(dir.user("ADA@contoso.example").is_some());
    }
}
