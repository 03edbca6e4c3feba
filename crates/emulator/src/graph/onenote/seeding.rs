//! Turning the seed's notebooks into libraries. Seeded pages are wrapped into the same kind of
//! input document a client POSTs and go through the same conversion, so they read back like
//! created pages. Users whose seed names no notebooks get the built-in ones. Ids and timestamps
//! are derived from the user and the position of each item, so a seed always gives the same ids,
//! page HTML and resource bytes.

use std::collections::HashMap;

use axum::body::Bytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::html::{self, Element, Node, Part};
use super::seed_links::SeedLinks;
use super::store::{
    Library, LibraryBuilder, NewResources, Notebook, Owner, Page, Place, Section, SectionGroup,
    derived_uuid,
};
use crate::images::generate_png;
use crate::seed::onenote::ResourceData;
use crate::seed::{
    NotebookSeed, PageSeed, SectionGroupSeed, SectionSeed, Seed, TenantSeed, UserSeed,
};

/// Seeded content without dates starts here; each page is a little later than the one before.
const EPOCH: OffsetDateTime = datetime!(2025-01-06 09:00 UTC);

/// A builder of every seeded library: each user's, each group's and each site's, keyed by the
/// owner's id (a site's web id).
pub fn libraries(seed: &Seed, base_url: &str) -> Vec<(Uuid, LibraryBuilder)> {
    let mut out: Vec<(Uuid, LibraryBuilder)> = Vec::new();
    for tenant in &seed.tenants {
        for user in &tenant.users {
            let (tenant, user, base_url) = (tenant.clone(), user.clone(), base_url.to_string());
            out.push((
                user.id,
                Box::new(move || library(&tenant, &user, &base_url)),
            ));
        }
        for group in &tenant.groups {
            let owner = Owner {
                id: group.id,
                place: Place::Group,
                display_name: group.display_name.clone(),
                tenant_label: tenant.label(),
            };
            let (notebooks, base_url) = (group.notebooks.clone(), base_url.to_string());
            out.push((
                group.id,
                Box::new(move || build(owner, &notebooks, &base_url)),
            ));
        }
        for site in &tenant.sites {
            let owner = Owner {
                id: site.id,
                place: Place::Site {
                    graph_id: site.graph_id(tenant),
                    web_url: site.web_url(tenant),
                },
                display_name: site.display_name.clone(),
                tenant_label: tenant.label(),
            };
            let (notebooks, base_url) = (site.notebooks.clone(), base_url.to_string());
            out.push((
                site.id,
                Box::new(move || build(owner, &notebooks, &base_url)),
            ));
        }
    }
    out
}

fn library(tenant: &TenantSeed, user: &UserSeed, base_url: &str) -> Library {
    let owner = Owner::user(
        user.id,
        &user.user_principal_name,
        &user.display_name,
        tenant.label(),
    );
    let notebooks = if user.notebooks.is_empty() {
        crate::seed::builtin_notebooks(user)
    } else {
        user.notebooks.clone()
    };
    build(owner, &notebooks, base_url)
}

/// A library of `notebooks` for `owner`; notebooks seeded from a folder of OneNote's files
/// are read from it.
fn build(owner: Owner, notebooks: &[NotebookSeed], base_url: &str) -> Library {
    let notebooks: Vec<NotebookSeed> = notebooks
        .iter()
        .map(|n| match &n.files {
            Some(folder) => crate::seed::files::notebook(n, folder),
            None => n.clone(),
        })
        .collect();
    let mut builder = Builder {
        library: Library::new(owner),
        base_url,
        clock: 0,
        bodies: Vec::new(),
    };
    for (i, notebook) in notebooks.iter().enumerate() {
        builder.notebook(i, notebook);
    }
    builder.finish()
}

struct Builder<'a> {
    library: Library,
    base_url: &'a str,
    /// Pages seeded so far: spaces default timestamps apart.
    clock: i64,
    /// Pages whose bodies are converted once every page exists (links name other pages).
    bodies: Vec<(usize, PageSeed)>,
}

impl Builder<'_> {
    fn notebook(&mut self, index: usize, seed: &NotebookSeed) {
        let user = self.library.owner.id.to_string();
        let guid = derived_uuid(&[&user, "notebook", &index.to_string(), &seed.display_name]);
        let created = parse_time(seed.created.as_deref())
            .unwrap_or(EPOCH - Duration::days(30) + Duration::days(index as i64));
        let id = format!("1-{guid}");
        self.library.notebooks.push(Notebook {
            id: id.clone(),
            display_name: seed.display_name.clone(),
            is_default: seed.is_default,
            created,
            modified: created,
        });
        for (i, section) in seed.sections.iter().enumerate() {
            self.section(&id, None, i, section, created);
        }
        for (i, group) in seed.section_groups.iter().enumerate() {
            self.group(&id, None, i, group, created);
        }
    }

    fn group(
        &mut self,
        notebook: &str,
        parent: Option<&str>,
        index: usize,
        seed: &SectionGroupSeed,
        created: OffsetDateTime,
    ) {
        let container = parent.unwrap_or(notebook);
        let guid = derived_uuid(&[container, "group", &index.to_string(), &seed.display_name]);
        let id = format!("1-{guid}");
        let created = created + Duration::hours(1 + index as i64);
        self.library.groups.push(SectionGroup {
            id: id.clone(),
            display_name: seed.display_name.clone(),
            notebook: notebook.to_string(),
            parent_group: parent.map(str::to_string),
            created,
            modified: created,
        });
        for (i, section) in seed.sections.iter().enumerate() {
            self.section(notebook, Some(&id), i, section, created);
        }
        for (i, group) in seed.section_groups.iter().enumerate() {
            self.group(notebook, Some(&id), i, group, created);
        }
    }

    fn section(
        &mut self,
        notebook: &str,
        group: Option<&str>,
        index: usize,
        seed: &SectionSeed,
        created: OffsetDateTime,
    ) {
        let container = group.unwrap_or(notebook);
        let guid = derived_uuid(&[container, "section", &index.to_string(), &seed.display_name]);
        let id = format!("1-{guid}");
        let created = created + Duration::minutes(10 + index as i64);
        self.library.sections.push(Section {
            id: id.clone(),
            guid,
            display_name: seed.display_name.clone(),
            is_default: seed.is_default,
            notebook: notebook.to_string(),
            parent_group: group.map(str::to_string),
            created,
            modified: created,
        });
        let mut order = 0;
        for page in &seed.pages {
            self.page(&id, guid, order, page);
            order += 1;
        }
        for n in 1..=seed.generated_pages {
            self.page(&id, guid, order, &generated_page(n));
            order += 1;
        }
    }

    /// Every page exists now: resolve the links between them, then convert each body.
    fn finish(mut self) -> Library {
        let bodies = std::mem::take(&mut self.bodies);
        let resolved: Vec<String> = {
            let links = SeedLinks::new(&self.library, self.base_url, &bodies);
            bodies
                .iter()
                .map(|(_, seed)| links.resolve(&seed.body))
                .collect()
        };
        for ((index, seed), body) in bodies.iter().zip(resolved) {
            let page = &self.library.pages[*index];
            let (id, section) = (page.id.clone(), page.section.clone());
            let section_guid = self
                .library
                .section(&section)
                .map(|s| s.guid)
                .unwrap_or_default();
            let (body, resources) = self.convert(&id, section_guid, seed, &body);
            self.library.pages[*index].body = body;
            self.library.add_resources(resources);
        }
        self.library
    }

    fn convert(
        &self,
        id: &str,
        section_guid: uuid::Uuid,
        seed: &PageSeed,
        body: &str,
    ) -> (Vec<Node>, Vec<super::store::Resource>) {
        let parts: HashMap<String, Part> = seed
            .resources
            .iter()
            .map(|r| (r.name.clone(), part(&r.content_type, &r.data)))
            .collect();
        let document = format!(
            "<html lang=\"{}\"><head><title>{}</title></head><body data-absolute-enabled=\"true\">{}</body></html>",
            seed.lang.replace('"', ""),
            seed.title.replace('&', "&amp;").replace('<', "&lt;"),
            body
        );
        let owner_path = self.library.owner.key_path(str::to_string);
        let mut sink = NewResources {
            base_url: self.base_url,
            owner_path: &owner_path,
            page_id: id,
            section_guid,
            existing: 0,
            made: Vec::new(),
        };
        let body = match html::convert(&document, &parts, &mut sink) {
            Ok(converted) => converted.body,
            Err(e) => {
                tracing::warn!(page = %seed.title, error = %e, "a seeded page could not be converted");
                vec![
                    Element::new("p")
                        .children(vec![Node::Text(e.to_string())])
                        .into(),
                ]
            }
        };
        (body, sink.made)
    }

    fn page(&mut self, section: &str, section_guid: uuid::Uuid, order: u32, seed: &PageSeed) {
        self.clock += 1;
        let n = order + 1;
        let page_guid = derived_uuid(&[section, "page", &n.to_string()]);
        let id = format!("1-{}!{n}-{section_guid}", page_guid.simple());
        let created = parse_time(seed.created.as_deref())
            .unwrap_or(EPOCH + Duration::minutes(37 * self.clock));
        let modified = parse_time(seed.modified.as_deref())
            .unwrap_or(created + Duration::minutes(20))
            .max(created);

        self.bodies.push((self.library.pages.len(), seed.clone()));
        self.library.add_page(
            Page {
                id,
                title: seed.title.clone(),
                section: section.to_string(),
                created,
                modified,
                level: seed.level.min(2),
                order,
                lang: seed.lang.clone(),
                created_by_app_id: String::new(),
                body: Vec::new(),
                ink: seed
                    .ink
                    .iter()
                    .map(|s| super::ink::Stroke {
                        color: s.color.clone(),
                        width: s.width,
                        points: s.points.iter().map(|p| (p[0], p[1], p[2])).collect(),
                    })
                    .collect(),
            },
            Vec::new(),
        );
    }
}

/// A resource's bytes as the seed describes them.
pub fn part(content_type: &str, data: &ResourceData) -> Part {
    let bytes = match data {
        ResourceData::Text(text) => Bytes::from(text.clone().into_bytes()),
        ResourceData::Base64(b64) => match STANDARD.decode(b64.trim()) {
            Ok(bytes) => Bytes::from(bytes),
            Err(e) => {
                tracing::warn!(error = %e, "a seeded resource is not valid base64");
                Bytes::new()
            }
        },
        ResourceData::Png {
            width,
            height,
            pattern,
        } => Bytes::from(generate_png(*width, *height, *pattern)),
        ResourceData::Generated { size, seed } => Bytes::from(generated_bytes(*size, *seed)),
    };
    Part {
        content_type: content_type.to_string(),
        bytes,
    }
}

/// The biggest generated resource (bigger ones would only fill the emulator's memory).
const MAX_GENERATED: u64 = 1 << 30;

/// Deterministic bytes that do not compress (a xorshift stream): the same `seed` always gives
/// the same bytes.
pub fn generated_bytes(size: u64, seed: u64) -> Vec<u8> {
    let size = size.min(MAX_GENERATED) as usize;
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(size);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let word = state.to_le_bytes();
        let take = (size - out.len()).min(8);
        out.extend_from_slice(&word[..take]);
    }
    out
}

/// The short pages of `generated_pages`.
fn generated_page(n: u32) -> PageSeed {
    let status = if n.is_multiple_of(3) {
        ":completed"
    } else {
        ""
    };
    PageSeed::new(
        format!("Log entry {n}"),
        format!(
            "<p>Entry {n}: routine check completed.</p><p data-tag=\"to-do{status}\">Follow up on item {n}</p>"
        ),
    )
}

fn parse_time(value: Option<&str>) -> Option<OffsetDateTime> {
    value
        .and_then(|v| OffsetDateTime::parse(v, &Rfc3339).ok())
        .map(|t| t.to_offset(UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::builtin;

    #[test]
    fn the_same_seed_gives_the_same_libraries() {
        let build = || -> Vec<Library> {
            libraries(&builtin(), "http://localhost:1")
                .into_iter()
                .map(|(_, builder)| builder())
                .collect()
        };
        let (a, b) = (build(), build());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.pages.len(), y.pages.len());
            assert!(
                x.pages
                    .iter()
                    .zip(&y.pages)
                    .all(|(p, q)| p.id == q.id && p.body == q.body)
            );
            assert_eq!(x.resources.len(), y.resources.len());
        }
        // Different users get different notebooks.
        assert_ne!(a[0].notebooks[0].id, a[1].notebooks[0].id);
        assert_ne!(
            a[0].notebooks[0].display_name,
            a[1].notebooks[0].display_name
        );
    }
}
