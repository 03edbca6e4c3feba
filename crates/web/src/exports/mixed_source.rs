//! A fast export's source when some sections' files could not be had: the notebooks as their
//! downloaded files give them, with each section the files lack — its download refused, no file
//! for it in the drive, a file the reader refused — taken from OneNote's page API instead, in
//! the same place in the notebook. One export, one vault, one report that says which sections
//! went page by page and why.
//!
//! A section and its file are matched within the same notebook and section group (a group is a
//! folder of the same name) by the section's GUID — the `section-id` of its client URL, which is
//! the identity in its file's header — or else by its name. A section the files lack is added
//! after the sections the files have in its notebook or group (the files give no order for it).
//! Its reason is looked up by the path OneNote gives a section's file (`{name}.one` in its
//! group's folder); each file that was not downloaded is also named in the report.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use export::{FetchError, SectionFile, Skipped, Source};
use graph::ink_content::PageContent;
use graph::onenote::{GroupTree, NotebookTree, Page, Section};
use onenote_files::FileSource;

use super::graph_source::GraphSource;

/// The downloaded notebooks, with the page API for what their files lack.
pub struct MixedSource {
    files: FileSource,
    graph: GraphSource,
    trees: Vec<NotebookTree>,
    /// The sections taken from the page API, by their OneNote ids.
    from_graph: HashSet<String>,
    /// Each downloaded section file's drive item, by its path below the downloads folder.
    drive_files: BTreeMap<String, SectionFile>,
    skipped: Vec<Skipped>,
    notes: Vec<String>,
}

/// A notebook as OneNote lists it, and the folder its files were downloaded to.
pub struct GraphNotebook {
    pub folder: String,
    pub tree: NotebookTree,
}

impl MixedSource {
    /// `problems` says, by path below the downloads folder, why a file is not there (its
    /// download failed); `drive_files` gives the downloaded sections' drive items by the same
    /// paths.
    pub fn new(
        files: FileSource,
        graph: GraphSource,
        notebooks: Vec<GraphNotebook>,
        problems: &BTreeMap<String, String>,
        drive_files: BTreeMap<String, SectionFile>,
    ) -> MixedSource {
        let mut splice = Splice {
            problems,
            unread: files.skipped(),
            from_graph: HashSet::new(),
            notes: Vec::new(),
        };
        let mut trees = files.trees().to_vec();
        for notebook in notebooks {
            match trees
                .iter_mut()
                .find(|t| t.notebook.display_name == notebook.folder)
            {
                Some(tree) => splice.level(
                    &notebook.folder,
                    &mut tree.sections,
                    &mut tree.groups,
                    notebook.tree.sections,
                    notebook.tree.groups,
                ),
                // None of its files was read: each section is noted with its own reason, and
                // the notebook goes in whole.
                None => {
                    splice.level(
                        &notebook.folder,
                        &mut Vec::new(),
                        &mut Vec::new(),
                        notebook.tree.sections.clone(),
                        notebook.tree.groups.clone(),
                    );
                    trees.push(notebook.tree);
                }
            }
        }
        let mut notes = files.notes();
        notes.extend(
            problems
                .iter()
                .map(|(path, why)| format!("Not downloaded: {path} ({why}).")),
        );
        notes.append(&mut splice.notes);
        MixedSource {
            skipped: splice.unread,
            from_graph: splice.from_graph,
            files,
            graph,
            trees,
            drive_files,
            notes,
        }
    }

    /// How many sections go page by page.
    pub fn page_by_page(&self) -> usize {
        self.from_graph.len()
    }
}

/// The walk that adds what the files lack to their trees.
struct Splice<'a> {
    problems: &'a BTreeMap<String, String>,
    /// What the reader left out; a file replaced by its section's pages is taken out of it.
    unread: Vec<Skipped>,
    from_graph: HashSet<String>,
    notes: Vec<String>,
}

impl Splice<'_> {
    /// One notebook or group: `prefix` is its path below the downloads folder.
    fn level(
        &mut self,
        prefix: &str,
        sections: &mut Vec<Section>,
        groups: &mut Vec<GroupTree>,
        graph_sections: Vec<Section>,
        graph_groups: Vec<GroupTree>,
    ) {
        for section in graph_sections {
            if sections.iter().any(|s| same_section(s, &section)) {
                continue;
            }
            let path = format!("{prefix}/{}.one", section.display_name);
            let why = self.why_missing(&path);
            self.page_by_page(&section, &why);
            sections.push(section);
        }
        for group in graph_groups {
            let inner = format!("{prefix}/{}", group.group.display_name);
            match groups
                .iter_mut()
                .find(|g| g.group.display_name == group.group.display_name)
            {
                Some(files) => self.level(
                    &inner,
                    &mut files.sections,
                    &mut files.groups,
                    group.sections,
                    group.groups,
                ),
                None => {
                    // A group the files lack altogether: each of its sections, at every depth,
                    // is noted with its own reason; the group goes in whole.
                    self.level(
                        &inner,
                        &mut Vec::new(),
                        &mut Vec::new(),
                        group.sections.clone(),
                        group.groups.clone(),
                    );
                    groups.push(group);
                }
            }
        }
    }

    /// Why the file at `path` gave no section: its download failed, the reader refused it
    /// (taken out of what the reader left out: its pages come all the same), or the drive has
    /// no such file.
    fn why_missing(&mut self, path: &str) -> String {
        if let Some(problem) = self.problems.get(path) {
            return problem.clone();
        }
        let suffix = format!("/{path}");
        if let Some(n) = self
            .unread
            .iter()
            .position(|s| s.name == path || s.name.ends_with(&suffix))
        {
            let refused = self.unread.remove(n);
            return format!("its file could not be read ({})", refused.reason);
        }
        "no file of the drive gave it".into()
    }

    fn page_by_page(&mut self, section: &Section, why: &str) {
        self.from_graph.insert(section.id.clone());
        self.notes.push(format!(
            "Section \u{201c}{}\u{201d} went page by page: {why}.",
            section.display_name
        ));
    }
}

/// Whether a section read from a file is the section OneNote lists: the same GUID, or, where
/// either has none, the same name.
fn same_section(file: &Section, listed: &Section) -> bool {
    match (section_guid(file), section_guid(listed)) {
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => true,
        _ => file.display_name.eq_ignore_ascii_case(&listed.display_name),
    }
}

/// The `section-id` of a section's client URL, without braces.
fn section_guid(section: &Section) -> Option<&str> {
    let href = section
        .links
        .one_note_client_url
        .as_ref()?
        .href
        .as_deref()?;
    let (_, after) = href.split_once("section-id=")?;
    let guid = after.split('&').next()?;
    Some(guid.trim_start_matches('{').trim_end_matches('}'))
}

impl Source for MixedSource {
    async fn tree(&self) -> Result<Vec<NotebookTree>, FetchError> {
        Ok(self.trees.clone())
    }

    async fn section_pages(&self, section: &str) -> Result<Vec<Page>, FetchError> {
        if self.from_graph.contains(section) {
            self.graph.section_pages(section).await
        } else {
            self.files.section_pages(section).await
        }
    }

    async fn page_content(&self, page: &str) -> Result<PageContent, FetchError> {
        if self.files.made(page) {
            self.files.page_content(page).await
        } else {
            self.graph.page_content(page).await
        }
    }

    async fn resource(&self, id: &str) -> Result<Vec<u8>, FetchError> {
        if self.files.made(id) {
            self.files.resource(id).await
        } else {
            self.graph.resource(id).await
        }
    }

    fn skipped(&self) -> Vec<Skipped> {
        self.skipped.clone()
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn section_file(&self, section: &str) -> Option<SectionFile> {
        let path = self.files.section_path(section)?;
        self.drive_files
            .iter()
            .find(|(relative, _)| path.ends_with(Path::new(relative.as_str())))
            .map(|(_, file)| file.clone())
    }

    fn content_costs_a_call(&self, page: &str) -> bool {
        !self.files.made(page)
    }
}

#[cfg(test)]
mod tests {
    use graph::onenote::{Href, Links, Section};

    use super::same_section;

    fn section(name: &str, client: Option<&str>) -> Section {
        Section {
            id: name.into(),
            display_name: name.into(),
            parent_notebook: None,
            parent_section_group: None,
            links: Links {
                one_note_client_url: client.map(|c| Href {
                    href: Some(c.into()),
                }),
                ..Links::default()
            },
        }
    }

    #[test]
    fn a_file_is_its_section_by_guid_or_else_by_name() {
        let guid = "onenote:#section-id={2EEDBBF3-5A1B-4959-8AEF-5EC92D0ECC87}&end";
        let same_guid = "onenote:https://d.example/Notes/Old%20name.one#section-id=2eedbbf3-5a1b-4959-8aef-5ec92d0ecc87&end";
        let other = "onenote:#section-id={11111111-2222-3333-4444-555555555555}&end";
        assert!(same_section(
            &section("Ideas", Some(guid)),
            &section("Renamed", Some(same_guid))
        ));
        assert!(!same_section(
            &section("Ideas", Some(guid)),
            &section("Other", Some(other))
        ));
        assert!(same_section(
            &section("Ideas", Some(guid)),
            &section("ideas", None)
        ));
        assert!(same_section(
            &section("Ideas", None),
            &section("Ideas", Some(other))
        ));
        assert!(!same_section(
            &section("Ideas", None),
            &section("Ideas 2", None)
        ));
    }
}
