//! From the paths a user gives to parsed notebooks: what each path is (a section, a notebook's
//! table of contents, a package, a zip, a folder of any of these), which copy of a section to
//! take from a backup folder, and reading each file with `onenote_parser` where neither an
//! error nor a panic of the parser reaches further than the one file it was reading.
//!
//! What cannot be read is skipped with its name and the reason; everything else still converts.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;

use export::Skipped;
use onenote_parser::Parser;
use onenote_parser::section::{Section, SectionEntry};

use crate::backup::{BackupCopy, newest_copies};
use crate::unpack;

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
    Section(Box<Section>),
    Group { name: String, entries: Vec<Entry> },
}

/// Why nothing could be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{0}: no such file or folder")]
    Missing(String),
    #[error("{0}: is not a OneNote file (.one, .onetoc2, .onepkg, .zip) or a folder holding them")]
    NotOneNote(String),
    #[error("{0}: could not be prepared for reading: {1}")]
    Work(String, std::io::Error),
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
        library: Library::default(),
        unpacked: 0,
        loose: BTreeMap::new(),
    };
    for input in inputs {
        if !input.exists() {
            return Err(InputError::Missing(show(input)));
        }
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
        let name = file_name(&folder);
        let entries = reader.sections(&files);
        reader.push_notebook(name, entries);
    }
    Ok(reader.library)
}

struct Reader {
    work: PathBuf,
    options: ReadOptions,
    library: Library,
    unpacked: usize,
    /// Sections given one by one, by the folder they are in (each folder one notebook).
    loose: BTreeMap<PathBuf, Vec<PathBuf>>,
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
        if let Err(e) = unpacked {
            self.skip("file", &show(path), &e.to_string());
            return;
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Notebook".into());
        let before = self.library.notebooks.len();
        self.folder(&into, Some(&stem), 0);
        if self.library.notebooks.len() == before {
            self.skip("file", &show(path), "holds no OneNote notebook or section");
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
            self.push_notebook(name, entries);
            return;
        }
        // Only packages, zips and folders: a folder of notebooks. An archive alone in the
        // folder an archive unpacked to is named after the outer one.
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

    /// A notebook folder with a table of contents.
    fn notebook(&mut self, folder: &Path, name: &str, toc: &Path) {
        let mut entries = self.notebook_entries(folder, name, toc, 0);
        if self.options.include_deleted {
            let bin = folder.join(RECYCLE_BIN);
            if bin.is_dir() {
                let listing = Listing::of(&bin);
                let deleted = self.sections(&listing.sections);
                if !deleted.is_empty() {
                    entries.push(Entry::Group {
                        name: DELETED_GROUP.into(),
                        entries: deleted,
                    });
                }
            }
        }
        self.push_notebook(name.to_string(), entries);
    }

    /// What a folder with a table of contents holds: the parser reads the sections and section
    /// groups it lists, in the notebook's order. Sections and section groups in the folder that
    /// it does not list follow in name order (OneNote shows them too, so they are the user's
    /// notes; the report says they were found this way). When the table of contents itself
    /// cannot be read, the folder is read as one without.
    fn notebook_entries(
        &mut self,
        folder: &Path,
        name: &str,
        toc: &Path,
        depth: usize,
    ) -> Vec<Entry> {
        let read = quietly(|| Parser::new().parse_notebook(typed(toc).to_path()))
            .and_then(|read| read.map_err(|e| e.to_string()));
        let listing = Listing::of(folder);
        let notebook = match read {
            Ok(notebook) => notebook,
            Err(e) => {
                self.note(format!(
                    "{name}: its table of contents ({}) could not be read ({e}); its sections are \
                     read in name order",
                    file_name(toc)
                ));
                return self.loose_folder(&listing, depth);
            }
        };
        for warning in notebook.report().warnings() {
            let message = warning.message();
            match message.strip_prefix("failed to import section ") {
                Some(rest) => {
                    let (file, reason) = rest.split_once(": ").unwrap_or((rest, ""));
                    let file = Path::new(file)
                        .strip_prefix(folder)
                        .map_or_else(|_| file.to_string(), show);
                    self.skip("section", &format!("{name}/{file}"), reason);
                }
                None => self.note(format!("{name}: {message}")),
            }
        }
        let mut listed = Vec::new();
        let mut entries = Vec::new();
        for entry in notebook.entries() {
            listed.push(match entry {
                SectionEntry::Section(section) => format!("{}.one", section.display_name()),
                SectionEntry::SectionGroup(group) => group.display_name().to_string(),
            });
            entries.push(self.entry(entry, name));
        }
        // Files the table of contents names but the parser could not read are skipped above,
        // not found again here.
        let skipped: Vec<String> = self
            .library
            .skipped
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let unlisted = |path: &PathBuf| {
            let file = file_name(path);
            !listed.iter().any(|l| l.eq_ignore_ascii_case(&file))
                && !skipped.contains(&format!("{name}/{file}"))
        };
        let sections: Vec<PathBuf> = listing
            .sections
            .iter()
            .filter(|p| unlisted(p))
            .cloned()
            .collect();
        if !sections.is_empty() {
            self.note(format!(
                "{name}: {} not in its table of contents, read all the same: {}",
                if sections.len() == 1 {
                    "a section"
                } else {
                    "sections"
                },
                sections
                    .iter()
                    .map(|p| file_name(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            entries.extend(self.sections(&sections));
        }
        if depth < MAX_FOLDER_DEPTH {
            for sub in listing.folders.iter().filter(|p| unlisted(p)) {
                if file_name(sub) == RECYCLE_BIN {
                    continue;
                }
                let inner = Listing::of(sub);
                let group_name = format!("{name}/{}", file_name(sub));
                let group = match inner.tocs.first() {
                    Some(toc) => self.notebook_entries(sub, &group_name, toc, depth + 1),
                    None => self.loose_folder(&inner, depth + 1),
                };
                if !group.is_empty() {
                    self.note(format!(
                        "{group_name}: a section group not in the notebook's table of contents, read all the same"
                    ));
                    entries.push(Entry::Group {
                        name: file_name(sub),
                        entries: group,
                    });
                }
            }
        }
        entries
    }

    fn entry(&mut self, entry: &SectionEntry, path: &str) -> Entry {
        match entry {
            SectionEntry::Section(section) => {
                self.section_notes(section, path);
                Entry::Section(Box::new(section.clone()))
            }
            SectionEntry::SectionGroup(group) => {
                let inner = format!("{path}/{}", group.display_name());
                Entry::Group {
                    name: group.display_name().to_string(),
                    entries: group
                        .entries()
                        .iter()
                        .map(|e| self.entry(e, &inner))
                        .collect(),
                }
            }
        }
    }

    /// A folder without a table of contents: its sections, and its subfolders as section groups.
    fn loose_folder(&mut self, listing: &Listing, depth: usize) -> Vec<Entry> {
        let mut entries = self.sections(&listing.sections);
        if depth < MAX_FOLDER_DEPTH {
            for sub in &listing.folders {
                if file_name(sub) == RECYCLE_BIN {
                    continue;
                }
                let inner = Listing::of(sub);
                let group = self.loose_folder(&inner, depth + 1);
                if !group.is_empty() {
                    entries.push(Entry::Group {
                        name: file_name(sub),
                        entries: group,
                    });
                }
            }
        }
        entries
    }

    /// Sections read one by one (a backup folder's dated copies: the newest of each).
    fn sections(&mut self, files: &[PathBuf]) -> Vec<Entry> {
        let (chosen, notes) = newest_copies(files);
        for note in notes {
            self.note(note);
        }
        let mut entries = Vec::new();
        for BackupCopy { path, name } in chosen {
            match quietly(|| Parser::new().parse_section(typed(&path).to_path())) {
                Ok(Ok(section)) => {
                    self.section_notes(&section, &name);
                    entries.push(Entry::Section(Box::new(section)));
                }
                Ok(Err(e)) => self.skip("section", &show(&path), &e.to_string()),
                Err(panic) => self.skip("section", &show(&path), &panic),
            }
        }
        entries
    }

    fn section_notes(&mut self, section: &Section, path: &str) {
        for warning in section.report().warnings() {
            let place = match warning.page() {
                Some((_, title)) => format!("{path}/{}, page “{title}”", section.display_name()),
                None => format!("{path}/{}", section.display_name()),
            };
            self.note(format!("{place}: {}", warning.message()));
        }
    }

    fn push_notebook(&mut self, name: String, entries: Vec<Entry>) {
        if !entries.is_empty() {
            self.library.notebooks.push(NotebookFiles { name, entries });
        }
    }

    fn skip(&mut self, kind: &str, name: &str, reason: &str) {
        self.library.skipped.push(Skipped {
            kind: kind.into(),
            name: name.into(),
            reason: reason.into(),
        });
    }

    fn note(&mut self, note: String) {
        self.library.notes.push(note);
    }
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

fn typed(path: &Path) -> typed_path::TypedPathBuf {
    use std::os::unix::ffi::OsStrExt;
    typed_path::TypedPath::unix(path.as_os_str().as_bytes()).to_path_buf()
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read`, turning a panic into its message. The panic is not printed: it is reported
/// with the file's name, like any reason a file could not be read.
pub fn quietly<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(read));
    QUIET.with(|q| q.set(false));
    result.map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the file could not be read (the reader stopped: {message})")
    })
}
