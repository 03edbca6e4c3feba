//! Every user's OneNote, in memory: notebooks, section groups, sections, pages (kept as output
//! trees) and resources (bytes). Each user has a [`Library`]; a caller only ever gets their own,
//! so another user's ids are simply not found. Ids look like OneNote's work-account ids
//! (docs/protocol.md §10.3: `1-{guid}` for containers, `1-{hex}!{n}-{section guid}` for pages and
//! resources) and are derived from the owner and position, so the same seed always gives the
//! same ids.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use aws_lc_rs::digest;
use axum::body::Bytes;
use time::OffsetDateTime;
use uuid::Uuid;

use super::html::{Node, ResourceSink};

/// A UUID derived from names (SHA-256, shaped as a v4 UUID so it looks like OneNote's).
pub fn derived_uuid(parts: &[&str]) -> Uuid {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(part.as_bytes());
        ctx.update(&[0x1f]);
    }
    let digest = ctx.finish();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Whether a string can be a OneNote id at all (ids that cannot are 20112, not 20102).
pub fn plausible_id(id: &str) -> bool {
    id.len() <= 160
        && id.starts_with("1-")
        && id
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-' || c == '!')
}

/// Whose library this is (for `createdBy`, URLs and links).
#[derive(Debug, Clone)]
pub struct Owner {
    pub id: Uuid,
    pub place: Place,
    pub display_name: String,
    /// The tenant's first verified custom domain's label, for OneNote links (`contoso`).
    pub tenant_label: String,
}

/// Where a library lives in Graph: a user's OneDrive, a group's site, or a SharePoint site.
#[derive(Debug, Clone)]
pub enum Place {
    User { upn: String },
    Group,
    Site { graph_id: String, web_url: String },
}

impl Owner {
    /// A user's library.
    pub fn user(id: Uuid, upn: &str, display_name: &str, tenant_label: String) -> Owner {
        Owner {
            id,
            place: Place::User { upn: upn.into() },
            display_name: display_name.into(),
            tenant_label,
        }
    }

    /// The owner's path under `/v1.0/` as Graph writes it in `self` URLs (`users/{upn}`,
    /// `groups/{id}`, `sites/{site id}`).
    pub fn graph_path(&self) -> String {
        match &self.place {
            Place::User { upn } => format!("users/{upn}"),
            Place::Group => format!("groups/{}", self.id),
            Place::Site { graph_id, .. } => format!("sites/{graph_id}"),
        }
    }

    /// The owner as an OData key path, for `@odata.context` and resource URLs
    /// (`users('ada%40contoso.example')`); `encode` spells the key.
    pub fn key_path(&self, encode: impl Fn(&str) -> String) -> String {
        match &self.place {
            Place::User { upn } => format!("users('{}')", encode(upn)),
            Place::Group => format!("groups('{}')", self.id),
            Place::Site { graph_id, .. } => format!("sites('{}')", encode(graph_id)),
        }
    }

    /// The owner's document library, as its web address (a user's OneDrive for Business:
    /// `https://contoso-my.sharepoint.com/personal/ada_contoso_example/Documents`; a group's or
    /// a site's `Shared Documents`): where OneNote links point and where the drive's items live.
    pub fn documents_url(&self) -> String {
        let alias = |name: &str| -> String {
            name.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect()
        };
        match &self.place {
            Place::User { upn } => format!(
                "https://{}-my.sharepoint.com/personal/{}/Documents",
                self.tenant_label,
                alias(upn)
            ),
            Place::Group => format!(
                "https://{}.sharepoint.com/sites/{}/Shared%20Documents",
                self.tenant_label,
                alias(&self.display_name)
            ),
            Place::Site { web_url, .. } => format!("{web_url}/Shared%20Documents"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Notebook {
    pub id: String,
    pub display_name: String,
    pub is_default: bool,
    pub created: OffsetDateTime,
    pub modified: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct SectionGroup {
    pub id: String,
    pub display_name: String,
    pub notebook: String,
    pub parent_group: Option<String>,
    pub created: OffsetDateTime,
    pub modified: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    /// The section's guid, which page and resource ids end with.
    pub guid: Uuid,
    pub display_name: String,
    pub is_default: bool,
    pub notebook: String,
    pub parent_group: Option<String>,
    pub created: OffsetDateTime,
    pub modified: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub id: String,
    pub title: String,
    pub section: String,
    pub created: OffsetDateTime,
    pub modified: OffsetDateTime,
    pub level: u8,
    pub order: u32,
    pub lang: String,
    pub created_by_app_id: String,
    pub body: Vec<Node>,
    /// Strokes drawn on the page (`includeInkML=true` returns them).
    pub ink: Vec<super::ink::Stroke>,
}

impl Page {
    /// The guid that `includeIDs=true` ids are built from.
    pub fn id_guid(&self) -> Uuid {
        derived_uuid(&["element-ids", &self.id])
    }
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub page: String,
    pub content_type: String,
    pub bytes: Bytes,
}

/// One user's OneNote.
#[derive(Debug, Clone)]
pub struct Library {
    pub owner: Owner,
    pub notebooks: Vec<Notebook>,
    pub groups: Vec<SectionGroup>,
    pub sections: Vec<Section>,
    pub pages: Vec<Page>,
    pub resources: HashMap<String, Resource>,
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl Library {
    pub fn new(owner: Owner) -> Library {
        Library {
            owner,
            notebooks: Vec::new(),
            groups: Vec::new(),
            sections: Vec::new(),
            pages: Vec::new(),
            resources: HashMap::new(),
        }
    }

    pub fn notebook(&self, id: &str) -> Option<&Notebook> {
        self.notebooks.iter().find(|n| same(&n.id, id))
    }

    pub fn group(&self, id: &str) -> Option<&SectionGroup> {
        self.groups.iter().find(|g| same(&g.id, id))
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| same(&s.id, id))
    }

    pub fn page(&self, id: &str) -> Option<&Page> {
        self.pages.iter().find(|p| same(&p.id, id))
    }

    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.get(&id.to_ascii_lowercase())
    }

    /// Sections directly in a notebook (not in its groups).
    pub fn sections_of_notebook<'a>(
        &'a self,
        notebook: &'a str,
    ) -> impl Iterator<Item = &'a Section> {
        self.sections
            .iter()
            .filter(move |s| same(&s.notebook, notebook) && s.parent_group.is_none())
    }

    pub fn groups_of_notebook<'a>(
        &'a self,
        notebook: &'a str,
    ) -> impl Iterator<Item = &'a SectionGroup> {
        self.groups
            .iter()
            .filter(move |g| same(&g.notebook, notebook) && g.parent_group.is_none())
    }

    pub fn sections_of_group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a Section> {
        self.sections
            .iter()
            .filter(move |s| s.parent_group.as_deref().is_some_and(|g| same(g, group)))
    }

    pub fn groups_of_group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a SectionGroup> {
        self.groups
            .iter()
            .filter(move |g| g.parent_group.as_deref().is_some_and(|p| same(p, group)))
    }

    pub fn pages_of_section<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a Page> {
        self.pages.iter().filter(move |p| same(&p.section, section))
    }

    /// The section new pages go to when none is named: the default notebook's default section.
    pub fn default_section(&self) -> Option<&Section> {
        let notebook = self
            .notebooks
            .iter()
            .find(|n| n.is_default)
            .or(self.notebooks.first())?;
        self.sections
            .iter()
            .filter(|s| same(&s.notebook, &notebook.id))
            .find(|s| s.is_default)
            .or_else(|| {
                self.sections
                    .iter()
                    .find(|s| same(&s.notebook, &notebook.id))
            })
    }

    /// The URL a resource is served at inside page HTML (docs/protocol.md §10.5 spelling).
    pub fn resource_url(&self, base_url: &str, id: &str) -> String {
        format!(
            "{base_url}/v1.0/{}/onenote/resources/{id}/$value",
            self.owner.key_path(str::to_string)
        )
    }

    /// Adds a page with its resources, and marks the section (and its containers) modified.
    pub fn add_page(&mut self, page: Page, resources: Vec<Resource>) {
        self.add_resources(resources);
        self.touch_section(&page.section, page.modified);
        self.pages.push(page);
    }

    pub fn add_resources(&mut self, resources: Vec<Resource>) {
        for resource in resources {
            self.resources
                .insert(resource.id.to_ascii_lowercase(), resource);
        }
    }

    /// How many resources a page has.
    pub fn resources_of(&self, page: &str) -> usize {
        self.resources
            .values()
            .filter(|r| same(&r.page, page))
            .count()
    }

    /// Removes a page and its resources; marks its section modified `at`. `false`: no such page.
    pub fn remove_page(&mut self, id: &str, at: OffsetDateTime) -> bool {
        let Some(index) = self.pages.iter().position(|p| same(&p.id, id)) else {
            return false;
        };
        let page = self.pages.remove(index);
        self.resources.retain(|_, r| !same(&r.page, &page.id));
        self.touch_section(&page.section, at);
        true
    }

    /// Marks a section, its section groups and its notebook modified `at`.
    pub fn touch_section(&mut self, section_id: &str, modified: OffsetDateTime) {
        if let Some(section) = self.sections.iter_mut().find(|s| same(&s.id, section_id)) {
            section.modified = section.modified.max(modified);
            let (notebook, mut group) = (section.notebook.clone(), section.parent_group.clone());
            while let Some(id) = group {
                let g = self.groups.iter_mut().find(|g| same(&g.id, &id));
                group = g.as_ref().and_then(|g| g.parent_group.clone());
                if let Some(g) = g {
                    g.modified = g.modified.max(modified);
                }
            }
            if let Some(n) = self.notebooks.iter_mut().find(|n| same(&n.id, &notebook)) {
                n.modified = n.modified.max(modified);
            }
        }
    }
}

/// Hands out resource ids for one page while its HTML is converted.
pub struct NewResources<'a> {
    pub base_url: &'a str,
    /// The owner's key path (`users('ada@contoso.example')`).
    pub owner_path: &'a str,
    pub page_id: &'a str,
    pub section_guid: Uuid,
    /// Resources the page already has (new ones are numbered after them).
    pub existing: usize,
    pub made: Vec<Resource>,
}

impl ResourceSink for NewResources<'_> {
    fn add(&mut self, content_type: &str, bytes: Bytes) -> String {
        let n = self.existing + self.made.len() + 1;
        let guid = derived_uuid(&["resource", self.page_id, &n.to_string()]);
        let id = format!("1-{}!{n}-{}", guid.simple(), self.section_guid);
        self.made.push(Resource {
            id: id.clone(),
            page: self.page_id.to_string(),
            content_type: content_type.to_string(),
            bytes,
        });
        format!(
            "{}/v1.0/{}/onenote/resources/{id}/$value",
            self.base_url, self.owner_path
        )
    }
}

/// Builds a seeded library.
pub type LibraryBuilder = Box<dyn FnOnce() -> Library + Send>;

/// Every library, by user id. Seeded libraries are built when their user first needs them:
/// every test starts an emulator, and most never read most users' notebooks.
#[derive(Default)]
pub struct OneNoteStore {
    libraries: RwLock<HashMap<Uuid, Library>>,
    unbuilt: Mutex<HashMap<Uuid, LibraryBuilder>>,
}

impl OneNoteStore {
    pub fn new(seeded: Vec<(Uuid, LibraryBuilder)>) -> OneNoteStore {
        OneNoteStore {
            libraries: RwLock::default(),
            unbuilt: Mutex::new(seeded.into_iter().collect()),
        }
    }

    /// Builds `user`'s library if it is seeded and not built yet. The builder lock is held while
    /// building, so a second request for the same user waits for the library instead of finding
    /// none.
    fn build(&self, user: Uuid) {
        if self
            .libraries
            .read()
            .expect("onenote lock")
            .contains_key(&user)
        {
            return;
        }
        let mut unbuilt = self.unbuilt.lock().expect("onenote lock");
        if let Some(builder) = unbuilt.remove(&user) {
            let library = builder();
            self.libraries
                .write()
                .expect("onenote lock")
                .insert(user, library);
        }
    }

    /// Reads a user's library.
    pub fn read<R>(&self, user: Uuid, f: impl FnOnce(&Library) -> R) -> Option<R> {
        self.build(user);
        self.libraries
            .read()
            .expect("onenote lock")
            .get(&user)
            .map(f)
    }

    /// Changes a user's library.
    pub fn write<R>(&self, user: Uuid, f: impl FnOnce(&mut Library) -> R) -> Option<R> {
        self.build(user);
        self.libraries
            .write()
            .expect("onenote lock")
            .get_mut(&user)
            .map(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_plausible() {
        let a = derived_uuid(&["x", "y"]);
        assert_eq!(a, derived_uuid(&["x", "y"]));
        assert_ne!(a, derived_uuid(&["xy"]));
        assert!(plausible_id(&format!("1-{}!3-{}", a.simple(), a)));
        assert!(!plausible_id("../etc/passwd"));
        assert!(!plausible_id("0-C4CA69B2C470620B!755"));
    }
}
