//! Where everything goes in the vault: `Notebook/Section group/…/Section/Page.md` (under a
//! place's folder, `Team name/Notebook/…`, when the export holds several places'), subpages
//! under their parent (`Parent.md` and `Parent/Child.md`), each section's files in
//! `Section/resources/`, an `index.md` per section and notebook. Every path is claimed from one
//! registry ([`crate::paths::VaultPaths`]), which the run goes on using for the resources' files;
//! a page or section already in an earlier export keeps its path (and folders it implied are
//! adopted again by the notebook or group of that name), so an update moves nothing that did
//! not move in OneNote.

use std::collections::HashMap;

use graph::onenote::{GroupTree, NotebookTree, Page, Section};

use crate::manifest::Manifest;
use crate::paths::{CONTENT_ROOM, Kind, PagePath, VaultPaths};

/// The folder, beside the vault's notebooks, for what the export says about itself.
pub const EXPORT_FOLDER: &str = "_export";
/// The manifest, inside the vault.
pub const MANIFEST_PATH: &str = "_export/manifest.json";
/// The report, inside the vault.
pub const REPORT_PATH: &str = "_export/report.md";
/// The folder of a section's files, beside its pages (when the name is free).
pub const RESOURCE_FOLDER: &str = "resources";
/// The page that lists a section's or notebook's pages (when the name is free).
pub const INDEX_FILE: &str = "index";

/// A notebook in the vault.
#[derive(Debug, Clone)]
pub struct PlannedNotebook {
    pub name: String,
    pub folder: String,
    /// Its `index.md`.
    pub index: String,
    /// Its sections (ids), in OneNote's order, groups' sections where the groups are.
    pub sections: Vec<String>,
}

/// A section in the vault.
#[derive(Debug, Clone)]
pub struct PlannedSection {
    pub id: String,
    pub name: String,
    pub folder: String,
    /// Its `index.md`.
    pub index: String,
    /// The folder of its pages' files.
    pub resources: String,
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
    /// The folder its subpages go in.
    pub children: String,
    pub section: String,
    pub level: i32,
    pub created: Option<String>,
    pub modified: Option<String>,
    /// Who wrote the page, when the source says (OneNote's own files do).
    pub author: Option<String>,
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
    /// Every path taken so far: the run claims the resources' files from it.
    pub paths: VaultPaths,
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
    let mut plan = Plan {
        paths: VaultPaths::new(),
        ..Plan::default()
    };
    for (path, kind) in [
        (EXPORT_FOLDER, Kind::Folder),
        (MANIFEST_PATH, Kind::File),
        (REPORT_PATH, Kind::File),
    ] {
        plan.paths.keep(path, kind);
    }
    let kept = previous
        .map(|m| Kept::register(m, &mut plan.paths))
        .unwrap_or_default();
    // Place name → its folder (notebooks of one place share it).
    let mut places: HashMap<&str, String> = HashMap::new();
    for tree in notebooks {
        let name = &tree.notebook.display_name;
        let parent = match tree.place.as_deref() {
            Some(place) => places
                .entry(place)
                .or_insert_with(|| {
                    plan.paths
                        .adopt_folder("", place, GROUP_ROOM + CONTENT_ROOM)
                })
                .clone(),
            None => String::new(),
        };
        let folder = plan.paths.adopt_folder(&parent, name, GROUP_ROOM);
        let index = plan.paths.file(&folder, INDEX_FILE, Some("md"));
        let mut notebook = PlannedNotebook {
            name: name.clone(),
            folder: folder.clone(),
            index,
            sections: Vec::new(),
        };
        let mut walker = Walker {
            plan: &mut plan,
            pages,
            kept: &kept,
            notebook_folder: &folder,
        };
        walker.sections(&tree.sections, &folder, &[], &mut notebook);
        walker.groups(&tree.groups, &folder, &[], &mut notebook);
        plan.notebooks.push(notebook);
    }
    plan
}

/// Room a group's folder leaves: a section folder of a dozen characters with its own room.
const GROUP_ROOM: usize = 2 * CONTENT_ROOM;

/// What an earlier export placed that can stay where it is.
#[derive(Default)]
struct Kept {
    /// Section id → its folder.
    sections: HashMap<String, String>,
    /// Page id → (its section, its paths).
    pages: HashMap<String, (String, PagePath)>,
}

impl Kept {
    /// Registers the earlier export's paths, in an order that keeps the most: sections' folders,
    /// pages, their subpages' folders, files.
    fn register(previous: &Manifest, paths: &mut VaultPaths) -> Kept {
        let mut kept = Kept::default();
        for (id, section) in &previous.sections {
            if paths.keep(&section.folder, Kind::Folder) {
                kept.sections.insert(id.clone(), section.folder.clone());
            }
        }
        for (id, page) in &previous.pages {
            if !paths.keep(&page.path, Kind::File) {
                continue;
            }
            // Exports made before the folder was recorded put it beside the file.
            let children = page
                .children
                .clone()
                .unwrap_or_else(|| page.path.trim_end_matches(".md").to_string());
            let children = if paths.keep(&children, Kind::Folder) {
                children
            } else {
                crate::paths::split(&page.path).0.to_string()
            };
            let path = PagePath {
                file: page.path.clone(),
                children,
            };
            kept.pages.insert(id.clone(), (page.section.clone(), path));
        }
        for page in previous.pages.values() {
            for resource in &page.resources {
                paths.keep(&resource.path, Kind::File);
            }
        }
        kept
    }
}

struct Walker<'a> {
    plan: &'a mut Plan,
    pages: &'a HashMap<String, Vec<Page>>,
    kept: &'a Kept,
    /// Where sections go when their group is too deep to hold them.
    notebook_folder: &'a str,
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
            let name = &group.group.display_name;
            // Too deep for another folder: the group's sections go where its parent's do.
            let folder = self
                .plan
                .paths
                .try_adopt_folder(parent, name, GROUP_ROOM)
                .unwrap_or_else(|| parent.to_string());
            let mut inner = path.to_vec();
            inner.push(name.clone());
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
            let paths = &mut self.plan.paths;
            let folder = match self.kept.sections.get(&section.id) {
                Some(folder) => folder.clone(),
                None => paths
                    .folder(parent, &section.display_name, CONTENT_ROOM)
                    .or_else(|| {
                        paths.folder(self.notebook_folder, &section.display_name, CONTENT_ROOM)
                    })
                    .unwrap_or_else(|| paths.adopt_folder("", &section.display_name, CONTENT_ROOM)),
            };
            let index = paths.file(&folder, INDEX_FILE, Some("md"));
            let resources = paths.adopt_folder(&folder, RESOURCE_FOLDER, 0);
            notebook.sections.push(section.id.clone());
            self.plan.sections.push(PlannedSection {
                id: section.id.clone(),
                name: section.display_name.clone(),
                folder: folder.clone(),
                index,
                resources,
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

    /// A section's pages: each subpage in the folder of the page above it.
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
                .kept
                .pages
                .get(&page.id)
                .filter(|(s, _)| s == section)
                .map(|(_, path)| path.clone());
            let path =
                kept.unwrap_or_else(|| self.plan.paths.page(&here, page.title_or_untitled()));
            parents.push((level, path.children.clone()));
            self.plan.pages.push(PlannedPage {
                id: page.id.clone(),
                title: page.title.clone().unwrap_or_default(),
                path: path.file,
                children: path.children,
                section: section.to_string(),
                level,
                created: page.created_date_time.clone(),
                modified: page.last_modified_date_time.clone(),
                author: page.author.clone(),
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
