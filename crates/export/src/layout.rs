//! Where everything goes in the vault: `Notebook/Section group/…/Section/Page.md`, subpages
//! under their parent (`Parent.md` and `Parent/Child.md`), each section's files in
//! `Section/resources/`, an `index.md` per section and notebook. Names come from
//! [`crate::names`]; a page or section already in an earlier export keeps its path, so an
//! update moves nothing that did not move in OneNote.

use std::collections::HashMap;

use graph::onenote::{GroupTree, NotebookTree, Page, Section};

use crate::manifest::Manifest;
use crate::names::Names;

/// The folder, beside the vault's notebooks, for what the export says about itself.
pub const EXPORT_FOLDER: &str = "_export";
/// The folder of a section's files, beside its pages.
pub const RESOURCE_FOLDER: &str = "resources";
/// The page that lists a section's or notebook's pages.
pub const INDEX_FILE: &str = "index.md";

/// A notebook in the vault.
#[derive(Debug, Clone)]
pub struct PlannedNotebook {
    pub name: String,
    pub folder: String,
    /// Its sections (ids), in OneNote's order, groups' sections where the groups are.
    pub sections: Vec<String>,
}

/// A section in the vault.
#[derive(Debug, Clone)]
pub struct PlannedSection {
    pub id: String,
    pub name: String,
    pub folder: String,
    /// The groups it is in, outermost first.
    pub groups: Vec<String>,
    pub link_id: Option<String>,
}

/// A page in the vault.
#[derive(Debug, Clone)]
pub struct PlannedPage {
    pub id: String,
    pub title: String,
    /// The `.md` file, relative to the vault's root.
    pub path: String,
    pub section: String,
    pub level: i32,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub web_url: Option<String>,
    pub link_id: Option<String>,
}

/// The whole vault.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub notebooks: Vec<PlannedNotebook>,
    pub sections: Vec<PlannedSection>,
    /// In OneNote's order: notebook by notebook, section by section, page by page.
    pub pages: Vec<PlannedPage>,
}

impl Plan {
    pub fn section(&self, id: &str) -> Option<&PlannedSection> {
        self.sections.iter().find(|s| s.id == id)
    }
}

/// The vault for `notebooks` (already narrowed to what is exported) and their sections' pages.
/// `previous`: an earlier export of the same scope, whose paths are kept.
pub fn plan(
    notebooks: &[NotebookTree],
    pages: &HashMap<String, Vec<Page>>,
    previous: Option<&Manifest>,
) -> Plan {
    let mut names = Names::default();
    names.reserve("", EXPORT_FOLDER);
    let mut plan = Plan::default();
    if let Some(previous) = previous {
        for page in previous.pages.values() {
            let (folder, name) = split(&page.path);
            names.reserve(folder, name);
        }
    }
    for tree in notebooks {
        let folder = names.claim("", &tree.notebook.display_name, None);
        names.reserve(&folder, INDEX_FILE);
        let mut notebook = PlannedNotebook {
            name: tree.notebook.display_name.clone(),
            folder: folder.clone(),
            sections: Vec::new(),
        };
        let mut walker = Walker {
            names: &mut names,
            plan: &mut plan,
            pages,
            previous,
        };
        walker.sections(&tree.sections, &folder, &[], &mut notebook);
        walker.groups(&tree.groups, &folder, &[], &mut notebook);
        plan.notebooks.push(notebook);
    }
    plan
}

struct Walker<'a> {
    names: &'a mut Names,
    plan: &'a mut Plan,
    pages: &'a HashMap<String, Vec<Page>>,
    previous: Option<&'a Manifest>,
}

impl Walker<'_> {
    fn groups(
        &mut self,
        groups: &[GroupTree],
        parent: &str,
        path: &[String],
        notebook: &mut PlannedNotebook,
    ) {
        for group in groups {
            let name = self.names.claim(parent, &group.group.display_name, None);
            let folder = format!("{parent}/{name}");
            let mut inner = path.to_vec();
            inner.push(group.group.display_name.clone());
            self.sections(&group.sections, &folder, &inner, notebook);
            self.groups(&group.groups, &folder, &inner, notebook);
        }
    }

    fn sections(
        &mut self,
        sections: &[Section],
        parent: &str,
        groups: &[String],
        notebook: &mut PlannedNotebook,
    ) {
        for section in sections {
            let kept = self
                .previous
                .and_then(|m| m.sections.get(&section.id))
                .map(|s| s.folder.clone());
            let folder = match kept {
                Some(folder) => {
                    let (parent, name) = split(&folder);
                    self.names.reserve(parent, name);
                    folder
                }
                None => format!(
                    "{parent}/{}",
                    self.names.claim(parent, &section.display_name, None)
                ),
            };
            self.names.reserve(&folder, INDEX_FILE);
            self.names.reserve(&folder, RESOURCE_FOLDER);
            // A page called `resources` would give its subpages the files' folder.
            self.names
                .reserve(&folder, &format!("{RESOURCE_FOLDER}.md"));
            notebook.sections.push(section.id.clone());
            self.plan.sections.push(PlannedSection {
                id: section.id.clone(),
                name: section.display_name.clone(),
                folder: folder.clone(),
                groups: groups.to_vec(),
                link_id: section
                    .links
                    .one_note_client_url
                    .as_ref()
                    .and_then(|h| h.href.as_deref())
                    .and_then(onenote_md::PageLink::parse)
                    .and_then(|l| l.section_id),
            });
            let pages = self
                .pages
                .get(&section.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            self.pages(pages, &section.id, &folder);
        }
    }

    /// A section's pages: each subpage in the folder named after the page above it.
    fn pages(&mut self, pages: &[Page], section: &str, folder: &str) {
        // (level, the folder that page's subpages go in)
        let mut parents: Vec<(i32, String)> = Vec::new();
        for page in pages {
            let level = page.level.unwrap_or(0).clamp(0, 16);
            while parents.last().is_some_and(|(l, _)| *l >= level) {
                parents.pop();
            }
            let here = parents
                .last()
                .map_or(folder.to_string(), |(_, f)| f.clone());
            let kept = self
                .previous
                .and_then(|m| m.pages.get(&page.id))
                .filter(|p| p.section == section)
                .map(|p| p.path.clone());
            let path = kept.unwrap_or_else(|| {
                format!(
                    "{here}/{}",
                    self.names
                        .claim(&here, page.title_or_untitled(), Some("md"))
                )
            });
            let children = path.trim_end_matches(".md").to_string();
            parents.push((level, children));
            self.plan.pages.push(PlannedPage {
                id: page.id.clone(),
                title: page.title.clone().unwrap_or_default(),
                path,
                section: section.to_string(),
                level,
                created: page.created_date_time.clone(),
                modified: page.last_modified_date_time.clone(),
                web_url: page.links.web_url().map(str::to_string),
                link_id: page
                    .links
                    .one_note_client_url
                    .as_ref()
                    .and_then(|h| h.href.as_deref())
                    .and_then(onenote_md::PageLink::parse)
                    .and_then(|l| l.page_id),
            });
        }
    }
}

/// `("a/b", "c.md")` for `a/b/c.md`; `("", "c")` for `c`.
pub fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}
