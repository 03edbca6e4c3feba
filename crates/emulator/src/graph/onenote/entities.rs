//! The JSON of notebooks, section groups, sections and pages (docs/protocol.md §10.3): the common
//! properties, `self` and the other URLs in the `/users/{upn}/onenote/…` spelling that Graph
//! writes even for `/me` callers, OneNote client and web links, `createdBy`/`lastModifiedBy`
//! identity sets, and the small `{id, displayName, self}` objects of default expansions.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::store::{Library, Page, Section};
use crate::clock::iso8601;

/// Who wrote an `onenote:` link, which decides how it spells GUIDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkForm {
    /// Graph's `links.oneNoteClientUrl`: bare GUIDs. Microsoft's own sample has apps add the
    /// braces before they open the client
    /// (https://learn.microsoft.com/en-us/graph/open-onenote-client).
    Graph,
    /// A link the OneNote client wrote into a page ("Copy link to page"): GUIDs in braces, as
    /// https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/1838 shows.
    InPage,
}
use crate::graph::path::odata_key;

/// The four OneNote entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Notebook,
    SectionGroup,
    Section,
    Page,
}

/// Which way a navigation property points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Parent,
    Child,
}

impl Kind {
    /// The collection's name in URLs.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Notebook => "notebooks",
            Kind::SectionGroup => "sectionGroups",
            Kind::Section => "sections",
            Kind::Page => "pages",
        }
    }

    /// Structural properties (what `$select`, `$orderby` and `$filter` may name).
    pub fn properties(self) -> &'static [&'static str] {
        const COMMON: [&str; 8] = [
            "id",
            "self",
            "createdDateTime",
            "displayName",
            "lastModifiedDateTime",
            "createdBy",
            "lastModifiedBy",
            "links",
        ];
        match self {
            Kind::Notebook => &[
                COMMON[0],
                COMMON[1],
                COMMON[2],
                COMMON[3],
                COMMON[4],
                COMMON[5],
                COMMON[6],
                COMMON[7],
                "isDefault",
                "userRole",
                "isShared",
                "sectionsUrl",
                "sectionGroupsUrl",
            ],
            Kind::SectionGroup => &[
                COMMON[0],
                COMMON[1],
                COMMON[2],
                COMMON[3],
                COMMON[4],
                COMMON[5],
                COMMON[6],
                "sectionsUrl",
                "sectionGroupsUrl",
            ],
            Kind::Section => &[
                COMMON[0],
                COMMON[1],
                COMMON[2],
                COMMON[3],
                COMMON[4],
                COMMON[5],
                COMMON[6],
                COMMON[7],
                "isDefault",
                "pagesUrl",
            ],
            Kind::Page => &[
                "id",
                "self",
                "createdDateTime",
                "title",
                "createdByAppId",
                "contentUrl",
                "lastModifiedDateTime",
                "links",
                "level",
                "order",
            ],
        }
    }

    /// Navigation properties: name, direction and the kind they lead to.
    pub fn navigations(self) -> &'static [(&'static str, Direction, Kind)] {
        use Direction::*;
        match self {
            Kind::Notebook => &[
                ("sections", Child, Kind::Section),
                ("sectionGroups", Child, Kind::SectionGroup),
            ],
            Kind::SectionGroup => &[
                ("sections", Child, Kind::Section),
                ("sectionGroups", Child, Kind::SectionGroup),
                ("parentNotebook", Parent, Kind::Notebook),
                ("parentSectionGroup", Parent, Kind::SectionGroup),
            ],
            Kind::Section => &[
                ("parentNotebook", Parent, Kind::Notebook),
                ("parentSectionGroup", Parent, Kind::SectionGroup),
            ],
            Kind::Page => &[
                ("parentNotebook", Parent, Kind::Notebook),
                ("parentSection", Parent, Kind::Section),
            ],
        }
    }

    /// Navigations expanded (as `{id, displayName, self}`) without being asked.
    pub fn default_expansions(self) -> &'static [&'static str] {
        match self {
            Kind::Notebook => &[],
            Kind::SectionGroup | Kind::Section => &["parentNotebook", "parentSectionGroup"],
            Kind::Page => &["parentSection"],
        }
    }

    /// The canonical spelling of a property, accepting the old OneNote names
    /// (`name`, `createdTime`, `lastModifiedTime`) the concept docs still use.
    pub fn property(self, name: &str) -> Option<&'static str> {
        let name = match name {
            "name" if self == Kind::Page => "title",
            "name" => "displayName",
            "createdTime" => "createdDateTime",
            "lastModifiedTime" => "lastModifiedDateTime",
            other => other,
        };
        self.properties().iter().find(|p| **p == name).copied()
    }

    pub fn navigation(self, name: &str) -> Option<(&'static str, Direction, Kind)> {
        self.navigations()
            .iter()
            .find(|(n, _, _)| *n == name)
            .copied()
    }
}

/// A library seen through the emulator's URLs.
pub struct View<'a> {
    pub lib: &'a Library,
    pub base_url: &'a str,
}

impl View<'_> {
    /// `{base}/v1.0/{users/{upn}|groups/{id}|sites/{id}}/onenote`
    pub fn root(&self) -> String {
        format!(
            "{}/v1.0/{}/onenote",
            self.base_url,
            self.lib.owner.graph_path()
        )
    }

    /// `{base}/v1.0/$metadata#users('{upn}')/onenote` (or `groups('{id}')`, `sites('{id}')`)
    pub fn context_root(&self) -> String {
        format!(
            "{}/v1.0/$metadata#{}/onenote",
            self.base_url,
            self.lib.owner.key_path(odata_key)
        )
    }

    fn identity(&self) -> Value {
        json!({"user": {"id": self.lib.owner.id, "displayName": self.lib.owner.display_name}})
    }

    /// The SharePoint-style location OneNote links point at.
    fn site(&self) -> String {
        format!("{}/Notebooks", self.lib.owner.documents_url())
    }

    fn links(&self, client: String, web: String) -> Value {
        json!({"oneNoteClientUrl": {"href": client}, "oneNoteWebUrl": {"href": web}})
    }

    /// An entity's own JSON, without expansions. `None` if the id names nothing.
    pub fn entity(&self, kind: Kind, id: &str, pagelevel: bool) -> Option<Map<String, Value>> {
        let root = self.root();
        let value = match kind {
            Kind::Notebook => {
                let n = self.lib.notebook(id)?;
                let name = encode(&n.display_name);
                json!({
                    "id": n.id,
                    "self": format!("{root}/notebooks/{}", n.id),
                    "createdDateTime": iso8601(n.created),
                    "displayName": n.display_name,
                    "lastModifiedDateTime": iso8601(n.modified),
                    "isDefault": n.is_default,
                    "userRole": "Owner",
                    "isShared": false,
                    "sectionsUrl": format!("{root}/notebooks/{}/sections", n.id),
                    "sectionGroupsUrl": format!("{root}/notebooks/{}/sectionGroups", n.id),
                    "createdBy": self.identity(),
                    "lastModifiedBy": self.identity(),
                    "links": self.links(
                        format!("onenote:{}/{name}", self.site()),
                        format!("{}/{name}", self.site()),
                    ),
                })
            }
            Kind::SectionGroup => {
                let g = self.lib.group(id)?;
                json!({
                    "id": g.id,
                    "self": format!("{root}/sectionGroups/{}", g.id),
                    "createdDateTime": iso8601(g.created),
                    "displayName": g.display_name,
                    "lastModifiedDateTime": iso8601(g.modified),
                    "sectionsUrl": format!("{root}/sectionGroups/{}/sections", g.id),
                    "sectionGroupsUrl": format!("{root}/sectionGroups/{}/sectionGroups", g.id),
                    "createdBy": self.identity(),
                    "lastModifiedBy": self.identity(),
                })
            }
            Kind::Section => {
                let s = self.lib.section(id)?;
                let (client, web) = self.section_links(s, None);
                json!({
                    "id": s.id,
                    "self": format!("{root}/sections/{}", s.id),
                    "createdDateTime": iso8601(s.created),
                    "displayName": s.display_name,
                    "lastModifiedDateTime": iso8601(s.modified),
                    "isDefault": s.is_default,
                    "pagesUrl": format!("{root}/sections/{}/pages", s.id),
                    "createdBy": self.identity(),
                    "lastModifiedBy": self.identity(),
                    "links": self.links(client, web),
                })
            }
            Kind::Page => {
                let p = self.lib.page(id)?;
                let section = self.lib.section(&p.section)?;
                let (client, web) = self.section_links(section, Some(p));
                let mut page = json!({
                    "id": p.id,
                    "self": format!("{root}/pages/{}", p.id),
                    "createdDateTime": iso8601(p.created),
                    "title": p.title,
                    "createdByAppId": p.created_by_app_id,
                    "contentUrl": format!("{root}/pages/{}/content", p.id),
                    "lastModifiedDateTime": iso8601(p.modified),
                    "links": self.links(client, web),
                });
                if pagelevel {
                    page["level"] = json!(p.level);
                    page["order"] = json!(p.order);
                }
                page
            }
        };
        match value {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    fn section_links(&self, s: &Section, page: Option<&Page>) -> (String, String) {
        self.links_to(s, page, None, LinkForm::Graph)
    }

    /// The `onenote:` client URL and the web URL of a section, a page of it, or a paragraph of
    /// that page (its text and object id), as OneNote writes them (docs/protocol.md §10.3): the
    /// client URL names the section and page by id (`section-id=…&page-id=…`), the web URL by
    /// `wd=target(Section.one|{section}/Page title|{page}/)`. `form` says who writes the client
    /// URL: Graph's `links.oneNoteClientUrl` has bare GUIDs, a link the OneNote client put in a
    /// page has them in braces.
    pub fn links_to(
        &self,
        s: &Section,
        page: Option<&Page>,
        paragraph: Option<(&str, Uuid)>,
        form: LinkForm,
    ) -> (String, String) {
        let guid = |id: &dyn std::fmt::Display| match form {
            LinkForm::Graph => id.to_string(),
            LinkForm::InPage => format!("{{{id}}}"),
        };
        let notebook = self
            .lib
            .notebook(&s.notebook)
            .map(|n| encode(&n.display_name))
            .unwrap_or_default();
        let file = format!("{}.one", encode(&s.display_name));
        let mut client = format!("onenote:{}/{notebook}/{file}#", self.site());
        if let Some(p) = page {
            client.push_str(&format!("{}&", encode(&p.title)));
        }
        client.push_str(&format!("section-id={}", guid(&s.guid)));
        if let Some(p) = page {
            client.push_str(&format!("&page-id={}", guid(&p.id_guid())));
        }
        if let Some((_, object)) = paragraph {
            client.push_str(&format!("&object-id={}&11", guid(&object)));
        }
        client.push_str("&end");
        let mut target = format!("{file}%7C{}%2F", s.guid);
        if let Some(p) = page {
            target.push_str(&format!("{}%7C{}%2F", encode(&p.title), p.id_guid()));
        }
        if let Some((text, object)) = paragraph {
            target.push_str(&format!("{}%7C{object}%2F", encode(text)));
        }
        let web = format!("{}/{notebook}?wd=target%28{target}%29", self.site());
        (client, web)
    }

    /// `{id, displayName, self}` of an entity (pages: `title` stands in for the name).
    pub fn summary(&self, kind: Kind, id: &str) -> Option<Value> {
        let full = self.entity(kind, id, false)?;
        let name = full.get("displayName").or(full.get("title")).cloned();
        Some(json!({"id": full["id"], "displayName": name, "self": full["self"]}))
    }

    /// The entity a parent navigation leads to (`None` inside: the property is `null`).
    pub fn parent(&self, kind: Kind, id: &str, nav: &str) -> Option<(Kind, Option<String>)> {
        let (notebook, group, section) = match kind {
            Kind::Notebook => return None,
            Kind::SectionGroup => {
                let g = self.lib.group(id)?;
                (g.notebook.clone(), g.parent_group.clone(), None)
            }
            Kind::Section => {
                let s = self.lib.section(id)?;
                (s.notebook.clone(), s.parent_group.clone(), None)
            }
            Kind::Page => {
                let p = self.lib.page(id)?;
                let s = self.lib.section(&p.section)?;
                (s.notebook.clone(), None, Some(p.section.clone()))
            }
        };
        match nav {
            "parentNotebook" => Some((Kind::Notebook, Some(notebook))),
            "parentSectionGroup" => Some((Kind::SectionGroup, group)),
            "parentSection" => Some((Kind::Section, section)),
            _ => None,
        }
    }

    /// The entities a child navigation leads to, in stored order.
    pub fn children(&self, kind: Kind, id: &str, nav: &str) -> Vec<String> {
        let lib = self.lib;
        match (kind, nav) {
            (Kind::Notebook, "sections") => {
                lib.sections_of_notebook(id).map(|s| s.id.clone()).collect()
            }
            (Kind::Notebook, "sectionGroups") => {
                lib.groups_of_notebook(id).map(|g| g.id.clone()).collect()
            }
            (Kind::SectionGroup, "sections") => {
                lib.sections_of_group(id).map(|s| s.id.clone()).collect()
            }
            (Kind::SectionGroup, "sectionGroups") => {
                lib.groups_of_group(id).map(|g| g.id.clone()).collect()
            }
            _ => Vec::new(),
        }
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}
