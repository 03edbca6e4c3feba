//! What a run has done so far, kept durable so a restart goes on where it stopped: the listing
//! (written once, when it is made), then one line per page appended to a journal as the page is
//! finished (written, kept unchanged, or skipped) — never the whole progress rewritten after
//! every page, which made a 2,000-page export write a quadratic amount. A page's journal line is
//! synced after its files and before the next page's files are written; a line torn by a crash
//! is a page in flight, fetched again. The content of a page in flight is kept beside it while
//! its resources are fetched and its files written, so a run stopped there (the owner must sign
//! in again, the instance died) does not fetch the page a second time.
//!
//! The files, in the job's `progress/` folder: `listing.json`, `journal.jsonl`, and
//! `pending/{hash of the page id}.json` for each page in flight (two at most: the one being
//! written and the next). Everything here blocks on the disk: the runner calls it through
//! `spawn_blocking`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use graph::ink_content::PageContent;
use graph::onenote::{NotebookTree, Page};
use serde::{Deserialize, Serialize};

use crate::manifest::PageEntry;
use crate::status::{Changes, Skipped, Status};

/// What is in scope, as listed at the start of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Listing {
    pub trees: Vec<NotebookTree>,
    pub pages: HashMap<String, Vec<Page>>,
    /// Sections whose pages could not be listed (and what the source left out).
    #[serde(default)]
    pub skipped: Vec<Skipped>,
    /// What the source noticed, for the report.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// How a page came out of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// New in this export.
    Added,
    /// Fetched again: it changed since the last export.
    Changed,
    /// Unchanged since the last export: kept as it was.
    Kept,
    /// Given up on (the reason is in the line's `skipped`).
    Skipped,
}

/// One journal line: a page finished, with the counters as they stood then.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub page: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<PageEntry>,
    /// What was skipped on the way (the page, or some of its resources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// The page's bytes in the vault (its Markdown and resources).
    #[serde(default)]
    pub bytes: u64,
    /// The run's Graph calls and seconds waited so far (totals, not this page's).
    pub calls: u64,
    pub waited_seconds: u64,
    pub elapsed_seconds: u64,
}

/// The run's progress, as loaded (or made new).
#[derive(Debug, Default)]
pub struct Progress {
    pub listing: Option<Listing>,
    /// Pages finished in this run, with what the manifest will say of them.
    pub done: BTreeMap<String, PageEntry>,
    /// Pages given up on in this run.
    pub skipped_pages: BTreeSet<String>,
    pub changes: Changes,
    pub status: Status,
}

impl Progress {
    /// Counts one finished page (from the run, or from the journal on resume).
    pub fn apply(&mut self, line: Line) {
        let status = &mut self.status;
        status.calls = status.calls.max(line.calls);
        status.throttled_seconds = status.throttled_seconds.max(line.waited_seconds);
        status.elapsed_seconds = status.elapsed_seconds.max(line.elapsed_seconds);
        status.bytes += line.bytes;
        status.skipped.extend(line.skipped);
        let path = line.entry.as_ref().map(|e| e.path.clone());
        match (line.outcome, path) {
            (Outcome::Added, Some(path)) => self.changes.added.push(path),
            (Outcome::Changed, Some(path)) => self.changes.changed.push(path),
            _ => {}
        }
        match line.entry {
            Some(entry) => {
                status.resources_done += entry.resources.len() as u64;
                self.done.insert(line.page, entry);
            }
            None => {
                self.skipped_pages.insert(line.page);
            }
        }
        status.pages_done = (self.done.len() + self.skipped_pages.len()) as u64;
    }
}

/// The page in flight: its content, kept until the page is finished.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub page: String,
    pub content: PageContent,
}

/// The progress files of one job.
#[derive(Debug, Clone)]
pub struct ProgressFiles {
    dir: PathBuf,
    /// Whether the journal is on the disk before a page counts as done (see `Vault::unsynced`).
    synced: bool,
}

impl ProgressFiles {
    pub fn new(dir: PathBuf) -> ProgressFiles {
        ProgressFiles { dir, synced: true }
    }

    /// Progress files left to the system to write out.
    pub fn unsynced(dir: PathBuf) -> ProgressFiles {
        ProgressFiles { dir, synced: false }
    }

    fn listing_path(&self) -> PathBuf {
        self.dir.join("listing.json")
    }

    fn journal_path(&self) -> PathBuf {
        self.dir.join("journal.jsonl")
    }

    /// Where the content of page `page` waits while the page is in flight: one file per page,
    /// since a page's files are still being written while the next page's content is kept.
    fn pending_path(&self, page: &str) -> PathBuf {
        let name = crate::manifest::sha256_hex(page.as_bytes());
        self.dir
            .join("pending")
            .join(format!("{}.json", &name[..32]))
    }

    /// The pages whose content waits from the last run (their [`Self::pending`] is worth
    /// reading).
    pub fn pending_pages(&self) -> std::io::Result<BTreeSet<String>> {
        let entries = match fs::read_dir(self.dir.join("pending")) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
            Err(e) => return Err(e),
        };
        let mut pages = BTreeSet::new();
        for entry in entries {
            let Ok(bytes) = fs::read(entry?.path()) else {
                continue;
            };
            if let Ok(pending) = serde_json::from_slice::<Pending>(&bytes) {
                pages.insert(pending.page);
            }
        }
        Ok(pages)
    }

    /// What was done so far (nothing, if nothing was listed yet).
    pub fn load(&self) -> std::io::Result<Progress> {
        let mut progress = Progress::default();
        match fs::read(self.listing_path()) {
            Ok(bytes) => match serde_json::from_slice::<Listing>(&bytes) {
                Ok(listing) => {
                    progress.status.skipped = listing.skipped.clone();
                    progress.listing = Some(listing);
                }
                // A listing that does not read is listed again (nothing else is lost).
                Err(_) => return Ok(Progress::default()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(progress),
            Err(e) => return Err(e),
        }
        let journal = match fs::read(self.journal_path()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        for line in journal.split(|b| *b == b'\n') {
            // A torn last line is the page that was in flight: it is done again.
            if let Ok(line) = serde_json::from_slice::<Line>(line) {
                progress.apply(line);
            }
        }
        Ok(progress)
    }

    /// Keeps the listing (and starts an empty journal).
    pub fn save_listing(&self, listing: &Listing) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let json = serde_json::to_vec(listing).map_err(std::io::Error::other)?;
        write_file(&self.listing_path(), &json, self.synced)?;
        match fs::remove_file(self.journal_path()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Appends a finished page, synced before it returns; and forgets the page in flight.
    pub fn append(&self, line: &Line) -> std::io::Result<()> {
        let mut json = serde_json::to_vec(line).map_err(std::io::Error::other)?;
        json.push(b'\n');
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.journal_path())?;
        file.write_all(&json)?;
        if self.synced {
            file.sync_data()?;
        }
        match fs::remove_file(self.pending_path(&line.page)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Keeps the content of the page in flight.
    pub fn save_pending(&self, pending: &Pending) -> std::io::Result<()> {
        let json = serde_json::to_vec(pending).map_err(std::io::Error::other)?;
        write_file(&self.pending_path(&pending.page), &json, self.synced)
    }

    /// The content of the page in flight when the last run stopped, if it was `page`.
    pub fn pending(&self, page: &str) -> Option<PageContent> {
        let bytes = fs::read(self.pending_path(page)).ok()?;
        let pending: Pending = serde_json::from_slice(&bytes).ok()?;
        (pending.page == page).then_some(pending.content)
    }

    /// Forgets everything (the next run starts from the listing).
    pub fn clear(&self) -> std::io::Result<()> {
        match fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The listing alone (the job's label comes from it).
    pub fn listing(&self) -> Option<Listing> {
        serde_json::from_slice(&fs::read(self.listing_path()).ok()?).ok()
    }
}

/// Writes `bytes` to `path` whole or not at all — a temporary file renamed into place — synced
/// first when `synced`.
fn write_file(path: &Path, bytes: &[u8], synced: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("part");
    let mut file = fs::File::create(&partial)?;
    file.write_all(bytes)?;
    if synced {
        file.sync_data()?;
    }
    fs::rename(partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(page: &str, outcome: Outcome, calls: u64) -> Line {
        Line {
            page: page.into(),
            outcome,
            entry: (outcome != Outcome::Skipped).then(|| PageEntry {
                title: page.into(),
                path: format!("N/{page}.md"),
                children: None,
                section: "s".into(),
                modified: None,
                link_id: None,
                resources: vec![],
                broken_links: vec![],
            }),
            skipped: vec![],
            bytes: 10,
            calls,
            waited_seconds: 0,
            elapsed_seconds: 1,
        }
    }

    #[test]
    fn the_journal_replays_and_a_torn_line_is_the_page_in_flight() {
        let dir = std::env::temp_dir().join(format!("progress-test-{}", std::process::id()));
        let files = ProgressFiles::new(dir.clone());
        files
            .save_listing(&Listing {
                trees: vec![],
                pages: HashMap::new(),
                skipped: vec![],
                notes: vec![],
            })
            .unwrap();
        files.append(&line("a", Outcome::Added, 3)).unwrap();
        files.append(&line("b", Outcome::Skipped, 9)).unwrap();
        // A crash in the middle of the third line.
        let mut journal = fs::OpenOptions::new()
            .append(true)
            .open(files.journal_path())
            .unwrap();
        journal.write_all(br#"{"page":"c","outc"#).unwrap();
        let progress = files.load().unwrap();
        assert!(progress.listing.is_some());
        assert_eq!(progress.done.keys().collect::<Vec<_>>(), ["a"]);
        assert!(progress.skipped_pages.contains("b"));
        assert_eq!(progress.status.pages_done, 2);
        assert_eq!(progress.status.calls, 9);
        assert_eq!(progress.status.bytes, 20);
        assert_eq!(progress.changes.added, ["N/a.md"]);
        fs::remove_dir_all(dir).unwrap();
    }
}
