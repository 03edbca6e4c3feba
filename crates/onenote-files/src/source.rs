//! OneNote files as the export's [`Source`]: the notebooks read from files answer the same four
//! questions Graph answers (the tree, a section's pages, a page's content, a resource's bytes),
//! so the export's one runner lays out, converts, links and reports them as it does pages
//! fetched from Graph.
//!
//! Ids are made here (`n1`, `s3`, `s3-p2`, `s3-p2-r1`): they only have to be unique within one
//! conversion. A page carries its own GUID in `links.oneNoteClientUrl`, as Graph's pages do, so
//! links between pages resolve to the vault's files by that GUID.

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::{Arc, Mutex};

use export::{FetchError, Skipped, Source};
use graph::ink_content::PageContent;
use graph::onenote::{
    EntityRef, GroupTree, Href, Links, Notebook, NotebookTree, Page, Section, SectionGroup,
};
use onenote_parser::contents::FileDataStatus;
use time::format_description::well_known::Rfc3339;

use crate::page_html::{self, Resource};
use crate::reading::{Entry, Library};
use crate::section_file::{self, SectionFile};

/// The largest resource read (a OneNote section holds files up to its own size; this bounds
/// what one read can ask of memory).
const MAX_RESOURCE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// How many sections after the one being written are read meanwhile, each on a thread of its
/// own: two keep both cores of a small machine busy (the runner writes pages on one while the
/// next sections are read on the other; measured in docs/benchmarks.md, "OneNote's files").
const READ_AHEAD: usize = 2;

/// The most file bytes read ahead at once beyond the first section (the parser may hold a
/// section's file whole, so a notebook of large sections reads one ahead, not two).
const READ_AHEAD_BYTES: u64 = 64 * 1024 * 1024;

/// Notebooks read from files.
pub struct FileSource {
    trees: Vec<NotebookTree>,
    /// Each section's file and pages, by section id.
    sections: HashMap<String, Listed>,
    /// The section read whole now.
    loaded: Mutex<Option<Loaded>>,
    /// The sections after it, being read on other threads meanwhile, in the order they come.
    ahead: Mutex<VecDeque<Reading>>,
    /// The section after each, in the order the runner writes them (the vault's).
    after: HashMap<String, String>,
    /// Which section and which of its pages, by page id.
    pages: HashMap<String, (String, usize)>,
    /// Resources of the pages rendered so far, by id.
    resources: Mutex<HashMap<String, Resource>>,
    skipped: Vec<Skipped>,
    notes: Vec<String>,
}

/// A section's file and listing, as the source answers for it.
struct Listed {
    file: SectionFile,
    listing: Vec<Page>,
}

/// A section being read whole on a thread of its own.
struct Reading {
    id: String,
    bytes: u64,
    thread: std::thread::JoinHandle<Result<onenote_parser::section::Section, String>>,
}

/// The section whose pages are being written, read whole (one at a time: see `section_file`).
struct Loaded {
    id: String,
    section: Arc<onenote_parser::section::Section>,
}

impl FileSource {
    pub fn new(library: Library) -> FileSource {
        let mut source = FileSource {
            trees: Vec::new(),
            sections: HashMap::new(),
            loaded: Mutex::new(None),
            ahead: Mutex::new(VecDeque::new()),
            after: HashMap::new(),
            pages: HashMap::new(),
            resources: Mutex::new(HashMap::new()),
            skipped: library.skipped,
            notes: library.notes,
        };
        let mut ids = Ids::default();
        for notebook in library.notebooks {
            let notebook_ref = EntityRef {
                id: ids.next("n"),
                display_name: Some(notebook.name.clone()),
            };
            let (sections, groups) =
                source.entries(notebook.entries, &notebook_ref, None, &mut ids);
            source.trees.push(NotebookTree {
                notebook: Notebook {
                    id: notebook_ref.id.clone(),
                    display_name: notebook.name,
                    is_default: false,
                    last_modified_date_time: None,
                    links: Links::default(),
                },
                sections,
                groups,
                place: None,
            });
        }
        let order: Vec<String> = source
            .trees
            .iter()
            .flat_map(|tree| {
                export::scope::sections(tree)
                    .into_iter()
                    .map(|s| s.id.clone())
            })
            .collect();
        source.after = order
            .windows(2)
            .map(|pair| (pair[0].clone(), pair[1].clone()))
            .collect();
        source
    }

    /// The notebooks as the files give them (what [`Source::tree`] answers).
    pub fn trees(&self) -> &[NotebookTree] {
        &self.trees
    }

    /// The file the section `id` is read from.
    pub fn section_path(&self, id: &str) -> Option<&std::path::Path> {
        self.sections.get(id).map(|s| s.file.path.as_path())
    }

    /// Whether `id` is one of the ids this source made (a section, page or resource of these
    /// files), as opposed to one another source answers for.
    pub fn made(&self, id: &str) -> bool {
        self.sections.contains_key(id)
            || self.pages.contains_key(id)
            || self
                .resources
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(id)
    }

    fn entries(
        &mut self,
        entries: Vec<Entry>,
        notebook: &EntityRef,
        group: Option<&EntityRef>,
        ids: &mut Ids,
    ) -> (Vec<Section>, Vec<GroupTree>) {
        let (mut sections, mut groups) = (Vec::new(), Vec::new());
        for entry in entries {
            match entry {
                Entry::Section(section) => {
                    sections.push(self.section(*section, notebook, group, ids))
                }
                Entry::Group { name, entries } => {
                    let this = EntityRef {
                        id: ids.next("g"),
                        display_name: Some(name.clone()),
                    };
                    let (inner_sections, inner_groups) =
                        self.entries(entries, notebook, Some(&this), ids);
                    groups.push(GroupTree {
                        group: SectionGroup {
                            id: this.id.clone(),
                            display_name: name,
                            parent_notebook: Some(notebook.clone()),
                            parent_section_group: group.cloned(),
                        },
                        sections: inner_sections,
                        groups: inner_groups,
                    });
                }
            }
        }
        (sections, groups)
    }

    fn section(
        &mut self,
        file: SectionFile,
        notebook: &EntityRef,
        group: Option<&EntityRef>,
        ids: &mut Ids,
    ) -> Section {
        let id = ids.next("s");
        let guid = file.identity.clone();
        // Graph's levels start at 0; the file's at 1 (or wherever its first page is).
        let top = file.pages.iter().map(|p| p.level).min().unwrap_or(0);
        let mut listing = Vec::with_capacity(file.pages.len());
        for (n, page) in file.pages.iter().enumerate() {
            let page_id = format!("{id}-p{}", n + 1);
            let link = format!(
                "onenote:#section-id={{{guid}}}&page-id={}&end",
                page.link_target_id
            );
            listing.push(Page {
                id: page_id.clone(),
                title: page.title.clone(),
                created_date_time: page.created.format(&Rfc3339).ok(),
                last_modified_date_time: page.modified.format(&Rfc3339).ok(),
                level: Some((page.level - top).clamp(0, 16)),
                order: Some(n as i32),
                links: Links {
                    one_note_client_url: Some(Href { href: Some(link) }),
                    ..Links::default()
                },
                parent_section: Some(EntityRef {
                    id: id.clone(),
                    display_name: Some(file.name.clone()),
                }),
                author: page.author.clone(),
            });
            self.pages.insert(page_id, (id.clone(), n));
        }
        let graph_section = Section {
            id: id.clone(),
            display_name: file.name.clone(),
            parent_notebook: Some(notebook.clone()),
            parent_section_group: group.cloned(),
            links: Links {
                one_note_client_url: Some(Href {
                    href: Some(format!("onenote:#section-id={{{guid}}}&end")),
                }),
                ..Links::default()
            },
        };
        self.sections.insert(id, Listed { file, listing });
        graph_section
    }

    /// The section `id`, read whole: the one read last, or the one read meanwhile, or read now
    /// — in the place of the last (its pages' resources go with it: the runner asks for a
    /// page's resources right after the page). The sections after it start being read on
    /// other threads ([`READ_AHEAD`]), so the next one is ready when its pages are asked for.
    fn load(&self, id: &str) -> Result<Arc<onenote_parser::section::Section>, FetchError> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(current) = loaded.as_ref().filter(|l| l.id == id) {
            return Ok(current.section.clone());
        }
        let listed = self
            .sections
            .get(id)
            .ok_or_else(|| FetchError::Failed("no such section in these files".into()))?;
        *loaded = None;
        self.resources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let mut ahead = self.ahead.lock().unwrap_or_else(|e| e.into_inner());
        // Readings before this section's are of sections the runner went past (it skipped
        // them): let them finish unread.
        while ahead.front().is_some_and(|reading| reading.id != id) {
            ahead.pop_front();
        }
        let read_meanwhile = ahead.pop_front().map(|reading| {
            reading
                .thread
                .join()
                .unwrap_or_else(|_| Err("the reader stopped".into()))
        });
        let section = read_meanwhile
            .unwrap_or_else(|| section_file::parse(&listed.file.path))
            .map_err(|e| FetchError::Failed(format!("the section could not be read again: {e}")))?;
        self.read_ahead(id, &mut ahead);
        let section = Arc::new(section);
        *loaded = Some(Loaded {
            id: id.to_string(),
            section: section.clone(),
        });
        Ok(section)
    }

    /// Starts reading the sections after `id` that are not being read yet, up to
    /// [`READ_AHEAD`] of them and [`READ_AHEAD_BYTES`] beyond the first.
    fn read_ahead(&self, id: &str, ahead: &mut VecDeque<Reading>) {
        let mut bytes: u64 = ahead.iter().skip(1).map(|r| r.bytes).sum();
        let mut after = self.after.get(id);
        for n in 0..READ_AHEAD {
            let Some((next, listed)) = after.and_then(|a| Some((a, self.sections.get(a)?))) else {
                return;
            };
            after = self.after.get(next);
            if ahead.iter().any(|r| &r.id == next) {
                continue;
            }
            let size = std::fs::metadata(&listed.file.path).map_or(0, |m| m.len());
            if n > 0 && bytes + size > READ_AHEAD_BYTES {
                return;
            }
            if n > 0 {
                bytes += size;
            }
            let path = listed.file.path.clone();
            ahead.push_back(Reading {
                id: next.clone(),
                bytes: size,
                thread: std::thread::spawn(move || section_file::parse(&path)),
            });
        }
    }

    fn render(&self, id: &str) -> Result<PageContent, FetchError> {
        let (section_id, n) = self
            .pages
            .get(id)
            .ok_or_else(|| FetchError::Failed("no such page in these files".into()))?;
        let section = self.load(section_id)?;
        let page = section
            .page_series()
            .iter()
            .flat_map(|series| series.pages())
            .nth(*n)
            .ok_or_else(|| FetchError::Failed("the page is not in its section any more".into()))?;
        let rendered = crate::contained::quietly(|| page_html::render(page, id))
            .map_err(FetchError::Failed)?;
        let mut resources = self.resources.lock().unwrap_or_else(|e| e.into_inner());
        resources.extend(rendered.resources);
        Ok(PageContent {
            html: rendered.html,
            ink: rendered.ink,
        })
    }

    fn read_resource(&self, id: &str) -> Result<Vec<u8>, FetchError> {
        let resource = self
            .resources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
            .ok_or_else(|| FetchError::Failed("no such resource in these files".into()))?;
        let (status, reader) = match &resource {
            Resource::Image(image) => (image.data_status(), image.read()),
            Resource::File(file) => (file.data_status(), Some(file.read())),
        };
        match status {
            FileDataStatus::Available => {}
            FileDataStatus::Missing => {
                return Err(FetchError::Failed(
                    "the section file does not hold its bytes (OneNote had not downloaded them)"
                        .into(),
                ));
            }
            _ => {
                return Err(FetchError::Failed(
                    "the section file marks its bytes as invalid".into(),
                ));
            }
        }
        let reader = reader
            .ok_or_else(|| FetchError::Failed("the section file does not hold its bytes".into()))?;
        let mut bytes = Vec::new();
        crate::contained::quietly(|| reader.take(MAX_RESOURCE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(FetchError::Failed)?
            .map_err(|e| {
                FetchError::Failed(format!("could not be read from the section file: {e}"))
            })?;
        if bytes.len() as u64 > MAX_RESOURCE_BYTES {
            return Err(FetchError::Failed(format!(
                "is larger than {MAX_RESOURCE_BYTES} bytes"
            )));
        }
        Ok(bytes)
    }
}

impl Source for FileSource {
    async fn tree(&self) -> Result<Vec<NotebookTree>, FetchError> {
        Ok(self.trees.clone())
    }

    async fn section_pages(&self, section: &str) -> Result<Vec<Page>, FetchError> {
        self.sections
            .get(section)
            .map(|s| s.listing.clone())
            .ok_or_else(|| FetchError::Failed("no such section in these files".into()))
    }

    async fn page_content(&self, page: &str) -> Result<PageContent, FetchError> {
        self.render(page)
    }

    async fn resource(&self, id: &str) -> Result<Vec<u8>, FetchError> {
        self.read_resource(id)
    }

    fn skipped(&self) -> Vec<Skipped> {
        self.skipped.clone()
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn content_costs_a_call(&self, _page: &str) -> bool {
        false
    }
}

/// Ids unique within one conversion.
#[derive(Default)]
struct Ids(usize);

impl Ids {
    fn next(&mut self, prefix: &str) -> String {
        self.0 += 1;
        format!("{prefix}{}", self.0)
    }
}
