//! Fast export: a notebook's own files, fetched through Graph's drive API (`graph::drive`) and
//! read by the file reader (`onenote_files`), into the same vault as the page-by-page export — a
//! notebook in minutes where OneNote's page API allows about 400 calls an hour. One OneNote call
//! lists the notebooks (for each one's web address); everything else is a drive call, which
//! OneNote's budget does not count.
//!
//! The files are kept in the job's folder between runs with the version the drive gave each
//! (`cTag`): an update downloads only the files whose version changed.
//!
//! When the files cannot be had — no permission to read files, a notebook whose address the
//! drive API does not resolve (a personal OneDrive's), a listing refused, a section the drive has
//! no file for — the export goes page by page as before, and its report says why. A section's
//! export downloads that section's file alone (with the tables of contents above it).
//! When only some sections' files cannot be had — a download refused, a section the drive has
//! no file for, a file the reader refuses — those sections alone go page by page
//! ([`super::mixed_source`]), and the report names them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use export::SectionFile;
use export::{FetchError, Halt, JobFolder, Observer, Patience, Scope, Source};
use futures_util::StreamExt;
use graph::drive::DriveItem;
use graph::ink_content::PageContent;
use graph::onenote::{NotebookTree, Page};
use onenote_files::{FileSource, ReadOptions};
use serde::{Deserialize, Serialize};

use super::Exports;
use super::graph_source::GraphSource;
use super::job::FAST_EXPORT_FELL_BACK;
use super::mixed_source::{GraphNotebook, MixedSource};

/// The folder in a job's folder that holds the downloaded notebooks, one folder each.
pub const DOWNLOADS: &str = "downloads";
/// What was downloaded, by path below [`DOWNLOADS`], with the drive's version of each.
const VERSIONS: &str = "versions.json";
/// The folder the file reader unpacks into while the job runs.
const WORK: &str = "reading";
/// Downloads at once.
const PARALLEL: usize = 4;
/// OneNote's folder of deleted pages: not part of the notebook the page export shows.
const RECYCLE_BIN: &str = "OneNote_RecycleBin";
/// How deep section groups are followed.
const MAX_DEPTH: usize = 16;

/// Runs a fast export of `scope`, or, when the files cannot be had, the page-by-page export
/// with a note saying why.
pub async fn run(
    exports: &Exports,
    id: &str,
    scope: &Scope,
    source: &GraphSource,
    observer: Arc<dyn Observer>,
    patience: Patience,
) -> Result<export::Finished, Halt> {
    let root = exports.folder(id);
    let fetched = fetch(&root, scope, source, observer.as_ref()).await;
    let why = match fetched {
        Ok(fetched) => match convert(&root, fetched, source, observer.clone(), patience).await {
            Err(NotFetched::Fallback(why)) => why,
            Err(NotFetched::Halted(halt)) => return Err(halt),
            Ok(finished) => return finished,
        },
        Err(NotFetched::Halted(halt)) => return Err(halt),
        Err(NotFetched::Fallback(why)) => why,
    };
    tracing::info!(export = %id, reason = %why, "fast export not possible; exporting page by page");
    let noted = Noted {
        inner: source,
        note: format!("{FAST_EXPORT_FELL_BACK}: {why}. This export went page by page."),
    };
    let folder = JobFolder::new(&root);
    export::run(&noted, &folder, scope, observer.as_ref(), patience).await
}

/// Why the files are not all here.
enum NotFetched {
    /// They cannot be had: the export goes page by page, saying why.
    Fallback(String),
    /// The run was stopped (cancelled, or the lease lost) while they came.
    Halted(Halt),
}

impl From<String> for NotFetched {
    fn from(why: String) -> NotFetched {
        NotFetched::Fallback(why)
    }
}

/// What the drive gave: the notebooks' folders and what was fetched.
struct Fetched {
    /// Each notebook as OneNote lists it, with the folder its files are in.
    notebooks: Vec<GraphNotebook>,
    /// Why a file is not here, by its path below [`DOWNLOADS`] (its download failed).
    problems: BTreeMap<String, String>,
    /// The drive item of each file that is here, by the same paths.
    drive_files: BTreeMap<String, SectionFile>,
    downloaded: usize,
    kept: usize,
    bytes: u64,
}

/// The versions of the files downloaded so far.
#[derive(Default, Serialize, Deserialize)]
struct Versions {
    /// Path below [`DOWNLOADS`] → the drive's version of the file.
    files: BTreeMap<String, String>,
}

/// Finds each notebook's files in its drive and downloads those that are new or changed.
async fn fetch(
    root: &Path,
    scope: &Scope,
    source: &GraphSource,
    observer: &dyn Observer,
) -> Result<Fetched, NotFetched> {
    let trees = scope.narrow(source.tree().await.map_err(|e| e.to_string())?);
    if trees.is_empty() {
        return Err(NotFetched::Fallback(
            "the notebook is not there any more".into(),
        ));
    }
    let downloads = root.join(DOWNLOADS);
    tokio::fs::create_dir_all(&downloads)
        .await
        .map_err(|e| format!("cannot prepare the download folder: {e}"))?;
    let versions_path = root.join(VERSIONS);
    let before: Versions = tokio::fs::read(&versions_path)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    // Every file the export needs, by its path below DOWNLOADS.
    let mut wanted: BTreeMap<String, DriveItem> = BTreeMap::new();
    let mut notebooks = Vec::new();
    for tree in trees {
        let (folder, mut files) = notebook_files(source, &tree).await?;
        if let Scope::Section(_) = scope {
            files = section_files(&tree, files)?;
        }
        for (path, item) in files {
            wanted.insert(format!("{folder}/{path}"), item);
        }
        notebooks.push(GraphNotebook { folder, tree });
    }
    let changed: Vec<(String, DriveItem)> = wanted
        .iter()
        .filter(|(path, item)| {
            let same = before.files.get(*path).map(String::as_str) == item.version();
            !(same && item.version().is_some() && downloads.join(path).is_file())
        })
        .map(|(path, item)| (path.clone(), item.clone()))
        .collect();
    let (downloaded, kept) = (changed.len(), wanted.len() - changed.len());
    // Files the drive no longer has go too, so the reader does not find them.
    for gone in before.files.keys().filter(|p| !wanted.contains_key(*p)) {
        let _ = tokio::fs::remove_file(downloads.join(gone)).await;
    }
    let mut pace = DownloadPace::new(&changed);
    let mut status = export::Status {
        doing: pace.doing(),
        ..Default::default()
    };
    observer.progress(&status);
    let mut problems = BTreeMap::new();
    let mut downloads_in_flight =
        futures_util::stream::iter(changed.into_iter().map(|(path, item)| async {
            let written = download(source, downloads.join(&path), item).await;
            (path, written)
        }))
        .buffer_unordered(PARALLEL);
    while let Some((path, written)) = downloads_in_flight.next().await {
        match written {
            Ok(bytes) => pace.done(bytes),
            Err(why) => {
                // That section alone goes page by page; its old copy, if any, is not used.
                tracing::info!(file = %path, reason = %why, "a notebook file was not downloaded");
                let _ = tokio::fs::remove_file(downloads.join(&path)).await;
                problems.insert(path, why);
                pace.done(0);
            }
        }
        if let Some(halt) = observer.stop() {
            return Err(NotFetched::Halted(halt));
        }
        status.doing = pace.doing();
        status.calls = pace.files_done as u64;
        observer.progress(&status);
    }
    // What is here now: every file wanted but those whose download failed.
    let here: BTreeMap<String, DriveItem> = wanted
        .into_iter()
        .filter(|(path, _)| !problems.contains_key(path))
        .collect();
    let versions = Versions {
        files: here
            .iter()
            .map(|(path, item)| (path.clone(), item.version().unwrap_or_default().to_string()))
            .collect(),
    };
    let json = serde_json::to_vec_pretty(&versions).map_err(|e| e.to_string())?;
    tokio::fs::write(&versions_path, json)
        .await
        .map_err(|e| format!("cannot keep the files' versions: {e}"))?;
    let drive_files = here
        .into_iter()
        .map(|(path, item)| {
            let file = SectionFile {
                // Below the notebook's folder (a folder name holds no `/`).
                path: path
                    .split_once('/')
                    .map_or(&*path, |(_, rest)| rest)
                    .to_string(),
                drive_id: item.drive_id().unwrap_or_default().to_string(),
                version: item.version().map(str::to_string),
                item_id: item.id,
            };
            (path, file)
        })
        .collect();
    Ok(Fetched {
        notebooks,
        problems,
        drive_files,
        downloaded,
        kept,
        bytes: pace.bytes_done,
    })
}

/// How the downloads are going, in words, with the time left at the drive's speed so far.
struct DownloadPace {
    files: usize,
    files_done: usize,
    /// The files' sizes as the drive gave them (0 for those it did not).
    bytes_total: u64,
    bytes_done: u64,
    started: std::time::Instant,
}

impl DownloadPace {
    /// For these files to download.
    fn new(files: &[(String, DriveItem)]) -> DownloadPace {
        DownloadPace {
            files: files.len(),
            files_done: 0,
            bytes_total: files.iter().filter_map(|(_, item)| item.size).sum(),
            bytes_done: 0,
            started: std::time::Instant::now(),
        }
    }

    fn done(&mut self, bytes: u64) {
        self.files_done += 1;
        self.bytes_done += bytes;
    }

    fn doing(&self) -> String {
        let mut doing = format!(
            "downloading the notebooks' files: {} of {}",
            self.files_done, self.files
        );
        if self.bytes_total > 0 {
            doing.push_str(&format!(
                " ({} of {}",
                export::status::human_bytes(self.bytes_done),
                export::status::human_bytes(self.bytes_total)
            ));
            if let Some(left) = self.time_left() {
                doing.push_str(&format!(", about {} left", seconds_in_words(left)));
            }
            doing.push(')');
        }
        doing
    }

    /// The bytes still to come at the speed the drive has given them so far.
    fn time_left(&self) -> Option<u64> {
        let elapsed = self.started.elapsed().as_secs_f64();
        if self.bytes_done == 0 || elapsed < 0.5 {
            return None;
        }
        let speed = self.bytes_done as f64 / elapsed;
        let left = self.bytes_total.saturating_sub(self.bytes_done) as f64 / speed;
        Some(left.round() as u64)
    }
}

fn seconds_in_words(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds.div_ceil(60)),
        _ => format!("{:.1} h", seconds as f64 / 3600.0),
    }
}

/// Downloads one file to `to`; the bytes written. The bytes go to a `.part` file first and
/// take the file's name once whole: a download cut short never passes for the file at the next
/// update, whose version would match.
async fn download(source: &GraphSource, to: PathBuf, item: DriveItem) -> Result<u64, String> {
    if let Some(parent) = to.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| format!("cannot prepare the download folder: {e}"))?;
    }
    let mut part = to.clone().into_os_string();
    part.push(".part");
    let part = PathBuf::from(part);
    let drive = item.drive_id().unwrap_or_default();
    let (id, into) = (item.id.as_str(), part.as_path());
    let written = source
        .files_call(async |graph, token| {
            graph
                .download_drive_file(token.expose(), drive, id, into)
                .await
        })
        .await
        .map_err(|e| format!("{} could not be downloaded: {e}", item.name))?;
    tokio::fs::rename(&part, &to)
        .await
        .map_err(|e| format!("{} could not be kept: {e}", item.name))?;
    Ok(written)
}

/// A notebook's folder name (its name as OneNote shows it, when that is a safe file name) and
/// its files, by path below that folder.
async fn notebook_files(
    source: &GraphSource,
    tree: &NotebookTree,
) -> Result<(String, Vec<(String, DriveItem)>), String> {
    let notebook = &tree.notebook;
    let web = notebook
        .links
        .web_url()
        .ok_or_else(|| format!("OneNote gave no web address for {}", notebook.display_name))?;
    let package = source
        .files_call(async |graph, token| graph.shared_drive_item(token.expose(), web).await)
        .await
        .map_err(|e| {
            format!(
                "the files of {} were not found in a drive: {e}",
                notebook.display_name
            )
        })?;
    let drive = package
        .drive_id()
        .ok_or("the drive gave the notebook without its drive")?
        .to_string();
    let mut files = Vec::new();
    let mut folders = vec![(String::new(), package.id.clone(), 0usize)];
    while let Some((prefix, id, depth)) = folders.pop() {
        let children = source
            .files_call(async |graph, token| {
                graph.drive_children(token.expose(), &drive, &id).await
            })
            .await
            .map_err(|e| {
                format!(
                    "the files of {} could not be listed: {e}",
                    notebook.display_name
                )
            })?;
        for child in children {
            // A name from the drive becomes a path: one plain segment, or nothing.
            if !safe_segment(&child.name) {
                continue;
            }
            let path = format!("{prefix}{}", child.name);
            if child.is_folder() {
                if child.name != RECYCLE_BIN && depth < MAX_DEPTH {
                    folders.push((format!("{path}/"), child.id.clone(), depth + 1));
                }
            } else if child.is_file() && is_notebook_file(&child.name) {
                files.push((path, child));
            }
        }
    }
    let folder = if safe_segment(&notebook.display_name) {
        notebook.display_name.clone()
    } else {
        format!("Notebook {}", short(&notebook.id))
    };
    Ok((folder, files))
}

/// Of a notebook's files, those a one-section export needs: the section's file (where OneNote
/// keeps it: `{name}.one` in its groups' folders) and the tables of contents on the way to it,
/// which keep its section groups groups when the files are read. `tree` is narrowed to the
/// section.
fn section_files(
    tree: &NotebookTree,
    files: Vec<(String, DriveItem)>,
) -> Result<Vec<(String, DriveItem)>, String> {
    let (mut folder, mut sections, mut groups) = (String::new(), &tree.sections, &tree.groups);
    let section = loop {
        if let Some(section) = sections.first() {
            break section;
        }
        let group = groups.first().ok_or("the section is not there any more")?;
        folder.push_str(&group.group.display_name);
        folder.push('/');
        (sections, groups) = (&group.sections, &group.groups);
    };
    let path = format!("{folder}{}.one", section.display_name);
    let on_the_way = |file: &str| {
        let (parent, name) = file.rsplit_once('/').unwrap_or(("", file));
        let parent = if parent.is_empty() {
            String::new()
        } else {
            format!("{parent}/")
        };
        name.to_ascii_lowercase().ends_with(".onetoc2") && folder.starts_with(&parent)
    };
    let wanted: Vec<(String, DriveItem)> = files
        .into_iter()
        .filter(|(file, _)| file.eq_ignore_ascii_case(&path) || on_the_way(file))
        .collect();
    if !wanted
        .iter()
        .any(|(file, _)| file.eq_ignore_ascii_case(&path))
    {
        return Err(format!("the drive has no file {path} for the section"));
    }
    Ok(wanted)
}

/// Converts the downloaded notebooks into the job's vault, on a blocking thread: the sections
/// whose files are here from the files, the others through the page API. Nothing readable in
/// the files at all is a [`NotFetched::Fallback`] with the reader's reasons.
async fn convert(
    root: &Path,
    fetched: Fetched,
    source: &GraphSource,
    observer: Arc<dyn Observer>,
    patience: Patience,
) -> Result<Result<export::Finished, Halt>, NotFetched> {
    let handle = tokio::runtime::Handle::current();
    let root = root.to_path_buf();
    let graph = source.clone();
    tracing::info!(
        downloaded = fetched.downloaded,
        unchanged = fetched.kept,
        not_downloaded = fetched.problems.len(),
        bytes = fetched.bytes,
        "fast export: the notebook files are here"
    );
    tokio::task::spawn_blocking(move || {
        let work = root.join(WORK);
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(|e| {
            NotFetched::Halted(Halt::Failed(format!("cannot prepare the files: {e}")))
        })?;
        let inputs: Vec<PathBuf> = fetched
            .notebooks
            .iter()
            .map(|n| root.join(DOWNLOADS).join(&n.folder))
            .filter(|folder| folder.is_dir())
            .collect();
        let library = onenote_files::read(&inputs, &work, ReadOptions::default()).map_err(|e| {
            NotFetched::Fallback(format!("the notebooks' files could not be read: {e}"))
        })?;
        if library.notebooks.is_empty() {
            return Err(NotFetched::Fallback(format!(
                "none of the notebooks' files could be read ({})",
                library.why_nothing()
            )));
        }
        let mixed = MixedSource::new(
            FileSource::new(library),
            graph,
            fetched.notebooks,
            &fetched.problems,
            fetched.drive_files,
        );
        if mixed.page_by_page() > 0 {
            tracing::info!(
                sections = mixed.page_by_page(),
                "fast export: some sections go page by page"
            );
        }
        let folder = JobFolder::new(&root);
        let result = handle.block_on(export::run(
            &mixed,
            &folder,
            &Scope::Files,
            observer.as_ref(),
            patience,
        ));
        let _ = std::fs::remove_dir_all(&work);
        Ok(result)
    })
    .await
    .unwrap_or_else(|e| {
        std::panic::resume_unwind(e.try_into_panic().unwrap_or_else(|_| Box::new("cancelled")))
    })
}

fn safe_segment(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 255
        && !name.contains(['/', '\\', '\0'])
}

fn is_notebook_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".one") || lower.ends_with(".onetoc2")
}

fn short(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect()
}

/// The page API, with a note for the report saying why the files were not used.
struct Noted<'a> {
    inner: &'a GraphSource,
    note: String,
}

impl Source for Noted<'_> {
    async fn tree(&self) -> Result<Vec<NotebookTree>, FetchError> {
        self.inner.tree().await
    }

    async fn section_pages(&self, section: &str) -> Result<Vec<Page>, FetchError> {
        self.inner.section_pages(section).await
    }

    async fn page_content(&self, page: &str) -> Result<PageContent, FetchError> {
        self.inner.page_content(page).await
    }

    async fn resource(&self, id: &str) -> Result<Vec<u8>, FetchError> {
        self.inner.resource(id).await
    }

    fn notes(&self) -> Vec<String> {
        vec![self.note.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::{DownloadPace, is_notebook_file, safe_segment, seconds_in_words};

    #[test]
    fn the_time_left_comes_from_the_drives_speed_so_far() {
        let mut pace = DownloadPace {
            files: 4,
            files_done: 0,
            bytes_total: 40_000_000,
            bytes_done: 0,
            started: std::time::Instant::now() - std::time::Duration::from_secs(10),
        };
        assert!(
            !pace.doing().contains("left"),
            "nothing to go by yet: {}",
            pace.doing()
        );
        pace.done(10_000_000);
        // A quarter in 10 s: 30 s for the rest.
        let doing = pace.doing();
        assert!(
            doing.starts_with("downloading the notebooks' files: 1 of 4 ("),
            "{doing}"
        );
        assert!(doing.ends_with("about 30 s left)"), "{doing}");
        assert_eq!(seconds_in_words(59), "59 s");
        assert_eq!(seconds_in_words(61), "2 min");
        assert_eq!(seconds_in_words(5400), "1.5 h");
    }

    #[test]
    fn a_name_from_the_drive_becomes_one_plain_path_segment_or_nothing() {
        for hostile in [
            "",
            ".",
            "..",
            "a/b",
            "..\\up",
            "nul\0byte",
            &"x".repeat(256),
        ] {
            assert!(!safe_segment(hostile), "{hostile:?}");
        }
        for plain in [
            "New Section 1.one",
            "Open Notebook.onetoc2",
            "Notes .. 2024",
            "…",
        ] {
            assert!(safe_segment(plain), "{plain:?}");
        }
        assert!(is_notebook_file("A.ONE") && is_notebook_file("Open Notebook.onetoc2"));
        assert!(!is_notebook_file("photo.png") && !is_notebook_file("A.one.part"));
    }
}
