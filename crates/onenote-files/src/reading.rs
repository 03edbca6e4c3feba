//! From the paths a user gives to listed notebooks: what each path is (a section, a notebook's
//! table of contents, a package, a zip, a folder of any of these), which sections a notebook
//! holds and in what order (its table of contents', `toc_order`), which copy of a section to
//! take from a backup folder; then every section listed, on every core (`section_file`).
//!
//! What cannot be read is skipped with its name and the reason; everything else still converts.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use export::Skipped;

use crate::backup::{BackupCopy, newest_copies};
use crate::section_file::{self, SectionFile};
use crate::{toc_order, unpack};

/// The folder OneNote keeps deleted pages and sections in, inside a notebook's folder.
const RECYCLE_BIN: &str = "OneNote_RecycleBin";
/// The section group deleted pages are put in with `--include-deleted`.
pub const DELETED_GROUP: &str = "_deleted";
/// How deep folders are searched for notebooks.
const MAX_FOLDER_DEPTH: usize = 12;

/// What to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Bring the recycle bin's pages in, as a section group `_deleted`.
    pub include_deleted: bool,
}

/// Notebooks read from files, with what was left out and noticed on the way.
#[derive(Debug, Default)]
pub struct Library {
    pub notebooks: Vec<NotebookFiles>,
    pub skipped: Vec<Skipped>,
    pub notes: Vec<String>,
}

impl Library {
    /// Why nothing was read, in one line, when no notebook was: each file and its reason.
    pub fn why_nothing(&self) -> String {
        let why = self
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason))
            .collect::<Vec<_>>()
            .join("; ");
        match why.is_empty() {
            true => "no OneNote notebook or section was found in what was given".into(),
            false => format!("nothing could be read: {why}"),
        }
    }
}

#[derive(Debug)]
pub struct NotebookFiles {
    pub name: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug)]
pub enum Entry {
    Section(Box<SectionFile>),
    Group { name: String, entries: Vec<Entry> },
}

/// Why nothing could be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{0}: no such file or folder")]
    Missing(String),
    #[error("{0}: is not a OneNote file (.one, .onetoc2, .onepkg, .zip) or a folder holding them")]
    NotOneNote(String),
}

/// The kinds of file read here, by extension.
pub fn is_onenote_path(path: &Path) -> bool {
    matches!(
        extension(path).as_deref(),
        Some("one" | "onetoc2" | "onepkg" | "zip")
    )
}

/// Reads `inputs`; packages and zips are unpacked under `work` (which the caller removes).
pub fn read(inputs: &[PathBuf], work: &Path, options: ReadOptions) -> Result<Library, InputError> {
    let mut reader = Reader {
        work: work.to_path_buf(),
        options,
        planned: Vec::new(),
        skipped: Vec::new(),
        notes: Vec::new(),
        unpacked: 0,
        loose: BTreeMap::new(),
        labels: Vec::new(),
    };
    for input in inputs {
        if !input.exists() {
            return Err(InputError::Missing(show(input)));
        }
        reader.labels.push((input.clone(), file_name(input)));
        if input.is_dir() {
            reader.folder(input, None, 0);
        } else if is_onenote_path(input) {
            reader.file(input);
        } else {
            return Err(InputError::NotOneNote(show(input)));
        }
    }
    let loose = std::mem::take(&mut reader.loose);
    for (folder, files) in loose {
        let entries = reader.sections(&files);
        reader.plan(file_name(&folder), entries);
    }
    Ok(reader.list())
}

/// A notebook as planned: its sections' files, in order, before they are read.
struct Planned {
    name: String,
    entries: Vec<Plan>,
}

enum Plan {
    Section(PathBuf),
    Group { name: String, entries: Vec<Plan> },
}

struct Reader {
    work: PathBuf,
    options: ReadOptions,
    planned: Vec<Planned>,
    skipped: Vec<Skipped>,
    notes: Vec<String>,
    unpacked: usize,
    /// Sections given one by one, by the folder they are in (each folder one notebook).
    loose: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// How a file is named in the report: by the input (or archive) it was found in, from its
    /// file name on — not by where that lies on this machine (for an upload, a server's
    /// folder the user has no business seeing).
    labels: Vec<(PathBuf, String)>,
}

impl Reader {
    fn file(&mut self, path: &Path) {
        match extension(path).as_deref() {
            Some("one") => {
                let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                self.loose
                    .entry(folder)
                    .or_default()
                    .push(path.to_path_buf());
            }
            Some("onetoc2") => {
                let folder = path.parent().unwrap_or(Path::new("."));
                self.notebook(folder, &file_name(folder), path);
            }
            Some(kind @ ("onepkg" | "zip")) => self.archive(path, kind),
            _ => {}
        }
    }

    /// A `.onepkg` or `.zip`: unpacked, then read as the folder it holds.
    fn archive(&mut self, path: &Path, kind: &str) {
        self.unpacked += 1;
        let into = self.work.join(format!("unpacked-{}", self.unpacked));
        let unpacked = match kind {
            "onepkg" => unpack::unpack_cab(path, &into),
            _ => unpack::unpack_zip(path, &into),
        };
        let label = self.label(path);
        if let Err(e) = unpacked {
            self.skip("file", &label, &e.to_string());
            return;
        }
        self.labels.push((into.clone(), label.clone()));
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Notebook".into());
        let before = self.planned.len();
        self.folder(&into, Some(&stem), 0);
        if self.planned.len() == before {
            self.skip("file", &label, "holds no OneNote notebook or section");
        }
    }

    /// A folder: a notebook (it has a table of contents, or sections), or a folder of them.
    fn folder(&mut self, folder: &Path, name: Option<&str>, depth: usize) {
        let listing = Listing::of(folder);
        let name = name.map_or_else(|| file_name(folder), str::to_string);
        if let Some(toc) = listing.tocs.first() {
            self.notebook(folder, &name, toc);
            return;
        }
        if !listing.sections.is_empty() {
            let entries = self.loose_folder(&listing, depth);
            self.plan(name, entries);
            return;
        }
        // Only packages, zips and folders: a folder of notebooks. A folder alone in the
        // folder an archive unpacked to is named after the archive.
        for archive in &listing.archives {
            self.file(archive);
        }
        if depth < MAX_FOLDER_DEPTH {
            for sub in &listing.folders {
                let only = listing.folders.len() == 1 && listing.archives.is_empty();
                let inner = only.then_some(name.as_str());
                self.folder(sub, inner, depth + 1);
            }
        }
    }

    /// A notebook folder with a table of contents: its sections and section groups in the
    /// notebook's order; those the table of contents does not list follow in name order
    /// (OneNote shows them too, so they are the user's notes; the report says so). When the
    /// table of contents cannot be read, the folder is read as one without.
    fn notebook(&mut self, folder: &Path, name: &str, toc: &Path) {
        let mut entries = match toc_order::sections_in_order(toc) {
            Ok(order) => {
                let rank: HashMap<PathBuf, usize> = order
                    .iter()
                    .enumerate()
                    .filter_map(|(n, path)| Some((std::fs::canonicalize(path).ok()?, n)))
                    .collect();
                let mut unlisted = Vec::new();
                let entries = self.ordered(folder, folder, &rank, 0, &mut unlisted);
                if !unlisted.is_empty() {
                    self.note(format!(
                        "{name}: not in its table of contents, read all the same: {}",
                        unlisted.join(", ")
                    ));
                }
                entries
            }
            Err(e) => {
                self.note(format!(
                    "{name}: its table of contents ({}) could not be read ({e}); its sections are \
                     read in name order",
                    file_name(toc)
                ));
                self.loose_folder(&Listing::of(folder), 0)
            }
        };
        if self.options.include_deleted {
            let bin = Listing::of(&folder.join(RECYCLE_BIN));
            if !bin.sections.is_empty() {
                entries.push(Plan::Group {
                    name: DELETED_GROUP.into(),
                    entries: bin.sections.into_iter().map(Plan::Section).collect(),
                });
            }
        }
        self.plan(name.to_string(), entries);
    }

    /// The sections and section groups under `folder`, by their place in the table of
    /// contents (`rank`; a group by its first section's), then the unlisted ones by name.
    fn ordered(
        &mut self,
        root: &Path,
        folder: &Path,
        rank: &HashMap<PathBuf, usize>,
        depth: usize,
        unlisted: &mut Vec<String>,
    ) -> Vec<Plan> {
        let listing = Listing::of(folder);
        let mut items: Vec<(usize, String, Plan)> = Vec::new();
        let place = |path: &Path| {
            std::fs::canonicalize(path)
                .ok()
                .and_then(|p| rank.get(&p).copied())
        };
        for section in listing.sections {
            let at = place(&section).unwrap_or_else(|| {
                unlisted.push(relative(root, &section));
                usize::MAX
            });
            items.push((at, file_name(&section), Plan::Section(section)));
        }
        if depth < MAX_FOLDER_DEPTH {
            for sub in listing.folders {
                if file_name(&sub) == RECYCLE_BIN {
                    continue;
                }
                let inner = self.ordered(root, &sub, rank, depth + 1, unlisted);
                if inner.is_empty() {
                    continue;
                }
                let at = first_section(&inner).and_then(place).unwrap_or(usize::MAX);
                let name = file_name(&sub);
                items.push((
                    at,
                    name.clone(),
                    Plan::Group {
                        name,
                        entries: inner,
                    },
                ));
            }
        }
        items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        items.into_iter().map(|(_, _, plan)| plan).collect()
    }

    /// A folder without a table of contents: its sections, and its subfolders as section groups.
    fn loose_folder(&mut self, listing: &Listing, depth: usize) -> Vec<Plan> {
        let mut entries = self.sections(&listing.sections);
        if depth < MAX_FOLDER_DEPTH {
            for sub in &listing.folders {
                if file_name(sub) == RECYCLE_BIN {
                    continue;
                }
                let inner = Listing::of(sub);
                let group = self.loose_folder(&inner, depth + 1);
                if !group.is_empty() {
                    entries.push(Plan::Group {
                        name: file_name(sub),
                        entries: group,
                    });
                }
            }
        }
        entries
    }

    /// Sections given without a table of contents (a backup folder's dated copies: the newest
    /// of each), in name order.
    fn sections(&mut self, files: &[PathBuf]) -> Vec<Plan> {
        let (chosen, notes) = newest_copies(files);
        for note in notes {
            self.note(note);
        }
        chosen
            .into_iter()
            .map(|BackupCopy { path, .. }| Plan::Section(path))
            .collect()
    }

    fn plan(&mut self, name: String, entries: Vec<Plan>) {
        if !entries.is_empty() {
            self.planned.push(Planned { name, entries });
        }
    }

    /// Every planned section listed (on every core), and the notebooks made of those read.
    fn list(mut self) -> Library {
        let mut paths = Vec::new();
        for notebook in &self.planned {
            collect(&notebook.entries, &mut paths);
        }
        let mut listed: HashMap<PathBuf, Result<SectionFile, String>> = paths
            .iter()
            .cloned()
            .zip(section_file::list_all(&paths))
            .collect();
        let planned = std::mem::take(&mut self.planned);
        let mut notebooks = Vec::new();
        for notebook in planned {
            let entries = self.entries(notebook.entries, &notebook.name, &mut listed);
            if !entries.is_empty() {
                notebooks.push(NotebookFiles {
                    name: notebook.name,
                    entries,
                });
            }
        }
        Library {
            notebooks,
            skipped: self.skipped,
            notes: self.notes,
        }
    }

    fn entries(
        &mut self,
        plans: Vec<Plan>,
        place: &str,
        listed: &mut HashMap<PathBuf, Result<SectionFile, String>>,
    ) -> Vec<Entry> {
        let mut entries = Vec::new();
        for plan in plans {
            match plan {
                Plan::Section(path) => match listed.remove(&path) {
                    Some(Ok(section)) => {
                        for warning in &section.warnings {
                            self.note(format!("{place}/{}: {warning}", section.name));
                        }
                        entries.push(Entry::Section(Box::new(section)));
                    }
                    Some(Err(reason)) => {
                        let label = self.label(&path);
                        self.skip("section", &label, &reason)
                    }
                    // The same file planned twice (given twice): read once.
                    None => {}
                },
                Plan::Group {
                    name,
                    entries: inner,
                } => {
                    let inner = self.entries(inner, &format!("{place}/{name}"), listed);
                    if !inner.is_empty() {
                        entries.push(Entry::Group {
                            name,
                            entries: inner,
                        });
                    }
                }
            }
        }
        entries
    }

    /// `path` as the report names it: under the innermost input or archive holding it.
    fn label(&self, path: &Path) -> String {
        self.labels
            .iter()
            .filter(|(root, _)| path.starts_with(root))
            .max_by_key(|(root, _)| root.components().count())
            .map_or_else(
                || show(path),
                |(root, label)| match path.strip_prefix(root) {
                    Ok(rest) if !rest.as_os_str().is_empty() => format!("{label}/{}", show(rest)),
                    _ => label.clone(),
                },
            )
    }

    fn skip(&mut self, kind: &str, name: &str, reason: &str) {
        self.skipped.push(Skipped {
            kind: kind.into(),
            name: name.into(),
            reason: reason.into(),
        });
    }

    fn note(&mut self, note: String) {
        self.notes.push(note);
    }
}

fn collect(plans: &[Plan], out: &mut Vec<PathBuf>) {
    for plan in plans {
        match plan {
            Plan::Section(path) => out.push(path.clone()),
            Plan::Group { entries, .. } => collect(entries, out),
        }
    }
}

fn first_section(plans: &[Plan]) -> Option<&Path> {
    plans.iter().find_map(|plan| match plan {
        Plan::Section(path) => Some(path.as_path()),
        Plan::Group { entries, .. } => first_section(entries),
    })
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).map_or_else(|_| show(path), show)
}

/// A folder's entries by kind, each in name order.
#[derive(Default)]
struct Listing {
    tocs: Vec<PathBuf>,
    sections: Vec<PathBuf>,
    archives: Vec<PathBuf>,
    folders: Vec<PathBuf>,
}

impl Listing {
    fn of(folder: &Path) -> Listing {
        let mut listing = Listing::default();
        let Ok(entries) = std::fs::read_dir(folder) else {
            return listing;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for path in paths {
            // Links are not followed: a folder given by a user, or unpacked from an archive,
            // never leads the reader elsewhere on the disk.
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                listing.folders.push(path);
            } else if meta.is_file() {
                match extension(&path).as_deref() {
                    Some("onetoc2") => listing.tocs.push(path),
                    Some("one") => listing.sections.push(path),
                    Some("onepkg" | "zip") => listing.archives.push(path),
                    _ => {}
                }
            }
        }
        listing
    }
}

fn extension(path: &Path) -> Option<String> {
    Some(path.extension()?.to_str()?.to_ascii_lowercase())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Notebook".into())
}

pub(crate) fn show(path: &Path) -> String {
    path.display().to_string()
}
